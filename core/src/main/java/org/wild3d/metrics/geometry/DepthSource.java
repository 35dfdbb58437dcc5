package org.wild3d.metrics.geometry;

import org.wild3d.camera.Camera;

/**
 * One fixed 3D scene that can be rendered from any camera: a generated object (a latent and a
 * class), a true object of a synthetic dataset, or a deliberately wrong one in tests. Geometry
 * metrics see scenes only through this interface, so the truth can stand in for the generator.
 */
public interface DepthSource {
  /**
   * Renders the scene from every camera (docs/CONVENTIONS.md).
   *
   * <p>Shapes: {@code cameras [V]} → {@link DepthViews} {@code [V,r,r]}, r = {@link #resolution()}.
   */
  DepthViews render(Camera... cameras);

  /** r, the side of the rendered depth and opacity maps. */
  int resolution();
}
