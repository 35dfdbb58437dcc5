package org.wild3d.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.config.LoadedConfig;
import org.wild3d.export.ExportMetadata;
import org.wild3d.model.TinyRuns;

class ExportCommandTest extends EvalCliTest {
  @TempDir static Path shared;
  static Path run;

  @TempDir Path dir;

  @BeforeAll
  static void tinyRun() {
    LoadedConfig cfg = TinyRuns.config(shared.resolve("cache"), "");
    run = shared.resolve("run");
    TinyRuns.writeRun(run, cfg, 3, TinyRuns.Inputs.of(cfg.resolved(), 1), 1f);
  }

  @Test
  void exportsAndListsTheDirectory() throws Exception {
    Path dest = dir.resolve("models/shapes");
    assertThat(run("export", "--run", run.toString(), "--out", dest.toString(),
        "--truncation", "0.8")).as(err.toString()).isZero();
    Path abs = dest.toAbsolutePath().normalize();
    assertThat(out.toString())
        .contains("to " + abs, "(step 3)", "saved_model.pb", "variables/variables.index",
            "wild3d.json", "total bytes",
            "generate(z [N,16] float, class_index [N] int32, cam2world [N,4,4] float,"
                + " intrinsics [N,3,3] float, psi [] float) -> image [N,16,16,3] float,"
                + " depth [N,16,16,1] float, opacity [N,16,16,1] float",
            "metadata() -> json [] string", "default psi 0.8");
    ExportMetadata m = ExportMetadata.fromJson(Files.readString(dest.resolve("wild3d.json")), "");
    assertThat(m.generation().defaultTruncationPsi()).isEqualTo(0.8f);
    assertThat(m.source().step()).isEqualTo(3);
    try (Stream<Path> s = Files.list(dest.getParent())) { // nothing but the export
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("shapes");
    }
  }

  @Test
  void existingNonEmptyOutExitsTwoAndKeepsIt() throws Exception {
    Path dest = Files.createDirectories(dir.resolve("taken"));
    Files.writeString(dest.resolve("notes.txt"), "x");
    assertThat(run("export", "--run", run.toString(), "--out", dest.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--out: expected a new or empty directory",
        dest.toAbsolutePath().normalize().toString(), "--force");
    assertThat(dest.resolve("notes.txt")).hasContent("x");
    assertThat(dest.resolve("saved_model.pb")).doesNotExist();
  }

  @Test
  void missingRunExitsFourNamingThePath() {
    Path missing = dir.resolve("runs/00042-nothing");
    assertThat(run("export", "--run", missing.toString(), "--out", dir.resolve("o").toString()))
        .isEqualTo(4);
    assertThat(err.toString()).contains(missing.toString());
    assertThat(dir.resolve("o")).doesNotExist();
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run("export", "--run", run.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--out=DIR'");
    assertThat(run("export", "--run", run.toString(), "--out", dir.resolve("o").toString(),
        "--truncation", "NaN")).isEqualTo(2);
    assertThat(err.toString()).contains("--truncation: expected a finite number, found NaN");
  }
}
