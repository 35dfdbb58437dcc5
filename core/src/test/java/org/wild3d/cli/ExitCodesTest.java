package org.wild3d.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.DataException;
import org.wild3d.Version;
import org.wild3d.Wild3dException;
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
        case "no-message" -> throw new NullPointerException();
        case "wrapped" -> throw new RuntimeException(new NoSuchFileException("/no/such/file.png"));
        case "io" -> throw new UncheckedIOException("writing checkpoint runs/1/step-000000004",
            new AccessDeniedException("runs/1/.tmp-step-000000004"));
        case "utf8" -> throw new UncheckedIOException(new MalformedInputException(3));
        case "oom" -> throw new OutOfMemoryError("Java heap space");
        case "stopped" -> throw new Wild3dException(Wild3dException.EXIT_INTERRUPTED,
            "stopped by SIGTERM at step 4 (0.016 kimg): checkpoint step-000000004 written");
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
    return Cli.execute(cl, args);
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
    assertThat(err.toString()).isEqualTo("tool: index went negative (run with --verbose or "
        + "WILD3D_DEBUG=1 for the stack trace)\n");
    err.getBuffer().setLength(0);
    assertThat(run(new Tool(), "--fail", "bug", "--verbose")).isEqualTo(1);
    // The class name only in the stack trace that --verbose asks for.
    assertThat(err.toString()).startsWith("tool: index went negative\n"
        + "java.lang.IllegalStateException: index went negative\n")
        .contains("\tat org.wild3d.cli.ExitCodesTest$Tool.call");
  }

  /** Every error line starts with the executable's name, says what failed in words, no class. */
  @Test
  void unexpectedFailuresAreDescribedInWordsWithoutJavaClassNames() {
    String hint = " (run with --verbose or WILD3D_DEBUG=1 for the stack trace)\n";
    String[][] cases = {
      {"no-message", "tool: an internal error without a message"},
      {"wrapped", "tool: no such file or directory: /no/such/file.png"},
      {"io", "tool: writing checkpoint runs/1/step-000000004: permission denied:"
          + " runs/1/.tmp-step-000000004"},
      {"utf8", "tool: not UTF-8 text (a malformed sequence of 3 bytes)"},
      {"oom", "tool: out of Java heap memory (Java heap space); give the JVM more"
          + " (WILD3D_JAVA_OPTS=-Xmx16g) or lower the batch size"},
    };
    for (String[] c : cases) {
      err.getBuffer().setLength(0);
      assertThat(run(new Tool(), "--fail", c[0])).as(c[0]).isEqualTo(1);
      assertThat(err.toString()).as(c[0]).isEqualTo(c[1] + hint)
          .doesNotContainPattern("[a-z]+\\.[a-z]+\\.[A-Z]\\w*(Exception|Error)")
          .doesNotContain("error:");
    }
  }

  @Test
  void aStoppedRunGivesFiveWithItsLineAndNoStackTraceEvenWhenVerbose() {
    assertThat(run(new Tool(), "--fail", "stopped", "--verbose")).isEqualTo(5);
    assertThat(err.toString()).isEqualTo(
        "tool: stopped by SIGTERM at step 4 (0.016 kimg): checkpoint step-000000004 written\n");
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
