package org.wild3d.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.camera.CameraSampler;
import org.wild3d.camera.Cameras;
import org.wild3d.config.CameraPrior;
import org.wild3d.config.CameraPriorSpec;
import org.wild3d.config.DecoderSpec;
import org.wild3d.config.Render;
import org.wild3d.config.RenderSpec;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.tf.Grads;
import org.wild3d.tf.Sessions;

/**
 * Render timing at bench-tiny size: N=8, planes 32²×3×16, 32² rays, 16+16 samples, decoder
 * 16→64→1+3. Prints median milliseconds; run with {@code -Dtests.excludedGroups=
 * -Dtest=RendererBenchmarkTest}.
 */
@Tag("slow")
class RendererBenchmarkTest {

  @Test
  void benchTiny() {
    int n = 8;
    int rp = 32;
    int f = 16;
    Render cfg =
        Render.newBuilder()
            .setResolution(32)
            .setSamplesStratified(16)
            .setSamplesImportance(16)
            .setRayStart(2.25f)
            .setRayEnd(3.3f)
            .build();
    org.wild3d.config.Decoder dcfg =
        org.wild3d.config.Decoder.newBuilder()
            .setHiddenDim(64)
            .setNumHiddenLayers(1)
            .setFeatureDim(3)
            .build();
    float[] planes = RendererTest.randomPlanesOf(n * rp * rp * 3 * f, 1);
    try (Graph g = new Graph();
        Session s = Sessions.create(g, 0);
        Cameras.Batch b =
            Cameras.toTensors(new CameraSampler(CameraPriorSpec.from(CameraPrior.getDefaultInstance()), 1).sample(n));
        TFloat32 pt = TfTesting.tensor(planes, n, rp, rp, 3 * f)) {
      Ops tf = Ops.create(g);
      Decoder dec = new Decoder(tf, new Params(0), DecoderSpec.from(dcfg, f));
      Renderer renderer = new Renderer(RenderSpec.from(cfg), 1f, dec);
      var pl = TfTesting.input(tf, "planes", n, rp, rp, 3 * f);
      var c2w = TfTesting.input(tf, "c2w", n, 4, 4);
      var k = TfTesting.input(tf, "k", n, 3, 3);
      RenderOutput eval = renderer.render(tf, pl, c2w, k, 1, null);
      RenderOutput train = renderer.render(tf, pl, c2w, k, 1, tf.constant(new long[] {1, 2}));
      Operand<TFloat32> loss =
          tf.reduceSum(tf.math.square(train.rgb()), tf.constant(new int[] {0, 1, 2, 3}));
      List<Operand<TFloat32>> xs = new ArrayList<>(List.of(pl));
      dec.trainables().stream().map(Param::value).forEach(xs::add);
      List<Operand<TFloat32>> grads = Grads.of(tf, loss, xs);
      Map<Operand<?>, org.tensorflow.Tensor> feeds =
          Map.of(pl, pt, c2w, b.cam2world(), k, b.intrinsics());
      double evalMs = time(s, feeds, List.of(eval.rgb()));
      double evalCpuMs = lastCpuMs;
      double trainMs = time(s, feeds, List.of(train.rgb()));
      List<Operand<?>> fb = new ArrayList<>(grads);
      fb.add(loss);
      double gradMs = time(s, feeds, fb);
      double gradCpuMs = lastCpuMs;
      System.out.printf(
          "bench-tiny render (N=8, 32² rays, 16+16 samples, planes 32²x48): forward eval %.1f ms"
              + " (process CPU %.1f ms), forward seeded %.1f ms, forward+backward %.1f ms"
              + " (process CPU %.1f ms)%n",
          evalMs, evalCpuMs, trainMs, gradMs, gradCpuMs);
      for (float v : TfTesting.run(s, feeds, List.of(eval.rgb())).get(0)) {
        assertThat(v).isBetween(-1.01f, 1.01f);
      }
    }
  }

  /** Process CPU time per run (all threads) of the last {@link #time} call, load-independent. */
  private static double lastCpuMs;

  private static double time(
      Session s, Map<Operand<?>, org.tensorflow.Tensor> feeds, List<? extends Operand<?>> fetches) {
    for (int i = 0; i < 3; i++) {
      TfTesting.run(s, feeds, fetches);
    }
    double[] t = new double[15];
    var os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    for (int i = 0; i < t.length; i++) {
      long t0 = System.nanoTime();
      TfTesting.run(s, feeds, fetches);
      t[i] = (System.nanoTime() - t0) / 1e6;
    }
    lastCpuMs = (os.getProcessCpuTime() - cpu0) / 1e6 / t.length;
    Arrays.sort(t);
    return t[t.length / 2];
  }
}
