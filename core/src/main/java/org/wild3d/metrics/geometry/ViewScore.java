package org.wild3d.metrics.geometry;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * How well two renderings of the same cameras agree.
 *
 * @param iou silhouette IoU averaged over the views (a view where both silhouettes are empty
 *     counts as 1)
 * @param depthError mean absolute depth difference over the pixels inside both silhouettes, pooled
 *     over the views, in scene units; NaN when no pixel is inside both
 * @param overlap pixels inside both silhouettes, summed over the views
 */
public record ViewScore(double iou, double depthError, int overlap) {
  /** Scores closer than this in IoU are ties, decided by depth. */
  static final double IOU_TIE = 1e-9;

  /** Compares {@code a} and {@code b} view by view. Shapes: both {@code [V,r,r]}. */
  public static ViewScore compare(DepthViews a, DepthViews b) {
    checkArgument(a.views() == b.views() && a.resolution() == b.resolution(),
        "compared views: expected the same V and r, found %sx%s² and %sx%s²", a.views(),
        a.resolution(), b.views(), b.resolution());
    int n = a.pixels();
    double iouSum = 0;
    double depthSum = 0;
    int overlap = 0;
    for (int v = 0; v < a.views(); v++) {
      int inter = 0;
      int union = 0;
      for (int p = 0; p < n; p++) {
        boolean fa = a.foreground(v, p);
        boolean fb = b.foreground(v, p);
        if (fa && fb) {
          inter++;
          depthSum += Math.abs(a.depthAt(v, p) - b.depthAt(v, p));
        }
        if (fa || fb) {
          union++;
        }
      }
      iouSum += union == 0 ? 1 : (double) inter / union;
      overlap += inter;
    }
    return new ViewScore(iouSum / a.views(), overlap == 0 ? Double.NaN : depthSum / overlap,
        overlap);
  }

  /** Higher IoU wins; within {@link #IOU_TIE}, lower depth error (NaN counts as worst). */
  public boolean betterThan(ViewScore o) {
    if (o == null) {
      return true;
    }
    if (Math.abs(iou - o.iou) > IOU_TIE) {
      return iou > o.iou;
    }
    double d = Double.isNaN(depthError) ? Double.POSITIVE_INFINITY : depthError;
    double od = Double.isNaN(o.depthError) ? Double.POSITIVE_INFINITY : o.depthError;
    return d < od;
  }
}
