package org.wild3d.tf;

import static com.google.common.base.Preconditions.checkArgument;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The stateless-random seed of a training step ({@code TInt64 [2]}), and which rows of the step's
 * batch the graph it feeds computes.
 *
 * <p>One device computes the whole batch: a draw is TF's stateless op on the local shape, exactly
 * as without this class. A data-parallel tower computes only some scenes of the global batch
 * ({@link Rows}): each draw is made for the whole global batch and the tower keeps its rows, so
 * every scene's noise, ray jitter, importance samples and regulariser points are the same whatever
 * the number of towers and workers (the cost, the global draw in every tower, is a few small
 * tensors per step).
 *
 * @param key the seed {@code [2]}
 * @param rows the tower's scenes, or null for the whole batch
 */
public record Seed(Operand<TInt64> key, Rows rows) {
  /**
   * The scenes a tower computes.
   *
   * @param scenes scenes of the global batch
   * @param mine this tower's scenes as global indices, in the tower's order
   */
  public record Rows(int scenes, int[] mine) {
    public Rows {
      checkArgument(mine.length >= 1 && mine.length <= scenes,
          "tower rows: expected 1..%s scenes, found %s", scenes, mine.length);
      mine = mine.clone();
    }
  }

  /** A seed for a graph that computes the whole batch. */
  public static Seed of(Operand<TInt64> key) {
    return key == null ? null : new Seed(key, null);
  }

  /** The seed {@code key + [0, k]} with the same rows (an independent stream per use). */
  public Seed plus(Ops tf, long k) {
    return new Seed(tf.math.add(key, tf.constant(new long[] {0, k})), rows);
  }

  /** The seed {@code key ^ [0, k]} with the same rows. */
  public Seed xor(Ops tf, long k) {
    return new Seed(tf.bitwise.bitwiseXor(key, tf.constant(new long[] {0, k})), rows);
  }

  /**
   * Uniform [0, 1) values of {@code local}'s shape; the leading dimension is this graph's share
   * of the batch, {@code k} rows per scene.
   *
   * @param shape the local shape as a tensor (may hold a dynamic batch when {@link #rows} is null)
   * @param local the same shape as known when building (fully known for towers)
   */
  public Operand<TFloat32> uniform(Ops tf, Operand<TInt32> shape, Shape local) {
    if (rows == null) {
      return tf.random.statelessRandomUniform(shape, key);
    }
    return mine(tf, tf.random.statelessRandomUniform(tf.constant(global(local)), key), local);
  }

  /** Standard normal values; see {@link #uniform}. */
  public Operand<TFloat32> normal(Ops tf, Operand<TInt32> shape, Shape local) {
    if (rows == null) {
      return tf.random.statelessRandomNormal(shape, key);
    }
    return mine(tf, tf.random.statelessRandomNormal(tf.constant(global(local)), key), local);
  }

  /** The global batch's shape for a local draw of {@code local}. */
  private long[] global(Shape local) {
    checkArgument(!local.isUnknown() && !local.hasUnknownDimension(),
        "tower random draw: expected a static shape, found %s", local);
    long[] dims = local.asArray();
    checkArgument(dims[0] % rows.mine().length == 0,
        "tower random draw: expected a leading dimension that is a multiple of the tower's %s"
            + " scenes, found %s", rows.mine().length, dims[0]);
    dims[0] = dims[0] / rows.mine().length * rows.scenes();
    return dims;
  }

  /** This tower's rows of a draw for the global batch. */
  private Operand<TFloat32> mine(Ops tf, Operand<TFloat32> all, Shape local) {
    int per = (int) (local.size(0) / rows.mine().length); // rows per scene
    int[] idx = new int[rows.mine().length * per];
    for (int i = 0; i < rows.mine().length; i++) {
      for (int k = 0; k < per; k++) {
        idx[i * per + k] = rows.mine()[i] * per + k;
      }
    }
    return tf.gather(all, tf.constant(idx), tf.constant(0));
  }
}
