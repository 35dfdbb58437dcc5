package org.wild3d.scale;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * What the worker processes of a multi-worker run agree on besides the gradients, with
 * TensorFlow's collective ops (one member per process, on tower 0's device, group {@link
 * #GROUP_KEY}):
 *
 * <ul>
 *   <li>{@link #broadcast}: every variable of the graph and the run's state (step, data position,
 *       …) become the chief's, so only the chief reads checkpoints and the number of workers may
 *       change between a run and its {@code --resume};
 *   <li>{@link #agree}: whether any process wants to stop after this step (a signal, the time
 *       limit), so all stop at the same step;
 *   <li>{@link #barrier}: the others wait while the chief alone writes a tick's samples, metrics
 *       and checkpoint.
 * </ul>
 *
 * <p>The broadcast and the barrier wait up to {@link Placement#waitSeconds()} (the chief may be restoring
 * or measuring); the per-step agreement, like the gradient all-reduces, waits {@link
 * Placement#timeoutSeconds()}, which is how a dead process is noticed.
 */
public final class WorkerSync {
  /** The group of one member per process (the gradients' group {@link Placement#GROUP_KEY} has every tower). */
  public static final int GROUP_KEY = 2;

  private static final int BROADCAST_VARIABLES = 101;
  private static final int BROADCAST_STATE = 102;
  private static final int AGREE = 103;
  private static final int BARRIER = 104;

  private final Placement placement;
  private final Op broadcastVariables;
  private final Placeholder<TInt64> state;
  private final Operand<TInt64> stateOfChief;
  private final Placeholder<TFloat32> wishes;
  private final Operand<TFloat32> wishesOfAll;
  private final Operand<TFloat32> barrier;
  private final int stateLength;
  private final long variableBytes;

  /**
   * Builds the ops in {@code graph}, which must already hold every variable of the run.
   *
   * @param stateLength how many int64 values {@link #broadcast} carries
   */
  public WorkerSync(Graph graph, Placement placement, int stateLength) {
    float patientSeconds = placement.waitSeconds();
    checkArgument(placement.tasks() > 1, "WorkerSync: expected several worker processes, found 1");
    this.placement = placement;
    this.stateLength = stateLength;
    String dev = placement.deviceName(0);
    Ops tf = placement.on(Ops.create(graph).withSubScope("workers"), 0);
    Collectives.Group patient =
        new Collectives.Group(placement.tasks(), GROUP_KEY, "auto", patientSeconds);
    Collectives.Group quick =
        new Collectives.Group(placement.tasks(), GROUP_KEY, "auto", placement.timeoutSeconds());
    Operand<TFloat32> mine = tf.constant(placement.task() == 0 ? 1f : 0f);

    // Every variable: v ← Σ over processes of (chief ? v : 0), in one flattened exchange.
    List<Output<TFloat32>> vars = variables(graph);
    checkArgument(!vars.isEmpty(), "WorkerSync: expected the run's variables in the graph, found none");
    List<Operand<TFloat32>> masked = new ArrayList<>();
    for (Output<TFloat32> v : vars) {
      masked.add(tf.math.mul(v, mine));
    }
    this.variableBytes = Collectives.bytes(masked);
    List<Operand<TFloat32>> chiefs = Collectives.unflatten(tf,
        Collectives.sum(tf, Collectives.flatten(tf, masked), patient, BROADCAST_VARIABLES, dev),
        masked);
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < vars.size(); i++) {
      assigns.add(tf.assign(vars.get(i), chiefs.get(i)));
    }
    broadcastVariables = tf.withControlDependencies(assigns).withName("broadcast").noOp();

    state = tf.withName("state").placeholder(TInt64.class,
        Placeholder.shape(Shape.of(stateLength)));
    stateOfChief = Collectives.sumOf(tf, state, patient, BROADCAST_STATE, dev);
    wishes = tf.withName("wishes").placeholder(TFloat32.class, Placeholder.shape(Shape.of(2)));
    wishesOfAll = Collectives.sumOf(tf, wishes, quick, AGREE, dev);
    barrier = Collectives.sumOf(tf, tf.constant(1f), patient, BARRIER, dev);
  }

  /** Every float32 variable of {@code graph} (G, G_ema, D, the optimisers' slots). */
  @SuppressWarnings("unchecked")
  private static List<Output<TFloat32>> variables(Graph graph) {
    List<Output<TFloat32>> out = new ArrayList<>();
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      if (op.type().equals("VariableV2") || op.type().equals("Variable")) {
        Output<?> o = op.output(0);
        checkArgument(o.type() == TFloat32.class,
            "WorkerSync: expected float32 variables only, found %s of %s", op.name(), o.type());
        out.add((Output<TFloat32>) o);
      }
    }
    return out;
  }

  /** Bytes of the variables the start-up broadcast sends. */
  public long variableBytes() {
    return variableBytes;
  }

  /**
   * Makes every variable and {@code state} the chief's: call in every process after the chief
   * restored (or initialised) and the others initialised their variables.
   *
   * @param state the chief's run state (ignored elsewhere), {@code stateLength} values
   * @return the chief's state
   */
  public long[] broadcast(Session s, long[] state) {
    checkArgument(state.length == stateLength, "state: expected %s values, found %s",
        stateLength, state.length);
    long[] fed = placement.task() == 0 ? state : new long[stateLength];
    s.runner().addTarget(broadcastVariables).run().close();
    try (TInt64 in = TInt64.vectorOf(fed);
        Result r = s.runner().feed(this.state, in).fetch(stateOfChief).run()) {
      TInt64 v = (TInt64) r.get(0);
      long[] out = new long[stateLength];
      for (int i = 0; i < stateLength; i++) {
        out[i] = v.getLong(i);
      }
      return out;
    }
  }

  /**
   * Whether any process wants to stop after this step: every process calls this once per step
   * with its own wishes and gets the same answer.
   *
   * @return {@code [any signal, any time limit]}
   */
  public boolean[] agree(Session s, boolean signal, boolean outOfTime) {
    try (TFloat32 in = TFloat32.vectorOf(signal ? 1f : 0f, outOfTime ? 1f : 0f);
        Result r = s.runner().feed(wishes, in).fetch(wishesOfAll).run()) {
      TFloat32 v = (TFloat32) r.get(0);
      return new boolean[] {v.getFloat(0) > 0, v.getFloat(1) > 0};
    }
  }

  /** Returns once every process has called it (waiting up to the patient timeout). */
  public void barrier(Session s) {
    s.runner().fetch(barrier).run().close();
  }
}
