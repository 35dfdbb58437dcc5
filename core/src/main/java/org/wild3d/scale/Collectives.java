package org.wild3d.scale;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

/**
 * TensorFlow's own all-reduce ({@code CollectiveReduceV2}), the one way wild3d combines values
 * across towers and workers. Every member of a group (one per device, in this process or in
 * other worker processes of the cluster) adds the same op with the same group and instance key;
 * TF's collective executor then exchanges the values (in process: between devices; across
 * processes: over the cluster's gRPC channels; on GPUs NCCL when the hint says so) and every member
 * receives the same result.
 *
 * <p>TF Java 1.1.0 has no wrapper for the V2 op (its {@code collective.CollectiveReduce} is the V3
 * op that needs a communicator resource), so it is built by name. The op waits for every member:
 * all members must run in the same step, and a member that never comes fails the step after
 * {@link Group#timeoutSeconds()} instead of hanging for ever.
 */
public final class Collectives {
  private Collectives() {}

  /**
   * A collective group: the members that reduce together.
   *
   * @param size number of members (devices) over all processes
   * @param key the group's key, equal in every member; distinct groups need distinct keys
   * @param hint TF's {@code communication_hint}: "auto", "ring" or "nccl"
   * @param timeoutSeconds how long a member waits for the others before the step fails; 0 = for
   *     ever
   */
  public record Group(int size, int key, String hint, float timeoutSeconds) {
    public Group {
      checkArgument(size >= 1, "collective group size: expected >= 1, found %s", size);
      checkArgument(timeoutSeconds >= 0, "collective timeout: expected >= 0, found %s", timeoutSeconds);
    }
  }

  /**
   * The mean of {@code x} over the group's members, placed on {@code device}.
   *
   * @param instanceKey identifies this reduction within the group: equal in every member, distinct
   *     for every reduction of one step
   * @param device where this member's op runs (e.g. {@code /job:worker/replica:0/task:1/device:CPU:0})
   */
  public static Operand<TFloat32> mean(
      Ops tf, Operand<TFloat32> x, Group group, int instanceKey, String device) {
    return reduce(tf, x, group, instanceKey, device, "Add", "Div");
  }

  /** The sum of {@code x} over the group's members (see {@link #mean}). */
  public static Operand<TFloat32> sum(
      Ops tf, Operand<TFloat32> x, Group group, int instanceKey, String device) {
    return reduce(tf, x, group, instanceKey, device, "Add", "Id");
  }

  /**
   * The means of several tensors in ONE collective: they are flattened into one vector ({@link
   * #flatten}), reduced, and cut back into their shapes — one exchange per training phase however
   * many variables the networks have (what EG3D does with its flattened gradients). Every member
   * must pass tensors of the same shapes in the same order.
   */
  public static List<Operand<TFloat32>> meanAll(
      Ops tf, List<Operand<TFloat32>> xs, Group group, int instanceKey, String device) {
    return unflatten(tf, mean(tf, flatten(tf, xs), group, instanceKey, device), xs);
  }

  /** {@code xs} as one vector: each reshaped to {@code [-1]}, concatenated. Shapes: any → {@code [Σ size]}. */
  public static Operand<TFloat32> flatten(Ops tf, List<Operand<TFloat32>> xs) {
    checkArgument(!xs.isEmpty(), "flatten: expected at least one tensor, found none");
    List<Operand<TFloat32>> flat = new ArrayList<>();
    for (Operand<TFloat32> x : xs) {
      checkArgument(!x.shape().isUnknown() && !x.shape().hasUnknownDimension(), "flatten: expected a static shape, found %s", x.shape());
      flat.add(tf.reshape(x, tf.constant(new long[] {-1})));
    }
    return flat.size() == 1 ? flat.get(0) : tf.concat(flat, tf.constant(0));
  }

  /** The inverse of {@link #flatten}: {@code flat} cut into tensors shaped like {@code like}. */
  public static List<Operand<TFloat32>> unflatten(
      Ops tf, Operand<TFloat32> flat, List<Operand<TFloat32>> like) {
    List<Operand<TFloat32>> out = new ArrayList<>();
    long offset = 0;
    for (Operand<TFloat32> x : like) {
      Shape shape = x.shape();
      long size = shape.size();
      Operand<TFloat32> part = tf.slice(flat, tf.constant(new long[] {offset}), tf.constant(new long[] {size}));
      out.add(tf.reshape(part, tf.constant(shape.asArray())));
      offset += size;
    }
    return out;
  }

  /** Float32 bytes that {@link #meanAll} exchanges for {@code xs} (per member and step). */
  public static long bytes(List<? extends Operand<TFloat32>> xs) {
    long n = 0;
    for (Operand<TFloat32> x : xs) {
      n += x.shape().size();
    }
    return 4 * n;
  }

  /** The sum of {@code x} of any numeric type (int64 run state, float32 values) over the group. */
  public static <T extends TNumber> Operand<T> sumOf(
      Ops tf, Operand<T> x, Group group, int instanceKey, String device) {
    return reduce(tf, x, group, instanceKey, device, "Add", "Id");
  }

  private static <T extends TNumber> Operand<T> reduce(Ops tf, Operand<T> x, Group group,
      int instanceKey, String device, String merge, String fin) {
    return tf.scope().opBuilder("CollectiveReduceV2", "CollectiveReduceV2")
        .addInput(x.asOutput())
        .addInput(tf.constant(group.size()).asOutput())
        .addInput(tf.constant(group.key()).asOutput())
        .addInput(tf.constant(instanceKey).asOutput())
        .addInputList(new Output<?>[0]) // no ordering token
        .setAttr("merge_op", merge)
        .setAttr("final_op", fin)
        .setAttr("communication_hint", group.hint())
        .setAttr("timeout_seconds", group.timeoutSeconds())
        .setDevice(device)
        .build()
        .<T>output(0);
  }
}
