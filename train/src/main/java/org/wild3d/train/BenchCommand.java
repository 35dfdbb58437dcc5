package org.wild3d.train;

import java.util.concurrent.Callable;
import org.wild3d.cli.ConfigOptions;
import org.wild3d.config.LoadedConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wild3d-train bench}: times a training step of the configured model (see {@link Bench}). */
@Command(
    name = "bench",
    description = {
      "Times the phases of one training step of the configured model on synthetic inputs and",
      "prints per-item costs, ray-samples/s and achieved GFLOP/s next to a measured MatMul peak."
    })
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ConfigOptions config;

  @Option(names = "--warmup", defaultValue = "2", description = "Untimed runs per phase (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--repeats", defaultValue = "5", description = "Timed runs per phase; the median is reported (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(
      names = "--peak-size",
      defaultValue = "2048",
      description = "n of the n×n float32 MatMul used as the machine's peak; 0 skips it (default: ${DEFAULT-VALUE}).")
  int peakSize;


  @Option(
      names = "--profile",
      paramLabel = "N",
      defaultValue = "0",
      description = "Also print the N most expensive op types, modules and nodes of the G forward and the G and D main steps (TF step stats).")
  int profile;

  @Option(
      names = "--devices",
      paramLabel = "cpu:N|gpu|gpu:N",
      description = "Time the step split over these towers (as wild3d-train --devices), with the"
          + " bytes each phase all-reduces and what one all-reduce costs between them.")
  String devices;

  @Option(
      names = "--loopback-workers",
      paramLabel = "N",
      defaultValue = "0",
      description = "Also time the all-reduce between N TensorFlow servers on 127.0.0.1 (what N"
          + " worker processes on one machine pay, gRPC included).")
  int loopbackWorkers;

  @Override
  public Integer call() {
    LoadedConfig loaded = config.load();
    org.wild3d.scale.Placement placement = devices == null ? org.wild3d.scale.Placement.single()
        : new org.wild3d.scale.Placement(Main.parseDevices(spec.commandLine(), devices), 0, 1,
            120f);
    Bench.run(loaded.resolved(), warmup, repeats, peakSize, profile, placement, loopbackWorkers,
        spec.commandLine().getOut());
    return 0;
  }
}
