package org.wild3d.model;

import org.wild3d.camera.Camera;
import org.wild3d.config.Experiment;

/**
 * Something that renders generated images deterministically: a restored {@link Snapshot}, or the
 * EMA generator of a training session (so training can measure itself without reloading).
 *
 * <p>Shapes: {@code z [N,Z]}, {@code classes [N]}, {@code N} cameras → images {@code [N,H,W,3]}
 * in [−1,1], depth and opacity {@code [N,r,r,1]}.
 */
public interface ImageGenerator {
  /**
   * Renders {@code classes.length} scenes, one camera each.
   *
   * @param truncationPsi 1 = no truncation
   */
  GeneratedImages generate(float[] z, int[] classes, Camera[] cameras, float truncationPsi);

  /** The resolved config the generator was built from. */
  Experiment config();

  /** Z, the latent dimension. */
  default int zDim() {
    return config().getModel().getMapping().getZDim();
  }

  /** K (1 for unconditional models). */
  default int numClasses() {
    return Math.max(1, config().getModel().getNumClasses());
  }

  /** H = W of generated images. */
  int imageResolution();

  /** r, the neural rendering's resolution (depth, opacity). */
  default int renderResolution() {
    return config().getRender().getResolution();
  }
}
