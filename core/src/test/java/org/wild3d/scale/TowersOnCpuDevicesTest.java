package org.wild3d.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * Two towers on two CPU devices of one process: the placement pass puts each tower's gradient ops
 * on its own device, and one collective mean gives both towers the same averaged gradient —
 * with the single inter-op thread wild3d's sessions use (a collective must not block it).
 */
class TowersOnCpuDevicesTest {
  static final ConfigProto TWO_CPUS =
      ConfigProto.newBuilder().putDeviceCount("CPU", 2).setInterOpParallelismThreads(1).build();

  static String cpu(int k) {
    return "/device:CPU:" + k;
  }

  @Test
  @Timeout(60)
  @SuppressWarnings("unchecked")
  void gradientsRunOnTheirTowersDeviceAndTheCollectiveMeanIsExact() {
    List<Output<TFloat32>> grads = new ArrayList<>();
    List<Operand<TFloat32>> means = new ArrayList<>();
    List<DevicePlacement.Rule> rules = new ArrayList<>();
    try (Graph built = new Graph()) {
      Ops tf = Ops.create(built);
      Variable<TFloat32> w = tf.withName("w").variable(tf.constant(new float[][] {{1f, 2f}, {3f, 4f}}));
      Collectives.Group group = new Collectives.Group(2, 1, "auto", 30f);
      for (int k = 0; k < 2; k++) {
        Ops t = tf.withSubScope("tower" + k).withDevice(DeviceSpec.newBuilder()
            .deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(k).build());
        Operand<TFloat32> x = t.constant(new float[][] {{1f + k, -1f}});
        Operand<TFloat32> loss = t.reduceSum(t.math.square(t.math.tanh(t.linalg.matMul(x, w))),
            t.constant(new int[] {0, 1}));
        Output<TFloat32> g = (Output<TFloat32>) (Output<?>) built.addGradients("tower" + k + "_grad",
            new Output<?>[] {loss.asOutput()}, new Output<?>[] {w.asOutput()}, null)[0];
        grads.add(g);
        means.add(Collectives.mean(t, g, group, 7, cpu(k)));
        rules.add(new DevicePlacement.Rule("tower" + k, cpu(k)));
      }
      try (Graph g = DevicePlacement.placed(built, rules);
          Session s = new Session(g, TWO_CPUS)) {
        RunOptions trace = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
        Session.Runner r = s.runner().setOptions(trace);
        for (Output<TFloat32> o : grads) {
          r.fetch(DevicePlacement.output(g, o));
        }
        for (Operand<TFloat32> o : means) {
          r.fetch(DevicePlacement.output(g, o));
        }
        try (Result res = r.runAndFetchMetadata()) {
          float[][] v = new float[4][];
          for (int i = 0; i < 4; i++) {
            TFloat32 t = (TFloat32) res.get(i);
            v[i] = new float[] {t.getFloat(0, 0), t.getFloat(0, 1), t.getFloat(1, 0), t.getFloat(1, 1)};
          }
          for (int j = 0; j < 4; j++) {
            assertThat(v[2][j]).isCloseTo((v[0][j] + v[1][j]) / 2, within(1e-7f));
            assertThat(v[3][j]).isEqualTo(v[2][j]); // every member receives the same bits
          }
          Map<String, String> deviceOf = new HashMap<>();
          for (DeviceStepStats d : res.getMetadata().orElseThrow().getStepStats().getDevStatsList()) {
            for (NodeExecStats n : d.getNodeStatsList()) {
              deviceOf.put(n.getNodeName(), d.getDevice());
            }
          }
          long onOne = deviceOf.entrySet().stream().filter(e -> e.getKey().startsWith("tower1_grad/")).count();
          assertThat(onOne).isPositive();
          deviceOf.forEach((node, dev) -> {
            if (node.startsWith("tower1_grad/") || node.startsWith("tower1/")) {
              assertThat(dev).as(node).endsWith("device:CPU:1");
            }
            if (node.startsWith("tower0_grad/") || node.startsWith("tower0/")) {
              assertThat(dev).as(node).endsWith("device:CPU:0");
            }
          });
        }
      }
    }
  }

  @Test
  @Timeout(60)
  void meanAllReducesTensorsOfSeveralShapesInOneExchange() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Collectives.Group group = new Collectives.Group(2, 2, "auto", 30f);
      List<List<Operand<TFloat32>>> out = new ArrayList<>();
      for (int k = 0; k < 2; k++) {
        Ops t = tf.withSubScope("tower" + k).withDevice(DeviceSpec.newBuilder()
            .deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(k).build());
        List<Operand<TFloat32>> xs = List.of(t.constant(new float[][] {{k, 2 * k}, {3, 4}}),
            t.constant(new float[] {10f * k}), t.constant(5f + k));
        assertThat(Collectives.bytes(xs)).isEqualTo(4 * (4 + 1 + 1));
        out.add(Collectives.meanAll(t, xs, group, 1, cpu(k)));
      }
      try (Session s = new Session(g, TWO_CPUS)) {
        for (int k = 0; k < 2; k++) {
          try (Result r = s.runner().fetch(out.get(0).get(0)).fetch(out.get(0).get(1))
              .fetch(out.get(0).get(2)).fetch(out.get(1).get(0)).fetch(out.get(1).get(1))
              .fetch(out.get(1).get(2)).run()) {
            for (int m = 0; m < 2; m++) {
              TFloat32 a = (TFloat32) r.get(3 * m);
              assertThat(new float[] {a.getFloat(0, 0), a.getFloat(0, 1), a.getFloat(1, 0), a.getFloat(1, 1)})
                  .containsExactly(0.5f, 1f, 3f, 4f);
              assertThat(((TFloat32) r.get(3 * m + 1)).getFloat(0)).isEqualTo(5f);
              assertThat(((TFloat32) r.get(3 * m + 2)).getFloat()).isEqualTo(5.5f);
            }
          }
        }
      }
    }
  }
}
