package org.wild3d.mapping;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.wild3d.config.MappingSpec;
import org.wild3d.nn.Activation;
import org.wild3d.nn.Dense;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.tf.Shapes;

/**
 * StyleGAN2 mapping network with class conditioning (StyleGAN2-ADA's MappingNetwork).
 *
 * <p>{@code z} is normalised by its second moment; for K > 1 the class one-hot goes through a
 * linear {@code Dense(K → embed)} (scope {@code embed}), is normalised the same way and
 * concatenated; then {@code num_layers} leaky-ReLU Dense layers ({@code fc0 …}) with the learning
 * rate multiplier (EG3D: 0.01) give {@code w}. With K = 1 the class input is ignored.
 *
 * <p>{@code w_avg} (non-trained state, init 0) is the running mean of {@code w} used for
 * truncation; it changes only when the training loop runs {@link #updateWAvg}.
 *
 * <p>Shapes: {@code z [N,Z], class [N] (int32) → w [N,Wd] → ws [N,num_ws,Wd]}.
 */
public final class MappingNetwork {
  /**
   * One application of the network.
   *
   * @param ws truncated and broadcast latents {@code [N,num_ws,Wd]}
   * @param w untruncated latent {@code [N,Wd]}
   * @param updateWAvg assigns {@code w_avg ← lerp(mean_N(w), w_avg, beta)}; run it in training
   */
  public record Mapped(Operand<TFloat32> ws, Operand<TFloat32> w, Op updateWAvg) {}

  private final MappingSpec spec;
  private final int numWs;
  private final Ops tf;
  private final Dense embed; // null when unconditional
  private final List<Dense> layers = new ArrayList<>();
  private final Param wAvg; // [Wd], state

  /**
   * Builds the variables in scope {@code mapping} of {@code tf} (e.g. {@code G/mapping}).
   *
   * @param numWs copies of w handed to the synthesis network ({@code SynthesisNetwork#numWs})
   */
  public MappingNetwork(Ops tf, Params params, MappingSpec spec, int numWs) {
    checkArgument(numWs >= 1, "mapping num_ws: expected >= 1, found %s", numWs);
    this.spec = spec;
    this.numWs = numWs;
    this.tf = tf.withSubScope("mapping");
    this.embed =
        spec.conditional()
            ? new Dense(this.tf, params, "embed",
                Dense.Spec.of(spec.numClasses(), spec.embedWidth(), Activation.LINEAR))
            : null;
    int in = spec.zDim() + (spec.conditional() ? spec.embedWidth() : 0);
    for (int i = 0; i < spec.numLayers(); i++) {
      layers.add(new Dense(this.tf, params, "fc" + i,
          new Dense.Spec(in, spec.wDim(), Activation.LRELU, spec.lrMultiplier(), 0f, true)));
      in = spec.wDim();
    }
    this.wAvg = params.state(this.tf, "w_avg", Shape.of(spec.wDim()), 0f);
  }

  public MappingSpec spec() {
    return spec;
  }

  /** Copies of w in {@code ws}, one per synthesis layer. */
  public int numWs() {
    return numWs;
  }

  /** The tracked average of w ({@code [Wd]}, non-trained state). */
  public Param wAvg() {
    return wAvg;
  }

  /**
   * The whole network: map, update op for w_avg, broadcast, truncation.
   *
   * @param z latents {@code [N,Z]}
   * @param classes class indices {@code [N]}; ignored (may be null) when K = 1
   * @param psi truncation ψ, a float scalar; 1 = no truncation, 0 = w_avg
   */
  public Mapped apply(Operand<TFloat32> z, Operand<TInt32> classes, Operand<TFloat32> psi) {
    Operand<TFloat32> w = map(z, classes);
    Op update = updateWAvg(w);
    return new Mapped(truncate(broadcast(w), psi), w, update);
  }

  /** The untruncated latent. Shapes: {@code z [N,Z], classes [N] → w [N,Wd]}. */
  public Operand<TFloat32> map(Operand<TFloat32> z, Operand<TInt32> classes) {
    Shapes.check("mapping input z [N,Z]", z, -1, spec.zDim());
    Operand<TFloat32> x = normalize2ndMoment(z); // [N,Z]
    if (embed != null) {
      checkArgument(classes != null,
          "mapping: a class input [N] is required when model.num_classes = %s > 1", spec.numClasses());
      Shapes.check("mapping input class [N]", classes, -1);
      Operand<TFloat32> onehot =
          tf.oneHot(classes, tf.constant(spec.numClasses()), tf.constant(1f), tf.constant(0f)); // [N,K]
      Operand<TFloat32> y = normalize2ndMoment(embed.apply(onehot)); // [N,embed]
      x = tf.concat(List.of(x, y), tf.constant(1)); // [N,Z+embed]
    }
    for (Dense d : layers) {
      x = d.apply(x);
    }
    return Shapes.check("mapping output w [N,Wd]", x, -1, spec.wDim());
  }

  /** {@code x · rsqrt(mean(x², axis 1) + 1e-8)}. Shapes: {@code [N,C] → [N,C]}. */
  private Operand<TFloat32> normalize2ndMoment(Operand<TFloat32> x) {
    Operand<TFloat32> m =
        tf.math.mean(tf.math.square(x), tf.constant(1), Mean.keepDims(true)); // [N,1]
    return tf.math.mul(x, tf.math.rsqrt(tf.math.add(m, tf.constant(1e-8f))));
  }

  /** Repeats w for every synthesis layer. Shapes: {@code [N,Wd] → [N,num_ws,Wd]}. */
  public Operand<TFloat32> broadcast(Operand<TFloat32> w) {
    Shapes.check("mapping broadcast input w [N,Wd]", w, -1, spec.wDim());
    Operand<TFloat32> e = tf.expandDims(w, tf.constant(1)); // [N,1,Wd]
    return tf.tile(e, tf.constant(new int[] {1, numWs, 1})); // [N,num_ws,Wd]
  }

  /**
   * Truncation {@code w_avg + psi·(w − w_avg)}. Shapes: {@code [N,Wd]} or {@code [N,num_ws,Wd]} →
   * same; {@code psi} is a float scalar.
   */
  public Operand<TFloat32> truncate(Operand<TFloat32> w, Operand<TFloat32> psi) {
    Shapes.check("truncation psi (scalar)", psi);
    long wd = w.shape().get(w.shape().numDimensions() - 1);
    checkArgument(wd == spec.wDim(), "truncate: expected last axis %s, found shape %s", spec.wDim(),
        w.shape());
    Operand<TFloat32> avg = wAvg.value(); // [Wd], broadcasts
    return tf.math.add(avg, tf.math.mul(psi, tf.math.sub(w, avg)));
  }

  /**
   * The op {@code w_avg ← mean_N(w) + beta·(w_avg − mean_N(w))} (StyleGAN's
   * {@code mean(w).lerp(w_avg, beta)}). Shapes: {@code w [N,Wd]}.
   */
  public Op updateWAvg(Operand<TFloat32> w) {
    Shapes.check("w_avg update input w [N,Wd]", w, -1, spec.wDim());
    Operand<TFloat32> mean = tf.math.mean(w, tf.constant(0)); // [Wd]
    Operand<TFloat32> next =
        tf.math.add(mean, tf.math.mul(tf.constant(spec.wAvgBeta()), tf.math.sub(wAvg.value(), mean)));
    return tf.withName("update_w_avg").assign(wAvg.variable(), next);
  }

  /** The embedding layer, or null when K = 1. */
  public Dense embed() {
    return embed;
  }

  /** The fully connected layers fc0 … in order. */
  public List<Dense> layers() {
    return List.copyOf(layers);
  }
}
