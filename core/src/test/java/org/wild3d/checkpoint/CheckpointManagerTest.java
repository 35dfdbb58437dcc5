package org.wild3d.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.DataException;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;

class CheckpointManagerTest {
  @TempDir Path dir;

  private static Manifest manifest(long step) {
    return new Manifest(step, step / 1000.0, 3, "config" + step, "hashA", "test", Map.of("data_index", "" + step));
  }

  private static float read(Session s, Param p) {
    try (TFloat32 t = (TFloat32) s.runner().fetch(p.variable()).run().get(0)) {
      return t.getFloat(0);
    }
  }

  @Test
  void savesRestoresKeepsNewestAndIgnoresIncompleteDirectories() throws Exception {
    CheckpointManager cm = new CheckpointManager(dir.resolve("checkpoints"), 2);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Param p = new Params(0).constant(tf.withSubScope("G"), "w", Shape.of(1), 1f);
      var add = tf.assignAdd(p.variable(), tf.constant(new float[] {1f}));
      try (Session s = new Session(g)) {
        for (int step = 1; step <= 3; step++) {
          s.runner().addTarget(add).run();
          cm.save(s, manifest(step));
        }
      }
      // A crash mid-save leaves only a temporary directory, and a directory without manifest.
      Files.createDirectories(dir.resolve("checkpoints/.tmp-step-000000004"));
      Files.createDirectories(dir.resolve("checkpoints/step-000000005"));
      assertThat(cm.list()).extracting(c -> c.manifest().step()).containsExactly(2L, 3L);
      CheckpointManager.Checkpoint latest = cm.latest().orElseThrow();
      assertThat(latest.manifest().extra()).containsEntry("data_index", "3");
      try (Session s = new Session(g)) {
        CheckpointManager.restore(s, latest, "hashA");
        assertThat(read(s, p)).isEqualTo(4f);
        CheckpointManager.restore(s, cm.list().get(0), "hashA");
        assertThat(read(s, p)).isEqualTo(3f);
        assertThatThrownBy(() -> CheckpointManager.restore(s, latest, "hashB"))
            .isInstanceOf(DataException.class)
            .hasMessageContaining("hashB")
            .hasMessageContaining(latest.dir().toString());
      }
    }
  }

  @Test
  void damagedManifestIsAClearDataError() throws Exception {
    Path d = dir.resolve("checkpoints/step-000000007");
    Files.createDirectories(d);
    Files.writeString(d.resolve("variables.index"), "");
    Files.writeString(d.resolve("manifest.json"), "{not json");
    assertThatThrownBy(() -> new CheckpointManager(dir.resolve("checkpoints"), 1).list())
        .isInstanceOf(DataException.class)
        .hasMessageContaining("manifest.json");
  }
}
