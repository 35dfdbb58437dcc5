package org.wild3d.render;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.wild3d.tf.FusedOps;
import org.wild3d.tf.Shapes;

/**
 * Bilinear sampling of triplanes at 3D points (see {@code docs/CONVENTIONS.md}).
 *
 * <p>A point {@code p} is normalised {@code q = p / (box/2)}; plane XY (channels {@code 0:F}) is
 * sampled at {@code (u, v) = (q.x, q.y)}, XZ ({@code F:2F}) at {@code (q.x, q.z)}, YZ ({@code
 * 2F:3F}) at {@code (q.y, q.z)}; u indexes columns, v rows; texel k's centre is at {@code (2k+1)/R
 * − 1} (align_corners = false) and texels outside the plane read as zero. The three planes'
 * features are averaged.
 *
 * <p>Where {@link FusedOps#enabled} (CPU builds on Linux x86-64), one fused kernel and its
 * gradient kernel; otherwise built from a zero Pad and one GatherV2 over the flattened planes (C++
 * gradients: a slice and an unsorted segment sum). Either way gradients reach the planes and the
 * points (through the bilinear weights; the integer texel indices carry no gradient).
 */
public final class TriplaneSampler {
  private TriplaneSampler() {}

  /**
   * Samples one scene's planes per batch entry ({@code views = 1}).
   *
   * <p>Shapes: {@code planes [N,Rp,Rp,3F]}, {@code points [N,M,3]} → {@code [N,M,F]}.
   */
  public static Operand<TFloat32> sample(
      Ops tf, Operand<TFloat32> planes, Operand<TFloat32> points, float boxSize) {
    return sample(tf, planes, points, boxSize, 1);
  }

  /**
   * Samples with {@code views} point sets per scene: point set {@code b} reads the planes of scene
   * {@code b / views} (scene-major order: {@code b = n·V + v}). The planes are not copied.
   *
   * <p>Shapes: {@code planes [N,Rp,Rp,3F]}, {@code points [N·V,M,3]} → {@code [N·V,M,F]}.
   */
  public static Operand<TFloat32> sample(
      Ops tf, Operand<TFloat32> planes, Operand<TFloat32> points, float boxSize, int views) {
    checkArgument(boxSize > 0, "triplane box_size: expected > 0, found %s", boxSize);
    checkArgument(views >= 1, "views: expected >= 1, found %s", views);
    Shapes.check("TriplaneSampler planes [N,Rp,Rp,3F]", planes, -1, -1, -1, -1);
    Shapes.check("TriplaneSampler points [N,M,3]", points, -1, -1, 3);
    int res = Shapes.dim(planes, 1);
    checkArgument(
        Shapes.dim(planes, 2) == res,
        "triplanes: expected square planes, found %s",
        planes.shape());
    int c3 = Shapes.dim(planes, 3);
    checkArgument(c3 % 3 == 0, "triplane channels: expected a multiple of 3, found %s", c3);
    int f = c3 / 3;
    if (FusedOps.enabled(tf)) {
      return FusedOps.triplaneSample(tf, planes, points, boxSize);
    }

    Operand<TFloat32> q = tf.math.mul(points, tf.constant(2f / boxSize)); // [B,M,3]
    // NaN points (a diverged model) read zeros instead of producing garbage gather indices, so
    // training can detect the non-finite loss and stop cleanly.
    q = tf.select(tf.math.isNan(q), tf.fill(tf.shape(q), tf.constant(4f)), q);
    Operand<TFloat32> qu =
        tf.gather(q, tf.constant(new int[] {0, 0, 1}), tf.constant(2)); // [B,M,P]
    Operand<TFloat32> qv =
        tf.gather(q, tf.constant(new int[] {1, 2, 2}), tf.constant(2)); // [B,M,P]
    // Planes padded with one ring of zero texels: a corner outside the plane is clamped onto the
    // ring, so zero padding needs no masks. Padded texel coordinates: centre of texel k at k + 1.
    int rp = res + 2;
    Operand<TFloat32> padded =
        tf.pad(
            planes,
            tf.constant(new int[][] {{0, 0}, {1, 1}, {1, 1}, {0, 0}}),
            tf.constant(0f)); // [N,Rp+2,Rp+2,3F]
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> x = tf.math.add(texel(tf, qu, res), one); // [B,M,P]
    Operand<TFloat32> y = tf.math.add(texel(tf, qv, res), one);
    Operand<TFloat32> x0 = tf.stopGradient(tf.math.floor(x));
    Operand<TFloat32> y0 = tf.stopGradient(tf.math.floor(y));
    Operand<TFloat32> fx = tf.math.sub(x, x0);
    Operand<TFloat32> fy = tf.math.sub(y, y0);
    Operand<TFloat32> gx = tf.math.sub(one, fx);
    Operand<TFloat32> gy = tf.math.sub(one, fy);
    Operand<TInt32> ix0 = clampIndex(tf, x0, rp);
    Operand<TInt32> ix1 = clampIndex(tf, tf.math.add(x0, one), rp);
    Operand<TInt32> iy0 = clampIndex(tf, y0, rp);
    Operand<TInt32> iy1 = clampIndex(tf, tf.math.add(y0, one), rp);

    // row of the flattened padded planes [N·(Rp+2)²·P, F]: ((n·(Rp+2) + y)·(Rp+2) + x)·P + p
    Operand<TInt32> batch =
        tf.range(
            tf.constant(0),
            tf.gather(tf.shape(tf.stopGradient(points)), tf.constant(0), tf.constant(0)),
            tf.constant(1));
    Operand<TInt32> scene =
        tf.reshape(
            tf.math.mul(tf.math.floorDiv(batch, tf.constant(views)), tf.constant(rp)),
            tf.constant(new int[] {-1, 1, 1})); // [B,1,1] = n·(Rp+2)
    Operand<TInt32> plane = tf.constant(new int[][][] {{{0, 1, 2}}}); // [1,1,P]
    Operand<TInt32> rowY0 = tf.math.mul(tf.math.add(scene, iy0), tf.constant(rp)); // [B,M,P]
    Operand<TInt32> rowY1 = tf.math.mul(tf.math.add(scene, iy1), tf.constant(rp));
    Stack.Options last = Stack.axis(-1L);
    Operand<TInt32> row =
        tf.stack(
            List.of(
                texelRow(tf, rowY0, ix0, plane),
                texelRow(tf, rowY0, ix1, plane),
                texelRow(tf, rowY1, ix0, plane),
                texelRow(tf, rowY1, ix1, plane)),
            last); // [B,M,P,4]
    Operand<TFloat32> w =
        tf.stack(
            List.of(
                tf.math.mul(gx, gy), tf.math.mul(fx, gy), tf.math.mul(gx, fy), tf.math.mul(fx, fy)),
            last); // [B,M,P,4]
    Operand<TFloat32> table = tf.reshape(padded, tf.constant(new int[] {-1, f})); // [N·(Rp+2)²·P,F]
    Operand<TFloat32> texels = tf.gather(table, row, tf.constant(0)); // [B,M,P,4,F]
    Operand<TFloat32> mixed =
        tf.reduceSum(
            tf.math.mul(texels, tf.expandDims(w, tf.constant(-1))),
            tf.constant(new int[] {2, 3})); // [B,M,F]
    return tf.math.mul(mixed, tf.constant(1f / 3f));
  }

  /** Integer texel index clamped onto the padded plane {@code [0, size−1]}. */
  private static Operand<TInt32> clampIndex(Ops tf, Operand<TFloat32> i, int size) {
    return tf.dtypes.cast(
        tf.math.minimum(tf.math.maximum(i, tf.constant(0f)), tf.constant((float) (size - 1))),
        TInt32.class);
  }

  /** {@code (rowY + x)·P + p}. */
  private static Operand<TInt32> texelRow(
      Ops tf, Operand<TInt32> rowY, Operand<TInt32> x, Operand<TInt32> plane) {
    return tf.math.add(tf.math.mul(tf.math.add(rowY, x), tf.constant(3)), plane);
  }

  /** Normalised coordinate in [−1, 1] → texel coordinate (texel k's centre at k). */
  private static Operand<TFloat32> texel(Ops tf, Operand<TFloat32> q, int res) {
    return tf.math.mul(
        tf.math.sub(
            tf.math.mul(tf.math.add(q, tf.constant(1f)), tf.constant((float) res)),
            tf.constant(1f)),
        tf.constant(0.5f));
  }
}
