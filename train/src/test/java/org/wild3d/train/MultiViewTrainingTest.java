package org.wild3d.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.wild3d.config.Experiment;
import org.wild3d.config.GanSpec;
import org.wild3d.data.Batch;
import org.wild3d.data.BatchReader;
import org.wild3d.data.Dataset;
import org.wild3d.data.Datasets;
import org.wild3d.tf.Sessions;

/**
 * Multi-view discrimination in the training step: the discriminator judges B·V fakes per step
 * (PER_VIEW), each view of a scene rendered from its own camera; with STACKED fusion it scores N
 * groups of V views (fakes) and N groups of V same-class images (reals).
 */
class MultiViewTrainingTest {
  @TempDir Path dir;

  /** What one D step of the tiny config with {@code multiview} saw. */
  private record Step(
      Experiment cfg,
      int n,
      int views,
      int res,
      long[] fakeShape,
      long[] fakeLogitsShape,
      long[] realLogitsShape,
      float[] fakes,
      float[] cam2world,
      Batch real,
      float lossDFake) {}

  private static float[] floats(TFloat32 t) {
    float[] a = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(a, false, false));
    return a;
  }

  /**
   * Builds the training graph for {@code multiview}, feeds the D phase of step 0 exactly as the
   * loop makes it ({@link TrainLoop#inputs}, the loop's reader options) and runs the D update.
   */
  private Step dStep(String multiview) {
    Experiment cfg =
        TinyTraining.load(dir.resolve("cache"), "model { multiview { " + multiview + " } }").resolved();
    GanSpec spec = GanSpec.from(cfg);
    try (Graph graph = new Graph()) {
      GanGraph gg = new GanGraph(graph, spec);
      int res = gg.g.imageResolution();
      assertThat(gg.g.hasSuperResolution()).as("tiny config renders at the image resolution").isFalse();
      Operand<TFloat32> realLogits = gg.d.score(gg.real, null, gg.cReal); // the D step's scoring of reals
      try (Dataset ds = Datasets.open(cfg.getData(), cfg.getCamera(), res, new PrintWriter(Writer.nullWriter()));
          BatchReader reader =
              BatchReader.open(
                  ds,
                  BatchReader.Options.of(spec.realBatch().groups())
                      .withSeed(cfg.getSeed())
                      .withViewsPerScene(spec.realBatch().imagesPerGroup()));
          Session s = Sessions.create(graph, 2);
          TrainLoop.Inputs in = TrainLoop.inputs(spec, ds, TrainLoop.rng(cfg.getSeed(), 0, 1), 1)) {
        Batch real = reader.next();
        try (TFloat32 x = real.imagesTensor();
            TInt32 c = real.classesTensor();
            Result r =
                in.feed(s.runner(), gg)
                    .feed(gg.real, x)
                    .feed(gg.cReal, c)
                    .addTarget(gg.dMain)
                    .fetch(gg.fakeImages)
                    .fetch(gg.fakeLogits)
                    .fetch(realLogits)
                    .fetch(gg.lossDFake)
                    .run()) {
          TFloat32 fakes = (TFloat32) r.get(0);
          return new Step(
              cfg,
              spec.scenes(),
              spec.model().multiview().views(),
              res,
              fakes.shape().asArray(),
              r.get(1).shape().asArray(),
              r.get(2).shape().asArray(),
              floats(fakes),
              floats(in.cams.cam2world()),
              real,
              ((TFloat32) r.get(3)).getFloat());
        }
      }
    }
  }

  /** Every pair of views of every scene has distinct camera centres and distinct renderings. */
  private static void eachViewHasItsOwnCamera(Step st) {
    int px = st.res * st.res * 3;
    for (int scene = 0; scene < st.n; scene++) {
      for (int a = 0; a < st.views; a++) {
        for (int b = a + 1; b < st.views; b++) {
          int ia = scene * st.views + a;
          int ib = scene * st.views + b;
          double centre = 0;
          for (int k = 0; k < 3; k++) { // cam2world[:, k, 3] is the camera centre
            centre += Math.pow(st.cam2world[ia * 16 + k * 4 + 3] - st.cam2world[ib * 16 + k * 4 + 3], 2);
          }
          assertThat(Math.sqrt(centre)).as("scene %d views %d/%d camera centres", scene, a, b).isGreaterThan(1e-3);
          double diff = 0;
          for (int i = 0; i < px; i++) {
            diff = Math.max(diff, Math.abs(st.fakes[ia * px + i] - st.fakes[ib * px + i]));
          }
          assertThat(diff).as("scene %d views %d/%d pixels", scene, a, b).isGreaterThan(1e-3);
        }
      }
    }
    // Cameras are on the prior's sphere: every centre at the configured radius.
    for (int i = 0; i < st.n * st.views; i++) {
      double r2 = 0;
      for (int k = 0; k < 3; k++) {
        r2 += Math.pow(st.cam2world[i * 16 + k * 4 + 3], 2);
      }
      assertThat(Math.sqrt(r2)).isCloseTo(st.cfg.getCamera().getRadius(), org.assertj.core.api.Assertions.within(1e-4));
    }
  }

  @Test
  void perViewDiscriminatorSeesBatchTimesViewsFakesFromDistinctCameras() {
    Consumer<Step> common =
        st -> {
          assertThat(st.fakeShape).containsExactly(st.n * st.views, st.res, st.res, 3);
          assertThat(st.fakeLogitsShape).containsExactly(st.n * st.views, 1);
          assertThat(st.realLogitsShape).containsExactly(st.n * st.views, 1);
          assertThat(st.real.size()).isEqualTo(st.n * st.views);
          assertThat(st.cam2world).hasSize(st.n * st.views * 16);
          assertThat(st.lossDFake).isFinite();
        };
    Step one = dStep("views: 1 fusion: PER_VIEW");
    assertThat(one.views).isEqualTo(1);
    common.accept(one);
    assertThat(one.fakeShape[0]).isEqualTo(2);

    Step four = dStep("views: 4 fusion: PER_VIEW");
    assertThat(four.views).isEqualTo(4);
    common.accept(four);
    assertThat(four.fakeShape[0]).isEqualTo(8);
    eachViewHasItsOwnCamera(four);
  }

  @Test
  void stackedFusionScoresScenesAndGroupsRealsOfOneClass() {
    Step st = dStep("views: 2 fusion: STACKED");
    assertThat(st.views).isEqualTo(2);
    assertThat(st.fakeShape).containsExactly(st.n * 2, st.res, st.res, 3); // V renderings per scene
    assertThat(st.fakeLogitsShape).containsExactly(st.n, 1); // one score per scene
    assertThat(st.realLogitsShape).containsExactly(st.n, 1); // one score per group of reals
    assertThat(st.lossDFake).isFinite();
    eachViewHasItsOwnCamera(st);
    // Reals: N groups of V images, all of a group of one class and (V ≤ images per class) distinct.
    Batch real = st.real;
    assertThat(real.scenes()).isEqualTo(st.n);
    assertThat(real.views()).isEqualTo(2);
    assertThat(real.size()).isEqualTo(st.n * 2);
    int[] cls = real.classes();
    int[] idx = real.indices();
    for (int g = 0; g < st.n; g++) {
      assertThat(cls[2 * g + 1]).as("group %d classes", g).isEqualTo(cls[2 * g]);
      assertThat(idx[2 * g + 1]).as("group %d images", g).isNotEqualTo(idx[2 * g]);
    }
  }
}
