package org.wild3d.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.DataException;
import org.wild3d.Wild3dException;
import org.wild3d.config.Configs;
import org.wild3d.config.LoadedConfig;

class SnapshotTest {
  @TempDir Path dir;

  @Test
  void restoresTheEmaGeneratorOfTheNewestCheckpointBitForBit() {
    LoadedConfig cfg = TinyRuns.config(dir.resolve("cache"), "");
    Path run = dir.resolve("run");
    TinyRuns.Inputs in = TinyRuns.Inputs.of(cfg.resolved(), 3);
    float[] old = TinyRuns.writeRun(run, cfg, 4, in, 0.5f);
    float[] expected = TinyRuns.writeRun(run, cfg, 8, in, 0.5f);
    // Both checkpoints hold the same weights (same seeds): what matters is which one is picked.
    assertThat(expected).containsExactly(old);
    try (Snapshot s = Snapshot.open(run, 0)) {
      assertThat(s.checkpoint().manifest().step()).isEqualTo(8);
      assertThat(s.checkpoint().dir()).isEqualTo(run.resolve("checkpoints/step-000000008"));
      assertThat(s.imageResolution()).isEqualTo(16);
      GeneratedImages g = s.generate(in.z(), in.classes(), in.cameras(), 0.5f);
      assertThat(g.size()).isEqualTo(3);
      assertThat(g.resolution()).isEqualTo(16);
      assertThat(g.images()).hasSize(3 * 16 * 16 * 3).containsExactly(expected);
      assertThat(g.depth()).hasSize(3 * 16 * 16);
      assertThat(g.opacity()).hasSize(3 * 16 * 16);
      // The same call again: deterministic (constant noise, no jitter).
      assertThat(s.generate(in.z(), in.classes(), in.cameras(), 0.5f).images())
          .containsExactly(expected);
      // ψ matters, so w_avg was restored too (it is non-zero in the checkpoint).
      assertThat(s.generate(in.z(), in.classes(), in.cameras(), 1f).images())
          .isNotEqualTo(expected);
    }
    // A given checkpoint directory opens its run.
    try (Snapshot s = Snapshot.open(run.resolve("checkpoints/step-000000004"), 0)) {
      assertThat(s.checkpoint().manifest().step()).isEqualTo(4);
      assertThat(s.generate(in.z(), in.classes(), in.cameras(), 0.5f).images())
          .containsExactly(old);
    }
  }

  @Test
  void aFreshGraphWithoutTheCheckpointWouldDiffer() {
    LoadedConfig cfg = TinyRuns.config(dir.resolve("cache"), "");
    Path run = dir.resolve("run");
    TinyRuns.Inputs in = TinyRuns.Inputs.of(cfg.resolved(), 2);
    float[] trained = TinyRuns.writeRun(run, cfg, 1, in, 1f);
    // Rewrite the checkpoint with G_ema of the default seed: the images must change.
    Path other = dir.resolve("other");
    float[] fresh = TinyRuns.writeRun(other, TinyRuns.config(dir.resolve("cache"), "seed: 6"), 1,
        in, 1f);
    assertThat(fresh).isNotEqualTo(trained);
    try (Snapshot s = Snapshot.open(run, 0)) {
      assertThat(s.generate(in.z(), in.classes(), in.cameras(), 1f).images())
          .containsExactly(trained);
    }
  }

  @Test
  void architectureMismatchNamesTheCheckpoint() {
    LoadedConfig cfg = TinyRuns.config(dir.resolve("cache"), "");
    Path run = dir.resolve("run");
    TinyRuns.writeRun(run, cfg, 2, TinyRuns.Inputs.of(cfg.resolved(), 1), 1f);
    Configs.writeRunConfigs(run,
        TinyRuns.config(dir.resolve("cache"), "model { triplane { channels: 8 } }"));
    assertThatThrownBy(() -> Snapshot.open(run, 0))
        .isInstanceOf(DataException.class)
        .satisfies(e -> assertThat(((Wild3dException) e).exitCode()).isEqualTo(4))
        .hasMessageContaining(run.resolve("checkpoints/step-000000002").toString())
        .hasMessageContaining("found 1 field that differs:\n"
            + "  model.triplane.channels: 4 in the checkpoint, 8 in the config\n");
  }

  @Test
  void missingRunOrCheckpointIsExitFourNamingThePath() throws Exception {
    assertThatThrownBy(() -> Snapshot.open(dir.resolve("nope"), 0))
        .isInstanceOf(DataException.class).hasMessageContaining(dir.resolve("nope").toString());
    Configs.writeRunConfigs(dir, TinyRuns.config(dir.resolve("cache"), ""));
    assertThatThrownBy(() -> Snapshot.open(dir, 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("found none in " + dir.resolve("checkpoints"));
    assertThatThrownBy(() -> Snapshot.open(dir, dir.resolve("checkpoints/step-000000001"), 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining(dir.resolve("checkpoints/step-000000001").toString());
  }
}
