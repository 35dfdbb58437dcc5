package org.wild3d.tf;

import java.util.ArrayList;
import java.util.Set;
import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;

/**
 * Gradients that are safe to differentiate again (R1) and never contain TF's NoGradient.
 *
 * <p>TF Java's default seed is {@code OnesLike(y)}, which has no gradient, so second-order
 * gradients fail; we always seed with a constant 1 and require a scalar {@code y}. Inputs that
 * {@code y} does not depend on come back as NoGradient (an Output with a null native handle); they
 * are replaced by zeros of the input's shape, and so are inputs that {@code y} does not depend on
 * at all (TF would refuse them as unreachable).
 */
public final class Grads {
  private Grads() {}

  /** d(sum y)/dx for each x, with a constant seed; {@code y} must be a scalar. */
  public static List<Operand<TFloat32>> of(
      Ops tf, Operand<TFloat32> y, List<? extends Operand<TFloat32>> xs) {
    Shapes.check("gradient target (scalar)", y);
    Set<String> ancestors = GraphWalk.ancestors(List.of(y), false).keySet();
    List<Operand<TFloat32>> reachable = new ArrayList<>();
    for (Operand<TFloat32> x : xs) {
      if (ancestors.contains(x.op().name())) {
        reachable.add(x);
      }
    }
    Gradients g =
        reachable.isEmpty()
            ? null
            : tf.gradients(y, reachable, Gradients.dx(List.of(tf.constant(1f))));
    List<Operand<TFloat32>> out = new ArrayList<>(xs.size());
    int k = 0;
    for (int i = 0; i < xs.size(); i++) {
      Output<?> gi = ancestors.contains(xs.get(i).op().name()) ? g.dy(k++) : null;
      if (isNoGradient(gi)) {
        out.add(tf.zerosLike(xs.get(i)));
      } else {
        @SuppressWarnings("unchecked")
        Operand<TFloat32> cast = (Operand<TFloat32>) gi;
        out.add(cast);
      }
    }
    return out;
  }

  /** True if {@code o} is TF's NoGradient marker (an output without a native handle). */
  public static boolean isNoGradient(Output<?> o) {
    return o == null
        || o.op() == null
        || ((GraphOperation) o.op()).getUnsafeNativeHandle() == null
        || ((GraphOperation) o.op()).getUnsafeNativeHandle().isNull();
  }
}
