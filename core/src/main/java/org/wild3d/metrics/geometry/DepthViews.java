package org.wild3d.metrics.geometry;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Depth and opacity of one scene seen from V cameras at one resolution r: what geometry metrics
 * compare. A pixel is foreground (inside the silhouette) when its opacity exceeds {@link
 * #FOREGROUND}.
 *
 * <p>Shapes: {@code depth [V,r,r]}, {@code opacity [V,r,r]} (flattened, row-major). Depth is the
 * distance along the pixel-centre ray from the camera centre (not the camera z), in scene units;
 * its value on background pixels is not used.
 *
 * @param views V
 * @param resolution r
 */
public record DepthViews(float[] depth, float[] opacity, int views, int resolution) {
  /** Opacity above which a pixel belongs to the silhouette. */
  public static final float FOREGROUND = 0.5f;

  public DepthViews {
    checkArgument(views > 0 && resolution > 0, "views/resolution: expected > 0, found %s, %s",
        views, resolution);
    int n = views * resolution * resolution;
    checkArgument(depth.length == n, "depth: expected V*r*r = %s values, found %s", n,
        depth.length);
    checkArgument(opacity.length == n, "opacity: expected V*r*r = %s values, found %s", n,
        opacity.length);
  }

  /** Pixels per view, r². */
  public int pixels() {
    return resolution * resolution;
  }

  /** Whether pixel {@code p} (row-major, {@code i·r + j}) of view {@code v} is foreground. */
  public boolean foreground(int v, int p) {
    return opacity[v * pixels() + p] > FOREGROUND;
  }

  /** Depth at pixel {@code p} of view {@code v}. */
  public float depthAt(int v, int p) {
    return depth[v * pixels() + p];
  }
}
