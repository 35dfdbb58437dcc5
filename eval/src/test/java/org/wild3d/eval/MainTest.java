package org.wild3d.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.Version;
import org.wild3d.config.ConfigLoader;
import org.wild3d.config.Configs;
import org.wild3d.config.LoadedConfig;

class MainTest extends EvalCliTest {
  @TempDir Path dir;

  @Test
  void versionAndHelpExitZero() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).startsWith("wild3d-eval " + Version.get());
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("config", "Exit codes:");
    assertThat(run("config", "--help")).isZero();
    assertThat(out.toString()).contains("--run=RUN");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("expected a subcommand, found none (one of: config, metrics")
        .containsPattern("one of: [^)]*\\btable\\b")
        .containsPattern("one of: [^)]*\\brender\\b")
        .containsPattern("one of: [^)]*\\bmesh\\b")
        .containsPattern("one of: [^)]*\\bexport\\b");
    assertThat(run("config")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--run=RUN'");
    assertThat(run("--bogus")).isEqualTo(2);
  }

  @Test
  void configPrintsTheRunsResolvedConfig() throws Exception {
    LoadedConfig c = ConfigLoader.loadDefault(List.of("train { batch_size: 16 }"));
    Configs.writeRunConfigs(dir, c);
    assertThat(run("config", "--run", dir.toString())).isZero();
    assertThat(out.toString()).isEqualTo(Configs.resolvedText(c));
    assertThat(ConfigLoader.parse("out", out.toString())).isEqualTo(c.resolved());
  }

  @Test
  void configOfADirectoryWithoutOneExitsFourNamingTheFile() throws Exception {
    Files.writeString(dir.resolve(Configs.INPUT_FILE), "");
    assertThat(run("config", "--run", dir.toString())).isEqualTo(4);
    assertThat(err.toString()).startsWith("wild3d-eval: run directory " + dir)
        .contains(dir.resolve(Configs.RESOLVED_FILE).toString());
    assertThat(out.toString()).isEmpty();
  }
}
