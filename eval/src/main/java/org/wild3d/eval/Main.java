package org.wild3d.eval;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.wild3d.cli.Cli;
import org.wild3d.cli.Verbosity;
import org.wild3d.cli.VersionProvider;
import org.wild3d.config.Configs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code wild3d-eval}: measures and inspects run directories. Every action is a subcommand; more
 * are added to {@link #commandLine()}'s result.
 */
@Command(
    name = "wild3d-eval",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    scope = ScopeType.INHERIT,
    description = "Evaluates trained wild3d runs.",
    subcommands = {Main.ConfigCommand.class, MetricsCommand.class, TableCommand.class,
        RenderCommand.class, MeshCommand.class, ExportCommand.class, SamplesCommand.class},
    footer = {"", "Exit codes: 0 ok, 1 failure, 2 usage, 3 bad config, 4 bad run/checkpoint."})
public final class Main implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin Verbosity verbosity;

  /** The command line with every subcommand; add more before setting writers. */
  public static CommandLine commandLine() {
    return Cli.commandLine(new Main());
  }

  public static void main(String[] args) {
    Cli.exit(commandLine(), args);
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "expected a subcommand, found none "
        + "(one of: " + String.join(", ", spec.subcommands().keySet()) + ")");
  }

  /** {@code wild3d-eval config --run RUN}: prints the run's resolved config. */
  @Command(
      name = "config",
      description = "Print the resolved config a run was trained with (config.resolved.pbtxt).")
  static final class ConfigCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--run",
        paramLabel = "RUN",
        required = true,
        description = "Run directory written by wild3d-train, e.g. runs/00000-shapes-tiny.")
    Path run;

    @Override
    public Integer call() throws Exception {
      Configs.readResolved(run);
      spec.commandLine().getOut().print(
          Files.readString(run.resolve(Configs.RESOLVED_FILE), StandardCharsets.UTF_8));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
