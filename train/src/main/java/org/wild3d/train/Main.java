package org.wild3d.train;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.wild3d.DataException;
import org.wild3d.cli.Cli;
import org.wild3d.cli.ConfigOptions;
import org.wild3d.cli.Verbosity;
import org.wild3d.cli.VersionProvider;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import org.wild3d.config.LoadedConfig;
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
    if (resume != null) {
      return resume(stdout, stderr);
    }
    LoadedConfig loaded = config.load();
    if (dryRun) {
      stdout.print(Configs.resolvedText(loaded));
      stdout.flush();
      return 0;
    }
    Path runDir = RunDirectory.create(out, loaded.resolved().getName());
    Configs.writeRunConfigs(runDir, loaded);
    job.run(new RunContext(runDir, loaded.resolved(), loaded.input(), false, stdout, stderr));
    return 0;
  }

  private int resume(PrintWriter stdout, PrintWriter stderr) throws Exception {
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
    if (dryRun) {
      stdout.print(
          Files.readString(resume.resolve(Configs.RESOLVED_FILE), StandardCharsets.UTF_8));
      stdout.flush();
      return 0;
    }
    job.run(new RunContext(resume, resolved, Configs.readInput(resume), true, stdout, stderr));
    return 0;
  }
}
