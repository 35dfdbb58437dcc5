package org.wild3d.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.config.LoadedConfig;
import org.wild3d.metrics.MetricResult;
import org.wild3d.model.TinyRuns;

/**
 * {@code metrics --shard K/N} and {@code metrics --merge}: N shards merged give the unsharded
 * lines, and shards that do not belong together are refused naming the file and the field.
 */
class MetricsShardTest extends EvalCliTest {
  /**
   * Every kind of feature metric, in two count groups (12 and 24 images). With --batch 2 every
   * shard boundary (4, 6, 8, 12, 16) is on the unsharded run's batch grid, so every image is
   * rendered and featurised in the same batch as unsharded.
   */
  static final String METRICS =
      "fid12_cls,kid12_cls,is12_cls,acc12_cls,precision12_cls,recall12_cls,fid24_cls";

  @TempDir static Path shared;
  static Path run;
  static List<MetricResult> unsharded;
  @TempDir Path dir;

  @BeforeAll
  static void tinyRunAndItsUnshardedMetrics() throws Exception {
    LoadedConfig cfg = TinyRuns.config(shared.resolve("cache"), "");
    run = shared.resolve("run");
    TinyRuns.writeRun(run, cfg, 3, TinyRuns.Inputs.of(cfg.resolved(), 1), 1f);
    TinyRuns.writeRun(run, cfg, 5, TinyRuns.Inputs.of(cfg.resolved(), 1), 1f);
    Path jsonl = shared.resolve("unsharded.jsonl");
    MetricsShardTest t = new MetricsShardTest();
    assertThat(t.run(common("--out", jsonl.toString()))).as(t.err.toString()).isZero();
    unsharded = read(jsonl);
    assertThat(unsharded).hasSize(7);
  }

  static String[] common(String... more) {
    List<String> a = new ArrayList<>(List.of("metrics", "--run", run.toString(), "--metrics",
        METRICS, "--classifier-steps", "20", "--seed", "3", "--batch", "2"));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  static List<MetricResult> read(Path jsonl) throws Exception {
    return Files.readAllLines(jsonl).stream().map(MetricResult::fromJsonLine).toList();
  }

  /** Writes shards 0..n-1 of n into {@code folder}; returns their manifests. */
  List<String> shards(int n, Path folder) {
    List<String> files = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      assertThat(run(common("--shard", k + "/" + n, "--out", folder.toString())))
          .as(err.toString()).isZero();
      files.add(folder.resolve("shard-" + k + "-of-" + n + ".json").toString());
    }
    return files;
  }

  int merge(List<String> files, String... more) {
    List<String> a = new ArrayList<>(List.of("metrics", "--merge"));
    a.addAll(files);
    a.addAll(List.of(more));
    return run(a.toArray(String[]::new));
  }

  @Test
  void twoAndThreeShardsMergeToTheUnshardedLines() throws Exception {
    for (int n : new int[] {2, 3}) {
      List<String> files = shards(n, dir.resolve("shards" + n));
      assertThat(out.toString()).contains("wrote shard " + (n - 1) + "/" + n + " of "
          + METRICS.replace(",", ", "));
      Path jsonl = dir.resolve("merged" + n + ".jsonl");
      assertThat(merge(files, "--out", jsonl.toString())).as(err.toString()).isZero();
      assertThat(out.toString()).contains("appended 7 line(s) to " + jsonl);
      List<MetricResult> merged = read(jsonl);
      assertThat(merged).hasSize(unsharded.size());
      for (int i = 0; i < merged.size(); i++) {
        MetricResult m = merged.get(i);
        MetricResult u = unsharded.get(i);
        assertThat(m.name()).isEqualTo(u.name());
        if (m.name().startsWith("fid")) {
          // Same features; mean and co-moment merged in float64 (Chan's update) instead of
          // folded in batch by batch, so they differ in the last bits (~1e-16 relative). With
          // fewer images than feature dimensions the covariances are singular and the matrix
          // square root turns that into ~5e-10 relative here (well-conditioned fid50k: less).
          assertThat(m.value()).as(m.name() + " of " + n + " shards")
              .isCloseTo(u.value(), within(2e-9 * Math.abs(u.value())));
          assertThat(m.value()).isPositive();
          m = new MetricResult(m.name(), u.value(), m.std(), m.featureNetwork(),
              m.numGenerated(), m.numReal(), m.seeds(), m.provenance(), m.perClass(),
              m.confusion());
        }
        // KID, precision/recall (raw rows in index order), IS (probabilities in index order,
        // the same splits) and accuracy (summed counts) see exactly the unsharded features.
        assertThat(m).as(m.name() + " of " + n + " shards").isEqualTo(u);
      }
    }
  }

  @Test
  void shardBoundariesInsideABatchChangeOnlyFeatureRounding() throws Exception {
    // --batch 5: shard 1/2 starts at image 6 inside the unsharded batch [5, 10); its first batch
    // is [6, 10) (cut on the unsharded grid), and TF's kernels may round rows of a 4-image batch
    // differently from a 5-image one (float32, ~1e-7), as a different --batch would.
    List<String> a = new ArrayList<>(List.of(common()));
    a.set(a.indexOf("2"), "5");
    Path jsonl = dir.resolve("unsharded5.jsonl");
    assertThat(run(concat(a, "--out", jsonl.toString()))).as(err.toString()).isZero();
    List<String> files = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      assertThat(run(concat(a, "--shard", k + "/2", "--out", dir.resolve("b5").toString())))
          .as(err.toString()).isZero();
      files.add(dir.resolve("b5/shard-" + k + "-of-2.json").toString());
    }
    Path merged = dir.resolve("merged5.jsonl");
    assertThat(merge(files, "--out", merged.toString())).as(err.toString()).isZero();
    List<MetricResult> u = read(jsonl);
    List<MetricResult> m = read(merged);
    for (int i = 0; i < u.size(); i++) {
      assertThat(m.get(i).value()).as(u.get(i).name())
          .isCloseTo(u.get(i).value(), within(1e-5 * Math.abs(u.get(i).value()) + 1e-9));
      assertThat(m.get(i).confusion()).isEqualTo(u.get(i).confusion());
      assertThat(m.get(i).provenance()).isEqualTo(u.get(i).provenance());
    }
  }

  static String[] concat(List<String> a, String... more) {
    List<String> all = new ArrayList<>(a);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @Test
  void missingDuplicateAndForeignShardsExitFourNamingFileAndField() throws Exception {
    List<String> files = shards(3, dir.resolve("s"));
    assertThat(merge(List.of(files.get(0), files.get(2)))).isEqualTo(4);
    assertThat(err.toString()).contains("missing 1/3", "--shard 1/3");

    err.getBuffer().setLength(0);
    assertThat(merge(List.of(files.get(0), files.get(1), files.get(1), files.get(2))))
        .isEqualTo(4);
    assertThat(err.toString()).contains(files.get(1), "shard 1/3 twice");

    err.getBuffer().setLength(0);
    Path older = run.resolve("checkpoints/step-000000003");
    assertThat(run(common("--shard", "1/3", "--checkpoint", older.toString(), "--out",
        dir.resolve("old/s1.json").toString()))).as(err.toString()).isZero();
    assertThat(merge(List.of(files.get(0), dir.resolve("old/s1.json").toString(),
        files.get(2)))).isEqualTo(4);
    assertThat(err.toString()).contains(dir.resolve("old/s1.json").toString(),
        "expected checkpoint", "step-000000005", "found " + older);

    err.getBuffer().setLength(0);
    assertThat(run("metrics", "--run", run.toString(), "--metrics", "fid12_cls",
        "--classifier-steps", "20", "--seed", "3", "--batch", "2", "--shard", "0/3", "--out",
        dir.resolve("other").toString())).as(err.toString()).isZero();
    assertThat(merge(List.of(dir.resolve("other/shard-0-of-3.json").toString(), files.get(1),
        files.get(2)))).isEqualTo(4);
    assertThat(err.toString()).contains(files.get(1), "expected metrics [fid12_cls]");
    assertThat(Stream.of("merged.jsonl", "metrics.jsonl")).allSatisfy(
        f -> assertThat(dir.resolve(f)).doesNotExist());
  }

  @Test
  void badShardValuesAndShardedGeometryAreUsageErrors() {
    for (String bad : new String[] {"0/0", "3/2", "a/b", "1", "-1/2"}) {
      err.getBuffer().setLength(0);
      assertThat(run(common("--shard", bad, "--out", dir.toString()))).as(bad).isEqualTo(2);
      assertThat(err.toString()).as(bad).contains("--shard: expected K/N");
    }
    assertThat(err.toString()).contains("found '-1/2'");
    err.getBuffer().setLength(0);
    assertThat(run("metrics", "--run", run.toString(), "--metrics", "mv_depth4", "--shard",
        "0/2")).isEqualTo(2);
    assertThat(err.toString()).contains("mv_depth4", "not sharded");
    err.getBuffer().setLength(0);
    assertThat(run("metrics", "--merge", dir.resolve("x.json").toString(), "--seed", "4"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--seed: expected it not with --merge");
    assertThat(dir.resolve("shard-0-of-2.json")).doesNotExist();
  }
}
