package org.wild3d.nn;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Creates and lists the variables of one network (G, D, ...).
 *
 * <p>Every variable is a VariableV2 created in the caller's name scope (so the graph reads like the
 * module tree: {@code G/mapping/fc0/weight}). Initial values come from TF's stateless random ops
 * seeded by {@code (seed, hash of the variable's full name)}: the same config and seed give the
 * same weights whatever order blocks are built in. Trainable variables and non-trained state
 * (e.g. {@code w_avg}) are listed separately so optimisers receive explicit lists.
 */
public final class Params {
  private final long seed;
  /** The network whose variables this one reads instead of creating its own; null = creates. */
  private final Params owner;
  private final List<Param> trainables = new ArrayList<>();
  private final List<Param> state = new ArrayList<>();
  private final Map<String, Param> byName = new LinkedHashMap<>();

  /** @param seed seed of the initial values (Experiment.seed for real runs). */
  public Params(long seed) {
    this.seed = seed;
    this.owner = null;
  }

  private Params(Params owner) {
    this.seed = owner.seed;
    this.owner = owner;
  }

  /**
   * A replica of {@code owner} for another tower of a data-parallel step: built in a scope named
   * {@code towerK/...} ({@link org.wild3d.scale.Towers#prefix}), its blocks get {@code owner}'s
   * variables (same name without the tower prefix, same read value) instead of new ones, in the
   * same order. Build the owner's blocks first.
   */
  public static Params replica(Params owner) {
    checkArgument(owner.owner == null, "Params.replica: expected the owning Params, found a replica");
    return new Params(owner);
  }

  /** The owner's variable that a replica's block names {@code name} in scope {@code tf}. */
  private Param shared(Ops tf, String name, Shape shape, List<Param> list) {
    String full = org.wild3d.scale.Towers.unprefixed(tf.withName(name).scope().makeOpName(name));
    Param p = owner.byName.get(full);
    checkArgument(p != null, "replica variable %s: expected the owning network to have built it,"
        + " found no such variable (build tower 0's blocks before the other towers')", full);
    checkArgument(p.shape().equals(shape), "replica variable %s: expected shape %s, found %s",
        full, p.shape(), shape);
    checkArgument(!byName.containsKey(full), "duplicate variable name: %s", full);
    byName.put(full, p);
    list.add(p);
    return p;
  }

  /**
   * A trainable variable of {@code shape} initialised from N(0, std²).
   *
   * @param tf ops scoped to the owning block (e.g. {@code tf.withSubScope("fc0")})
   * @param name the variable's name inside that scope (no '/')
   */
  public Param normal(Ops tf, String name, Shape shape, float std) {
    if (owner != null) {
      return shared(tf, name, shape, trainables);
    }
    Variable<TFloat32> v = tf.withName(name).variable(shape, TFloat32.class);
    Ops init = tf.withInitScope();
    long[] s = seedFor(v.op().name());
    Operand<TFloat32> value =
        init.math.mul(
            init.random.statelessRandomNormal(init.constant(shape), init.constant(s)),
            init.constant(std));
    init.withName(name + "_init").assign(v, value);
    return register(tf, name, v, trainables);
  }

  /** A trainable variable of {@code shape} filled with {@code value}. */
  public Param constant(Ops tf, String name, Shape shape, float value) {
    if (owner != null) {
      return shared(tf, name, shape, trainables);
    }
    return register(tf, name, filled(tf, name, shape, value), trainables);
  }

  /** A non-trained state variable (e.g. {@code w_avg}) of {@code shape} filled with {@code value}. */
  public Param state(Ops tf, String name, Shape shape, float value) {
    if (owner != null) {
      return shared(tf, name, shape, state);
    }
    return register(tf, name, filled(tf, name, shape, value), state);
  }

  private static Variable<TFloat32> filled(Ops tf, String name, Shape shape, float value) {
    Variable<TFloat32> v = tf.withName(name).variable(shape, TFloat32.class);
    Ops init = tf.withInitScope();
    init.withName(name + "_init").assign(v, init.fill(init.constant(shape), init.constant(value)));
    return v;
  }

  private Param register(Ops tf, String name, Variable<TFloat32> v, List<Param> list) {
    String n = v.op().name();
    checkArgument(!byName.containsKey(n), "duplicate variable name: %s", n);
    Param p = new Param(n, v, tf.withName(name + "_read").identity(v));
    byName.put(n, p);
    list.add(p);
    return p;
  }

  private long[] seedFor(String fullName) {
    long h = Hashing.murmur3_128().hashString(fullName, StandardCharsets.UTF_8).asLong();
    return new long[] {seed, h};
  }

  /**
   * These variables found again by name in {@code placed}, a copy of their graph (e.g. one whose
   * ops got devices, {@link org.wild3d.scale.DevicePlacement}); the result reads the copy.
   */
  public Params rebind(Graph placed) {
    checkArgument(owner == null, "Params.rebind: expected the owning Params, found a replica");
    Params out = new Params(seed);
    for (Param p : trainables) {
      out.trainables.add(out.copy(placed, p));
    }
    for (Param p : state) {
      out.state.add(out.copy(placed, p));
    }
    return out;
  }

  private Param copy(Graph placed, Param p) {
    Param q = new Param(p.name(), new Variable<>(operation(placed, p.name())),
        operation(placed, p.value().op().name()).output(0));
    byName.put(q.name(), q);
    return q;
  }

  private static org.tensorflow.GraphOperation operation(Graph g, String name) {
    org.tensorflow.GraphOperation op = g.operation(name);
    checkArgument(op != null, "rebind: expected op %s in the placed graph, found none", name);
    return op;
  }

  /** Trainable variables in creation order. */
  public List<Param> trainables() {
    return ImmutableList.copyOf(trainables);
  }

  /** Non-trained state variables in creation order. */
  public List<Param> state() {
    return ImmutableList.copyOf(state);
  }

  /** All variables by full op name, in creation order. */
  public Map<String, Param> byName() {
    return Collections.unmodifiableMap(byName);
  }

  /** Total number of scalar trainable parameters. */
  public long trainableCount() {
    long n = 0;
    for (Param p : trainables) {
      n += p.shape().size();
    }
    return n;
  }
}
