package org.wild3d.table;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.wild3d.DataException;
import org.wild3d.TextFiles;
import org.wild3d.metrics.MetricResult;

/**
 * Results already in a run's {@code metrics.jsonl}, looked up by their provenance so that a table
 * reuses a value only if it measured the same thing: the same metric name, checkpoint, seed and
 * (for {@code _cls} metrics) classifier.
 */
public final class CachedMetrics {
  private CachedMetrics() {}

  /**
   * What a table cell needs. The checkpoint is matched by its directory name, step and config hash,
   * not its absolute path, so that a run directory that was moved or copied keeps its cache.
   *
   * @param metric registry name as written in the spec, e.g. {@code fid2k_cls}
   * @param checkpointName the checkpoint's directory name, e.g. {@code step-000000125}
   * @param step training step of the checkpoint (its manifest)
   * @param configHash the checkpoint manifest's config hash
   * @param seed generator seed (and KID subset seed) of the metric
   * @param classifierSteps training steps of the {@code _cls} classifier; -1 = not a {@code _cls}
   *     metric (not checked)
   */
  public record Key(String metric, String checkpointName, long step, String configHash, long seed,
      int classifierSteps) {

    /** Whether {@code r} is a result of this key (its provenance as MetricsCommand writes it). */
    public boolean matches(MetricResult r) {
      var p = r.provenance();
      String ckpt = p.getOrDefault("checkpoint", "");
      String name = ckpt.isEmpty() ? "" : Path.of(ckpt).getFileName().toString();
      Long generator = r.seeds().get("generator");
      return r.name().equals(metric)
          && name.equals(checkpointName)
          && Long.toString(step).equals(p.get("step"))
          && configHash.equals(p.get("config_hash"))
          && generator != null && generator == seed
          && "1.0".equals(p.getOrDefault("truncation_psi", "1.0"))
          && (classifierSteps < 0
              || Integer.toString(classifierSteps).equals(p.get("classifier_steps")));
    }
  }

  /**
   * Every line of {@code jsonl}; an absent file is empty.
   *
   * @throws DataException (exit 4) naming {@code file:line} of a line that is not a result
   */
  public static List<MetricResult> read(Path jsonl) {
    List<String> lines;
    try {
      lines = TextFiles.readUtf8(jsonl).lines().toList();
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new DataException("cannot read " + jsonl + ": " + TextFiles.reason(e), e);
    }
    List<MetricResult> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.isEmpty()) {
        continue;
      }
      MetricResult r;
      try {
        r = MetricResult.fromJsonLine(l);
      } catch (RuntimeException e) {
        throw new DataException(jsonl + ":" + (i + 1) + ": expected a JSON metric result, found"
            + " text that does not parse (" + e.getMessage() + "; delete or fix the line)", e);
      }
      if (r == null || r.name() == null || r.provenance() == null || r.seeds() == null) {
        throw new DataException(jsonl + ":" + (i + 1) + ": expected a metric result with name,"
            + " seeds and provenance, found an incomplete line (delete or fix it)");
      }
      out.add(r);
    }
    return out;
  }

  /** The last result in {@code results} (file order) that matches {@code key}. */
  public static Optional<MetricResult> find(List<MetricResult> results, Key key) {
    for (int i = results.size() - 1; i >= 0; i--) {
      if (key.matches(results.get(i))) {
        return Optional.of(results.get(i));
      }
    }
    return Optional.empty();
  }
}
