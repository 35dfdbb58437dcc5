package org.wild3d.loss;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.wild3d.tf.CustomGradients;
import org.wild3d.tf.Grads;
import org.wild3d.tf.Shapes;

/**
 * StyleGAN2's non-saturating logistic GAN losses and the R1 penalty.
 *
 * <p>Softplus is TF's fused op (numerically stable for large |x|); its second-order gradient
 * (SoftplusGrad's) comes from {@link CustomGradients}, installed here.
 *
 * <p>Shapes: logits {@code [B,1]}; every loss is a scalar, averaged over the batch.
 */
public final class GanLosses {
  private GanLosses() {}

  /** Generator loss {@code mean(softplus(−D(fake)))}. */
  public static Operand<TFloat32> generatorLoss(Ops tf, Operand<TFloat32> logitsFake) {
    CustomGradients.install();
    Shapes.check("fake logits [B,1]", logitsFake, -1, 1);
    return mean(tf, tf.math.softplus(tf.math.neg(logitsFake)));
  }

  /** Discriminator loss {@code mean(softplus(D(fake))) + mean(softplus(−D(real)))}. */
  public static Operand<TFloat32> discriminatorLoss(
      Ops tf, Operand<TFloat32> logitsFake, Operand<TFloat32> logitsReal) {
    return tf.math.add(discriminatorFakeLoss(tf, logitsFake), discriminatorRealLoss(tf, logitsReal));
  }

  /** The fake half of the D loss, {@code mean(softplus(D(fake)))}. */
  public static Operand<TFloat32> discriminatorFakeLoss(Ops tf, Operand<TFloat32> logitsFake) {
    CustomGradients.install();
    Shapes.check("fake logits [B,1]", logitsFake, -1, 1);
    return mean(tf, tf.math.softplus(logitsFake));
  }

  /** The real half of the D loss, {@code mean(softplus(−D(real)))}. */
  public static Operand<TFloat32> discriminatorRealLoss(Ops tf, Operand<TFloat32> logitsReal) {
    CustomGradients.install();
    Shapes.check("real logits [B,1]", logitsReal, -1, 1);
    return mean(tf, tf.math.softplus(tf.math.neg(logitsReal)));
  }

  /** R1 of one input: {@link #r1Penalty(Ops, Operand, List)} with {@code List.of(realImages)}. */
  public static Operand<TFloat32> r1Penalty(
      Ops tf, Operand<TFloat32> logitsReal, Operand<TFloat32> realImages) {
    return r1Penalty(tf, logitsReal, List.of(realImages));
  }

  /**
   * R1 penalty {@code (1/B)·Σ_inputs Σ (∂ΣD(real)/∂x)²}, the mean over D's B scores of the squared
   * gradient norm (without the γ/2 factor, which the training loop applies).
   *
   * <p>For EG3D's dual input pass both the super-resolved image and the raw rendering (the tensors
   * D's input was built from, before resizing/concatenation): EG3D penalises both. With STACKED
   * views the inputs have N·V rows for B = N scores; each score's norm covers its V views.
   *
   * <p>The gradient is seeded with a constant ({@link Grads}), so the result can be differentiated
   * with respect to D's variables.
   */
  public static Operand<TFloat32> r1Penalty(
      Ops tf, Operand<TFloat32> logitsReal, List<Operand<TFloat32>> realInputs) {
    CustomGradients.install();
    Shapes.check("real logits [B,1]", logitsReal, -1, 1);
    checkArgument(!realInputs.isEmpty(), "R1: expected at least one input to penalise");
    Operand<TFloat32> total = tf.reduceSum(logitsReal, tf.constant(new int[] {0, 1}));
    List<Operand<TFloat32>> grads = Grads.of(tf, total, realInputs);
    Operand<TFloat32> sq = null;
    for (Operand<TFloat32> g : grads) {
      Operand<TFloat32> s = tf.reduceSum(tf.math.square(g), allAxes(tf, g));
      sq = sq == null ? s : tf.math.add(sq, s);
    }
    Operand<TFloat32> b = tf.dtypes.cast(tf.size(logitsReal), TFloat32.class); // B (logits are [B,1])
    return tf.math.div(sq, b);
  }

  private static Operand<TFloat32> mean(Ops tf, Operand<TFloat32> x) {
    return tf.math.mean(x, allAxes(tf, x));
  }

  private static Operand<TInt32> allAxes(Ops tf, Operand<TFloat32> x) {
    int rank = x.shape().numDimensions();
    checkArgument(rank >= 0, "loss input: rank must be static, found %s", x.shape());
    int[] axes = new int[rank];
    for (int i = 0; i < rank; i++) {
      axes[i] = i;
    }
    return tf.constant(axes);
  }
}
