package org.wild3d.camera;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;
import org.wild3d.tf.Shapes;

/**
 * One ray per pixel, in the graph.
 *
 * <p>Pixel (i, j) (row, column) of a {@code res × res} image has normalised centre {@code (u, v) =
 * ((j+0.5)/res, (i+0.5)/res)} and is ray {@code i·res + j}. Its camera-space direction is {@code
 * ((u−cx)/fx, (v−cy)/fy, 1)} (no skew), rotated to the world by cam2world's rotation and
 * normalised; its origin is the camera position.
 *
 * <p>Shapes: {@code origins [N,R,3]}, {@code directions [N,R,3]}, R = res².
 */
public record Rays(Operand<TFloat32> origins, Operand<TFloat32> directions) {

  /**
   * Rays of every pixel. The batch size N may be unknown at graph-build time.
   *
   * <p>Shapes: {@code cam2world [N,4,4]}, {@code intrinsics [N,3,3]} → {@code [N,R,3]} ×2.
   */
  public static Rays generate(
      Ops tf, Operand<TFloat32> cam2world, Operand<TFloat32> intrinsics, int resolution) {
    checkArgument(resolution > 0, "ray resolution: expected > 0, found %s", resolution);
    Shapes.check("Rays cam2world [N,4,4]", cam2world, -1, 4, 4);
    Shapes.check("Rays intrinsics [N,3,3]", intrinsics, -1, 3, 3);
    int r = resolution * resolution;
    float[][] uv = new float[2][r];
    for (int i = 0; i < resolution; i++) {
      for (int j = 0; j < resolution; j++) {
        uv[0][i * resolution + j] = (j + 0.5f) / resolution;
        uv[1][i * resolution + j] = (i + 0.5f) / resolution;
      }
    }
    Operand<TFloat32> k = tf.reshape(intrinsics, tf.constant(new int[] {-1, 9})); // [N,9]
    Operand<TFloat32> fx = column(tf, k, 0); // [N,1]
    Operand<TFloat32> cx = column(tf, k, 2);
    Operand<TFloat32> fy = column(tf, k, 4);
    Operand<TFloat32> cy = column(tf, k, 5);
    Operand<TFloat32> x =
        tf.math.div(tf.math.sub(tf.constant(new float[][] {uv[0]}), cx), fx); // [N,R]
    Operand<TFloat32> y = tf.math.div(tf.math.sub(tf.constant(new float[][] {uv[1]}), cy), fy);
    Operand<TFloat32> dirCam =
        tf.stack(
            List.of(x, y, tf.math.add(tf.math.mul(x, tf.constant(0f)), tf.constant(1f))),
            Stack.axis(-1L)); // [N,R,3]
    Operand<TFloat32> m = tf.reshape(cam2world, tf.constant(new int[] {-1, 16})); // [N,16]
    Operand<TFloat32> rot =
        tf.reshape(
            tf.gather(m, tf.constant(new int[] {0, 1, 2, 4, 5, 6, 8, 9, 10}), tf.constant(1)),
            tf.constant(new int[] {-1, 3, 3})); // [N,3,3]
    Operand<TFloat32> dirs =
        tf.train.batchMatMul(dirCam, rot, TFloat32.class, BatchMatMul.adjY(true)); // [N,R,3]
    dirs =
        tf.math.div(
            dirs,
            tf.math.sqrt(
                tf.reduceSum(tf.math.square(dirs), tf.constant(-1), ReduceSum.keepDims(true))));
    Operand<TFloat32> t =
        tf.reshape(
            tf.gather(m, tf.constant(new int[] {3, 7, 11}), tf.constant(1)),
            tf.constant(new int[] {-1, 1, 3})); // [N,1,3]
    Operand<TFloat32> origins = tf.tile(t, tf.constant(new int[] {1, r, 1})); // [N,R,3]
    return new Rays(origins, dirs);
  }

  private static Operand<TFloat32> column(Ops tf, Operand<TFloat32> k, int c) {
    return tf.gather(k, tf.constant(new int[] {c}), tf.constant(1)); // [N,1]
  }
}
