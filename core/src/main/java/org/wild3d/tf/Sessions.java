package org.wild3d.tf;

import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;

/** Session construction with the thread settings measured best on small CPU machines. */
public final class Sessions {
  private Sessions() {}

  /**
   * A session on {@code g}; {@code intraThreads <= 0} keeps TF's default (all cores). Inter-op
   * threads are 1 for determinism of op scheduling on CPU.
   */
  public static Session create(Graph g, int intraThreads) {
    return new Session(g, config(intraThreads));
  }

  /** {@link #create(Graph, int)} with the CPU devices that {@code placement}'s towers need. */
  public static Session create(Graph g, int intraThreads, org.wild3d.scale.Placement placement) {
    return new Session(g, placement.sessionConfig(config(intraThreads)));
  }

  /** The options {@link #create(Graph, int)} uses. */
  public static ConfigProto config(int intraThreads) {
    ConfigProto.Builder c = ConfigProto.newBuilder().setInterOpParallelismThreads(1);
    if (intraThreads > 0) {
      c.setIntraOpParallelismThreads(intraThreads);
    }
    return c.build();
  }
}
