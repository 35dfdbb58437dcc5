package org.wild3d.disc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.wild3d.config.ConfigException;
import org.wild3d.config.DiscriminatorSpec;
import org.wild3d.config.MultiView;
import org.wild3d.config.MultiViewSpec;
import org.wild3d.loss.GanLosses;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.tf.Grads;

class DiscriminatorTest {

  static DiscriminatorSpec spec(
      int res, int classes, boolean dual, int views, MultiView.Fusion fusion, int base, int max, int group) {
    return new DiscriminatorSpec(res, 3, dual, new MultiViewSpec(views, fusion), classes, base, max,
        group, 1, classes > 1 ? 8 : 0, 2, 0f);
  }

  static Placeholder<TFloat32> images(Ops tf, long n, int res, int c) {
    return tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(n, res, res, c)));
  }

  static Placeholder<TInt32> labels(Ops tf, long n) {
    return tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(n)));
  }

  static TFloat32 randomTensor(Random r, long... shape) {
    float[] v = new float[(int) Shape.of(shape).size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(v));
  }

  static TInt32 labelTensor(int... v) {
    return TInt32.tensorOf(Shape.of(v.length), DataBuffers.of(v, false, false));
  }

  static float[] flat(TFloat32 t) {
    float[] out = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  // --------------------------------------------------------------------------------------------
  // (a) shapes and contract

  @Test
  void logitShapesForResolutionsClassesAndFusionModes() {
    for (int res : new int[] {32, 64}) {
      for (int k : new int[] {1, 6}) {
        for (MultiView.Fusion fusion : MultiView.Fusion.values()) {
          for (boolean dual : new boolean[] {false, true}) {
            try (Graph g = new Graph()) {
              Ops tf = Ops.create(g);
              int views = 2;
              Discriminator d =
                  new Discriminator(tf, new Params(0), "D", spec(res, k, dual, views, fusion, 256, 16, 4));
              var img = images(tf, -1, res, 3);
              var raw = dual ? images(tf, -1, res / 4, 3) : null;
              var cls = labels(tf, -1);
              Operand<TFloat32> logits = d.score(img, raw, cls);
              assertThat(logits.shape().asArray()).containsExactly(-1L, 1L);
              int cin = 3 * (dual ? 2 : 1) * (fusion == MultiView.Fusion.STACKED ? views : 1);
              assertThat(d.spec().inputChannels()).isEqualTo(cin);
              assertThat(g.operation("D/b" + res + "/fromrgb/weight").output(0).shape().asArray())
                  .containsExactly(1L, 1L, cin, Math.min(256 / res, 16));
            }
          }
        }
      }
    }
  }

  @Test
  void variableNamesAndCounts() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Params p = new Params(0);
      Discriminator d = new Discriminator(tf, p, "D", spec(32, 6, false, 1, MultiView.Fusion.PER_VIEW, 256, 16, 4));
      List<String> names = d.trainables().stream().map(Param::name).toList();
      // fromrgb 2 + 3 blocks × (conv0 2 + conv1 2 + skip 1) + b4 (conv 2 + fc 2 + out 2) + mapping (embed 2 + 2 × 2)
      assertThat(names).hasSize(2 + 15 + 6 + 6);
      assertThat(names)
          .contains(
              "D/b32/fromrgb/weight",
              "D/b32/conv0/weight",
              "D/b32/conv1/bias",
              "D/b16/skip/weight",
              "D/b8/conv1/weight",
              "D/b4/conv/weight",
              "D/b4/fc/weight",
              "D/b4/out/weight",
              "D/mapping/embed/weight",
              "D/mapping/fc1/bias")
          .doesNotContain("D/b32/skip/bias", "D/b16/fromrgb/weight", "D/mapping/fc2/weight");
      assertThat(p.byName().get("D/b4/conv/weight").shape()).isEqualTo(Shape.of(3, 3, 17, 16)); // +1 mbstd
      assertThat(p.byName().get("D/b4/fc/weight").shape()).isEqualTo(Shape.of(16 * 16, 16));
      assertThat(p.byName().get("D/b4/out/weight").shape()).isEqualTo(Shape.of(16, 8));
      assertThat(p.byName().get("D/mapping/embed/weight").shape()).isEqualTo(Shape.of(6, 8));
      assertThat(p.byName().get("D/b32/conv1/weight").shape()).isEqualTo(Shape.of(3, 3, 8, 16));
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Params p = new Params(0);
      Discriminator d = new Discriminator(tf, p, "D", spec(64, 1, false, 1, MultiView.Fusion.PER_VIEW, 256, 16, 0));
      assertThat(d.trainables()).hasSize(2 + 4 * 5 + 6);
      assertThat(p.byName().get("D/b4/out/weight").shape()).isEqualTo(Shape.of(16, 1));
      assertThat(p.byName().get("D/b4/conv/weight").shape()).isEqualTo(Shape.of(3, 3, 16, 16)); // no mbstd
    }
  }

  @Test
  void specFromConfigResolvesCmapDimAndChannels() {
    var cfg = org.wild3d.config.Discriminator.getDefaultInstance();
    var mv = MultiView.newBuilder().setViews(3).setFusion(MultiView.Fusion.STACKED).build();
    DiscriminatorSpec s = DiscriminatorSpec.from(cfg, 128, 10, MultiViewSpec.from(mv), true);
    assertThat(s.cmapDim()).isZero();
    assertThat(s.cmapWidth()).isEqualTo(512); // 0 = channels at 4x4 = min(32768/4, 512)
    assertThat(s.inputChannels()).isEqualTo(3 * 2 * 3);
    assertThat(s.channels(128)).isEqualTo(256);
    assertThat(s.mbstdGroupSize()).isEqualTo(4);
    assertThat(s.mappingLayers()).isEqualTo(8);
    assertThat(DiscriminatorSpec.from(cfg, 64, 1, MultiViewSpec.single(), false).cmapWidth())
        .isZero();
    try (Graph g = new Graph()) {
      assertThatThrownBy(() -> new Discriminator(Ops.create(g), new Params(1), "D",
              spec(48, 1, false, 1, MultiView.Fusion.PER_VIEW, 256, 16, 4)))
          .hasMessageContaining("power of two");
    }
    assertThatThrownBy(() ->
            new DiscriminatorSpec(64, 3, false, MultiViewSpec.single(), 1, 256, 16, 4, 3, 0, 2, 0f))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("model.discriminator.mbstd_channels: expected a divisor of the "
            + "discriminator's 4x4 channels min(channel_base / 4, channel_max) = 16, found 3");
  }

  @Test
  void runsOnAStackedDualBatchAndScoresEachSceneOnce() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      int v = 3;
      Discriminator d = new Discriminator(tf, new Params(1), "D", spec(16, 4, true, v, MultiView.Fusion.STACKED, 128, 8, 4));
      var img = images(tf, -1, 16, 3);
      var raw = images(tf, -1, 8, 3);
      var cls = labels(tf, -1);
      Operand<TFloat32> logits = d.score(img, raw, cls);
      Random r = new Random(0);
      try (Session s = new Session(g);
          TFloat32 it = randomTensor(r, 2 * v, 16, 16, 3);
          TFloat32 rt = randomTensor(r, 2 * v, 8, 8, 3);
          TInt32 ct = labelTensor(1, 1, 1, 3, 3, 3);
          Result res = s.runner().feed(img, it).feed(raw, rt).feed(cls, ct).fetch(logits).run()) {
        TFloat32 out = (TFloat32) res.get(0);
        assertThat(out.shape().asArray()).containsExactly(2L, 1L);
        assertThat(Float.isFinite(out.getFloat(0, 0)) && Float.isFinite(out.getFloat(1, 0))).isTrue();
      }
    }
  }

  @Test
  void stackViewsIsViewMajorWithinAScene() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      int n = 2, v = 3, c = 2;
      float[] x = new float[n * v * c]; // [N·V,1,1,C], value = 10·row + channel
      for (int row = 0; row < n * v; row++) {
        for (int ch = 0; ch < c; ch++) {
          x[row * c + ch] = 10 * row + ch;
        }
      }
      Operand<TFloat32> stacked =
          Discriminator.stackViews(tf, tf.constant(Shape.of(n * v, 1, 1, c), DataBuffers.of(x)), v);
      Operand<TInt32> rep = Discriminator.repeatViews(tf, tf.constant(new int[] {7, 9}), v);
      try (Session s = new Session(g);
          Result res = s.runner().fetch(stacked).fetch(rep).run()) {
        TFloat32 t = (TFloat32) res.get(0);
        assertThat(t.shape().asArray()).containsExactly(n, 1L, 1L, v * c);
        for (int scene = 0; scene < n; scene++) {
          for (int view = 0; view < v; view++) {
            for (int ch = 0; ch < c; ch++) {
              assertThat(t.getFloat(scene, 0, 0, view * c + ch)).isEqualTo(10f * (scene * v + view) + ch);
            }
          }
        }
        TInt32 rt = (TInt32) res.get(1);
        int[] want = {7, 7, 7, 9, 9, 9};
        for (int i = 0; i < want.length; i++) {
          assertThat(rt.getInt(i)).isEqualTo(want[i]);
        }
      }
    }
  }

  @Test
  void dualInputConcatenatesImageThenBilinearlyResizedRaw() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> image = tf.fill(tf.constant(new int[] {1, 1, 4, 1}), tf.constant(5f));
      Operand<TFloat32> raw = tf.constant(Shape.of(1, 1, 2, 1), DataBuffers.of(0f, 1f));
      Operand<TFloat32> x = Discriminator.dualInput(tf, image, raw);
      try (Session s = new Session(g); TFloat32 t = (TFloat32) s.runner().fetch(x).run().get(0)) {
        assertThat(t.shape().asArray()).containsExactly(1L, 1L, 4L, 2L);
        // half-pixel centres: source x = (j+0.5)/2 − 0.5 = −0.25, 0.25, 0.75, 1.25 → clamped
        float[] want = {0f, 0.25f, 0.75f, 1f};
        for (int j = 0; j < 4; j++) {
          assertThat(t.getFloat(0, 0, j, 0)).isEqualTo(5f);
          assertThat(t.getFloat(0, 0, j, 1)).isCloseTo(want[j], within(1e-6f));
        }
      }
    }
  }

  // --------------------------------------------------------------------------------------------
  // minibatch std

  @Test
  void minibatchStdMatchesPlainJavaAndClipsTheGroupToTheBatch() {
    Random r = new Random(4);
    int h = 2, w = 2, c = 4, f = 2;
    for (int[] nAndGroup : new int[][] {{4, 2}, {2, 4}, {3, 4}}) {
      int n = nAndGroup[0];
      int group = nAndGroup[1];
      for (boolean dynamicBatch : new boolean[] {false, true}) {
        try (Graph g = new Graph();
            TFloat32 xt = randomTensor(r, n, h, w, c)) {
          Ops tf = Ops.create(g);
          var x = images(tf, dynamicBatch ? -1 : n, h, c);
          Operand<TFloat32> y = MinibatchStd.apply(tf, x, group, f);
          assertThat(y.shape().asArray()).containsExactly(dynamicBatch ? -1L : n, h, w, c + f);
          try (Session s = new Session(g);
              TFloat32 yt = (TFloat32) s.runner().feed(x, xt).fetch(y).run().get(0)) {
            float[] xv = flat(xt);
            int gs = Math.min(group, n);
            int groups = n / gs;
            for (int i = 0; i < n; i++) {
              for (int ff = 0; ff < f; ff++) {
                // group of sample i: samples j with j mod groups == i mod groups
                double acc = 0;
                int cs = c / f;
                for (int p = 0; p < h * w; p++) {
                  for (int k = 0; k < cs; k++) {
                    int ch = ff * cs + k;
                    double mean = 0;
                    for (int m = i % groups; m < n; m += groups) mean += xv[(m * h * w + p) * c + ch] / gs;
                    double var = 0;
                    for (int m = i % groups; m < n; m += groups) {
                      double dlt = xv[(m * h * w + p) * c + ch] - mean;
                      var += dlt * dlt / gs;
                    }
                    acc += Math.sqrt(var + 1e-8);
                  }
                }
                double want = acc / (h * w * cs);
                for (int p = 0; p < h * w; p++) {
                  assertThat((double) yt.getFloat(i, p / w, p % w, c + ff)).isCloseTo(want, within(1e-5));
                }
              }
              assertThat(yt.getFloat(i, 1, 0, 1)).isEqualTo(xv[(i * h * w + w) * c + 1]); // input kept
            }
          }
        }
      }
    }
  }

  @Test
  void minibatchStdRejectsABatchThatTheGroupDoesNotDivide() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      assertThatThrownBy(() -> MinibatchStd.apply(tf, images(tf, 6, 4, 8), 4, 1))
          .hasMessageContaining("not a multiple of the group size");
    }
  }

  @Test
  void discriminatorWithGroupLargerThanBatchRuns() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Discriminator d = new Discriminator(tf, new Params(2), "D", spec(8, 2, false, 1, MultiView.Fusion.PER_VIEW, 32, 4, 8));
      var img = images(tf, 2, 8, 3);
      var cls = labels(tf, 2);
      Operand<TFloat32> logits = d.score(img, null, cls);
      try (Session s = new Session(g);
          TFloat32 it = randomTensor(new Random(1), 2, 8, 8, 3);
          TInt32 ct = labelTensor(0, 1);
          TFloat32 out = (TFloat32) s.runner().feed(img, it).feed(cls, ct).fetch(logits).run().get(0)) {
        assertThat(out.shape().asArray()).containsExactly(2L, 1L);
        assertThat(out.getFloat(0, 0)).isNotEqualTo(out.getFloat(1, 0));
      }
    }
  }

  // --------------------------------------------------------------------------------------------
  // (b) the D loss reaches every variable

  @Test
  void discriminatorLossGradientsReachEveryVariable() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Discriminator d = new Discriminator(tf, new Params(3), "D", spec(16, 3, true, 1, MultiView.Fusion.PER_VIEW, 64, 8, 2));
      var fake = images(tf, 4, 16, 3);
      var fakeRaw = images(tf, 4, 8, 3);
      var real = images(tf, 4, 16, 3);
      var realRaw = images(tf, 4, 8, 3);
      var cls = labels(tf, 4);
      Operand<TFloat32> loss =
          GanLosses.discriminatorLoss(tf, d.score(fake, fakeRaw, cls), d.score(real, realRaw, cls));
      List<Operand<TFloat32>> values = d.trainables().stream().map(Param::value).toList();
      List<Operand<TFloat32>> grads = Grads.of(tf, loss, values);
      Random r = new Random(5);
      try (Session s = new Session(g);
          TFloat32 f1 = randomTensor(r, 4, 16, 16, 3);
          TFloat32 f2 = randomTensor(r, 4, 8, 8, 3);
          TFloat32 r1 = randomTensor(r, 4, 16, 16, 3);
          TFloat32 r2 = randomTensor(r, 4, 8, 8, 3);
          TInt32 ct = labelTensor(0, 1, 2, 1)) {
        Session.Runner run = s.runner().feed(fake, f1).feed(fakeRaw, f2).feed(real, r1).feed(realRaw, r2).feed(cls, ct);
        grads.forEach(run::fetch);
        try (Result res = run.run()) {
          for (int i = 0; i < grads.size(); i++) {
            double maxAbs = 0;
            for (float x : flat((TFloat32) res.get(i))) {
              maxAbs = Math.max(maxAbs, Math.abs(x));
            }
            assertThat(maxAbs).as("max |dL/d %s|", d.trainables().get(i).name()).isGreaterThan(1e-7);
          }
        }
      }
    }
  }
}
