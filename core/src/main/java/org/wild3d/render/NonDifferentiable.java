package org.wild3d.render;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.TensorFlow;

/**
 * Declares the renderer's gradient-free ops to TensorFlow's gradient builder, like Python's {@code
 * ops.NotDifferentiable}: stateless random ops (jitter, importance uniforms, density noise) and
 * UpperBound (the inverse-CDF bin search). TF's C++ builder visits every op on a path between the
 * differentiated inputs and the loss even behind a StopGradient (e.g. a random op whose shape is
 * the dynamic batch size of a tensor that depends on the planes or cameras) and fails on ops
 * without a gradient function. Their inputs are shapes, seeds and sorted sequences used only as
 * indices, so their gradient is zero.
 *
 * <p>Registration is JVM-global and once only; an op that already has a gradient keeps it.
 */
final class NonDifferentiable {
  private static final List<String> OPS =
      List.of("StatelessRandomUniform", "StatelessRandomNormal", "UpperBound");
  private static boolean done;

  private NonDifferentiable() {}

  /** Registers zero gradients for the ops above; idempotent. */
  static synchronized void ensureRegistered() {
    if (done) {
      return;
    }
    for (String op : OPS) {
      try {
        TensorFlow.registerCustomGradient(
            op,
            (tf, operation, gradients) -> {
              List<Operand<?>> zeros = new ArrayList<>();
              for (int i = 0; i < operation.numInputs(); i++) {
                zeros.add(tf.zerosLike((Operand) operation.input(i)));
              }
              return zeros;
            });
      } catch (UnsupportedOperationException e) {
        // custom gradients are unsupported on Windows: rendering works, seeded gradients do not
        break;
      }
    }
    done = true;
  }
}
