package org.wild3d.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.DataException;
import org.wild3d.Wild3dException;
import org.wild3d.checkpoint.CheckpointManager.Checkpoint;
import org.wild3d.config.ConfigLoader;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import org.wild3d.model.TinyConfigs;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;

/**
 * Checkpoints on disk: what save records, and what opening one does with a damaged, truncated,
 * hostile or old checkpoint. A run directory {@code run/} with checkpoints at steps 1, 2, 3 of a
 * small graph (variable {@code G/w} = step + 1, and a 16 KB {@code D/big}).
 */
class CheckpointManagerTest {
  @TempDir Path dir;
  Path run;
  Path root;
  Experiment cfg;
  final StringWriter notes = new StringWriter();

  private Manifest manifest(long step) {
    return new Manifest(step, step / 1000.0, 3, "config" + step, Configs.architectureHash(cfg),
        "test", Map.of("data_index", "" + step));
  }

  private static float read(Session s, Param p) {
    try (TFloat32 t = (TFloat32) s.runner().fetch(p.variable()).run().get(0)) {
      return t.getFloat(0);
    }
  }

  /** The graph of the checkpoints: restores them and reads G/w. */
  private float restoreAndRead(Checkpoint c) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Param p = new Params(0).constant(tf.withSubScope("G"), "w", Shape.of(1), 0f);
      new Params(1).normal(tf.withSubScope("D"), "big", Shape.of(4096), 1f);
      try (Session s = new Session(g)) {
        CheckpointRestore.restore(s, c, cfg, "the test graph");
        return read(s, p);
      }
    }
  }

  @BeforeEach
  void threeCheckpoints() throws Exception {
    cfg = TinyConfigs.tiny("");
    run = dir.resolve("run");
    root = run.resolve("checkpoints");
    CheckpointManager cm = new CheckpointManager(root, 5);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Param p = new Params(0).constant(tf.withSubScope("G"), "w", Shape.of(1), 1f);
      new Params(1).normal(tf.withSubScope("D"), "big", Shape.of(4096), 1f);
      var add = tf.assignAdd(p.variable(), tf.constant(new float[] {1f}));
      try (Session s = new Session(g)) {
        for (int step = 1; step <= 3; step++) {
          s.runner().addTarget(add).run();
          cm.save(s, manifest(step), cfg);
        }
      }
    }
  }

  private Path ckpt(long step) {
    return root.resolve(String.format("step-%09d", step));
  }

  private Checkpoint newest() {
    return CheckpointRestore.choose(run, null, new PrintWriter(notes, true));
  }

  private DataException named(long step) {
    try {
      CheckpointRestore.choose(run, ckpt(step), new PrintWriter(notes, true));
    } catch (DataException e) {
      assertThat(e.exitCode()).isEqualTo(Wild3dException.EXIT_DATA);
      return e;
    }
    throw new AssertionError("expected step " + step + " to be refused");
  }

  private static String crc(byte[] b) {
    CRC32C c = new CRC32C();
    c.update(b);
    return HexFormat.of().toHexDigits((int) c.getValue());
  }

  private void editManifest(long step, Consumer<JsonObject> edit) throws Exception {
    Path mf = ckpt(step).resolve("manifest.json");
    JsonObject j = JsonParser.parseString(Files.readString(mf)).getAsJsonObject();
    edit.accept(j);
    Files.writeString(mf, j.toString());
  }

  @Test
  void savesRestoresKeepsNewestAndIgnoresIncompleteDirectories() throws Exception {
    CheckpointManager cm = new CheckpointManager(root, 2);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Param p = new Params(0).constant(tf.withSubScope("G"), "w", Shape.of(1), 10f);
      new Params(1).normal(tf.withSubScope("D"), "big", Shape.of(4096), 1f);
      try (Session s = new Session(g)) {
        cm.save(s, manifest(4), cfg); // prunes to the newest two
      }
    }
    // A crash mid-save leaves only a temporary directory, and a directory without manifest.
    Files.createDirectories(root.resolve(".tmp-step-000000005"));
    Files.createDirectories(root.resolve("step-000000006"));
    assertThat(cm.list()).extracting(c -> c.manifest().step()).containsExactly(3L, 4L);
    Checkpoint latest = cm.latest().orElseThrow();
    assertThat(latest.manifest().extra()).containsEntry("data_index", "4");
    assertThat(restoreAndRead(latest)).isEqualTo(10f);
    assertThat(restoreAndRead(cm.list().get(0))).isEqualTo(4f);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      assertThatThrownBy(() -> CheckpointManager.restore(s, latest, "hashB"))
          .isInstanceOf(DataException.class)
          .hasMessageContaining("hashB")
          .hasMessageContaining(latest.dir().toString());
    }
    // Opening the newest names the manifest-less directory and uses step 4.
    assertThat(newest().manifest().step()).isEqualTo(4L);
    assertThat(notes.toString()).contains("checkpoint " + root.resolve("step-000000006")
        + ": no manifest.json (incomplete", "; using step-000000004 instead");
  }

  @Test
  void manifestListsEveryFileWithItsSizeAndCrc32cAndTheConfig() throws Exception {
    Path d = ckpt(3);
    Manifest m = Manifest.fromJson(Files.readString(d.resolve("manifest.json")), "m");
    assertThat(m.format()).isEqualTo(Manifest.FORMAT);
    assertThat(m.files()).extracting(Manifest.FileEntry::name).containsExactly("config.pbtxt",
        "variables.data-00000-of-00001", "variables.index");
    for (Manifest.FileEntry f : m.files()) {
      byte[] b = Files.readAllBytes(d.resolve(f.name()));
      assertThat(f.bytes()).isEqualTo(b.length);
      assertThat(f.crc32c()).isEqualTo(crc(b));
    }
    assertThat(Files.size(d.resolve("variables.data-00000-of-00001"))).isGreaterThan(16_000);
    Experiment recorded = ConfigLoader.parse("config.pbtxt",
        Files.readString(d.resolve("config.pbtxt")));
    assertThat(Configs.architectureHash(recorded)).isEqualTo(Configs.architectureHash(cfg));
    Checkpoint c = newest();
    assertThat(c.verification()).isEqualTo(Verification.VERIFIED);
    assertThat(notes.toString()).isEqualTo("checkpoint: " + d + " (step 3, verified)\n");
    assertThat(restoreAndRead(c)).isEqualTo(4f);
  }

  @Test
  void truncatedDataFileIsNamedAndTheOlderCheckpointUsed() throws Exception {
    Path data = ckpt(3).resolve("variables.data-00000-of-00001");
    byte[] b = Files.readAllBytes(data);
    Files.write(data, java.util.Arrays.copyOf(b, b.length / 3));
    Checkpoint c = newest();
    assertThat(c.dir()).isEqualTo(ckpt(2));
    assertThat(restoreAndRead(c)).isEqualTo(3f);
    String reason = "variables.data-00000-of-00001 is " + b.length / 3
        + " bytes, the manifest says " + b.length + " (truncated or damaged)";
    assertThat(notes.toString()).isEqualTo("checkpoint " + ckpt(3) + ": " + reason
        + "; using step-000000002 instead\n"
        + "checkpoint: " + ckpt(2) + " (step 2, verified)\n");
    assertThat(named(3)).hasMessageStartingWith("checkpoint " + ckpt(3) + ": " + reason)
        .hasMessageContaining("--checkpoint named it, so no other is used");
    // Restoring it directly (without choosing) is refused too.
    Checkpoint listed = new CheckpointManager(root, 5).latest().orElseThrow();
    assertThatThrownBy(() -> restoreAndRead(listed)).isInstanceOf(DataException.class)
        .hasMessageContaining(reason);
  }

  @Test
  void flippedByteOfTheSameSizeIsCaughtByTheChecksum() throws Exception {
    Path data = ckpt(3).resolve("variables.data-00000-of-00001");
    byte[] b = Files.readAllBytes(data);
    String was = crc(b);
    b[b.length / 2] ^= 0x10;
    Files.write(data, b);
    assertThat(newest().dir()).isEqualTo(ckpt(2));
    assertThat(notes.toString()).startsWith("checkpoint " + ckpt(3)
        + ": variables.data-00000-of-00001 has CRC32C " + crc(b) + ", the manifest says " + was
        + " (damaged: same size, different content); using step-000000002 instead\n");
  }

  @Test
  void missingListedFileIsNamed() throws Exception {
    Files.delete(ckpt(3).resolve("config.pbtxt"));
    assertThat(named(3)).hasMessageStartingWith("checkpoint " + ckpt(3)
        + ": config.pbtxt is listed in manifest.json but missing (the checkpoint is incomplete)");
    assertThat(newest().dir()).isEqualTo(ckpt(2));
  }

  @Test
  void listedPathsOutsideTheDirectoryAreRefusedWithoutOpeningThem() throws Exception {
    // The outside file has the listed size and checksum: only the path rule can refuse it.
    byte[] secret = "outside".getBytes(StandardCharsets.UTF_8);
    Files.write(dir.resolve("x"), secret);
    for (String path : List.of("../../x", dir.resolve("x").toString(), "..", "a/../../x")) {
      editManifest(3, j -> {
        JsonObject e = new JsonObject();
        e.addProperty("name", path);
        e.addProperty("bytes", secret.length);
        e.addProperty("crc32c", crc(secret));
        JsonArray files = j.getAsJsonArray("files");
        files.add(e);
      });
      assertThat(named(3)).as(path).hasMessageContaining("manifest.json lists the file '" + path
          + "': expected a file name inside the checkpoint directory, found a path that leads"
          + " elsewhere");
      editManifest(3, j -> j.getAsJsonArray("files").remove(3));
    }
    // A listed file that is a symbolic link to a file outside, with the same content.
    Path data = ckpt(3).resolve("variables.data-00000-of-00001");
    Path copy = Files.copy(data, dir.resolve("copy"));
    Files.delete(data);
    Files.createSymbolicLink(data, copy);
    assertThat(named(3)).hasMessageContaining("variables.data-00000-of-00001: expected a regular"
        + " file, found a symbolic link");
    assertThat(newest().dir()).isEqualTo(ckpt(2));
  }

  @Test
  void oldFormatManifestStillLoadsWithANote() throws Exception {
    // The manifest as wild3d wrote it before checksums: no format, no files, no config.pbtxt.
    Path d = ckpt(3);
    Files.delete(d.resolve("config.pbtxt"));
    Files.writeString(d.resolve("manifest.json"), """
        {
          "step": 3,
          "kimg": 0.003,
          "seed": 3,
          "configHash": "config3",
          "architectureHash": "%s",
          "codeVersion": "0.9",
          "extra": {
            "data_index": "3"
          }
        }""".formatted(Configs.architectureHash(cfg)));
    Checkpoint c = newest();
    assertThat(c.dir()).isEqualTo(d);
    assertThat(c.verification().kind()).isEqualTo(Verification.Kind.UNVERIFIABLE);
    assertThat(c.manifest().format()).isEqualTo(Manifest.FORMAT_BEFORE_CHECKSUMS);
    assertThat(notes.toString()).isEqualTo("checkpoint: " + d
        + " (step 3, not verified: written before checksums)\n");
    assertThat(restoreAndRead(c)).isEqualTo(4f);
  }

  @Test
  void manifestFieldsAreCheckedAndABadNewestIsSkippedNamingTheReason() throws Exception {
    record Case(String what, Consumer<JsonObject> edit, String reason) {}
    List<Case> cases = List.of(
        new Case("negative step", j -> j.addProperty("step", -3),
            "manifest.json says step -3: expected a step >= 0 (damaged manifest)"),
        new Case("step of another directory", j -> j.addProperty("step", 7),
            "the directory name says step 3, manifest.json says step 7 (renamed or damaged"),
        new Case("newer format", j -> j.addProperty("format", 99),
            "manifest.json format 99: expected 1..2 (written by a newer wild3d"),
        new Case("negative size", j -> j.getAsJsonArray("files").get(0).getAsJsonObject()
            .addProperty("bytes", -1), "manifest.json says config.pbtxt is -1 bytes"),
        new Case("bad checksum text", j -> j.getAsJsonArray("files").get(0).getAsJsonObject()
            .addProperty("crc32c", "zz"), "manifest.json gives config.pbtxt the checksum 'zz':"
            + " expected 8 lowercase hex digits"),
        new Case("index not listed", j -> j.getAsJsonArray("files").remove(2),
            "manifest.json does not list variables.index"),
        new Case("listed twice", j -> j.getAsJsonArray("files").add(
            j.getAsJsonArray("files").get(0)), "manifest.json lists config.pbtxt twice"),
        new Case("NaN kimg", j -> j.addProperty("kimg", Double.NaN),
            "manifest.json says kimg NaN"));
    Path mf = ckpt(3).resolve("manifest.json");
    String good = Files.readString(mf);
    for (Case c : cases) {
      notes.getBuffer().setLength(0);
      editManifest(3, c.edit());
      assertThat(newest().dir()).as(c.what()).isEqualTo(ckpt(2));
      assertThat(notes.toString()).as(c.what())
          .startsWith("checkpoint " + ckpt(3) + ": " + c.reason())
          .contains("; using step-000000002 instead\n");
      assertThat(named(3)).as(c.what()).hasMessageContaining(c.reason());
      Files.writeString(mf, good);
    }
    // A data shard that the manifest does not list (TF would read it unchecked).
    Files.writeString(ckpt(3).resolve("variables.data-00001-of-00002"), "x");
    assertThat(named(3)).hasMessageContaining("variables.data-00001-of-00002 is not listed in"
        + " manifest.json");
    Files.delete(ckpt(3).resolve("variables.data-00001-of-00002"));
    // A huge manifest is not read.
    notes.getBuffer().setLength(0);
    Files.write(mf, new byte[(1 << 20) + 1]);
    assertThat(newest().dir()).isEqualTo(ckpt(2));
    assertThat(notes.toString()).startsWith("checkpoint " + ckpt(3) + ": manifest.json is "
        + ((1 << 20) + 1) + " bytes: expected a small JSON file");
    // A manifest that is not JSON, or lacks its hashes: listed nowhere, named when opening.
    for (String text : List.of("{not json", "{\"step\": 3}", "[1, 2]", "\"files\"")) {
      notes.getBuffer().setLength(0);
      Files.writeString(mf, text);
      assertThat(new CheckpointManager(root, 5).list()).extracting(c -> c.manifest().step())
          .containsExactly(1L, 2L);
      assertThat(newest().dir()).as(text).isEqualTo(ckpt(2));
      assertThat(notes.toString()).as(text).startsWith("checkpoint " + ckpt(3)
          + ": checkpoint manifest: expected ").doesNotContain("Exception");
    }
    notes.getBuffer().setLength(0);
    Files.write(mf, new byte[] {(byte) 0xff, (byte) 0xfe, '{'});
    assertThat(newest().dir()).isEqualTo(ckpt(2));
    assertThat(notes.toString()).startsWith("checkpoint " + ckpt(3) + ": manifest.json: expected"
        + " UTF-8 JSON, found bytes that are not UTF-8 text");
  }

  @Test
  void noCheckpointThatVerifiesIsExitFourNamingEach() throws Exception {
    for (long step = 1; step <= 3; step++) {
      Files.writeString(ckpt(step).resolve("variables.index"), "");
    }
    assertThatThrownBy(this::newest)
        .isInstanceOf(DataException.class)
        .satisfies(e -> assertThat(((Wild3dException) e).exitCode()).isEqualTo(4))
        .hasMessageStartingWith("run directory " + run + ": expected a checkpoint that verifies,"
            + " found none of 3 in " + root + ":\n  checkpoint " + ckpt(3)
            + ": variables.index is 0 bytes, the manifest says ")
        .hasMessageContaining("\n  checkpoint " + ckpt(1) + ": variables.index is 0 bytes")
        .hasMessageEndingWith("(a damaged checkpoint is never restored: put back a good copy, or"
            + " train again)");
  }

  @Test
  void pruningNeverDropsTheCheckpointJustWritten() throws Exception {
    // Resumed from step 2 because step 3 did not verify: saving step 2 again with keep 1 must
    // keep what was just written (step 3, newer, is left alone; step 1 goes).
    CheckpointManager cm = new CheckpointManager(root, 1);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Param p = new Params(0).constant(tf.withSubScope("G"), "w", Shape.of(1), 7f);
      new Params(1).normal(tf.withSubScope("D"), "big", Shape.of(4096), 1f);
      try (Session s = new Session(g)) {
        cm.save(s, manifest(2), cfg);
      }
    }
    assertThat(cm.list()).extracting(c -> c.manifest().step()).containsExactly(2L, 3L);
    assertThat(restoreAndRead(cm.list().get(0))).isEqualTo(7f);
  }
}
