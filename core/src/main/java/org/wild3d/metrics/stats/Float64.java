package org.wild3d.metrics.stats;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat64;

/** Conversions between Java double arrays and float64 tensors for the metric graphs. */
final class Float64 {
  private Float64() {}

  /** A [rows, cols] tensor of {@code m}; the caller closes it. */
  static TFloat64 matrix(double[][] m) {
    int rows = m.length;
    int cols = m[0].length;
    double[] flat = new double[rows * cols];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(m[i], 0, flat, i * cols, cols);
    }
    return TFloat64.tensorOf(Shape.of(rows, cols), DataBuffers.of(flat, true, false));
  }

  static double scalar(org.tensorflow.Tensor t) {
    return ((TFloat64) t).getDouble();
  }
}
