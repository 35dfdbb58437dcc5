package org.wild3d.render;

import org.wild3d.tf.Seed;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A radiance field queried at batches of world points: the triplane decoder in the model, an
 * analytic shape in tests. The field applies its own density activation, so the renderer composites
 * the returned σ as it is.
 */
public interface DensityField {
  /**
   * Density and features at {@code points}.
   *
   * <p>Shapes: {@code points [N,M,3]} → {@code sigma [N,M,1]} (≥ 0), {@code features [N,M,C]}.
   *
   * @param noiseSeed a stateless-random seed {@code [2]} for training-time density noise, or null
   *     (no noise); fields without noise ignore it
   */
  Output query(Ops tf, Operand<TFloat32> points, Seed noiseSeed);

  /** Feature channels C of {@link Output#features()}; the first 3 are RGB in [0, 1]. */
  int featureChannels();

  /** Shapes: {@code sigma [N,M,1]} (activated density, ≥ 0), {@code features [N,M,C]}. */
  record Output(Operand<TFloat32> sigma, Operand<TFloat32> features) {}
}
