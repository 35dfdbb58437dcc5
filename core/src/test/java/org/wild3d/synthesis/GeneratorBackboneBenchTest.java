package org.wild3d.synthesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.wild3d.nn.TestFloats.gaussian;
import static org.wild3d.nn.TestFloats.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
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
import org.wild3d.config.MappingSpec;
import org.wild3d.config.SynthesisSpec;
import org.wild3d.mapping.MappingNetwork;
import org.wild3d.nn.Noise;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.tf.Grads;
import org.wild3d.tf.Sessions;

/**
 * Timing of mapping + synthesis at bench-tiny size: N 8, z = w = 128, R 32, 3×16 output channels,
 * 128 channels at every resolution, 6 classes, random noise. Prints median milliseconds of the
 * forward pass and of forward + gradients of all trainables, with the minimum and the load average
 * (the development machine is shared, so the minimum is the better estimate of an idle machine).
 */
@Tag("slow")
class GeneratorBackboneBenchTest {
  private static final int N = 8;
  private static final int REPS = 20;

  @ParameterizedTest(name = "extra_blocks={0}")
  @ValueSource(ints = {0, 2})
  void forwardTimeAtBenchTiny(int extra) {
    try (Graph g = new Graph();
        Session s = Sessions.create(g, 2);
        TFloat32 zt = tensor(gaussian(1, N * 128, 1), N, 128);
        TInt32 ct = TInt32.vectorOf(0, 1, 2, 3, 4, 5, 0, 1);
        TInt64 seedT = TInt64.vectorOf(1, 2)) {
      Ops tf = Ops.create(g).withSubScope("G");
      Params params = new Params(0);
      SynthesisNetwork syn =
          new SynthesisNetwork(tf, params, new SynthesisSpec(128, 32, 48, 4096, 128, extra, true, 256f));
      MappingNetwork map =
          new MappingNetwork(tf, params, new MappingSpec(128, 128, 128, 2, 0.01f, 0.995f, 6),
              syn.numWs());
      var z = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 128)));
      var c = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      var seed = tf.placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
      Operand<TFloat32> img = syn.apply(map.apply(z, c, tf.constant(1f)).ws(), Noise.random(seed));
      Operand<TFloat32> loss = tf.math.mean(tf.math.square(img), tf.constant(new int[] {0, 1, 2, 3}));
      List<Operand<TFloat32>> xs = new ArrayList<>();
      for (Param p : params.trainables()) {
        xs.add(p.value());
      }
      List<Operand<TFloat32>> grads = Grads.of(tf, loss, xs);
      double[] fwd = timesMs(() -> {
        try (var r = s.runner().feed(z, zt).feed(c, ct).feed(seed, seedT).fetch(img).run()) {
          assertThat(r.get(0).shape().asArray()).containsExactly(N, 32, 32, 48);
        }
      });
      double[] fwdBwd = timesMs(() -> {
        Session.Runner r = s.runner().feed(z, zt).feed(c, ct).feed(seed, seedT).fetch(loss);
        grads.forEach(r::fetch);
        try (var res = r.run()) {
          assertThat(Float.isFinite(((TFloat32) res.get(0)).getFloat())).isTrue();
        }
      });
      System.out.printf(
          "bench-tiny mapping+synthesis extra_blocks=%d: %d params, num_ws %d, forward %.1f ms "
              + "(min %.1f), forward+grads %.1f ms (min %.1f); median of %d, N=%d, loadavg %s%n",
          extra, params.trainableCount(), syn.numWs(), fwd[1], fwd[0], fwdBwd[1], fwdBwd[0], REPS, N,
          loadAverage());
    }
  }

  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException | RuntimeException e) {
      return "n/a";
    }
  }

  /** {min, median} milliseconds of {@code step} over REPS runs after 3 warm-up runs. */
  private static double[] timesMs(Runnable step) {
    for (int i = 0; i < 3; i++) {
      step.run();
    }
    double[] t = new double[REPS];
    for (int i = 0; i < REPS; i++) {
      long t0 = System.nanoTime();
      step.run();
      t[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(t);
    return new double[] {t[0], t[REPS / 2]};
  }
}
