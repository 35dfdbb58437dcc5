package org.wild3d.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.config.LoadedConfig;
import org.wild3d.export.ExportMetadata;
import org.wild3d.metrics.MetricResult;
import org.wild3d.model.TinyRuns;

/**
 * wild3d-eval with damaged checkpoints, and the provenance of every output: a run with
 * checkpoints at steps 2 and 3 (copied per test); the newest one's data file is cut to a third.
 */
class CheckpointVerificationTest extends EvalCliTest {
  @TempDir static Path shared;
  @TempDir Path dir;
  private static Path template;
  private Path run;
  private Path step2;
  private Path step3;
  /** The line that says the truncated step 3 was skipped. */
  private String skipped;

  @BeforeAll
  static void tinyRun() {
    LoadedConfig cfg = TinyRuns.config(shared.resolve("cache"), "");
    template = shared.resolve("run");
    TinyRuns.writeRun(template, cfg, 2, TinyRuns.Inputs.of(cfg.resolved(), 1), 1f);
    TinyRuns.writeRun(template, cfg, 3, TinyRuns.Inputs.of(cfg.resolved(), 1), 1f);
  }

  @BeforeEach
  void copyAndTruncate() throws IOException {
    run = dir.resolve("run");
    try (Stream<Path> s = Files.walk(template)) {
      for (Path p : s.sorted().toList()) {
        Files.copy(p, run.resolve(template.relativize(p).toString()));
      }
    }
    step2 = run.resolve("checkpoints/step-000000002");
    step3 = run.resolve("checkpoints/step-000000003");
    Path data = step3.resolve("variables.data-00000-of-00001");
    byte[] b = Files.readAllBytes(data);
    Files.write(data, Arrays.copyOf(b, b.length / 3));
    skipped = "checkpoint " + step3 + ": variables.data-00000-of-00001 is " + b.length / 3
        + " bytes, the manifest says " + b.length + " (truncated or damaged); using"
        + " step-000000002 instead\n";
  }

  private String used(Path ckpt, long step) {
    return "checkpoint: " + ckpt + " (step " + step + ", verified)\n";
  }

  private String[] mesh(String... more) {
    List<String> a = new java.util.ArrayList<>(List.of("mesh", "--run", run.toString(), "--seeds",
        "0", "--classes", "1", "--resolution", "8", "--threshold", "0.000001", "--out",
        dir.resolve("meshes").toString()));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  @Test
  void meshUsesTheOlderCheckpointSaysSoAndRecordsItInTheFile() throws Exception {
    assertThat(run(mesh())).as(err.toString()).isZero();
    assertThat(err.toString()).startsWith(skipped + used(step2, 2));
    Path ply = dir.resolve("meshes/seed0000-class01.ply");
    String header = new String(Files.readAllBytes(ply), StandardCharsets.ISO_8859_1);
    header = header.substring(0, header.indexOf("end_header"));
    assertThat(header).contains("comment from checkpoint: " + step2 + " (step 2, verified)\n",
        "comment scene: seed 0, class 1, truncation 0.7;");
    // OBJ too.
    assertThat(run(mesh("--format", "obj"))).as(err.toString()).isZero();
    assertThat(Files.readAllLines(dir.resolve("meshes/seed0000-class01.obj")).get(1))
        .isEqualTo("# from checkpoint: " + step2 + " (step 2, verified)");
  }

  @Test
  void namedDamagedCheckpointIsRefusedWithExitFour() throws Exception {
    assertThat(run(mesh("--checkpoint", step3.toString()))).isEqualTo(4);
    assertThat(err.toString()).startsWith("wild3d-eval: checkpoint " + step3
        + ": variables.data-00000-of-00001 is ");
    assertThat(err.toString()).contains("(truncated or damaged) (--checkpoint named it, so no"
        + " other is used");
    assertThat(dir.resolve("meshes")).doesNotExist();
    // The good one named explicitly is fine.
    assertThat(run(mesh("--checkpoint", step2.toString()))).as(err.toString()).isZero();
  }

  @Test
  void renderUsesTheOlderCheckpointAndRecordsItInDepthJson() throws Exception {
    Path outDir = dir.resolve("render");
    assertThat(run("render", "--run", run.toString(), "--seeds", "0", "--classes", "0",
        "--views", "1", "--frames", "0", "--out", outDir.toString())).as(err.toString()).isZero();
    assertThat(err.toString()).startsWith(skipped + used(step2, 2));
    JsonObject j = JsonParser.parseString(Files.readString(outDir.resolve("depth.json")))
        .getAsJsonObject();
    assertThat(j.get("checkpoint").getAsString()).isEqualTo(step2.toAbsolutePath().toString());
    assertThat(j.get("checkpoint_step").getAsLong()).isEqualTo(2);
    assertThat(j.get("checkpoint_verification").getAsString()).isEqualTo("verified");
  }

  @Test
  void metricsUseTheOlderCheckpointAndTheLinesSayWhich() throws Exception {
    assertThat(run("metrics", "--run", run.toString(), "--metrics", "fid8_cls",
        "--classifier-steps", "20", "--batch", "8")).as(err.toString()).isZero();
    assertThat(err.toString()).contains(skipped + used(step2, 2));
    MetricResult r = MetricResult.fromJsonLine(
        Files.readAllLines(run.resolve("metrics.jsonl")).get(0));
    assertThat(r.provenance())
        .containsEntry("checkpoint", step2.toAbsolutePath().toString())
        .containsEntry("step", "2")
        .containsEntry("checkpoint_verification", "verified");
  }

  @Test
  void exportUsesTheOlderCheckpointAndWild3dJsonSaysWhich() throws Exception {
    Path dest = dir.resolve("export");
    assertThat(run("export", "--run", run.toString(), "--out", dest.toString()))
        .as(err.toString()).isZero();
    assertThat(err.toString()).isEqualTo(skipped + used(step2, 2));
    ExportMetadata m = ExportMetadata.fromJson(Files.readString(dest.resolve("wild3d.json")), "");
    assertThat(m.source().checkpoint()).isEqualTo(step2.toAbsolutePath().toString());
    assertThat(m.source().step()).isEqualTo(2);
    assertThat(m.source().checkpointVerification()).isEqualTo("verified");
  }

  @Test
  void tableResolvesRowsToTheNewestCheckpointThatVerifies() throws Exception {
    Path spec = dir.resolve("t.pbtxt");
    Files.writeString(spec, """
        title: "T" seed: 3 classifier_steps: 20 show_step: true
        row { label: "A" path: "run" }
        row { label: "B" path: "run/checkpoints/step-000000003" }
        column { metric: "fid8_cls" header: "FID" }
        """);
    String[] args = {"table", "--spec", spec.toString(), "--root", dir.toString(), "--out",
        dir.resolve("tables").toString(), "--dry-run"};
    assertThat(run(args)).isEqualTo(4);
    assertThat(err.toString()).contains(skipped + used(step2, 2))
        .contains("wild3d-eval: row \"B\" (" + dir.resolve("run/checkpoints/step-000000003")
            + "): checkpoint " + step3 + ": variables.data-00000-of-00001 is ");
    Files.writeString(spec, Files.readString(spec).replace("step-000000003", "step-000000002"));
    err.getBuffer().setLength(0);
    assertThat(run(args)).as(err.toString()).isZero();
    assertThat(out.toString()).contains("A: " + step2 + " (step 2)");
  }

  @Test
  void architectureMismatchNamesTheFieldsThatDiffer() throws Exception {
    Path resolved = run.resolve("config.resolved.pbtxt");
    String text = Files.readString(resolved);
    assertThat(text).contains("hidden_dim: 16");
    Files.writeString(resolved, text.replace("hidden_dim: 16", "hidden_dim: 32"));
    assertThat(run(mesh("--checkpoint", step2.toString()))).isEqualTo(4);
    assertThat(err.toString()).contains("wild3d-eval: checkpoint " + step2 + ": expected the"
        + " architecture (model and render) of the config it is opened with, found 1 field that"
        + " differs:\n  model.decoder.hidden_dim: 16 in the checkpoint, 32 in the config\n("
        + step2.resolve("config.pbtxt") + " against " + resolved.toAbsolutePath() + ": ");
  }

  @Test
  void checkpointsWrittenBeforeChecksumsAreUsedWithANote() throws Exception {
    deleteTree(step3);
    Path mf = step2.resolve("manifest.json");
    JsonObject j = JsonParser.parseString(Files.readString(mf)).getAsJsonObject();
    j.remove("format");
    j.remove("files");
    Files.writeString(mf, j.toString());
    Files.delete(step2.resolve("config.pbtxt"));
    assertThat(run(mesh())).as(err.toString()).isZero();
    assertThat(err.toString()).startsWith("checkpoint: " + step2
        + " (step 2, not verified: written before checksums)\n");
    assertThat(Files.readAllLines(dir.resolve("meshes/seed0000-class01.ply"),
        StandardCharsets.ISO_8859_1)).contains("comment from checkpoint: " + step2
        + " (step 2, not verified: written before checksums)");
  }

  @Test
  void noCheckpointThatVerifiesIsExitFourNamingEach() throws Exception {
    Files.delete(step2.resolve("config.pbtxt"));
    assertThat(run(mesh())).isEqualTo(4);
    assertThat(err.toString()).startsWith("wild3d-eval: run directory " + run + ": expected a"
        + " checkpoint that verifies, found none of 2 in " + run.resolve("checkpoints") + ":\n"
        + "  checkpoint " + step3 + ": variables.data-00000-of-00001 is ")
        .contains("\n  checkpoint " + step2 + ": config.pbtxt is listed in manifest.json but"
            + " missing (the checkpoint is incomplete)\n");
    assertThat(dir.resolve("meshes")).doesNotExist();
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
