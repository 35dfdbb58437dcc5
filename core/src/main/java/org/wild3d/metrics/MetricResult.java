package org.wild3d.metrics;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * One computed metric, as one JSON line of {@code metrics.jsonl}. No timestamps: the same inputs
 * and seeds give the same line.
 *
 * @param name registry name, e.g. {@code fid2k_cls}
 * @param value the metric (KID, IS: mean over subsets/splits)
 * @param std spread over KID subsets / IS splits; 0 where not applicable
 * @param featureNetwork {@link FeatureNetwork#name()} of the network used
 * @param numGenerated generated images used
 * @param numReal real images behind the reference statistics (0 if none)
 * @param seeds named seeds, e.g. {@code generator} (first latent seed), {@code kid_subsets}
 * @param provenance what was measured: e.g. {@code snapshot}, {@code dataset} fingerprint,
 *     {@code config_hash}, {@code code_version} (sorted by key)
 */
public record MetricResult(
    String name,
    double value,
    double std,
    String featureNetwork,
    int numGenerated,
    int numReal,
    Map<String, Long> seeds,
    Map<String, String> provenance) {
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping()
      .serializeSpecialFloatingPointValues().create();

  public MetricResult {
    seeds = new TreeMap<>(seeds);
    provenance = new TreeMap<>(provenance);
  }

  /** One line of JSON, without a newline. */
  public String toJsonLine() {
    return GSON.toJson(this);
  }

  public static MetricResult fromJsonLine(String line) {
    return GSON.fromJson(line, MetricResult.class);
  }

  /** Appends this result as one line to {@code jsonl} (created if absent). */
  public void appendTo(Path jsonl) throws IOException {
    Files.write(jsonl, (toJsonLine() + "\n").getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
  }
}
