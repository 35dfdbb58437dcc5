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
import org.wild3d.DataException;
import org.wild3d.checkpoint.CheckpointManager.Checkpoint;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import org.wild3d.model.TinyConfigs;
import org.wild3d.nn.Params;

class ArchitectureDiffTest {
  @TempDir Path dir;

  @Test
  void namesEachDifferingFieldWithBothValues() {
    Experiment a = TinyConfigs.tiny("");
    Experiment b = TinyConfigs.tiny("""
        model { decoder { hidden_dim: 64 } multiview { fusion: STACKED } }
        render { samples_importance: 9 }
        train { batch_size: 8 }
        """);
    assertThat(ArchitectureDiff.of(a, b)).containsExactly(
        "model.decoder.hidden_dim: 16 in the checkpoint, 64 in the config",
        "model.multiview.fusion: PER_VIEW in the checkpoint, STACKED in the config",
        "render.samples_importance: 6 in the checkpoint, 9 in the config");
    assertThat(ArchitectureDiff.of(a, a)).isEmpty();
    // training fields are not architecture
    assertThat(ArchitectureDiff.of(a, TinyConfigs.tiny("train { batch_size: 8 }"))).isEmpty();
  }

  @Test
  void repeatedFieldsByIndexAndTheListIsCapped() {
    Experiment a = TinyConfigs.tiny("");
    StringBuilder many = new StringBuilder("model { mapping { z_dim: 8 w_dim: 8 num_layers: 3 }"
        + " triplane { resolution: 32 channels: 4 } decoder { hidden_dim: 8 feature_dim: 4"
        + " num_hidden_layers: 3 } }"
        + " render { resolution: 16 samples_stratified: 8 samples_importance: 8 ray_start: 0.5"
        + " ray_end: 3 }");
    var diff = ArchitectureDiff.of(a, TinyConfigs.tiny(many.toString()));
    assertThat(diff).hasSizeGreaterThan(ArchitectureDiff.MAX_LINES);
    String text = ArchitectureDiff.format(diff);
    assertThat(text.lines().filter(l -> !l.isEmpty()).count())
        .isEqualTo(ArchitectureDiff.MAX_LINES + 1);
    assertThat(text).endsWith("\n  and " + (diff.size() - ArchitectureDiff.MAX_LINES) + " more");
  }

  private Checkpoint save(Experiment cfg) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      new Params(0).constant(tf.withSubScope("G"), "w", Shape.of(1), 1f);
      try (Session s = new Session(g)) {
        return new CheckpointManager(dir.resolve("run/checkpoints"), 5).save(s,
            new Manifest(4, 0.1, 1, Configs.hash(cfg), Configs.architectureHash(cfg), "t",
                Map.of()), cfg);
      }
    }
  }

  @Test
  void mismatchNamesTheFieldsFromTheCheckpointsOwnConfig() throws Exception {
    Checkpoint c = save(TinyConfigs.tiny(""));
    Experiment other = TinyConfigs.tiny("model { decoder { hidden_dim: 32 } }");
    assertThatThrownBy(() -> CheckpointRestore.checkArchitecture(c, other))
        .isInstanceOf(DataException.class)
        .hasMessage("checkpoint " + c.dir() + ": expected the architecture (model and render) of"
            + " the config it is opened with, found 1 field that differs:\n"
            + "  model.decoder.hidden_dim: 16 in the checkpoint, 32 in the config\n"
            + "(" + c.dir().resolve("config.pbtxt") + " against "
            + dir.resolve("run/config.resolved.pbtxt").toAbsolutePath() + ": open the checkpoint"
            + " with the config it was trained with, or pass a checkpoint of this run)");
    CheckpointRestore.checkArchitecture(c, TinyConfigs.tiny("train { batch_size: 8 }"));
    // Without its config (written before it was kept): the hashes and a pointer.
    Files.delete(c.dir().resolve("config.pbtxt"));
    assertThatThrownBy(() -> CheckpointRestore.checkArchitecture(c, other))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("expected architecture hash " + Configs.architectureHash(other)
            + ", found " + c.manifest().architectureHash())
        .hasMessageContaining("compare the model and render parts of "
            + dir.resolve("run/config.resolved.pbtxt").toAbsolutePath());
  }
}
