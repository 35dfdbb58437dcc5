package org.wild3d.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.wild3d.config.ConfigLoader;
import org.wild3d.config.LoadedConfig;
import picocli.CommandLine.Option;

/**
 * Mixin for {@code --config FILE} and repeated {@code --override SNIPPET}: loads, merges and
 * validates the experiment through {@link ConfigLoader} (errors → exit 3).
 */
public final class ConfigOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Experiment config (protobuf text format, e.g. configs/shapes-64.pbtxt). "
          + "Default: the embedded " + ConfigLoader.DEFAULT_CONFIG + ".")
  Path config;

  @Option(
      names = "--override",
      paramLabel = "SNIPPET",
      description = "Text-format snippet merged on top of the config, e.g. "
          + "'train { batch_size: 16 }'. Repeatable; later wins; recorded in the resolved config.")
  List<String> overrides = new ArrayList<>();

  /** The {@code --config} file, or null for the embedded default. */
  public Path config() {
    return config;
  }

  /** The {@code --override} snippets in command-line order. */
  public List<String> overrides() {
    return List.copyOf(overrides);
  }

  /** Whether the user gave {@code --config} or any {@code --override}. */
  public boolean given() {
    return config != null || !overrides.isEmpty();
  }

  /**
   * Loads the config with its overrides.
   *
   * @throws org.wild3d.config.ConfigException listing every error (exit 3)
   */
  public LoadedConfig load() {
    return config == null
        ? ConfigLoader.loadDefault(overrides())
        : ConfigLoader.load(config, overrides());
  }
}
