package org.wild3d.nn;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Float tensors in and out of test sessions. */
public final class TestFloats {
  private TestFloats() {}

  /** A float tensor of {@code shape} holding {@code v} in row-major order. The caller closes it. */
  public static TFloat32 tensor(float[] v, long... shape) {
    return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(v, true, false));
  }

  /** Gaussian values N(0, std²) from a seeded java.util.Random. */
  public static float[] gaussian(long seed, int n, double std) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextGaussian() * std);
    }
    return v;
  }

  /** Runs {@code s} with {@code feeds} and returns {@code x} as a flat float array. */
  public static float[] fetch(Session s, Operand<?> x, Map<Operand<?>, Tensor> feeds) {
    Session.Runner r = s.runner();
    feeds.forEach(r::feed);
    try (var res = r.fetch(x).run()) {
      TFloat32 t = (TFloat32) res.get(0);
      float[] out = new float[(int) t.size()];
      t.copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }

  /** Runs {@code s} without feeds and returns {@code x} as a flat float array. */
  public static float[] fetch(Session s, Operand<?> x) {
    return fetch(s, x, Map.of());
  }

  /** A feed map builder that keeps insertion order. */
  public static Map<Operand<?>, Tensor> feeds(Object... operandTensorPairs) {
    Map<Operand<?>, Tensor> m = new LinkedHashMap<>();
    for (int i = 0; i < operandTensorPairs.length; i += 2) {
      m.put((Operand<?>) operandTensorPairs[i], (Tensor) operandTensorPairs[i + 1]);
    }
    return m;
  }

  /** Largest absolute difference of two equally long arrays. */
  public static double maxAbsDiff(float[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
    }
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
