package org.wild3d.render;

import static com.google.common.base.Preconditions.checkArgument;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.wild3d.nn.Activation;

/**
 * The model's radiance field: triplane sampling, then the {@link Decoder}, then EG3D's density
 * activation {@code σ = softplus(raw − 1)} (with optional Gaussian noise on {@code raw} when a seed
 * is given).
 *
 * <p>Shapes: {@code planes [N,Rp,Rp,3F]}; queries {@code [N·V,M,3]} (scene-major).
 */
public final class TriplaneField implements DensityField {
  private final Operand<TFloat32> planes;
  private final Decoder decoder;
  private final float boxSize;
  private final int views;
  private final float densityNoise;

  /**
   * @param views point sets per scene (queries have batch N·V, scene-major)
   * @param densityNoise std of the noise added to the raw density when a seed is given; 0 = off
   */
  public TriplaneField(
      Operand<TFloat32> planes, Decoder decoder, float boxSize, int views, float densityNoise) {
    checkArgument(densityNoise >= 0, "density noise std: expected >= 0, found %s", densityNoise);
    this.planes = planes;
    this.decoder = decoder;
    this.boxSize = boxSize;
    this.views = views;
    this.densityNoise = densityNoise;
    NonDifferentiable.ensureRegistered();
  }

  /** EG3D's density activation. Shapes: any → same. */
  public static Operand<TFloat32> activate(Ops tf, Operand<TFloat32> sigmaRaw) {
    return Activation.softplus(tf, tf.math.sub(sigmaRaw, tf.constant(1f)));
  }

  @Override
  public Output query(Ops tf, Operand<TFloat32> points, Operand<TInt64> noiseSeed) {
    Operand<TFloat32> feats = TriplaneSampler.sample(tf, planes, points, boxSize, views); // [B,M,F]
    Decoder.Output out = decoder.apply(feats);
    Operand<TFloat32> raw = out.sigmaRaw(); // [B,M,1]
    if (noiseSeed != null && densityNoise > 0) {
      Operand<TFloat32> noise =
          tf.random.statelessRandomNormal(tf.shape(tf.stopGradient(raw)), noiseSeed);
      raw = tf.math.add(raw, tf.math.mul(noise, tf.constant(densityNoise)));
    }
    return new Output(activate(tf, raw), out.features());
  }

  @Override
  public int featureChannels() {
    return decoder.featureChannels();
  }
}
