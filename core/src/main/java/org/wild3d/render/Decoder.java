package org.wild3d.render;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.config.DecoderSpec;
import org.wild3d.nn.Activation;
import org.wild3d.nn.Dense;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.tf.Shapes;
import org.wild3d.tf.Slices;

/**
 * EG3D's triplane decoder (OSGDecoder): an MLP on the plane-averaged features with softplus hidden
 * layers and a linear output of {@code 1 + C} values — the raw density and the features, squashed
 * as {@code sigmoid(x)·(1 + 2·0.001) − 0.001} (the first 3 are RGB in [0, 1], slightly widened so
 * that 0 and 1 stay reachable).
 *
 * <p>Variables live in scope {@code <tf scope>/decoder}: {@code fc0 .. fc<L-1>} hidden layers and
 * {@code out}, each with {@code weight} and {@code bias}.
 *
 * <p>Shapes: {@code features [N,M,F]} → {@code sigmaRaw [N,M,1]}, {@code features [N,M,C]}.
 */
public final class Decoder {
  /** EG3D's widening of the sigmoid output. */
  static final float SIGMOID_MARGIN = 0.001f;

  private final int inFeatures;
  private final int outFeatures;
  private final List<Dense> layers = new ArrayList<>();
  private final Ops tf;

  /** Raw decoder outputs. Shapes: {@code sigmaRaw [N,M,1]}, {@code features [N,M,C]}. */
  public record Output(Operand<TFloat32> sigmaRaw, Operand<TFloat32> features) {}

  /** Builds the layers in scope {@code decoder} of {@code tf} (e.g. {@code G/decoder}). */
  public Decoder(Ops tf, Params params, DecoderSpec spec) {
    this.tf = tf.withSubScope("decoder");
    this.inFeatures = spec.inFeatures();
    this.outFeatures = spec.featureDim();
    float lrMul = spec.lrMultiplier();
    int in = inFeatures;
    for (int i = 0; i < spec.numHiddenLayers(); i++) {
      layers.add(
          new Dense(
              this.tf,
              params,
              "fc" + i,
              new Dense.Spec(in, spec.hiddenDim(), Activation.SOFTPLUS, lrMul, 0f, true)));
      in = spec.hiddenDim();
    }
    layers.add(
        new Dense(
            this.tf,
            params,
            "out",
            new Dense.Spec(in, 1 + outFeatures, Activation.LINEAR, lrMul, 0f, true)));
  }

  /** C: output feature channels. */
  public int featureChannels() {
    return outFeatures;
  }

  /** Shapes: {@code [N,M,F]} → {@code sigmaRaw [N,M,1]}, {@code features [N,M,C]}. */
  public Output apply(Operand<TFloat32> features) {
    Shapes.check("Decoder input [N,M,F]", features, -1, -1, inFeatures);
    int m = Shapes.dim(features, 1);
    Operand<TFloat32> x = tf.reshape(features, tf.constant(new int[] {-1, inFeatures})); // [N·M,F]
    for (Dense d : layers) {
      x = d.apply(x);
    }
    x = tf.reshape(x, tf.constant(new int[] {-1, m, 1 + outFeatures})); // [N,M,1+C]
    Operand<TFloat32> sigma = Slices.along(tf, x, 2, 0, 1); // [N,M,1]
    Operand<TFloat32> feat = Slices.along(tf, x, 2, 1, 1 + outFeatures); // [N,M,C]
    feat =
        tf.math.sub(
            tf.math.mul(tf.math.sigmoid(feat), tf.constant(1f + 2f * SIGMOID_MARGIN)),
            tf.constant(SIGMOID_MARGIN));
    return new Output(sigma, feat);
  }

  /** The layers' variables, in creation order. */
  public List<Param> trainables() {
    List<Param> out = new ArrayList<>();
    for (Dense d : layers) {
      out.add(d.weight());
      out.add(d.bias());
    }
    return out;
  }
}
