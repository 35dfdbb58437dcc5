package org.wild3d.render;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import org.wild3d.tf.Seed;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.math.Cumsum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.wild3d.tf.Shapes;
import org.wild3d.tf.Slices;

/**
 * Hierarchical (importance) sampling: inverse-CDF samples from the coarse pass's weights.
 *
 * <p>The pdf is piecewise constant over the coarse intervals {@code [t_k, t_{k+1}]} (k = 0 … S−2,
 * the intervals of {@link RayMarcher}), proportional to {@code w'_k + ε}; ε keeps some samples
 * everywhere. With smoothing (EG3D's max-then-average blur, which also samples the neighbours of a
 * surface that falls near an interval boundary) {@code w'_k = (max(w_{k−1}, w_k) + max(w_k,
 * w_{k+1}))/2} with {@code w_{−1} = w_{S−1} = 0}; without it {@code w'_k = w_k}. EG3D uses
 * smoothing and ε = 0.01. Uniforms {@code u} are a regular grid {@code (j + 0.5)/S_imp} without a
 * seed (deterministic) and stateless-random with one. The samples carry no gradient (as in EG3D,
 * which detaches them).
 */
public final class ImportanceSampler {
  /** ε of EG3D. */
  public static final float DEFAULT_EPSILON = 0.01f;

  private ImportanceSampler() {}

  /**
   * Draws {@code count} depths per ray, unsorted.
   *
   * <p>Shapes: {@code depths [N,R,S,1]} (sorted per ray), {@code weights [N,R,S−1,1]} → {@code
   * [N,R,count,1]}.
   *
   * @param epsilon added to every (smoothed) weight before normalising, > 0
   * @param smooth EG3D's max-then-average blur of the weights
   * @param seed stateless-random seed {@code [2]}, or null for the regular u grid
   */
  public static Operand<TFloat32> sample(
      Ops tf,
      Operand<TFloat32> depths,
      Operand<TFloat32> weights,
      int count,
      float epsilon,
      boolean smooth,
      Seed seed) {
    NonDifferentiable.ensureRegistered();
    checkArgument(count > 0, "importance samples: expected > 0, found %s", count);
    checkArgument(epsilon > 0, "importance epsilon: expected > 0, found %s", epsilon);
    Shapes.check("ImportanceSampler depths [N,R,S,1]", depths, -1, -1, -1, 1);
    int r = Shapes.dim(depths, 1);
    int s = Shapes.dim(depths, 2);
    int b = s - 1;
    Shapes.check("ImportanceSampler weights [N,R,S-1,1]", weights, -1, r, b, 1);

    Operand<TFloat32> t =
        tf.reshape(tf.stopGradient(depths), tf.constant(new int[] {-1, s})); // [NR,S]
    Operand<TFloat32> w =
        tf.reshape(tf.stopGradient(weights), tf.constant(new int[] {-1, b})); // [NR,B]
    if (smooth) {
      Operand<TFloat32> padded =
          tf.pad(w, tf.constant(new int[][] {{0, 0}, {1, 1}}), tf.constant(0f)); // [NR,B+2]
      Operand<TFloat32> pairMax =
          tf.math.maximum(
              Slices.along(tf, padded, 1, 0, b + 1), Slices.along(tf, padded, 1, 1, b + 2)); // [NR,B+1]
      w =
          tf.math.mul(
              tf.math.add(Slices.along(tf, pairMax, 1, 0, b), Slices.along(tf, pairMax, 1, 1, b + 1)),
              tf.constant(0.5f)); // [NR,B]
    }
    w = tf.math.add(w, tf.constant(epsilon));
    Operand<TFloat32> pdf =
        tf.math.div(w, tf.reduceSum(w, tf.constant(1), ReduceSum.keepDims(true))); // [NR,B]
    Operand<TFloat32> cdfHi = tf.math.cumsum(pdf, tf.constant(1)); // [NR,B]
    Operand<TFloat32> cdfLo = tf.math.cumsum(pdf, tf.constant(1), Cumsum.exclusive(true)); // [NR,B]

    Operand<TInt32> rows =
        tf.gather(tf.shape(t), tf.constant(new int[] {0}), tf.constant(0)); // [1] = NR
    Operand<TInt32> shape =
        tf.concat(List.of(rows, tf.constant(new int[] {count})), tf.constant(0));
    Operand<TFloat32> u;
    if (seed == null) {
      float[] grid = new float[count];
      for (int j = 0; j < count; j++) {
        grid[j] = (j + 0.5f) / count;
      }
      u = tf.broadcastTo(tf.constant(new float[][] {grid}), shape); // [NR,count]
    } else {
      u = seed.uniform(tf, shape, Shape.of(depths.shape().size(0) * depths.shape().size(1), count)); // [NR,count]
    }
    // bin k holds u when cdfLo_k <= u < cdfHi_k: the number of cdfHi values <= u
    Operand<TInt32> bin =
        tf.math.minimum(tf.upperBound(cdfHi, u), tf.constant(b - 1)); // [NR,count]
    Operand<TInt32> row =
        tf.expandDims(
            tf.range(tf.constant(0), tf.reshape(rows, tf.constant(new int[0])), tf.constant(1)),
            tf.constant(1)); // [NR,1]
    Operand<TInt32> binFlat = tf.math.add(tf.math.mul(row, tf.constant(b)), bin);
    Operand<TInt32> depthFlat = tf.math.add(tf.math.mul(row, tf.constant(s)), bin);
    Operand<TInt32> flat = tf.constant(new int[] {-1});
    Operand<TInt32> zero = tf.constant(0);
    Operand<TFloat32> lo = tf.gather(tf.reshape(cdfLo, flat), binFlat, zero);
    Operand<TFloat32> p = tf.gather(tf.reshape(pdf, flat), binFlat, zero);
    Operand<TFloat32> tLo = tf.gather(tf.reshape(t, flat), depthFlat, zero);
    Operand<TFloat32> tHi =
        tf.gather(tf.reshape(t, flat), tf.math.add(depthFlat, tf.constant(1)), zero);
    Operand<TFloat32> frac =
        tf.math.minimum(
            tf.math.maximum(tf.math.div(tf.math.sub(u, lo), p), tf.constant(0f)),
            tf.constant(1f)); // [NR,count]
    Operand<TFloat32> out = tf.math.add(tLo, tf.math.mul(frac, tf.math.sub(tHi, tLo)));
    return tf.stopGradient(tf.reshape(out, tf.constant(new int[] {-1, r, count, 1})));
  }

  /** Samples of two passes merged and sorted by depth. Shapes as in {@link RayMarcher#march}. */
  public record Merged(
      Operand<TFloat32> depths, Operand<TFloat32> sigma, Operand<TFloat32> features) {}

  /**
   * Concatenates two sample sets of the same rays and sorts them by depth (TopKV2 on the negated,
   * gradient-free depths; densities and features are reordered with a GatherV2, so their gradients
   * flow).
   *
   * <p>Shapes: {@code depths [N,R,Sa,1]}/{@code [N,R,Sb,1]}, {@code sigma} likewise, {@code
   * features [N,R,Sa,C]}/{@code [N,R,Sb,C]} → {@code [N,R,Sa+Sb,·]}.
   */
  public static Merged merge(
      Ops tf,
      Operand<TFloat32> depthsA,
      Operand<TFloat32> sigmaA,
      Operand<TFloat32> featuresA,
      Operand<TFloat32> depthsB,
      Operand<TFloat32> sigmaB,
      Operand<TFloat32> featuresB) {
    int r = Shapes.dim(depthsA, 1);
    int st = Shapes.dim(depthsA, 2) + Shapes.dim(depthsB, 2);
    int c = Shapes.dim(featuresA, 3);
    Operand<TInt32> axis = tf.constant(2);
    Operand<TFloat32> depths =
        tf.stopGradient(tf.concat(List.of(depthsA, depthsB), axis)); // [N,R,St,1]
    Operand<TFloat32> sigma = tf.concat(List.of(sigmaA, sigmaB), axis); // [N,R,St,1]
    Operand<TFloat32> feats = tf.concat(List.of(featuresA, featuresB), axis); // [N,R,St,C]
    Operand<TFloat32> negT =
        tf.math.neg(tf.reshape(depths, tf.constant(new int[] {-1, st}))); // [NR,St]
    Operand<TInt32> order =
        tf.nn.topK(negT, tf.constant(st), new org.tensorflow.op.nn.TopK.Options[0]).indices();
    Operand<TInt32> rows = tf.gather(tf.shape(negT), tf.constant(0), tf.constant(0));
    Operand<TInt32> row =
        tf.expandDims(tf.range(tf.constant(0), rows, tf.constant(1)), tf.constant(1)); // [NR,1]
    Operand<TInt32> idx = tf.math.add(tf.math.mul(row, tf.constant(st)), order); // [NR,St]
    Operand<TInt32> zero = tf.constant(0);
    Operand<TFloat32> sortedT =
        tf.gather(tf.reshape(depths, tf.constant(new int[] {-1, 1})), idx, zero); // [NR,St,1]
    Operand<TFloat32> sortedS =
        tf.gather(tf.reshape(sigma, tf.constant(new int[] {-1, 1})), idx, zero); // [NR,St,1]
    Operand<TFloat32> sortedF =
        tf.gather(tf.reshape(feats, tf.constant(new int[] {-1, c})), idx, zero); // [NR,St,C]
    Operand<TInt32> shape1 = tf.constant(new int[] {-1, r, st, 1});
    return new Merged(
        tf.reshape(sortedT, shape1),
        tf.reshape(sortedS, shape1),
        tf.reshape(sortedF, tf.constant(new int[] {-1, r, st, c})));
  }
}
