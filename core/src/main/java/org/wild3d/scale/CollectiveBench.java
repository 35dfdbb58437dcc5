package org.wild3d.scale;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.TargetSessions;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.wild3d.tf.Sessions;

/**
 * Times one all-reduce (the mean of {@code n} floats, what a training phase exchanges) between a
 * placement's towers, or between TensorFlow servers of this JVM on 127.0.0.1 (what separate worker
 * processes on one machine pay, gRPC included). For {@code wild3d-train bench}.
 */
public final class CollectiveBench {
  private CollectiveBench() {}

  /** Median seconds of an all-reduce of {@code n} floats between {@code p}'s towers. */
  public static double towers(Placement p, long n, int repeats) {
    checkArgument(p.towers() > 1 && p.tasks() == 1, "expected several towers of one process");
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      List<Operand<TFloat32>> outs = new ArrayList<>();
      Collectives.Group group = new Collectives.Group(p.towers(), 9, p.group().hint(), 60f);
      for (int t = 0; t < p.towers(); t++) {
        Ops tt = p.on(tf.withSubScope("t" + t), t);
        Operand<TFloat32> x = tt.fill(tt.constant(new long[] {n}), tt.constant(1f + t));
        Operand<TFloat32> m = Collectives.mean(tt, x, group, 1, p.deviceName(t));
        outs.add(tt.slice(m, tt.constant(new long[] {0}), tt.constant(new long[] {1})));
      }
      try (Session s = Sessions.create(g, 0, p)) {
        return median(repeats, () -> {
          Session.Runner r = s.runner();
          outs.forEach(r::fetch);
          r.run().close();
        });
      }
    }
  }

  /**
   * Median seconds of an all-reduce of {@code n} floats between {@code workers} servers of this
   * JVM on free loopback ports (each server's session runs in its own thread). The servers stay
   * until the JVM ends (TensorFlow cannot stop them).
   */
  public static double loopback(int workers, long n, int repeats) {
    int[] ports = new int[workers];
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      ports[i] = ClusterSpec.freeLoopbackPort();
      addresses.add("127.0.0.1:" + ports[i]);
    }
    ConfigProto config = Sessions.config(0);
    List<Graph> graphs = new ArrayList<>();
    List<Session> sessions = new ArrayList<>();
    List<Operand<TFloat32>> outs = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      for (int i = 0; i < workers; i++) {
        ClusterSpec cl = new ClusterSpec(addresses, i);
        ConfigProto c = cl.withCollectiveLeader(config);
        cl.startServer(c);
        Graph g = new Graph();
        graphs.add(g);
        Placement p = new Placement(List.of(), i, workers, 60f);
        Ops tf = p.on(Ops.create(g), 0);
        Operand<TFloat32> x = tf.fill(tf.constant(new long[] {n}), tf.constant(1f + i));
        Operand<TFloat32> m = Collectives.mean(tf, x,
            new Collectives.Group(workers, 9, "auto", 60f), 1, p.deviceName(0));
        outs.add(tf.slice(m, tf.constant(new long[] {0}), tf.constant(new long[] {1})));
        sessions.add(TargetSessions.create(g, "grpc://" + addresses.get(i), c));
      }
      return median(repeats, () -> {
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
          int k = i;
          fs.add(pool.submit(() -> sessions.get(k).runner().fetch(outs.get(k)).run().close()));
        }
        for (Future<?> f : fs) {
          f.get();
        }
      });
    } finally {
      pool.shutdownNow();
      sessions.forEach(Session::close);
      graphs.forEach(Graph::close);
    }
  }

  @FunctionalInterface
  private interface Work {
    void run() throws Exception;
  }

  private static double median(int repeats, Work w) {
    try {
      for (int i = 0; i < 2; i++) {
        w.run(); // warm-up: group resolution, buffers
      }
      double[] t = new double[Math.max(1, repeats)];
      for (int i = 0; i < t.length; i++) {
        long t0 = System.nanoTime();
        w.run();
        t[i] = (System.nanoTime() - t0) / 1e9;
      }
      Arrays.sort(t);
      return t[t.length / 2];
    } catch (Exception e) {
      throw new IllegalStateException("all-reduce benchmark: " + e.getMessage(), e);
    }
  }
}
