package org.wild3d.disc;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.wild3d.nn.Activation;
import org.wild3d.nn.Dense;
import org.wild3d.nn.Params;
import org.wild3d.tf.Shapes;

/**
 * The discriminator's class mapping for projection conditioning (StyleGAN2-ADA's
 * {@code MappingNetwork} with z_dim = 0): one-hot class → embedding (linear Dense, lr 1) →
 * normalised second moment → {@code layers} Dense lrelu layers with lr multiplier 0.01.
 *
 * <p>Variables: {@code <name>/embed/{weight,bias}}, {@code <name>/fc<i>/{weight,bias}}. A class
 * index outside [0, K) gives an all-zero one-hot (TF's OneHot): validate labels upstream.
 *
 * <p>Shapes: {@code classes [N] int32 → cmap [N, dim]}.
 */
public final class ClassMapping {
  /** StyleGAN2-ADA's learning-rate multiplier of the mapping layers. */
  public static final float LR_MULTIPLIER = 0.01f;

  private final int numClasses;
  private final int dim;
  private final Dense embed;
  private final List<Dense> layers = new ArrayList<>();
  private final Ops tf;

  /**
   * @param numClasses K >= 2
   * @param dim embedding and output size (cmap_dim)
   * @param layers number of lrelu layers after the embedding; 0 = the normalised embedding
   */
  public ClassMapping(Ops tf, Params params, String name, int numClasses, int dim, int layers) {
    checkArgument(numClasses >= 2, "class mapping: expected >= 2 classes, found %s", numClasses);
    checkArgument(dim >= 1, "class mapping: cmap_dim must be >= 1, found %s", dim);
    checkArgument(layers >= 0, "discriminator.mapping_layers: expected >= 0, found %s", layers);
    this.numClasses = numClasses;
    this.dim = dim;
    this.tf = tf.withSubScope(name);
    this.embed = new Dense(this.tf, params, "embed", Dense.Spec.of(numClasses, dim, Activation.LINEAR));
    for (int i = 0; i < layers; i++) {
      this.layers.add(
          new Dense(
              this.tf,
              params,
              "fc" + i,
              new Dense.Spec(dim, dim, Activation.LRELU, LR_MULTIPLIER, 0f, true)));
    }
  }

  public int dim() {
    return dim;
  }

  /** Shapes: {@code classes [N] → [N, dim]}. */
  public Operand<TFloat32> apply(Operand<TInt32> classes) {
    Shapes.check("class labels [N]", classes, -1);
    Operand<TFloat32> onehot =
        tf.oneHot(classes, tf.constant(numClasses), tf.constant(1f), tf.constant(0f)); // [N,K]
    Operand<TFloat32> y = embed.apply(onehot); // [N,dim]
    Operand<TFloat32> ms =
        tf.math.mean(tf.math.square(y), tf.constant(1), Mean.keepDims(true)); // [N,1]
    y = tf.math.mul(y, tf.math.rsqrt(tf.math.add(ms, tf.constant(1e-8f))));
    for (Dense layer : layers) {
      y = layer.apply(y);
    }
    return y;
  }
}
