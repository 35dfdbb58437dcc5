package org.wild3d.metrics.features;

import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.wild3d.metrics.images.ImageBatch;

/**
 * A network that turns images into the feature vectors metrics compare (Inception's pool_3, or the
 * toolkit's own classifier) and, for IS and accuracy, class probabilities.
 *
 * <p>Every metric result records {@link #name()}, and cached real-data statistics are keyed by it,
 * so statistics of two different networks can never be mixed.
 */
public interface FeatureNetwork extends AutoCloseable {
  /** Identifies the network and its weights, e.g. {@code inception-2015-12-05} or {@code cls-1a2b3c4d5e6f}. */
  String name();

  /** D, the feature dimension. */
  int featureDim();

  /** K of {@link Activations#probabilities()}, or 0 when the network has none. */
  int numClasses();

  /**
   * Features and (when {@link #numClasses()} > 0) class probabilities from one forward pass.
   * Shapes: images {@code [N,H,W,3]} in [−1, 1] → features {@code [N,D]}, probabilities
   * {@code [N,K]}.
   */
  Activations compute(ImageBatch images);

  /** Features only. Shapes: {@code [N,H,W,3] → [N,D]}. */
  default float[][] features(ImageBatch images) {
    return compute(images).features();
  }

  /** Releases the network's graph and session. */
  @Override
  void close();

  /**
   * @param features {@code [N,D]}
   * @param probabilities {@code [N,K]}, or null when the network has no classifier head
   */
  record Activations(float[][] features, float[][] probabilities) {}

  /** The rows of a {@code [N,...]} tensor, each flattened: {@code [N][D]}. */
  static float[][] rows(TFloat32 t) {
    int n = (int) t.shape().size(0);
    int d = (int) (t.size() / Math.max(1, n));
    float[] flat = new float[n * d];
    t.copyTo(DataBuffers.of(flat, false, false));
    float[][] out = new float[n][d];
    for (int i = 0; i < n; i++) {
      System.arraycopy(flat, i * d, out[i], 0, d);
    }
    return out;
  }
}
