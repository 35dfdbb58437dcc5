package org.wild3d.tf;

import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;

/** Shape assertions at block boundaries, checked when the graph is built. */
public final class Shapes {
  private Shapes() {}

  /**
   * Checks that {@code x} has exactly the given static dimensions; -1 in {@code dims} accepts any
   * size (including unknown) on that axis.
   *
   * @param what a name for the message, e.g. {@code "mapping input z [N,Z]"}
   * @return {@code x}, for chaining
   */
  public static <T extends Operand<?>> T check(String what, T x, long... dims) {
    Shape s = x.shape();
    boolean ok = s.numDimensions() == dims.length;
    for (int i = 0; ok && i < dims.length; i++) {
      ok = dims[i] < 0 || s.size(i) == dims[i];
    }
    if (!ok) {
      throw new IllegalArgumentException(
          what + ": expected shape " + Arrays.toString(dims) + ", found " + s);
    }
    return x;
  }

  /** Static size of axis {@code i} of {@code x}, failing if it is unknown. */
  public static int dim(Operand<?> x, int i) {
    long n = x.shape().size(i);
    if (n < 0) {
      throw new IllegalArgumentException("axis " + i + " of " + x.shape() + " must be static");
    }
    return Math.toIntExact(n);
  }
}
