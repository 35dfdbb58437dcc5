package org.wild3d.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.wild3d.Version;
import org.wild3d.camera.Camera;
import org.wild3d.checkpoint.CheckpointManager;
import org.wild3d.checkpoint.Manifest;
import org.wild3d.config.CameraPriorSpec;
import org.wild3d.config.ConfigLoader;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import org.wild3d.config.LoadedConfig;
import org.wild3d.config.ModelSpec;
import org.wild3d.nn.Params;

/**
 * Tiny run directories for tests: a resolved config and a checkpoint written by a training-like
 * graph (generator {@code G}, EMA generator {@code G_ema} with weights of another seed than a fresh
 * build, a non-zero {@code w_avg}, and an unrelated variable), in seconds.
 */
public final class TinyRuns {
  private TinyRuns() {}

  /** A 16² model on the shapes generator (3 classes, 4 images each) cached under {@code cache}. */
  public static LoadedConfig config(Path cache, String extra) {
    List<String> o = new ArrayList<>();
    o.add("""
        seed: 7
        model {
          num_classes: 3
          mapping { z_dim: 16 w_dim: 16 num_layers: 2 }
          synthesis { channel_base: 256 channel_max: 16 extra_blocks: 1 }
          triplane { resolution: 16 channels: 4 }
          decoder { hidden_dim: 16 }
          discriminator { channel_base: 256 channel_max: 16 mbstd_group_size: 2 mapping_layers: 2 }
        }
        render { resolution: 16 samples_stratified: 6 samples_importance: 6 }
        data { resolution: 16 shapes { classes: "sphere" classes: "cube" classes: "torus"
               images_per_class: 4 } cache_dir: "%s" }
        eval { batch_size: 8 }
        """.formatted(cache.toString().replace("\\", "\\\\")));
    if (!extra.isEmpty()) {
      o.add(extra);
    }
    return ConfigLoader.loadDefault(o);
  }

  /** Fixed inputs: latents of {@code n} scenes, classes {@code i mod K}, orbit cameras. */
  public record Inputs(float[] z, int[] classes, Camera[] cameras) {
    public static Inputs of(Experiment cfg, int n) {
      int zDim = cfg.getModel().getMapping().getZDim();
      java.util.SplittableRandom r = new java.util.SplittableRandom(99);
      float[] z = new float[n * zDim];
      for (int i = 0; i < z.length; i++) {
        z[i] = (float) (r.nextDouble() * 2 - 1);
      }
      int[] c = new int[n];
      for (int i = 0; i < n; i++) {
        c[i] = i % Math.max(1, cfg.getModel().getNumClasses());
      }
      return new Inputs(z, c, org.wild3d.camera.CameraSampler.orbit(CameraPriorSpec.from(cfg.getCamera()), n, 1.2));
    }
  }

  /**
   * Writes {@code cfg}'s run configs into {@code run} and a checkpoint at {@code step} from a
   * training-like graph; returns {@code G_ema}'s images of {@code inputs} at ψ = {@code psi} as
   * computed in that graph, flattened NHWC.
   */
  public static float[] writeRun(Path run, LoadedConfig loaded, long step, Inputs inputs,
      float psi) {
    Experiment cfg = loaded.resolved();
    try {
      java.nio.file.Files.createDirectories(run);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Configs.writeRunConfigs(run, loaded);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Params gp = new Params(cfg.getSeed());
      new Generator3D(tf, gp, ModelSpec.from(cfg), "G");
      Generator3D ema = new Generator3D(tf, new Params(cfg.getSeed() + 1000), ModelSpec.from(cfg), "G_ema");
      new Params(3).normal(tf.withSubScope("D"), "unrelated", Shape.of(5, 5), 1f);
      SampleGraph sample = SampleGraph.build(tf, ema);
      Op updateWAvg = sample.mapped().updateWAvg();
      try (Session s = new Session(g);
          SampleGraph.Feed in =
              sample.feed(inputs.z(), inputs.classes(), inputs.cameras(), psi)) {
        for (int i = 0; i < 3; i++) { // w_avg moves away from its initial zeros
          in.runner(s).addTarget(updateWAvg).run();
        }
        float[] out = sample.generate(s, inputs.z(), inputs.classes(), inputs.cameras(), psi)
            .images();
        new CheckpointManager(run.resolve("checkpoints"), 5).save(s, new Manifest(step,
            step * 0.008, cfg.getSeed(), Configs.hash(cfg), Configs.architectureHash(cfg),
            Version.get(), Map.of()), cfg);
        return out;
      }
    }
  }
}
