package org.wild3d.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.camera.Camera;
import org.wild3d.camera.Cameras;
import org.wild3d.config.ConfigException;
import org.wild3d.config.DecoderSpec;
import org.wild3d.config.Render;
import org.wild3d.config.RenderSpec;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.tf.Grads;

class RendererTest {
  static final Camera FRONT = Camera.fromSpherical(0, Math.PI / 2, 2.7, 60);

  /** Renders the field from `cams`; returns {rgb, depth, opacity, features}. */
  static List<float[]> render(Render cfg, DensityField field, Camera... cams) {
    return render(cfg, 0.5f, field, cams);
  }

  /**
   * As {@link #render(Render, DensityField, Camera...)} with the principal point at {@code (c,
   * c)} of the image (normalised), e.g. on a pixel centre.
   */
  static List<float[]> render(Render cfg, float c, DensityField field, Camera... cams) {
    try (Graph g = new Graph();
        Session s = new Session(g);
        Cameras.Batch b = Cameras.toTensors(cams);
        TFloat32 kt = principal(b.intrinsics(), c)) {
      Ops tf = Ops.create(g);
      var c2w = TfTesting.input(tf, "c2w", -1, 4, 4);
      var k = TfTesting.input(tf, "k", -1, 3, 3);
      RenderOutput out =
          new Renderer(RenderSpec.from(cfg), 1f, null).render(tf, field, c2w, k, null);
      int res = cfg.getResolution();
      assertThat(out.rgb().shape().asArray()).containsExactly(-1, res, res, 3);
      assertThat(out.depth().shape().asArray()).containsExactly(-1, res, res, 1);
      assertThat(out.opacity().shape().asArray()).containsExactly(-1, res, res, 1);
      assertThat(out.features().shape().asArray())
          .containsExactly(-1, res, res, field.featureChannels());
      Map<Operand<?>, Tensor> feeds = Map.of(c2w, b.cam2world(), k, kt);
      return TfTesting.run(
          s, feeds, List.of(out.rgb(), out.depth(), out.opacity(), out.features()));
    }
  }

  /** {@code k [N,3,3]} with the principal point moved to {@code (c, c)}. */
  static TFloat32 principal(TFloat32 k, float c) {
    TFloat32 out = TFloat32.tensorOf(k.shape());
    k.copyTo(out);
    for (long i = 0; i < k.shape().size(0); i++) {
      out.setFloat(c, i, 0, 2);
      out.setFloat(c, i, 1, 2);
    }
    return out;
  }

  /** Pixel 1 of 4 is centred at 0.375: with {@link #CENTRED} the ray of pixel (1, 1) is the axis. */
  static final float CENTRED = 0.375f;

  /** Index of the pixel (1, 1) whose ray is the optical axis under {@link #CENTRED}. */
  static final int AXIS = 5;

  /** The corner pixels of 4×4: with a 60 degree view their rays pass the sphere at 1.0 or more. */
  static final int[] CORNERS = {0, 3, 12, 15};

  static Render.Builder sphereRender() {
    // res 4 with a 60 degree view and the principal point on pixel (1, 1): that ray hits the
    // sphere through its centre, the corner rays pass it at a distance of 1.0 or more
    return Render.newBuilder().setResolution(4).setRayStart(2.0f).setRayEnd(3.4f);
  }

  @Test
  void sphereOpacityMatchesTheChordIntegral() {
    float sigma = 1f;
    float r = 0.5f;
    Render cfg = sphereRender().setSamplesStratified(1024).setSamplesImportance(0).build();
    List<float[]> out =
        render(cfg, CENTRED, new SphereField(r, sigma, new float[] {0.2f, 0.6f, 0.9f}), FRONT);
    float[] opacity = out.get(2);
    double expected = 1 - Math.exp(-2 * sigma * r);
    assertThat((double) opacity[AXIS]).isCloseTo(expected, within(1e-3));
    for (int corner : CORNERS) {
      assertThat(opacity[corner]).isLessThan(1e-3f);
      assertThat(out.get(1)[corner]).isEqualTo(3.4f); // transparent: depth = ray_end
      assertThat(out.get(0)[corner * 3]).isCloseTo(-1f, within(1e-3f)); // black background
    }
    // rgb = (2c - 1)·a + (1 - a)·(-1) for a constant colour c
    double a = opacity[AXIS];
    assertThat((double) out.get(0)[AXIS * 3 + 1])
        .isCloseTo((2 * 0.6 - 1) * a - (1 - a), within(1e-4));
    assertThat((double) out.get(3)[AXIS * 3 + 2]).isCloseTo(0.9 * a, within(1e-4));
    // the expected depth of a homogeneous chord, from the closed form of ∫ t σ e^{-σ(t-t0)} dt
    double t0 = 2.2;
    double len = 2 * r;
    double e = Math.exp(-sigma * len);
    double num = (t0 + 1 / sigma) - e * (t0 + len + 1 / sigma);
    assertThat((double) out.get(1)[AXIS]).isCloseTo(num / (1 - e), within(1e-3));
  }

  @Test
  void denseSphereDepthIsItsFrontSurfaceWithImportanceSampling() {
    Render cfg = sphereRender().setSamplesStratified(64).setSamplesImportance(64).build();
    List<float[]> out =
        render(cfg, CENTRED, new SphereField(0.5f, 1e5f, new float[] {1, 0, 0}), FRONT);
    assertThat(out.get(2)[AXIS]).isCloseTo(1f, within(1e-3f));
    assertThat(out.get(1)[AXIS]).isCloseTo(2.7f - 0.5f, within(1e-3f));
    assertThat(out.get(0)[AXIS * 3]).isCloseTo(1f, within(1e-3f)); // red
    assertThat(out.get(2)[0]).isLessThan(1e-3f);
    // without importance samples the depth is only as good as the coarse spacing
    Render coarse = sphereRender().setSamplesStratified(64).setSamplesImportance(0).build();
    float coarseDepth = render(coarse, CENTRED, new SphereField(0.5f, 1e5f, new float[] {1, 0, 0}),
        FRONT).get(1)[AXIS];
    assertThat(Math.abs(coarseDepth - 2.2f)).isGreaterThan(Math.abs(out.get(1)[AXIS] - 2.2f));
  }

  @Test
  void backgroundColourIsCompositedWhereRaysAreTransparent() {
    Render cfg =
        sphereRender()
            .setSamplesStratified(32)
            .setSamplesImportance(0)
            .addBackgroundRgb(1f)
            .addBackgroundRgb(0f)
            .addBackgroundRgb(-0.5f)
            .build();
    float[] rgb =
        render(cfg, CENTRED, new SphereField(0.5f, 1e5f, new float[] {0, 0, 1}), FRONT).get(0);
    assertThat(new float[] {rgb[0], rgb[1], rgb[2]})
        .containsExactly(new float[] {1f, 0f, -0.5f}, within(1e-4f));
    int a = AXIS * 3;
    assertThat(new float[] {rgb[a], rgb[a + 1], rgb[a + 2]})
        .containsExactly(new float[] {-1f, -1f, 1f}, within(1e-3f));
    assertThatThrownBy(() -> RenderSpec.from(Render.newBuilder().addBackgroundRgb(0f).build()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("render.background_rgb: expected 0 values (black) or 3 values, "
            + "found 1 values");
  }

  /** A small model: random planes fed as a placeholder, a real decoder. */
  static final int RP = 8;

  static final int F = 4;

  static Render smallRender(int importance) {
    return Render.newBuilder()
        .setResolution(4)
        .setSamplesStratified(8)
        .setSamplesImportance(importance)
        .setRayStart(2.2f)
        .setRayEnd(3.2f)
        .build();
  }

  static org.wild3d.config.Decoder decoderConfig() {
    return org.wild3d.config.Decoder.newBuilder()
        .setHiddenDim(16)
        .setNumHiddenLayers(2)
        .setFeatureDim(5)
        .build();
  }

  static float[] randomPlanes(int n, long seed) {
    return randomPlanesOf(n * RP * RP * 3 * F, seed);
  }

  static float[] randomPlanesOf(int size, long seed) {
    Random r = new Random(seed);
    float[] p = new float[size];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) r.nextGaussian();
    }
    return p;
  }

  @Test
  void viewsShareTheirScenesPlanes() {
    Camera[] cams = {
      Camera.fromSpherical(0.1, 1.2, 2.7, 20), Camera.fromSpherical(2.0, 0.5, 2.7, 20),
      Camera.fromSpherical(-1, 2.0, 2.7, 20), Camera.fromSpherical(3, 1.5, 2.7, 20)
    };
    float[] planes = randomPlanes(2, 1);
    float[] repeated = new float[planes.length * 2];
    int per = planes.length / 2;
    for (int n = 0; n < 2; n++) {
      for (int v = 0; v < 2; v++) {
        System.arraycopy(planes, n * per, repeated, (2 * n + v) * per, per);
      }
    }
    try (Graph g = new Graph();
        Session s = new Session(g);
        Cameras.Batch b = Cameras.toTensors(cams);
        TFloat32 pt = TfTesting.tensor(planes, 2, RP, RP, 3 * F);
        TFloat32 rt = TfTesting.tensor(repeated, 4, RP, RP, 3 * F)) {
      Ops tf = Ops.create(g);
      Decoder dec = new Decoder(tf, new Params(3), DecoderSpec.from(decoderConfig(), F));
      Renderer renderer = new Renderer(RenderSpec.from(smallRender(8)), 1f, dec);
      var pl = TfTesting.input(tf, "planes", -1, RP, RP, 3 * F);
      var rep = TfTesting.input(tf, "repeated", -1, RP, RP, 3 * F);
      RenderOutput a =
          renderer.render(tf, pl, tf.constant(b.cam2world()), tf.constant(b.intrinsics()), 2, null);
      RenderOutput c =
          renderer.render(
              tf, rep, tf.constant(b.cam2world()), tf.constant(b.intrinsics()), 1, null);
      List<float[]> out =
          TfTesting.run(
              s, Map.of(pl, pt, rep, rt), List.of(a.rgb(), c.rgb(), a.depth(), c.depth()));
      assertThat(out.get(0)).hasSize(4 * 16 * 3).containsExactly(out.get(1), within(1e-6f));
      assertThat(out.get(2)).containsExactly(out.get(3), within(1e-6f));
      for (float d : out.get(2)) {
        assertThat(d).isBetween(2.2f, 3.2f);
      }
    }
  }

  @Test
  void gradientsReachPlanesAndDecoderAndMatchFiniteDifferences() {
    Camera[] cams = {
      Camera.fromSpherical(0.4, 1.3, 2.7, 25), Camera.fromSpherical(2.5, 1.9, 2.7, 25)
    };
    float[] planes = randomPlanes(2, 4);
    try (Graph g = new Graph();
        Session s = new Session(g);
        Cameras.Batch b = Cameras.toTensors(cams)) {
      Ops tf = Ops.create(g);
      Params params = new Params(9);
      Decoder dec = new Decoder(tf.withSubScope("G"), params, DecoderSpec.from(decoderConfig(), F));
      assertThat(dec.trainables()).hasSize(6);
      Renderer renderer = new Renderer(RenderSpec.from(smallRender(0)), 1f, dec);
      var pl = TfTesting.input(tf, "planes", 2, RP, RP, 3 * F);
      Operand<TFloat32> c2w = tf.constant(b.cam2world());
      RenderOutput out = renderer.render(tf, pl, c2w, tf.constant(b.intrinsics()), 1, null);
      Operand<TFloat32> loss =
          tf.math.add(
              tf.reduceSum(tf.math.square(out.rgb()), tf.constant(new int[] {0, 1, 2, 3})),
              tf.reduceSum(out.depth(), tf.constant(new int[] {0, 1, 2, 3})));
      List<Operand<TFloat32>> xs = new ArrayList<>();
      xs.add(pl);
      for (Param p : dec.trainables()) {
        xs.add(p.value());
      }
      xs.add(c2w); // camera refinement (inversion) needs gradients through the rays too
      List<Operand<TFloat32>> grads = Grads.of(tf, loss, xs);
      List<Operand<?>> fetches = new ArrayList<>(grads);
      fetches.add(loss);
      // the seeded variant builds too (jitter, importance, noise) and is differentiable
      Render seeded = smallRender(4).toBuilder().setDensityNoise(0.5f).build();
      RenderOutput noisy =
          new Renderer(RenderSpec.from(seeded), 1f, dec)
              .render(
                  tf,
                  pl,
                  tf.constant(b.cam2world()),
                  tf.constant(b.intrinsics()),
                  1,
                  tf.constant(new long[] {1, 2}));
      var noisyLoss = tf.reduceSum(noisy.rgb(), tf.constant(new int[] {0, 1, 2, 3}));
      fetches.add(Grads.of(tf, noisyLoss, List.of(pl)).get(0));
      try (TFloat32 pt = TfTesting.tensor(planes, 2, RP, RP, 3 * F)) {
        List<float[]> got = TfTesting.run(s, Map.of(pl, pt), fetches);
        for (int i = 0; i < grads.size(); i++) {
          float max = 0;
          for (float x : got.get(i)) {
            assertThat(x).isFinite();
            max = Math.max(max, Math.abs(x));
          }
          assertThat(max)
              .as(
                  "gradient %s (%s)",
                  i, i == 0 ? "planes" : i <= 6 ? dec.trainables().get(i - 1).name() : "cam2world")
              .isGreaterThan(1e-6f);
        }
        float noisyMax = 0;
        for (float x : got.get(got.size() - 1)) {
          noisyMax = Math.max(noisyMax, Math.abs(x));
        }
        assertThat(noisyMax).isGreaterThan(1e-6f);
        // central differences on the 3 plane entries with the largest gradients
        float[] gp = got.get(0);
        Integer[] order = new Integer[gp.length];
        for (int i = 0; i < gp.length; i++) {
          order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Float.compare(Math.abs(gp[y]), Math.abs(gp[x])));
        float h = 1e-2f;
        for (int k = 0; k < 3; k++) {
          int e = order[k];
          float[] plus = planes.clone();
          float[] minus = planes.clone();
          plus[e] += h;
          minus[e] -= h;
          double lp;
          double lm;
          try (TFloat32 a = TfTesting.tensor(plus, 2, RP, RP, 3 * F);
              TFloat32 c = TfTesting.tensor(minus, 2, RP, RP, 3 * F)) {
            lp = TfTesting.run(s, Map.of(pl, a), List.of(loss)).get(0)[0];
            lm = TfTesting.run(s, Map.of(pl, c), List.of(loss)).get(0)[0];
          }
          double fd = (lp - lm) / (2 * h);
          assertThat(fd).as("entry %s", e).isCloseTo(gp[e], within(2e-2 * Math.abs(gp[e]) + 1e-3));
        }
      }
    }
  }

  @Test
  void densityNoiseNeedsASeedAndIsReproducible() {
    float[] planes = randomPlanes(1, 5);
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 pt = TfTesting.tensor(planes, 1, RP, RP, 3 * F)) {
      Ops tf = Ops.create(g);
      Decoder dec = new Decoder(tf, new Params(1), DecoderSpec.from(decoderConfig(), F));
      Render noisy = smallRender(0).toBuilder().setDensityNoise(1f).build();
      Renderer renderer = new Renderer(RenderSpec.from(noisy), 1f, dec);
      var pl = TfTesting.input(tf, "planes", 1, RP, RP, 3 * F);
      var points = tf.constant(new float[1][500][3]);
      TriplaneField field = renderer.field(pl, 1);
      var clean = field.query(tf, points, null).sigma();
      var a = field.query(tf, points, tf.constant(new long[] {4, 4})).sigma();
      var a2 = field.query(tf, points, tf.constant(new long[] {4, 4})).sigma();
      List<float[]> out = TfTesting.run(s, Map.of(pl, pt), List.of(clean, a, a2));
      assertThat(out.get(1)).containsExactly(out.get(2));
      // all points are the origin: without noise one value, with unit noise a spread of values
      double mean = 0;
      for (float v : out.get(1)) {
        mean += v / 500.0;
      }
      double var = 0;
      for (float v : out.get(1)) {
        var += (v - mean) * (v - mean) / 500.0;
      }
      for (float v : out.get(0)) {
        assertThat(v).isCloseTo(out.get(0)[0], within(1e-6f)); // no noise without a seed
      }
      assertThat(Math.sqrt(var)).isGreaterThan(0.1);
    }
  }

  @Test
  void densityIsTheActivatedDecoderOutput() {
    float[] planes = randomPlanes(1, 2);
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 pt = TfTesting.tensor(planes, 1, RP, RP, 3 * F)) {
      Ops tf = Ops.create(g);
      Decoder dec = new Decoder(tf, new Params(1), DecoderSpec.from(decoderConfig(), F));
      Renderer renderer = new Renderer(RenderSpec.from(smallRender(0)), 1f, dec);
      var pl = TfTesting.input(tf, "planes", 1, RP, RP, 3 * F);
      var points = tf.constant(new float[][][] {{{0.1f, -0.2f, 0.3f}, {0.4f, 0.0f, -0.1f}}});
      var sigma = renderer.density(tf, pl, points);
      assertThat(sigma.shape().asArray()).containsExactly(1, 2, 1);
      var raw = renderer.rawDensity(tf, pl, points);
      var direct = dec.apply(TriplaneSampler.sample(tf, pl, points, 1f)).sigmaRaw();
      List<float[]> out = TfTesting.run(s, Map.of(pl, pt), List.of(sigma, raw, direct));
      assertThat(out.get(1)).containsExactly(out.get(2));
      for (int i = 0; i < 2; i++) {
        double expected = Math.log1p(Math.exp(out.get(1)[i] - 1));
        assertThat((double) out.get(0)[i]).isCloseTo(expected, within(1e-5));
      }
    }
  }
}
