package org.wild3d.tf;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;

/**
 * Where a session run spends its time: TF's own per-op step statistics (a FULL_TRACE run),
 * summed by op type and by model module (the first two name-scope levels, with gradient scopes
 * attributed to the module they differentiate) and by node, as shares of the summed op time. Op
 * times overlap when TF runs independent ops side by side, so the sum can exceed the step's wall
 * time and a node's share says where the work is, not how long the step waited for it.
 */
public final class OpProfile {
  /**
   * Summed op microseconds by op type, by module and by node ({@code "name (Type)"}), largest
   * first.
   */
  public record Profile(
      long totalMicros,
      Map<String, Long> byType,
      Map<String, Long> byModule,
      Map<String, Long> byNode) {
    /** Prints the top {@code n} entries of each table. */
    public void print(PrintWriter out, String title, int n) {
      out.printf(Locale.ROOT, "%s: %.1f ms of op time%n", title, totalMicros / 1e3);
      table(out, "op type", byType, n);
      table(out, "module", byModule, n);
      table(out, "node", byNode, n);
    }

    private void table(PrintWriter out, String what, Map<String, Long> m, int n) {
      int i = 0;
      for (var e : m.entrySet()) {
        if (i++ == n) {
          break;
        }
        out.printf(
            Locale.ROOT,
            "    %-10s %-40s %8.1f ms %5.1f%%%n",
            i == 1 ? what : "",
            e.getKey(),
            e.getValue() / 1e3,
            100.0 * e.getValue() / Math.max(1, totalMicros));
      }
    }
  }

  private OpProfile() {}

  /** Runs {@code runner} once with a full trace and summarises its step statistics. */
  public static Profile run(Session.Runner runner) {
    runner.setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
    try (Result r = runner.runAndFetchMetadata()) {
      RunMetadata md = r.getMetadata().orElseThrow(() -> new IllegalStateException("TF returned no run metadata"));
      return summarise(md);
    }
  }

  static Profile summarise(RunMetadata md) {
    Map<String, Long> byType = new LinkedHashMap<>();
    Map<String, Long> byModule = new LinkedHashMap<>();
    Map<String, Long> byNode = new LinkedHashMap<>();
    long total = 0;
    for (DeviceStepStats d : md.getStepStats().getDevStatsList()) {
      for (NodeExecStats n : d.getNodeStatsList()) {
        long us = Math.max(0, n.getOpEndRelMicros() - n.getOpStartRelMicros());
        if (us == 0) {
          us = Math.max(0, n.getAllEndRelMicros());
        }
        total += us;
        String type = opType(n.getTimelineLabel());
        byType.merge(type, us, Long::sum);
        byModule.merge(module(n.getNodeName()), us, Long::sum);
        byNode.merge(n.getNodeName() + " (" + type + ")", us, Long::sum);
      }
    }
    return new Profile(total, sorted(byType), sorted(byModule), sorted(byNode));
  }

  /** The op type from a timeline label {@code "name = Type(inputs)"}. */
  static String opType(String label) {
    int eq = label.indexOf(" = ");
    int paren = label.indexOf('(', Math.max(eq, 0));
    if (eq < 0 || paren < 0) {
      return label.isEmpty() ? "?" : label;
    }
    return label.substring(eq + 3, paren);
  }

  /** First two scope levels of a node name, skipping gradient scopes. */
  static String module(String name) {
    List<String> parts = new ArrayList<>(List.of(name.split("/")));
    boolean grad = false;
    while (!parts.isEmpty() && parts.get(0).toLowerCase(Locale.ROOT).startsWith("gradient")) {
      parts.remove(0);
      grad = true;
    }
    String m = parts.isEmpty() ? name : String.join("/", parts.subList(0, Math.min(2, parts.size() - 1 > 0 ? 2 : 1)));
    return grad ? m + " (grad)" : m;
  }

  private static Map<String, Long> sorted(Map<String, Long> m) {
    Map<String, Long> out = new LinkedHashMap<>();
    m.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEachOrdered(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }
}
