package org.wild3d.synthesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.wild3d.nn.TestFloats.feeds;
import static org.wild3d.nn.TestFloats.fetch;
import static org.wild3d.nn.TestFloats.gaussian;
import static org.wild3d.nn.TestFloats.tensor;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.wild3d.config.ConfigException;
import org.wild3d.config.MappingSpec;
import org.wild3d.config.Synthesis;
import org.wild3d.config.SynthesisSpec;
import org.wild3d.mapping.MappingNetwork;
import org.wild3d.nn.Noise;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.tf.Grads;

class SynthesisNetworkTest {

  @Test
  void specFromConfig() {
    SynthesisSpec s =
        SynthesisSpec.from(Synthesis.newBuilder().setExtraBlocks(3).build(), 256, 96, 512);
    assertThat(s).isEqualTo(new SynthesisSpec(512, 256, 96, 32768, 512, 3, true, 256f));
    assertThat(s.numWs()).isEqualTo(2 * 8 - 2 + 2 * 3);
    assertThat(s.channels(4)).isEqualTo(512);
    assertThat(s.channels(128)).isEqualTo(256);
    assertThat(s.channels(256)).isEqualTo(128);
    assertThatThrownBy(() -> new SynthesisSpec(8, 64, 3, 32, 8, -1, true, 0f))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("model.synthesis.extra_blocks: expected a value >= 0, found -1")
        .hasMessageContaining("model.synthesis.channel_base: expected at least "
            + "model.triplane.resolution = 64");
  }

  @ParameterizedTest(name = "extra_blocks={0}")
  @ValueSource(ints = {0, 2})
  void outputShapeNumWsAndScopesAtR32F16(int extra) {
    int r = 32;
    int f = 16;
    SynthesisSpec spec = new SynthesisSpec(8, r, 3 * f, 256, 16, extra, true, 256f);
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g).withSubScope("G");
      Params params = new Params(1);
      SynthesisNetwork net = new SynthesisNetwork(tf, params, spec);
      // b4: 1 conv, b8..b32: 2 convs each, +1 for the last ToRGB, +2 per extra block.
      assertThat(net.numWs()).isEqualTo(1 + 2 * 3 + 1 + 2 * extra);
      var ws = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, net.numWs(), 8)));
      Operand<TFloat32> out = net.apply(ws, Noise.constant());
      assertThat(out.shape().asArray()).containsExactly(-1, r, r, 3 * f);
      // Blocks b4 (const, conv1, torgb: 1+5+4 variables), b8..b32 (5+5+4), extras (5+5+4).
      assertThat(params.trainables()).hasSize(10 + 14 * 3 + 14 * extra);
      assertThat(params.byName().keySet())
          .contains(
              "G/synthesis/b4/const",
              "G/synthesis/b4/conv1/affine/weight",
              "G/synthesis/b4/torgb/weight",
              "G/synthesis/b8/conv0/weight",
              "G/synthesis/b8/conv0/noise_strength",
              "G/synthesis/b32/torgb/bias")
          .doesNotContain("G/synthesis/b4/conv0/weight", "G/synthesis/b4/torgb/noise_strength");
      if (extra > 0) {
        assertThat(params.byName().keySet())
            .contains("G/synthesis/extra0/conv0/weight", "G/synthesis/extra1/torgb/affine/bias");
      }
      assertThat(params.byName().get("G/synthesis/b32/conv1/weight").shape().asArray())
          .containsExactly(3, 3, 8, 8); // min(256/32, 16) = 8 channels at 32
      assertThat(params.byName().get("G/synthesis/b4/const").shape().asArray())
          .containsExactly(4, 4, 16); // min(256/4, 16)
      try (TFloat32 wt = tensor(gaussian(3, 2 * net.numWs() * 8, 1), 2, net.numWs(), 8)) {
        float[] y = fetch(s, out, feeds(ws, wt));
        assertThat(y).hasSize(2 * r * r * 3 * f);
        for (float v : y) {
          assertThat(Float.isFinite(v)).isTrue();
        }
      }
    }
  }

  @Test
  void trainableParameterCountMatchesHandComputation() {
    // Wd 4, R 8, C 6, channels: 4 -> min(32/4, 8) = 8, 8 -> min(32/8, 8) = 4; one extra block.
    try (Graph g = new Graph()) {
      Params params = new Params(0);
      SynthesisNetwork net = new SynthesisNetwork(Ops.create(g), params,
          new SynthesisSpec(4, 8, 6, 32, 8, 1, true, 0f));
      // A modulated conv: affine Wd·in + in, weight k·k·in·out, bias out, noise strength 1.
      long b4 = 4 * 4 * 8 // const
          + (4 * 8 + 8) + 9 * 8 * 8 + 8 + 1 // conv1 8->8
          + (4 * 8 + 8) + 8 * 6 + 6; // torgb 8->6
      long b8 = (4 * 8 + 8) + 9 * 8 * 4 + 4 + 1 // conv0 8->4 (up)
          + (4 * 4 + 4) + 9 * 4 * 4 + 4 + 1 // conv1 4->4
          + (4 * 4 + 4) + 4 * 6 + 6; // torgb 4->6
      long extra = 2 * ((4 * 4 + 4) + 9 * 4 * 4 + 4 + 1) + (4 * 4 + 4) + 4 * 6 + 6;
      assertThat(b4 + b8 + extra).isEqualTo(1787);
      assertThat(params.trainableCount()).isEqualTo(1787);
      assertThat(net.numWs()).isEqualTo(1 + 2 + 2 + 1);
    }
  }

  @Test
  void noUseNoiseMeansNoNoiseVariables() {
    try (Graph g = new Graph()) {
      Params params = new Params(0);
      new SynthesisNetwork(Ops.create(g), params, new SynthesisSpec(4, 8, 6, 32, 8, 1, false, 0f));
      assertThat(params.byName().keySet()).noneMatch(n -> n.contains("noise"));
      assertThat(params.trainableCount()).isEqualTo(1787 - 5);
    }
  }

  /** Mapping + synthesis: a loss on the output reaches every trainable variable. */
  @Test
  void gradientsReachEveryTrainableVariable() {
    int r = 16;
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 zt = tensor(gaussian(1, 3 * 8, 1), 3, 8);
        TInt32 ct = TInt32.vectorOf(0, 2, 1);
        TInt64 seedT = TInt64.vectorOf(4, 5)) {
      Ops tf = Ops.create(g).withSubScope("G");
      Params params = new Params(2);
      SynthesisNetwork syn =
          new SynthesisNetwork(tf, params, new SynthesisSpec(8, r, 6, 128, 8, 1, true, 256f));
      MappingNetwork map = new MappingNetwork(tf, params,
          new MappingSpec(8, 8, 8, 2, 0.01f, 0.995f, 3), syn.numWs());
      var z = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8)));
      var c = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      var seed = tf.placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
      Operand<TFloat32> ws = map.apply(z, c, tf.constant(0.7f)).ws();
      Operand<TFloat32> img = syn.apply(ws, Noise.random(seed));
      Operand<TFloat32> target = tf.constant(gaussian(7, r * r * 6, 1));
      Operand<TFloat32> loss = tf.reduceSum(
          tf.math.mul(img, tf.reshape(target, tf.constant(new int[] {1, r, r, 6}))),
          tf.constant(new int[] {0, 1, 2, 3}));
      List<Param> trainables = params.trainables();
      List<Operand<TFloat32>> xs = new ArrayList<>();
      trainables.forEach(p -> xs.add(p.value()));
      List<Operand<TFloat32>> grads = Grads.of(tf, loss, xs);
      assertThat(trainables).extracting(Param::name)
          .contains("G/mapping/embed/weight", "G/synthesis/b16/conv0/noise_strength");
      Session.Runner run = s.runner().feed(z, zt).feed(c, ct).feed(seed, seedT);
      grads.forEach(run::fetch);
      try (var res = run.run()) {
        for (int i = 0; i < trainables.size(); i++) {
          TFloat32 gi = (TFloat32) res.get(i);
          float[] v = new float[(int) gi.size()];
          gi.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(v, false, false));
          double maxAbs = 0;
          for (float x : v) {
            assertThat(Float.isFinite(x)).as(trainables.get(i).name()).isTrue();
            maxAbs = Math.max(maxAbs, Math.abs(x));
          }
          assertThat(maxAbs).as("gradient of " + trainables.get(i).name()).isGreaterThan(0);
        }
      }
    }
  }

  /** Every latent index is consumed (no ws slice is silently ignored), with extra blocks too. */
  @Test
  void everyLatentIndexIsUsed() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      SynthesisNetwork net = new SynthesisNetwork(tf, new Params(0),
          new SynthesisSpec(4, 8, 6, 32, 8, 2, false, 0f));
      int k = net.numWs();
      assertThat(k).isEqualTo(1 + 2 + 2 * 2 + 1);
      try (TFloat32 wt = tensor(gaussian(3, 2 * k * 4, 1), 2, k, 4)) {
        var ws = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, k, 4)));
        Operand<TFloat32> out = net.apply(ws, Noise.none());
        Operand<TFloat32> loss = tf.reduceSum(tf.math.square(out), tf.constant(new int[] {0, 1, 2, 3}));
        float[] gw = fetch(s, Grads.of(tf, loss, List.of(ws)).get(0), feeds(ws, wt));
        for (int i = 0; i < k; i++) {
          double m = 0;
          for (int n = 0; n < 2; n++) {
            for (int j = 0; j < 4; j++) {
              m = Math.max(m, Math.abs(gw[(n * k + i) * 4 + j]));
            }
          }
          assertThat(m).as("gradient of ws[:, %d]", i).isGreaterThan(0);
        }
      }
    }
  }

  @Test
  void canBeAppliedTwiceInOneGraph() {
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 wt = tensor(gaussian(3, 2 * 4 * 4, 1), 2, 4, 4);
        TInt64 seedT = TInt64.vectorOf(1, 1)) {
      Ops tf = Ops.create(g);
      Params params = new Params(0);
      SynthesisNetwork net = new SynthesisNetwork(tf, params, new SynthesisSpec(4, 8, 6, 32, 8, 0, true, 0f));
      var ws = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4, 4)));
      var seed = tf.placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
      Operand<TFloat32> a = net.apply(ws, Noise.random(seed));
      Operand<TFloat32> b = net.apply(ws, Noise.none());
      // Noise strengths start at 0, so both paths give the same image.
      float[] ya = fetch(s, a, feeds(ws, wt, seed, seedT));
      float[] yb = fetch(s, b, feeds(ws, wt));
      assertThat(yb).containsExactly(ya);
    }
  }
}
