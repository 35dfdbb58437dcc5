package org.wild3d.metrics.geometry;

import org.wild3d.camera.Camera;

/**
 * A scene rotated about the origin by {@code R}: rendering it from camera {@code c} is rendering
 * the original scene from {@link Rotations#viewOfRotated(double[], Camera) R⁻¹c}.
 */
public final class RotatedSource implements DepthSource {
  private final DepthSource inner;
  private final double[] rotation;

  /** @param rotation 3×3 row-major rotation applied to the scene */
  public RotatedSource(DepthSource inner, double[] rotation) {
    Rotations.checkRotation(rotation);
    this.inner = inner;
    this.rotation = rotation.clone();
  }

  @Override
  public DepthViews render(Camera... cameras) {
    Camera[] moved = new Camera[cameras.length];
    for (int v = 0; v < cameras.length; v++) {
      moved[v] = Rotations.viewOfRotated(rotation, cameras[v]);
    }
    return inner.render(moved);
  }

  @Override
  public int resolution() {
    return inner.resolution();
  }
}
