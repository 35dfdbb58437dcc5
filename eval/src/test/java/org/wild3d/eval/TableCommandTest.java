package org.wild3d.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.config.Configs;
import org.wild3d.config.LoadedConfig;
import org.wild3d.metrics.MetricResult;
import org.wild3d.model.TinyRuns;

class TableCommandTest extends EvalCliTest {
  @TempDir static Path shared;
  @TempDir Path dir;

  private static String spec(String rows, String columns) {
    return "title: \"T\"\nseed: 3\nclassifier_steps: 20\nshow_step: true\n" + rows + columns;
  }

  private static long lines(Path run) throws Exception {
    Path f = run.resolve("metrics.jsonl");
    return Files.exists(f) ? Files.readAllLines(f).size() : 0;
  }

  @Test
  void secondCallComputesNothingAndWritesTheSameBytes() throws Exception {
    LoadedConfig cfg = TinyRuns.config(shared.resolve("cache"), "");
    Path a = dir.resolve("runs/a");
    TinyRuns.writeRun(a, cfg, 3, TinyRuns.Inputs.of(cfg.resolved(), 1), 1f);
    // Row B names A's checkpoint directory (relative to --root): the same cells, computed once.
    Path specFile = dir.resolve("t.pbtxt");
    Files.writeString(specFile, spec("""
        row { label: "A" path: "runs/a" }
        row { label: "B" path: "runs/a/checkpoints/step-000000003" }
        """, """
        column { metric: "fid8_cls" header: "FID" }
        column { metric: "kid8_cls" header: "KID" scale: 1000 }
        column { metric: "acc8_cls" header: "Acc" }
        """));
    Path outDir = dir.resolve("tables");
    String[] args = {"table", "--spec", specFile.toString(), "--out", outDir.toString(),
        "--root", dir.toString(), "--batch", "8"};

    assertThat(run("table", "--spec", specFile.toString(), "--out", outDir.toString(),
        "--root", dir.toString(), "--dry-run")).as(err.toString()).isZero();
    assertThat(out.toString()).contains("3 cell(s) to compute",
        "to compute: fid8_cls, kid8_cls, acc8_cls", "(step 3)");
    assertThat(outDir).doesNotExist();
    assertThat(lines(a)).isZero();

    assertThat(run(args)).as(err.toString()).isZero();
    assertThat(err.toString()).contains("table t: computing 3/3 cell(s): row \"A\"")
        .doesNotContain("row \"B\"");
    assertThat(lines(a)).isEqualTo(3);
    byte[] md = Files.readAllBytes(outDir.resolve("t.md"));
    byte[] csv = Files.readAllBytes(outDir.resolve("t.csv"));
    byte[] tex = Files.readAllBytes(outDir.resolve("t.tex"));
    // The table shows the values recorded in the runs' metrics.jsonl.
    MetricResult fidA = MetricResult.fromJsonLine(Files.readAllLines(a.resolve("metrics.jsonl"))
        .get(0));
    assertThat(fidA.name()).isEqualTo("fid8_cls");
    assertThat(fidA.seeds()).containsEntry("generator", 3L);
    String fid = String.format(java.util.Locale.ROOT, "%.2f", fidA.value());
    assertThat(new String(md)).contains("| Method | step | FID ↓ | KID ↓ | Acc ↑ |",
        "| A | 3 | **" + fid + "** | ", "| B | 3 | **" + fid + "** | ");
    assertThat(new String(csv)).startsWith(
        "label,path,step,kimg,fid8_cls,kid8_cls,acc8_cls\nA,runs/a,3,0.024,");
    assertThat(new String(tex)).contains("\\toprule", "\\textbf{");

    err.getBuffer().setLength(0);
    out.getBuffer().setLength(0);
    assertThat(run(args)).as(err.toString()).isZero();
    assertThat(err.toString()).doesNotContain("computing");
    assertThat(out.toString()).contains("t: unchanged in " + outDir + " (computed 0 cell(s))");
    assertThat(lines(a)).isEqualTo(3);
    assertThat(Files.readAllBytes(outDir.resolve("t.md"))).isEqualTo(md);
    assertThat(Files.readAllBytes(outDir.resolve("t.csv"))).isEqualTo(csv);
    assertThat(Files.readAllBytes(outDir.resolve("t.tex"))).isEqualTo(tex);

    // Written afresh from the cache (no files to compare with), the bytes are the same too.
    Path fresh = dir.resolve("fresh");
    assertThat(run("table", "--spec", specFile.toString(), "--out", fresh.toString(), "--root",
        dir.toString())).as(err.toString()).isZero();
    assertThat(Files.readAllBytes(fresh.resolve("t.md"))).isEqualTo(md);
    assertThat(Files.readAllBytes(fresh.resolve("t.tex"))).isEqualTo(tex);
    assertThat(lines(a)).isEqualTo(3);
  }

  @Test
  void missingRunsExitFourNamingEveryRowAndPath() throws Exception {
    Path specFile = dir.resolve("t.pbtxt");
    Files.writeString(specFile, spec("""
        row { label: "ours" path: "runs/ours" }
        row { label: "V=1" path: "runs/v1" }
        """, "column { metric: \"fid8_cls\" }\n"));
    assertThat(run("table", "--spec", specFile.toString(), "--root", dir.toString(),
        "--out", dir.resolve("o").toString())).isEqualTo(4);
    assertThat(err.toString())
        .contains("row \"ours\": expected a run directory", dir.resolve("runs/ours").toString())
        .contains("row \"V=1\": expected a run directory", dir.resolve("runs/v1").toString());
    assertThat(dir.resolve("o")).doesNotExist();
  }

  @Test
  void runWithoutCheckpointsExitsFourNamingTheRow() throws Exception {
    LoadedConfig cfg = TinyRuns.config(shared.resolve("cache"), "");
    Path run = Files.createDirectories(dir.resolve("runs/empty"));
    Configs.writeRunConfigs(run, cfg);
    Path specFile = dir.resolve("t.pbtxt");
    Files.writeString(specFile, spec("row { label: \"E\" path: \"runs/empty\" }\n",
        "column { metric: \"fid8_cls\" }\n"));
    assertThat(run("table", "--spec", specFile.toString(), "--root", dir.toString(),
        "--dry-run")).isEqualTo(4);
    assertThat(err.toString()).contains("row \"E\"", "expected at least one complete checkpoint");
  }

  @Test
  void unknownMetricExitsThreeNamingTheColumnAndFamilies() throws Exception {
    Path specFile = dir.resolve("t.pbtxt");
    Files.writeString(specFile, spec("row { label: \"A\" path: \"runs/a\" }\n",
        "column { metric: \"fid8_cls\" }\ncolumn { metric: \"fidd2k\" header: \"FID2\" }\n"));
    assertThat(run("table", "--spec", specFile.toString())).isEqualTo(3);
    assertThat(err.toString()).contains(specFile + ":7: column[1].metric:", "\"fidd2k\"",
        "column \"FID2\"", "fid, kid, is, acc, precision, recall");
  }

  @Test
  void unknownSpecFieldExitsThreeWithFileAndLine() throws Exception {
    Path specFile = dir.resolve("t.pbtxt");
    Files.writeString(specFile, spec("row { label: \"A\" path: \"runs/a\" }\n",
        "column { metric: \"fid8_cls\" decimal: 3 }\n"));
    assertThat(run("table", "--spec", specFile.toString())).isEqualTo(3);
    assertThat(err.toString()).contains(specFile + ":6: ", "unknown field \"decimal\"",
        "did you mean \"decimals\"?");
  }

  @Test
  void helpListsTheOptions() {
    assertThat(run("table", "--help")).isZero();
    assertThat(out.toString()).contains("--spec=FILE", "--dry-run", "--out=DIR", "--root=DIR");
    assertThat(List.of(run("table"))).containsExactly(2);
  }
}
