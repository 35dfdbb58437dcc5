package org.wild3d.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.wild3d.checkpoint.CheckpointManager;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import org.wild3d.config.GanSpec;
import org.wild3d.tf.Sessions;

/** Test helper: every variable of a run's training graph, by name, as float arrays. */
final class CheckpointValues {
  private CheckpointValues() {}

  /** Names of every variable op of {@code graph}, sorted. */
  static List<String> variableNames(Graph graph) {
    List<String> names = new ArrayList<>();
    for (java.util.Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      Operation op = it.next();
      if (op.type().equals("VariableV2") || op.type().equals("VarHandleOp")) {
        names.add(op.name());
      }
    }
    names.sort(null);
    return names;
  }

  /** Fetches every variable of {@code s}'s graph (all float32 in the training graph). */
  static Map<String, float[]> fetchAll(Graph graph, Session s) {
    Map<String, float[]> out = new TreeMap<>();
    List<String> names = variableNames(graph);
    Session.Runner r = s.runner();
    for (String n : names) {
      r.fetch(n);
    }
    try (Result res = r.run()) {
      for (int i = 0; i < names.size(); i++) {
        Tensor t = res.get(i);
        if (!(t instanceof TFloat32 f)) {
          throw new IllegalStateException("variable " + names.get(i) + ": expected float32, found " + t.dataType());
        }
        float[] a = new float[(int) f.size()];
        f.copyTo(DataBuffers.of(a, false, false));
        out.put(names.get(i), a);
      }
    }
    return out;
  }

  /** Every variable of the training graph of {@code cfg} restored from {@code c}. */
  static Map<String, float[]> read(Experiment cfg, CheckpointManager.Checkpoint c) {
    try (Graph graph = new Graph()) {
      new GanGraph(graph, GanSpec.from(cfg));
      try (Session s = Sessions.create(graph, 1)) {
        CheckpointManager.restore(s, c, Configs.architectureHash(cfg));
        return fetchAll(graph, s);
      }
    }
  }

  /** The single run directory under {@code runs}. */
  static Path onlyRun(Path runs) throws IOException {
    try (Stream<Path> s = Files.list(runs)) {
      List<Path> all = s.toList();
      if (all.size() != 1) {
        throw new IllegalStateException("expected one run under " + runs + ", found " + all);
      }
      return all.get(0);
    }
  }

  /** Names whose values differ bitwise between {@code a} and {@code b} (same key sets expected). */
  static List<String> differing(Map<String, float[]> a, Map<String, float[]> b) {
    if (!a.keySet().equals(b.keySet())) {
      throw new IllegalStateException("variable sets differ: " + a.keySet() + " vs " + b.keySet());
    }
    List<String> diff = new ArrayList<>();
    for (String k : a.keySet()) {
      float[] x = a.get(k);
      float[] y = b.get(k);
      boolean same = x.length == y.length;
      for (int i = 0; same && i < x.length; i++) {
        same = Float.floatToRawIntBits(x[i]) == Float.floatToRawIntBits(y[i]);
      }
      if (!same) {
        diff.add(k);
      }
    }
    return diff;
  }

  /** Largest |a−b| over every element of every variable. */
  static double maxAbsDiff(Map<String, float[]> a, Map<String, float[]> b) {
    double m = 0;
    for (String k : a.keySet()) {
      float[] x = a.get(k);
      float[] y = b.get(k);
      for (int i = 0; i < x.length; i++) {
        m = Math.max(m, Math.abs((double) x[i] - y[i]));
      }
    }
    return m;
  }
}
