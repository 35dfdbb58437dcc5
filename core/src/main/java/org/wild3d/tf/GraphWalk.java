package org.wild3d.tf;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.GraphOperation;
import org.tensorflow.op.Op;

/** Walks a graph backwards from some operands: the ops a fetch or target actually runs. */
public final class GraphWalk {
  private GraphWalk() {}

  /**
   * All ops that {@code roots} depend on through data inputs and, if {@code controlEdges}, through
   * control dependencies too; the roots' own ops included. Keyed by op name, in discovery order.
   */
  public static Map<String, GraphOperation> ancestors(
      Iterable<? extends Op> roots, boolean controlEdges) {
    Map<String, GraphOperation> seen = new LinkedHashMap<>();
    Deque<GraphOperation> todo = new ArrayDeque<>();
    for (Op r : roots) {
      todo.push((GraphOperation) r.op());
    }
    while (!todo.isEmpty()) {
      GraphOperation op = todo.pop();
      if (seen.putIfAbsent(op.name(), op) == null) {
        for (int i = 0; i < op.numInputs(); i++) {
          todo.push((GraphOperation) op.input(i).op());
        }
        if (controlEdges) {
          todo.addAll(op.controlInputs());
        }
      }
    }
    return seen;
  }
}
