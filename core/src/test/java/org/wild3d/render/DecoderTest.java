package org.wild3d.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.config.DecoderSpec;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;

class DecoderTest {

  @Test
  void variablesShapesAndValuesMatchAPlainJavaMlp() {
    int f = 6;
    int m = 7;
    org.wild3d.config.Decoder cfg =
        org.wild3d.config.Decoder.newBuilder()
            .setHiddenDim(10)
            .setNumHiddenLayers(2)
            .setFeatureDim(4)
            .setLrMultiplier(0.5f)
            .build();
    Random r = new Random(8);
    float[] x = new float[2 * m * f];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 xt = TfTesting.tensor(x, 2, m, f)) {
      Ops tf = Ops.create(g).withSubScope("G");
      Params params = new Params(4);
      Decoder dec = new Decoder(tf, params, DecoderSpec.from(cfg, f));
      List<String> names = dec.trainables().stream().map(Param::name).toList();
      assertThat(names)
          .containsExactly(
              "G/decoder/fc0/weight", "G/decoder/fc0/bias",
              "G/decoder/fc1/weight", "G/decoder/fc1/bias",
              "G/decoder/out/weight", "G/decoder/out/bias");
      assertThat(params.trainableCount()).isEqualTo(6 * 10 + 10 + 10 * 10 + 10 + 10 * 5 + 5);
      var in = TfTesting.input(tf, "x", -1, m, f);
      Decoder.Output out = dec.apply(in);
      assertThat(out.sigmaRaw().shape().asArray()).containsExactly(-1, m, 1);
      assertThat(out.features().shape().asArray()).containsExactly(-1, m, 4);
      List<Operand<?>> fetches = new ArrayList<>(List.of(out.sigmaRaw(), out.features()));
      for (Param p : dec.trainables()) {
        fetches.add(p.variable());
      }
      List<float[]> v = TfTesting.run(s, Map.of(in, xt), fetches);
      // reference: equalized lr (w·lrMul/sqrt(in), b·lrMul), softplus hidden layers
      int[] dims = {f, 10, 10, 5};
      for (int row = 0; row < 2 * m; row++) {
        double[] h = new double[f];
        for (int i = 0; i < f; i++) {
          h[i] = x[row * f + i];
        }
        for (int l = 0; l < 3; l++) {
          float[] w = v.get(2 + 2 * l);
          float[] b = v.get(3 + 2 * l);
          double scale = 0.5 / Math.sqrt(dims[l]);
          double[] o = new double[dims[l + 1]];
          for (int j = 0; j < o.length; j++) {
            double acc = b[j] * 0.5;
            for (int i = 0; i < dims[l]; i++) {
              acc += h[i] * w[i * o.length + j] * scale;
            }
            o[j] = l < 2 ? Math.log1p(Math.exp(acc)) : acc;
          }
          h = o;
        }
        assertThat((double) v.get(0)[row]).isCloseTo(h[0], within(1e-4));
        for (int c = 0; c < 4; c++) {
          double expected = 1 / (1 + Math.exp(-h[1 + c])) * 1.002 - 0.001;
          assertThat((double) v.get(1)[row * 4 + c]).isCloseTo(expected, within(1e-5));
        }
      }
    }
  }

  @Test
  void featuresStayInsideTheWidenedUnitInterval() {
    org.wild3d.config.Decoder cfg = org.wild3d.config.Decoder.newBuilder().setFeatureDim(3).build();
    List<float[]> out =
        TfTesting.evaluate(
            tf -> {
              Decoder dec = new Decoder(tf, new Params(1), DecoderSpec.from(cfg, 2));
              var x = tf.constant(new float[][][] {{{1e4f, -1e4f}, {-1e4f, 1e4f}, {0, 0}}});
              return List.of(dec.apply(x).features());
            });
    for (float v : out.get(0)) {
      assertThat(v).isBetween(-0.001f, 1.001f);
    }
  }
}
