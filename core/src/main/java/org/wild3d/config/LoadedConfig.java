package org.wild3d.config;

import java.util.List;

/**
 * A config as loaded for a run.
 *
 * @param source where it came from: a file path, or {@code <embedded shapes-tiny>}
 * @param text the config text exactly as given (comments included)
 * @param overrides the {@code --override} snippets applied on top, in order
 * @param input the parsed text with the overrides merged, without defaults filled in
 * @param resolved {@link Configs#resolved} of {@code input}, with an empty name replaced by the
 *     source's file name; validated
 */
public record LoadedConfig(
    String source, String text, List<String> overrides, Experiment input, Experiment resolved) {

  public LoadedConfig {
    overrides = List.copyOf(overrides);
  }

  /** {@link Configs#hash} of the resolved config, for checkpoint manifests. */
  public String hash() {
    return Configs.hash(resolved);
  }
}
