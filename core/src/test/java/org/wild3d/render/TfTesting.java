package org.wild3d.render;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Small helpers for graph tests of the camera and render packages. */
public final class TfTesting {
  private TfTesting() {}

  /**
   * For a {@code @BeforeAll}: skips off Linux x86-64 (no fused kernels are built there), fails
   * where they should have been built but did not load, and installs the custom gradients.
   */
  public static void requireFusedKernels() {
    String os = System.getProperty("os.name", "");
    String arch = System.getProperty("os.arch", "");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        os.startsWith("Linux") && arch.equals("amd64"), "fused kernels: Linux x86-64 only");
    org.assertj.core.api.Assertions.assertThat(org.wild3d.tf.FusedOps.available())
        .as(org.wild3d.tf.FusedOps.status()).isTrue();
    org.wild3d.tf.CustomGradients.install(); // the standard path's second derivatives need them
  }

  /** A float32 placeholder with a fully or partly known shape. */
  public static Placeholder<TFloat32> input(Ops tf, String name, long... dims) {
    return tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(Shape.of(dims)));
  }

  /** A float32 tensor with the given shape and values (row-major); the caller closes it. */
  public static TFloat32 tensor(float[] values, long... dims) {
    return TFloat32.tensorOf(Shape.of(dims), DataBuffers.of(values, true, false));
  }

  /** Row-major copy of a float tensor's values. */
  public static float[] values(TFloat32 t) {
    float[] out = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  /** Runs the graph once and returns each fetch's values (feeds are not closed). */
  public static List<float[]> run(
      Session s, Map<Operand<?>, ? extends Tensor> feeds, List<? extends Operand<?>> fetches) {
    Session.Runner runner = s.runner();
    feeds.forEach(runner::feed);
    fetches.forEach(runner::fetch);
    List<float[]> out = new ArrayList<>();
    try (Result r = runner.run()) {
      for (int i = 0; i < fetches.size(); i++) {
        out.add(values((TFloat32) r.get(i)));
      }
    }
    return out;
  }

  /** Builds a fresh graph with {@code build}, runs it once and returns the fetched values. */
  public static List<float[]> evaluate(java.util.function.Function<Ops, List<Operand<?>>> build) {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      List<Operand<?>> fetches = build.apply(tf);
      return run(s, new LinkedHashMap<>(), fetches);
    }
  }
}
