package org.wild3d.tf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.StepStats;

class OpProfileTest {
  private static NodeExecStats node(String name, String type, long start, long end) {
    return NodeExecStats.newBuilder()
        .setNodeName(name)
        .setTimelineLabel(name + " = " + type + "(a, b)")
        .setOpStartRelMicros(start)
        .setOpEndRelMicros(end)
        .build();
  }

  @Test
  void sumsByTypeModuleAndNodeLargestFirst() {
    RunMetadata md =
        RunMetadata.newBuilder()
            .setStepStats(
                StepStats.newBuilder()
                    .addDevStats(
                        DeviceStepStats.newBuilder()
                            .addNodeStats(node("G/decoder/fc0/MatMul", "_MklMatMul", 0, 300))
                            .addNodeStats(node("G/decoder/fc0/Softplus", "Wild3dSoftplus", 10, 110))
                            .addNodeStats(
                                node("gradients/G/decoder/fc0/MatMul_grad/MatMul", "_MklMatMul", 0, 500))
                            .addNodeStats(node("D/b4/out/MatMul", "_MklMatMul", 0, 200))))
            .build();

    OpProfile.Profile p = OpProfile.summarise(md);

    assertThat(p.totalMicros()).isEqualTo(1100);
    assertThat(p.byType()).containsExactly(
        java.util.Map.entry("_MklMatMul", 1000L), java.util.Map.entry("Wild3dSoftplus", 100L));
    assertThat(p.byModule()).containsExactly(
        java.util.Map.entry("G/decoder (grad)", 500L),
        java.util.Map.entry("G/decoder", 400L),
        java.util.Map.entry("D/b4", 200L));
    assertThat(p.byNode().keySet()).containsExactly(
        "gradients/G/decoder/fc0/MatMul_grad/MatMul (_MklMatMul)",
        "G/decoder/fc0/MatMul (_MklMatMul)",
        "D/b4/out/MatMul (_MklMatMul)",
        "G/decoder/fc0/Softplus (Wild3dSoftplus)");

    StringWriter s = new StringWriter();
    p.print(new PrintWriter(s, true), "profile", 2);
    assertThat(s.toString())
        .startsWith("profile: 1.1 ms of op time")
        .contains("node       gradients/G/decoder/fc0/MatMul_grad/MatMul (_MklMatMul)")
        .doesNotContain("D/b4/out/MatMul (_MklMatMul)");
  }
}
