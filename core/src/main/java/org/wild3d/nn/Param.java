package org.wild3d.nn;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * One variable of a network and its read value.
 *
 * <p>Blocks compute with {@link #value()} (an Identity of the variable, like TF1's {@code /read})
 * and gradients are taken with respect to it: TF's C++ gradient of some ops (e.g. Square) crashes
 * the JVM when its input is a VariableV2's ref-typed output directly. Optimisers and checkpoints use
 * {@link #variable()}.
 *
 * @param name the variable's full op name, e.g. {@code G/mapping/fc0/weight}
 */
public record Param(String name, Variable<TFloat32> variable, Operand<TFloat32> value) {
  public Shape shape() {
    return variable.shape();
  }
}
