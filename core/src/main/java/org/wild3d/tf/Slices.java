package org.wild3d.tf;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TType;

/**
 * Contiguous ranges along one axis as a Slice op. A Slice costs a copy of its result, and its
 * gradient is a Pad; a GatherV2 of the same constant indices costs an index lookup per element,
 * and its gradient is an UnsortedSegmentSum (measured: the decoder's and ray marcher's gathers were
 * 5% of a shapes-tiny generator step).
 */
public final class Slices {
  private Slices() {}

  /** {@code x[..., from:to, ...]} on {@code axis} (negative counts from the end); rank must be known. */
  public static <T extends TType> Operand<T> along(Ops tf, Operand<T> x, int axis, int from, int to) {
    int rank = x.shape().numDimensions();
    checkArgument(rank > 0, "Slices.along: the rank of %s must be known", x);
    int a = axis < 0 ? axis + rank : axis;
    checkArgument(a >= 0 && a < rank, "Slices.along: axis %s out of range for rank %s", axis, rank);
    checkArgument(0 <= from && from <= to, "Slices.along: expected 0 <= from <= to, found %s, %s",
        from, to);
    long known = x.shape().get(a);
    checkArgument(known < 0 || to <= known, "Slices.along: %s > dimension %s of %s", to, a, known);
    int[] begin = new int[rank];
    int[] size = new int[rank];
    Arrays.fill(size, -1);
    begin[a] = from;
    size[a] = to - from;
    return tf.slice(x, tf.constant(begin), tf.constant(size));
  }
}
