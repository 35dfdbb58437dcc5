package org.wild3d.scale;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.family.TType;

/**
 * Puts every op of a built graph on its tower's device, gradients included.
 *
 * <p>Why a pass: ops built through {@code Ops.withDevice} carry their device, but TF's C++
 * gradient builder (behind {@code Graph.addGradients} and {@code tf.gradients}) creates its ops
 * without one, so TF's placer would put every tower's backward pass on the first device. This
 * pass copies the finished graph ({@link Graph#toGraphDef()}), gives each op that has no device
 * the device of the first {@link Rule} whose name prefix it starts with (towers name their forward
 * ops {@code tower1/...} and their gradients {@code tower1_grad...}), and imports the result into
 * a new graph. Initializers survive (TF Java records them in the copied graph's {@code Init} op);
 * handles of the old graph are found again in the new one by name ({@link #output}, {@link #op}).
 * The same pass places CPU test towers and GPU towers.
 */
public final class DevicePlacement {
  private DevicePlacement() {}

  /** Ops whose name starts with {@code prefix} and have no device go to {@code device}. */
  public record Rule(String prefix, String device) {
    public Rule {
      checkArgument(!prefix.isEmpty(), "placement rule: expected a name prefix, found none");
    }
  }

  /** {@code def} with every op that has no device placed by the first matching rule. */
  public static GraphDef place(GraphDef def, List<Rule> rules) {
    return place(def, rules, "");
  }

  /**
   * {@code def} with every op that has no device placed by the first matching rule, or on
   * {@code fallback} when none matches ("" = leave it to TF's placer).
   */
  public static GraphDef place(GraphDef def, List<Rule> rules, String fallback) {
    GraphDef.Builder b = def.toBuilder();
    for (NodeDef.Builder n : b.getNodeBuilderList()) {
      if (!n.getDevice().isEmpty()) {
        continue;
      }
      String device = fallback;
      for (Rule r : rules) {
        if (n.getName().startsWith(r.prefix())) {
          device = r.device();
          break;
        }
      }
      if (!device.isEmpty()) {
        n.setDevice(device);
      }
    }
    return b.build();
  }

  /** A new graph holding {@code graph}'s ops placed by {@code rules}; the caller closes it. */
  public static Graph placed(Graph graph, List<Rule> rules) {
    GraphDef def = place(graph.toGraphDef(), rules);
    Graph out = new Graph();
    try {
      out.importGraphDef(def);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /** The output of {@code placed} that is {@code old} in the graph it was copied from. */
  @SuppressWarnings("unchecked")
  public static <T extends TType> Output<T> output(Graph placed, Operand<T> old) {
    Output<?> o = old.asOutput();
    GraphOperation op = placed.operationOrThrow(o.op().name());
    return (Output<T>) op.output(o.index());
  }

  /** The placeholder of {@code placed} that is {@code old} in the graph it was copied from. */
  public static <T extends TType> Placeholder<T> placeholder(Graph placed, Placeholder<T> old) {
    return new Placeholder<>(placed.operationOrThrow(old.op().name()));
  }

  /** The op of {@code placed} that is {@code old} in the graph it was copied from. */
  public static Op op(Graph placed, Op old) {
    GraphOperation o = placed.operationOrThrow(old.op().name());
    return () -> o;
  }
}
