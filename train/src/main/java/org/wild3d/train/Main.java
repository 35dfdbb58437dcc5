package org.wild3d.train;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.wild3d.DataException;
import org.wild3d.cli.Cli;
import org.wild3d.cli.ConfigOptions;
import org.wild3d.cli.Verbosity;
import org.wild3d.cli.VersionProvider;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import org.wild3d.config.LoadedConfig;
import org.wild3d.scale.ClusterSpec;
import org.wild3d.scale.Placement;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code wild3d-train}: loads and validates an experiment, creates a numbered run directory with
 * the input and resolved configs, and runs a {@link TrainJob} on it. Subcommands (e.g. {@code
 * bench}, {@code dataset}) are added to {@link #commandLine(TrainJob)}'s result.
 */
@Command(
    name = Main.NAME,
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    scope = ScopeType.INHERIT,
    sortOptions = false,
    description = "Trains a class-conditional 3D GAN from unposed images.",
    footer = {
      "",
      "Exit codes: 0 ok, 1 failure, 2 usage, 3 bad config, 4 bad dataset/checkpoint, 5 stopped by",
      "SIGINT/SIGTERM after writing a checkpoint (--resume continues; a second signal aborts",
      "at once with 130/143).",
      "Example: wild3d-train --config configs/shapes-64.pbtxt "
          + "--override 'train { batch_size: 16 }' --dry-run"
    })
public final class Main implements Callable<Integer> {
  /** The executable's name: the prefix of its messages. */
  static final String NAME = "wild3d-train";

  @Spec CommandSpec spec;

  @Mixin ConfigOptions config;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "runs",
      description = "Where numbered run directories are created (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--resume",
      paramLabel = "RUN",
      description = "Continue the run directory RUN from its latest checkpoint, with its recorded "
          + "config (no --config or --override).")
  Path resume;

  @Option(
      names = "--dry-run",
      description = "Print the resolved config and exit without touching the disk.")
  boolean dryRun;

  @Option(
      names = "--devices",
      paramLabel = "cpu:N|gpu|gpu:N",
      description = "Data-parallel towers in this process: N CPU devices (tests; they share the"
          + " machine's cores), every visible GPU, or the first N GPUs. train.batch_size is the"
          + " global batch, split between the towers of every worker process (TF_CONFIG)."
          + " Default: one device.")
  String devices;

  @Option(
      names = "--collective-timeout",
      paramLabel = "SECONDS",
      defaultValue = "300",
      description = "With several towers or processes: how long a step's all-reduce waits for the"
          + " others before the run stops with an error (a dead or unreachable worker; default:"
          + " ${DEFAULT-VALUE}).")
  float collectiveTimeout;

  @Option(
      names = "--chief-wait",
      paramLabel = "SECONDS",
      defaultValue = "7200",
      description = "With several processes: how long the others wait for the chief at the start"
          + " and while it alone writes a tick's samples, metrics and checkpoint (default:"
          + " ${DEFAULT-VALUE}).")
  float chiefWait;

  @Mixin Verbosity verbosity;

  private final TrainJob job;

  public Main(TrainJob job) {
    this.job = job;
  }

  /** The command line with the training job and its subcommands. */
  public static CommandLine commandLine() {
    return commandLine(new TrainLoop());
  }

  /** The command line running {@code job}; add subcommands to it before setting writers. */
  public static CommandLine commandLine(TrainJob job) {
    CommandLine cl = Cli.commandLine(new Main(job));
    cl.addSubcommand(Cli.commandLine(new BenchCommand()));
    cl.addSubcommand(Cli.commandLine(new DatasetCommand()));
    return cl;
  }

  public static void main(String[] args) {
    Cli.exit(commandLine(), args);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    RunContext.Scale scale = scale();
    if (resume != null) {
      return resume(stdout, stderr, scale);
    }
    LoadedConfig loaded = config.load();
    GanGraph.checkSplit(org.wild3d.config.GanSpec.from(loaded.resolved()), scale.placement());
    if (dryRun) {
      stdout.print(Configs.resolvedText(loaded));
      stdout.flush();
      return 0;
    }
    Path runDir;
    if (scale.chief()) {
      runDir = RunDirectory.create(out, loaded.resolved().getName());
      Configs.writeRunConfigs(runDir, loaded);
    } else {
      runDir = out; // never written: the chief creates the run directory
    }
    job.run(new RunContext(runDir, loaded.resolved(), loaded.input(), false, stdout, stderr,
        scale));
    return 0;
  }

  /** The towers of {@code --devices} and the worker processes of {@code TF_CONFIG}. */
  RunContext.Scale scale() {
    ClusterSpec cluster = ClusterSpec.fromEnvironment().orElse(null);
    List<Placement.Device> towers =
        devices == null ? List.of() : parseDevices(spec.commandLine(), devices);
    if (!(collectiveTimeout > 0) || !(chiefWait > 0)) {
      throw new ParameterException(spec.commandLine(), "--collective-timeout and --chief-wait:"
          + " expected a number of seconds > 0, found " + collectiveTimeout + " and " + chiefWait);
    }
    if (cluster == null && towers.size() <= 1 && (towers.isEmpty()
        || towers.get(0).type().equals("CPU"))) {
      return RunContext.Scale.SINGLE; // one device: the graph exactly as it always was
    }
    int task = cluster == null ? 0 : cluster.task();
    int tasks = cluster == null ? 1 : cluster.size();
    return new RunContext.Scale(new Placement(towers, task, tasks, collectiveTimeout, chiefWait),
        cluster);
  }

  /** The towers of a {@code --devices} value ({@code cpu:N}, {@code gpu}, {@code gpu:N}). */
  static List<Placement.Device> parseDevices(CommandLine cl, String text) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(cpu|gpu)(?::([0-9]{1,4}))?").matcher(text);
    if (!m.matches() || (m.group(1).equals("cpu") && m.group(2) == null)) {
      throw new ParameterException(cl, "--devices: expected cpu:N, gpu or gpu:N,"
          + " found '" + text + "' (e.g. --devices gpu for every GPU, --devices cpu:2 for two CPU"
          + " towers)");
    }
    String type = m.group(1).toUpperCase(java.util.Locale.ROOT);
    int visible = type.equals("GPU") ? org.tensorflow.TargetSessions.gpuCount() : Integer.MAX_VALUE;
    int n = m.group(2) == null ? visible : Integer.parseInt(m.group(2));
    if (visible == 0) {
      throw new ParameterException(cl, "--devices " + text + ": expected a GPU"
          + " that TensorFlow sees, found none (build with -Pgpu for TensorFlow's GPU natives;"
          + " check nvidia-smi and CUDA_VISIBLE_DEVICES)");
    }
    if (n < 1 || n > visible) {
      throw new ParameterException(cl, "--devices: expected 1.." + (visible
          == Integer.MAX_VALUE ? "N" : visible) + " " + type + " devices, found " + (m.group(2)
          == null ? "none visible" : n) + " ('" + text + "'"
          + (type.equals("GPU") ? "; TensorFlow sees " + visible + " GPUs: build with -Pgpu and"
              + " check CUDA_VISIBLE_DEVICES" : "") + ")");
    }
    return Placement.devices(type, n);
  }

  private int resume(PrintWriter stdout, PrintWriter stderr, RunContext.Scale scale)
      throws Exception {
    if (config.given()) {
      throw new ParameterException(spec.commandLine(), "--resume takes the config recorded in "
          + "the run directory: expected no --config or --override with it, found "
          + (config.config() != null ? "--config " + config.config() : "--override"));
    }
    if (!Files.isDirectory(resume)) {
      throw new DataException("--resume: expected a run directory, found "
          + (Files.exists(resume) ? "a file" : "nothing") + " at " + resume
          + " (pass e.g. runs/00000-shapes-tiny)");
    }
    Experiment resolved = Configs.readResolved(resume);
    GanGraph.checkSplit(org.wild3d.config.GanSpec.from(resolved), scale.placement());
    if (dryRun) {
      stdout.print(
          Files.readString(resume.resolve(Configs.RESOLVED_FILE), StandardCharsets.UTF_8));
      stdout.flush();
      return 0;
    }
    job.run(new RunContext(resume, resolved, Configs.readInput(resume), true, stdout, stderr,
        scale));
    return 0;
  }
}
