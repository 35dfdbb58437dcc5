package org.wild3d.optim;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.wild3d.nn.Param;
import org.wild3d.tf.Grads;

/**
 * Adam on an explicit list of variables, built from TF's raw {@code ApplyAdam} on the VariableV2s.
 *
 * <p>Unlike the framework optimiser this never trains variables it was not given, and it is
 * deterministic: every {@code ApplyAdam} waits for all gradients of the step (a param's read value
 * aliases its variable, so an early in-place update would race with gradients still reading it),
 * and the beta-power variables are updated only after every {@code ApplyAdam} has run, so each
 * apply reads the same {@code β^t}. The update is
 * TF's: {@code lr_t = lr·√(1−β2^t)/(1−β1^t)}, {@code m ← β1·m + (1−β1)·g},
 * {@code v ← β2·v + (1−β2)·g²}, {@code w ← w − lr_t·m/(√v + ε)}.
 *
 * <p>Slots are VariableV2s named {@code <name>/<param name with '/' → '_'>_m} (and {@code _v}),
 * plus {@code <name>/beta1_power} and {@code <name>/beta2_power}; they are listed by
 * {@link #slots()} for checkpoints.
 */
public final class Adam {
  /**
   * Hyper-parameters other than the learning rate; build with {@link #defaults()} and the
   * {@code with*} methods so betas are set by name.
   *
   * @param beta1 decay of the first moment; StyleGAN2/EG3D: 0
   * @param beta2 decay of the second moment; StyleGAN2/EG3D: 0.99
   * @param epsilon added to √v; EG3D: 1e-8
   */
  public record Spec(float beta1, float beta2, float epsilon) {
    public Spec {
      checkArgument(beta1 >= 0 && beta1 < 1, "Adam beta1: expected [0, 1), found %s", beta1);
      checkArgument(beta2 >= 0 && beta2 < 1, "Adam beta2: expected [0, 1), found %s", beta2);
      checkArgument(epsilon > 0, "Adam epsilon: expected > 0, found %s", epsilon);
    }

    /** Kingma & Ba's defaults: beta1 0.9, beta2 0.999, epsilon 1e-8. */
    public static Spec defaults() {
      return new Spec(0.9f, 0.999f, 1e-8f);
    }

    public Spec withBeta1(float b) {
      return new Spec(b, beta2, epsilon);
    }

    public Spec withBeta2(float b) {
      return new Spec(beta1, b, epsilon);
    }

    public Spec withEpsilon(float e) {
      return new Spec(beta1, beta2, e);
    }
  }

  private final Ops tf;
  private final Spec spec;
  private final List<Param> params;
  private final List<Variable<TFloat32>> m = new ArrayList<>();
  private final List<Variable<TFloat32>> v = new ArrayList<>();
  private final Variable<TFloat32> beta1Power;
  private final Variable<TFloat32> beta2Power;

  /**
   * Creates the slot variables in scope {@code name}.
   *
   * @param params the variables this optimiser trains, and only these
   */
  public Adam(Ops tf, String name, List<Param> params, Spec spec) {
    checkArgument(!params.isEmpty(), "Adam %s: expected at least one variable, found none", name);
    this.tf = tf.withSubScope(name);
    this.spec = spec;
    this.params = ImmutableList.copyOf(params);
    for (Param p : params) {
      String base = p.name().replace('/', '_');
      m.add(filled(base + "_m", p.shape(), 0f));
      v.add(filled(base + "_v", p.shape(), 0f));
    }
    beta1Power = filled("beta1_power", Shape.scalar(), spec.beta1());
    beta2Power = filled("beta2_power", Shape.scalar(), spec.beta2());
  }

  private Variable<TFloat32> filled(String name, Shape shape, float value) {
    Variable<TFloat32> var = tf.withName(name).variable(shape, TFloat32.class);
    Ops init = tf.withInitScope();
    init.withName(name + "_init").assign(var, init.fill(init.constant(shape), init.constant(value)));
    return var;
  }

  public Spec spec() {
    return spec;
  }

  /** Gradients of the scalar {@code loss} w.r.t. each param's value, then {@link #apply}. */
  public Op minimize(Operand<TFloat32> loss, Operand<TFloat32> learningRate) {
    return apply(gradients(loss), learningRate);
  }

  /** Gradients of the scalar {@code loss} w.r.t. each param's value (param order). */
  public List<Operand<TFloat32>> gradients(Operand<TFloat32> loss) {
    List<Operand<TFloat32>> values = new ArrayList<>();
    for (Param p : params) {
      values.add(p.value());
    }
    return Grads.of(tf, loss, values);
  }

  /** {@link #minimize(Operand, Operand)} with a constant learning rate. */
  public Op minimize(Operand<TFloat32> loss, float learningRate) {
    return minimize(loss, tf.constant(learningRate));
  }

  /**
   * One Adam step from the given gradients (one per param, same order and shapes). May be called
   * several times (e.g. a GAN's main and lazy-regularisation phases): every train op shares the
   * moments and beta powers, and each run of one advances the beta powers once, like calling
   * {@code step()} on one PyTorch optimiser from several phases.
   *
   * @param learningRate scalar; a constant or a fed/scheduled operand
   * @return the train op: runs every ApplyAdam, then advances the beta powers
   */
  public Op apply(List<? extends Operand<TFloat32>> grads, Operand<TFloat32> learningRate) {
    return apply(grads, learningRate, List.of());
  }

  /**
   * {@link #apply(List, Operand)} that also waits for {@code others} before any variable changes:
   * the gradients of another optimiser's step run in the same session call (e.g. G and D updated
   * together), which may read these variables.
   */
  public Op apply(List<? extends Operand<TFloat32>> grads, Operand<TFloat32> learningRate,
      List<? extends Operand<TFloat32>> others) {
    checkArgument(grads.size() == params.size(),
        "Adam: expected %s gradients (one per variable), found %s", params.size(), grads.size());
    Operand<TFloat32> b1 = tf.constant(spec.beta1());
    Operand<TFloat32> b2 = tf.constant(spec.beta2());
    Operand<TFloat32> eps = tf.constant(spec.epsilon());
    // Param values are Identity reads that alias the variables' buffers: no ApplyAdam may start
    // before every gradient (each of which may read any param) has been computed.
    List<Op> ready = new ArrayList<>();
    for (Operand<TFloat32> g : grads) {
      ready.add(tf.identity(g));
    }
    for (Operand<TFloat32> g : others) {
      ready.add(tf.identity(g));
    }
    Ops update = tf.withControlDependencies(ready);
    List<Op> applies = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      Param p = params.get(i);
      checkArgument(grads.get(i).shape().isCompatibleWith(p.shape()),
          "Adam: gradient %s of %s: expected shape %s, found %s", i, p.name(), p.shape(),
          grads.get(i).shape());
      applies.add(update.train.applyAdam(p.variable(), m.get(i), v.get(i), beta1Power, beta2Power,
          learningRate, b1, b2, eps, grads.get(i)));
    }
    Ops after = tf.withControlDependencies(applies);
    Op u1 = after.assign(beta1Power, after.math.mul(beta1Power, b1));
    Op u2 = after.assign(beta2Power, after.math.mul(beta2Power, b2));
    return tf.withControlDependencies(List.of(u1, u2)).withName("step").noOp();
  }

  /** The optimiser's state: m and v per param (param order), then beta1_power, beta2_power. */
  public List<Variable<TFloat32>> slots() {
    List<Variable<TFloat32>> all = new ArrayList<>(m.size() * 2 + 2);
    for (int i = 0; i < m.size(); i++) {
      all.add(m.get(i));
      all.add(v.get(i));
    }
    all.add(beta1Power);
    all.add(beta2Power);
    return all;
  }
}
