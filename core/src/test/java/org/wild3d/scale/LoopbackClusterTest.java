package org.wild3d.scale;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Server;
import org.tensorflow.Session;
import org.tensorflow.TargetSessions;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ClusterDef;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.JobDef;
import org.tensorflow.proto.ServerDef;
import org.tensorflow.types.TFloat32;

/**
 * Two TensorFlow servers of one cluster on 127.0.0.1 (in this JVM, as TF's own local-cluster
 * tests do): a session aimed at each server through {@link TargetSessions}, and a collective mean
 * between the two tasks — the mechanism multi-host training stands on.
 */
class LoopbackClusterTest {
  @Test
  @Timeout(60)
  void aCollectiveMeanAcrossTwoTasksOfALoopbackCluster() throws Exception {
    int[] ports = {ClusterSpec.freeLoopbackPort(), ClusterSpec.freeLoopbackPort()};
    ClusterDef cluster = ClusterDef.newBuilder().addJob(JobDef.newBuilder().setName("worker")
        .putTasks(0, "127.0.0.1:" + ports[0]).putTasks(1, "127.0.0.1:" + ports[1])).build();
    ConfigProto config = ConfigProto.newBuilder().setInterOpParallelismThreads(1)
        .setExperimental(ConfigProto.Experimental.newBuilder()
            .setCollectiveGroupLeader("/job:worker/replica:0/task:0"))
        .build();
    Server[] servers = new Server[2];
    for (int task = 0; task < 2; task++) {
      servers[task] = new Server(ServerDef.newBuilder().setCluster(cluster).setJobName("worker")
          .setTaskIndex(task).setProtocol("grpc").setDefaultSessionConfig(config).build());
      servers[task].start();
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<float[]>[] results = new Future[2];
      for (int task = 0; task < 2; task++) {
        int k = task;
        results[task] = pool.submit(() -> {
          String device = "/job:worker/replica:0/task:" + k + "/device:CPU:0";
          try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Operand<TFloat32> x = tf.withDevice(org.tensorflow.DeviceSpec.newBuilder().job("worker")
                .replica(0).task(k).deviceType(org.tensorflow.DeviceSpec.DeviceType.CPU)
                .deviceIndex(0).build()).constant(new float[] {1f + k, 10f * (k + 1)});
            Operand<TFloat32> m = Collectives.mean(tf, x, new Collectives.Group(2, 1, "auto", 30f), 3, device);
            try (Session s = TargetSessions.create(g, "grpc://127.0.0.1:" + ports[k], config);
                Result r = s.runner().fetch(m).run()) {
              TFloat32 t = (TFloat32) r.get(0);
              return new float[] {t.getFloat(0), t.getFloat(1)};
            }
          }
        });
      }
      assertThat(results[0].get(50, TimeUnit.SECONDS)).containsExactly(1.5f, 15f);
      assertThat(results[1].get(50, TimeUnit.SECONDS)).containsExactly(1.5f, 15f);
    } finally {
      pool.shutdownNow();
      // Server.stop() is not implemented in TF 2.18 ("Clean shutdown is not currently
      // implemented"): the servers live until the JVM ends.
    }
  }
}
