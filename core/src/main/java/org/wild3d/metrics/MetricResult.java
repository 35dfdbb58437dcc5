package org.wild3d.metrics;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.wild3d.metrics.features.FeatureNetwork;

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
 * @param perClass for class accuracy ({@code acc*_cls}): the accuracy of each class's generated
 *     images, by class index (NaN for a class with none); null for other metrics (and then absent
 *     from the JSON line)
 * @param confusion for class accuracy: {@code confusion[k][j]} = generated images of class k that
 *     the classifier put in class j; null for other metrics (and then absent from the JSON line)
 */
public record MetricResult(
    String name,
    double value,
    double std,
    String featureNetwork,
    int numGenerated,
    int numReal,
    Map<String, Long> seeds,
    Map<String, String> provenance,
    List<Double> perClass,
    List<List<Long>> confusion) {
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping()
      .serializeSpecialFloatingPointValues().create();

  public MetricResult {
    seeds = new TreeMap<>(seeds);
    provenance = new TreeMap<>(provenance);
    perClass = perClass == null ? null : Collections.unmodifiableList(new ArrayList<>(perClass));
    if (confusion != null) {
      List<List<Long>> rows = new ArrayList<>();
      for (List<Long> row : confusion) {
        rows.add(List.copyOf(row));
      }
      confusion = Collections.unmodifiableList(rows);
    }
  }

  /** A result with a per-class breakdown but no confusion matrix. */
  public MetricResult(String name, double value, double std, String featureNetwork,
      int numGenerated, int numReal, Map<String, Long> seeds, Map<String, String> provenance,
      List<Double> perClass) {
    this(name, value, std, featureNetwork, numGenerated, numReal, seeds, provenance, perClass,
        null);
  }

  /** A result without a per-class breakdown. */
  public MetricResult(String name, double value, double std, String featureNetwork,
      int numGenerated, int numReal, Map<String, Long> seeds, Map<String, String> provenance) {
    this(name, value, std, featureNetwork, numGenerated, numReal, seeds, provenance, null, null);
  }

  /**
   * The per-class breakdown as one line, e.g. {@code sphere 0.95  cube 0.40 ...}, naming classes by
   * {@code classNames} where it has them (else by index); empty when there is none.
   */
  public String perClassLine(List<String> classNames) {
    if (perClass == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < perClass.size(); k++) {
      b.append(b.length() == 0 ? "" : "  ").append(label(classNames, k))
          .append(String.format(Locale.ROOT, " %.2f", perClass.get(k)));
    }
    return b.toString();
  }

  /**
   * What each class's mistakes were taken for, from the confusion matrix: the most frequent wrong
   * classes of every class with mistakes (share of that class's images, at least 5%), e.g.
   * {@code sphere as cylinder 0.45, cone 0.20; cube as sphere 0.61}; empty when there is no matrix
   * or no mistake.
   */
  public String confusionLine(List<String> classNames) {
    if (confusion == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < confusion.size(); k++) {
      List<Long> row = confusion.get(k);
      long total = row.stream().mapToLong(Long::longValue).sum();
      List<Integer> wrong = new ArrayList<>();
      for (int j = 0; j < row.size(); j++) {
        if (j != k && total > 0 && row.get(j) >= 0.05 * total) {
          wrong.add(j);
        }
      }
      if (wrong.isEmpty()) {
        continue;
      }
      wrong.sort((x, y) -> Long.compare(row.get(y), row.get(x)));
      b.append(b.length() == 0 ? "" : "; ").append(label(classNames, k)).append(" as");
      for (int i = 0; i < wrong.size(); i++) {
        int j = wrong.get(i);
        b.append(i == 0 ? " " : ", ").append(label(classNames, j))
            .append(String.format(Locale.ROOT, " %.2f", (double) row.get(j) / total));
      }
    }
    return b.toString();
  }

  private static String label(List<String> classNames, int k) {
    return k < classNames.size() ? classNames.get(k) : Integer.toString(k);
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
