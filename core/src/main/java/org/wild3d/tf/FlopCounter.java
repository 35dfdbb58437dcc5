package org.wild3d.tf;

import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.GraphOperation;
import org.tensorflow.op.Op;
import org.tensorflow.ndarray.Shape;

/**
 * Counts the multiply-add FLOPs (2 per MAC) of the matmuls and convolutions that running some
 * fetches/targets executes, from the graph's static shapes. This is the measure the performance
 * notes use ("conv+matmul FLOPs of a step"), so achieved GFLOP/s compare like for like.
 *
 * <p>Ops whose shapes are not fully static are counted as 0 and reported in {@link
 * Count#unknownOps()}.
 */
public final class FlopCounter {
  private FlopCounter() {}

  /** FLOPs by op type and the number of ops whose shapes were not static. */
  public record Count(long total, Map<String, Long> byType, int unknownOps) {
    public double gflop() {
      return total / 1e9;
    }
  }

  /** Counts over everything {@code roots} depend on (data and control edges). */
  public static Count count(Iterable<? extends Op> roots) {
    Map<String, Long> byType = new TreeMap<>();
    long total = 0;
    int unknown = 0;
    for (GraphOperation op : GraphWalk.ancestors(roots, true).values()) {
      long f = flops(op);
      if (f < 0) {
        unknown++;
      } else if (f > 0) {
        byType.merge(op.type(), f, Long::sum);
        total += f;
      }
    }
    return new Count(total, byType, unknown);
  }

  /** FLOPs of one op; 0 if it is not a matmul/conv; -1 if its shapes are not static. */
  static long flops(GraphOperation op) {
    switch (op.type()) {
      case "MatMul": {
        Shape a = op.input(0).shape();
        Shape out = op.output(0).shape();
        if (a.hasUnknownDimension() || out.hasUnknownDimension()) {
          return -1;
        }
        boolean ta = op.attributes().getAttrBool("transpose_a");
        long k = ta ? a.size(0) : a.size(1);
        return 2L * out.size() * k;
      }
      case "BatchMatMulV2":
      case "BatchMatMulV3": {
        Shape a = op.input(0).shape();
        Shape out = op.output(0).shape();
        if (a.hasUnknownDimension() || out.hasUnknownDimension()) {
          return -1;
        }
        boolean adj = op.attributes().getAttrBool("adj_x");
        int r = a.numDimensions();
        long k = adj ? a.size(r - 2) : a.size(r - 1);
        return 2L * out.size() * k;
      }
      case "Conv2D": {
        // out [N,Ho,Wo,Cout], filter [kh,kw,Cin,Cout]: 2·|out|·kh·kw·Cin
        Shape f = op.input(1).shape();
        Shape out = op.output(0).shape();
        if (f.hasUnknownDimension() || out.hasUnknownDimension()) {
          return -1;
        }
        return 2L * out.size() * f.size(0) * f.size(1) * f.size(2);
      }
      case "Conv2DBackpropInput": {
        // Same MACs as the forward conv: dy [N,Ho,Wo,Cout] times filter [kh,kw,Cin,Cout].
        Shape f = op.input(1).shape();
        Shape dy = op.input(2).shape();
        if (f.hasUnknownDimension() || dy.hasUnknownDimension()) {
          return -1;
        }
        return 2L * dy.size() * f.size(0) * f.size(1) * f.size(2);
      }
      case "Conv2DBackpropFilter": {
        Shape out = op.output(0).shape(); // [kh,kw,Cin,Cout]
        Shape dy = op.input(2).shape(); // [N,Ho,Wo,Cout]
        if (out.hasUnknownDimension() || dy.hasUnknownDimension()) {
          return -1;
        }
        return 2L * dy.size() * out.size(0) * out.size(1) * out.size(2);
      }
      default:
        return 0;
    }
  }
}
