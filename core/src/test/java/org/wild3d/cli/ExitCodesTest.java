package org.wild3d.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.DataException;
import org.wild3d.Version;
import org.wild3d.config.LoadedConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

class ExitCodesTest {

  @Command(name = "tool", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class)
  static final class Tool implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ConfigOptions config;
    @Mixin Verbosity verbosity;

    @Option(names = "--fail")
    String fail;

    LoadedConfig loaded;

    @Override
    public Integer call() {
      switch (fail == null ? "" : fail) {
        case "data" -> throw new DataException("data.zip: expected PNGs, found JPEGs (convert)");
        case "bug" -> throw new IllegalStateException("index went negative");
        case "usage" -> throw new CommandLine.ParameterException(spec.commandLine(),
            "--fail: expected something else");
        default -> {}
      }
      loaded = config.load();
      spec.commandLine().getOut().println("loaded " + loaded.resolved().getName());
      return 0;
    }
  }

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(Tool tool, String... args) {
    CommandLine cl = Cli.commandLine(tool);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void wild3dExceptionGivesItsExitCodeAndMessage() {
    assertThat(run(new Tool(), "--fail", "data")).isEqualTo(4);
    assertThat(err.toString())
        .isEqualTo("tool: data.zip: expected PNGs, found JPEGs (convert)\n");
  }

  @Test
  void unexpectedExceptionGivesOneWithoutStackTraceUnlessVerbose() {
    assertThat(run(new Tool(), "--fail", "bug")).isEqualTo(1);
    assertThat(err.toString()).contains("tool: error: java.lang.IllegalStateException: index "
        + "went negative").contains("--verbose").doesNotContain("\tat ");
    err.getBuffer().setLength(0);
    assertThat(run(new Tool(), "--fail", "bug", "--verbose")).isEqualTo(1);
    assertThat(err.toString()).contains("\tat org.wild3d.cli.ExitCodesTest$Tool.call");
  }

  @Test
  void usageErrorsGiveTwo() {
    assertThat(run(new Tool(), "--no-such-option")).isEqualTo(2);
    assertThat(err.toString()).contains("Unknown option: '--no-such-option'")
        .contains("Try 'tool --help' for usage.");
    assertThat(run(new Tool(), "--fail", "usage")).isEqualTo(2);
    assertThat(run(new Tool(), "--config")).isEqualTo(2);
  }

  @Test
  void versionAndHelpGiveZero() {
    assertThat(run(new Tool(), "--version")).isZero();
    assertThat(out.toString()).startsWith("tool " + Version.get() + "\nJava ");
    assertThat(run(new Tool(), "--help")).isZero();
    assertThat(out.toString()).contains("--config=FILE").contains("--override=SNIPPET");
  }

  @Test
  void configMixinLoadsDefaultOrFileWithOverrides(@TempDir Path dir) throws Exception {
    Tool tool = new Tool();
    assertThat(run(tool, "--override", "train { batch_size: 16 }")).isZero();
    assertThat(out.toString()).isEqualTo("loaded shapes-tiny\n");
    assertThat(tool.loaded.resolved().getTrain().getBatchSize()).isEqualTo(16);

    Path f = dir.resolve("bad.pbtxt");
    Files.writeString(f, "model { num_classes: 0 }\n");
    assertThat(run(new Tool(), "--config", f.toString())).isEqualTo(3);
    assertThat(err.toString()).contains(f + ":1: model.num_classes: expected a value >= 1");
  }
}
