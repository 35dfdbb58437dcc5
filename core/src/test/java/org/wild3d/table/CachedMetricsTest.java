package org.wild3d.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.DataException;
import org.wild3d.metrics.MetricResult;

class CachedMetricsTest {
  @TempDir Path dir;

  private static final CachedMetrics.Key KEY =
      new CachedMetrics.Key("fid2k_cls", "step-000000125", 125, "hash", 3, 1000);

  private static MetricResult result(String name, double value, String ckpt, String step,
      String hash, long seed, String clsSteps) {
    Map<String, String> prov = new HashMap<>();
    prov.put("checkpoint", ckpt);
    prov.put("step", step);
    prov.put("config_hash", hash);
    prov.put("truncation_psi", "1.0");
    if (clsSteps != null) {
      prov.put("classifier_steps", clsSteps);
    }
    return new MetricResult(name, value, 0, "cls-x", 2000, 2000, Map.of("generator", seed), prov);
  }

  @Test
  void matchesOnlyTheSameMetricCheckpointSeedAndClassifier() {
    String ckpt = "/elsewhere/run/checkpoints/step-000000125";
    assertThat(KEY.matches(result("fid2k_cls", 1, ckpt, "125", "hash", 3, "1000"))).isTrue();
    assertThat(KEY.matches(result("kid2k_cls", 1, ckpt, "125", "hash", 3, "1000"))).isFalse();
    assertThat(KEY.matches(result("fid2k_cls", 1, "/r/checkpoints/step-000000250", "125", "hash",
        3, "1000"))).isFalse();
    assertThat(KEY.matches(result("fid2k_cls", 1, ckpt, "250", "hash", 3, "1000"))).isFalse();
    assertThat(KEY.matches(result("fid2k_cls", 1, ckpt, "125", "other", 3, "1000"))).isFalse();
    assertThat(KEY.matches(result("fid2k_cls", 1, ckpt, "125", "hash", 4, "1000"))).isFalse();
    assertThat(KEY.matches(result("fid2k_cls", 1, ckpt, "125", "hash", 3, "20"))).isFalse();
    CachedMetrics.Key inception = new CachedMetrics.Key("fid50k", "step-000000125", 125, "hash",
        3, -1);
    assertThat(inception.matches(result("fid50k", 1, ckpt, "125", "hash", 3, null))).isTrue();
  }

  @Test
  void readsTheFileAndFindsTheLastMatch() throws Exception {
    String ckpt = "/r/checkpoints/step-000000125";
    Path f = dir.resolve("metrics.jsonl");
    Files.writeString(f, result("fid2k_cls", 5, ckpt, "125", "hash", 3, "1000").toJsonLine() + "\n"
        + result("fid2k_cls", 6, ckpt, "125", "hash", 0, "1000").toJsonLine() + "\n\n"
        + result("fid2k_cls", 7, ckpt, "125", "hash", 3, "1000").toJsonLine() + "\n");
    List<MetricResult> all = CachedMetrics.read(f);
    assertThat(all).hasSize(3);
    assertThat(CachedMetrics.find(all, KEY).orElseThrow().value()).isEqualTo(7.0);
    assertThat(CachedMetrics.read(dir.resolve("absent.jsonl"))).isEmpty();
  }

  @Test
  void aBrokenLineIsADataErrorNamingFileAndLine() throws Exception {
    Path f = dir.resolve("metrics.jsonl");
    Files.writeString(f, "{\"name\":\"fid2k_cls\",\"seeds\":{},\"provenance\":{}}\n{oops\n");
    DataException e = catchThrowableOfType(DataException.class, () -> CachedMetrics.read(f));
    assertThat(e.exitCode()).isEqualTo(4);
    assertThat(e.getMessage()).startsWith(f + ":2: expected a JSON metric result");
  }
}
