package org.wild3d.synthesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.wild3d.nn.TestFloats.feeds;
import static org.wild3d.nn.TestFloats.fetch;
import static org.wild3d.nn.TestFloats.gaussian;
import static org.wild3d.nn.TestFloats.tensor;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.wild3d.config.ConfigException;
import org.wild3d.config.SuperResolutionSpec;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.tf.Grads;

class SuperResolutionTest {
  private static final int R_IN = 8;
  private static final int C = 5;
  private static final int WD = 6;

  @Test
  void specFromConfigChecksTheResolution() {
    var cfg = org.wild3d.config.SuperResolution.newBuilder().setOutputResolution(256).build();
    assertThat(SuperResolutionSpec.from(cfg, 64, 32, 512, 256f))
        .isEqualTo(new SuperResolutionSpec(64, 32, 256, 128, 512, 256f));
    assertThatThrownBy(() -> new SuperResolutionSpec(64, 32, 96, 128, 512, 0f))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("model.superres.output_resolution: expected 0 (off) or "
            + "render.resolution = 64 times 2, 4, 8, ..., found 96");
    assertThatThrownBy(() -> new SuperResolutionSpec(64, 32, 64, 128, 512, 0f))
        .hasMessageContaining("model.superres.output_resolution");
    assertThat(SuperResolutionSpec.from(
            org.wild3d.config.SuperResolution.getDefaultInstance(), 64, 32, 512, 0f))
        .as("output_resolution 0 is off")
        .isNull();
  }

  /** Output shape, scopes, and gradients to every variable and every input. */
  @ParameterizedTest(name = "R={0}")
  @CsvSource({"16", "32"})
  void shapeScopesAndGradientFlow(int rOut) {
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 rgbT = tensor(gaussian(1, 2 * R_IN * R_IN * 3, 0.5), 2, R_IN, R_IN, 3);
        TFloat32 featT = tensor(gaussian(2, 2 * R_IN * R_IN * C, 1), 2, R_IN, R_IN, C);
        TFloat32 wsT = tensor(gaussian(3, 2 * 4 * WD, 1), 2, 4, WD)) {
      Ops tf = Ops.create(g).withSubScope("G");
      Params params = new Params(5);
      SuperResolution sr =
          new SuperResolution(tf, params, new SuperResolutionSpec(R_IN, C, rOut, 8, WD, 256f));
      var rgb = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, R_IN, R_IN, 3)));
      var feat = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, R_IN, R_IN, C)));
      var ws = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4, WD)));
      Operand<TFloat32> out = sr.apply(rgb, feat, ws);
      assertThat(out.shape().asArray()).containsExactly(-1, rOut, rOut, 3);
      int mid = rOut / 2;
      assertThat(params.byName().keySet())
          .contains(
              "G/superres/b" + mid + "/conv0/weight",
              "G/superres/b" + mid + "/torgb/weight",
              "G/superres/b" + rOut + "/conv0/affine/bias",
              "G/superres/b" + rOut + "/conv1/bias")
          .noneMatch(n -> n.contains("noise"));
      // Two blocks of conv0 + conv1 + torgb, 4 variables each.
      assertThat(params.trainables()).hasSize(2 * 3 * 4);
      assertThat(params.byName().get("G/superres/b" + mid + "/conv0/weight").shape().asArray())
          .containsExactly(3, 3, C, 8);

      Operand<TFloat32> loss = tf.reduceSum(tf.math.square(out), tf.constant(new int[] {0, 1, 2, 3}));
      List<Param> trainables = params.trainables();
      List<Operand<TFloat32>> xs = new ArrayList<>();
      trainables.forEach(p -> xs.add(p.value()));
      xs.add(rgb);
      xs.add(feat);
      xs.add(ws);
      List<Operand<TFloat32>> grads = Grads.of(tf, loss, xs);
      Session.Runner run = s.runner().feed(rgb, rgbT).feed(feat, featT).feed(ws, wsT).fetch(out);
      grads.forEach(run::fetch);
      try (var res = run.run()) {
        assertThat(res.get(0).shape().asArray()).containsExactly(2, rOut, rOut, 3);
        for (int i = 0; i < xs.size(); i++) {
          TFloat32 gi = (TFloat32) res.get(i + 1);
          float[] v = new float[(int) gi.size()];
          gi.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(v, false, false));
          double maxAbs = 0;
          for (float x : v) {
            maxAbs = Math.max(maxAbs, Math.abs(x));
          }
          String what = i < trainables.size() ? trainables.get(i).name() : "input " + (i - trainables.size());
          assertThat(maxAbs).as("gradient of " + what).isGreaterThan(0);
          if (i == xs.size() - 1) {
            // Only the last latent is used.
            for (int n = 0; n < 2; n++) {
              for (int k = 0; k < 3 * WD; k++) {
                assertThat(v[n * 4 * WD + k]).isZero();
              }
            }
          }
        }
      }
    }
  }

  /** With every ToRGB zeroed, the output is the raw RGB upsampled: constants stay constant. */
  @Test
  void rawRgbIsTheSkip() {
    int rOut = 32;
    float[] colour = {0.3f, -0.5f, 0.8f};
    float[] rgbV = new float[R_IN * R_IN * 3];
    for (int i = 0; i < rgbV.length; i++) {
      rgbV[i] = colour[i % 3];
    }
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 rgbT = tensor(rgbV, 1, R_IN, R_IN, 3);
        TFloat32 featT = tensor(gaussian(2, R_IN * R_IN * C, 1), 1, R_IN, R_IN, C);
        TFloat32 wT = tensor(gaussian(3, WD, 1), 1, WD)) {
      Ops tf = Ops.create(g);
      Params params = new Params(5);
      SuperResolution sr =
          new SuperResolution(tf, params, new SuperResolutionSpec(R_IN, C, rOut, 8, WD, 0f));
      var rgb = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, R_IN, R_IN, 3)));
      var feat = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, R_IN, R_IN, C)));
      var w = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, WD)));
      Operand<TFloat32> out = sr.apply(rgb, feat, w);
      float[] before = fetch(s, out, feeds(rgb, rgbT, feat, featT, w, wT));
      Session.Runner zero = s.runner();
      for (Param p : params.trainables()) {
        if (p.name().contains("torgb/weight") || p.name().contains("torgb/bias")) {
          zero.addTarget(tf.assign(p.variable(), tf.zerosLike(p.variable())));
        }
      }
      zero.run();
      float[] y = fetch(s, out, feeds(rgb, rgbT, feat, featT, w, wT));
      double maxDiffBefore = 0;
      for (int i = 2; i < rOut - 2; i++) {
        for (int j = 2; j < rOut - 2; j++) {
          for (int c = 0; c < 3; c++) {
            int idx = (i * rOut + j) * 3 + c;
            assertThat(y[idx]).isCloseTo(colour[c], within(1e-5f));
            maxDiffBefore = Math.max(maxDiffBefore, Math.abs(before[idx] - colour[c]));
          }
        }
      }
      assertThat(maxDiffBefore).as("ToRGBs contribute before zeroing").isGreaterThan(1e-3);
    }
  }
}
