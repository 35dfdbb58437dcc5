package org.wild3d.metrics.classifier;

import static com.google.common.base.Preconditions.checkArgument;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TFloat32;
import org.wild3d.nn.Activation;
import org.wild3d.nn.Dense;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.tf.Shapes;

/**
 * The toolkit's own feature network: a small CNN classifier trained on the dataset itself, used for
 * the {@code _cls} metrics when the Inception graph is not available.
 *
 * <p>Four 3×3 stride-2 convolutions (channels {@code c, 2c, 4c, 8c}, bias, LeakyReLU 0.2), a global
 * average pool, and a linear layer to K logits. The {@code 8c}-d feature vector is the pooled
 * activation standardised per dimension with the training data's mean and standard deviation
 * (state variables {@code C/feature_mean}, {@code C/feature_std}). Variables live in scope
 * {@code C} ({@code C/conv0/weight} ... {@code C/logits/weight}).
 *
 * <p>Shapes: images {@code [N,R,R,3]} in [−1, 1] → features {@code [N,8c]}, logits {@code [N,K]}.
 */
public final class ClassifierNet {
  static final int LAYERS = 4;

  /**
   * @param resolution R, the image size it is trained for (a multiple of 16)
   * @param numClasses K
   * @param baseChannels c; the features have {@code 8c} dimensions (32 → 256)
   */
  public record Spec(int resolution, int numClasses, int baseChannels) {
    public Spec {
      checkArgument(resolution >= 16 && resolution % 16 == 0,
          "classifier resolution: expected a multiple of 16, found %s", resolution);
      checkArgument(numClasses >= 1, "classifier classes: expected >= 1, found %s", numClasses);
      checkArgument(baseChannels >= 1, "classifier channels: expected >= 1, found %s",
          baseChannels);
    }

    /** The standard {@code _cls} network: c = 32, 256-d features. */
    public static Spec standard(int resolution, int numClasses) {
      return new Spec(resolution, numClasses, 32);
    }

    public int featureDim() {
      return baseChannels << (LAYERS - 1);
    }
  }

  /**
   * @param pooled {@code [N,8c]} globally pooled activations (what the head sees)
   * @param features {@code [N,8c]} pooled activations standardised per dimension with the training
   *     set's mean and standard deviation (state variables), so feature scales are comparable
   *     across classifiers and KID's kernel {@code (x·y/D+1)³} stays in a sane range
   * @param logits {@code [N,K]}
   */
  record Outputs(Operand<TFloat32> pooled, Operand<TFloat32> features, Operand<TFloat32> logits) {}

  /** Names of the standardisation state variables. */
  static final String FEATURE_MEAN = "C/feature_mean";
  static final String FEATURE_STD = "C/feature_std";

  private ClassifierNet() {}

  /** Builds the network's variables in {@code params} and its forward pass on {@code x}. */
  static Outputs build(Ops tf, Params params, Spec spec, Operand<TFloat32> x) {
    Shapes.check("classifier input [N,R,R,3]", x, -1, spec.resolution(), spec.resolution(), 3);
    Ops c = tf.withSubScope("C");
    Operand<TFloat32> h = x;
    int cin = 3;
    for (int i = 0; i < LAYERS; i++) {
      int cout = spec.baseChannels() << i;
      Ops l = c.withSubScope("conv" + i);
      Param w = params.normal(l, "weight", Shape.of(3, 3, cin, cout),
          (float) Math.sqrt(2.0 / (9 * cin)));
      Param b = params.constant(l, "bias", Shape.of(cout), 0f);
      h = l.nn.conv2d(h, w.value(), java.util.List.of(1L, 2L, 2L, 1L), "SAME");
      h = l.nn.leakyRelu(l.math.add(h, b.value()), LeakyRelu.alpha(0.2f)); // [N,R/2^(i+1),..,cout]
      cin = cout;
    }
    Operand<TFloat32> pooled = c.withName("pooled").math.mean(h, c.constant(new int[] {1, 2}));
    Dense head = new Dense(c, params, "logits",
        Dense.Spec.of(spec.featureDim(), spec.numClasses(), Activation.LINEAR));
    Param mean = params.state(c, "feature_mean", Shape.of(spec.featureDim()), 0f);
    Param std = params.state(c, "feature_std", Shape.of(spec.featureDim()), 1f);
    Operand<TFloat32> features = c.withName("features").math.div(
        c.math.sub(pooled, mean.value()), std.value());
    return new Outputs(pooled, features, head.apply(pooled)); // [N,8c], [N,8c], [N,K]
  }
}
