package org.wild3d.config;

import java.util.List;
import org.wild3d.Wild3dException;

/**
 * A config that cannot be used (exit code 3). Carries every error found in the file and its
 * overrides, so that one run shows all of them; the message lists them one per line.
 */
public class ConfigException extends Wild3dException {
  private final List<ConfigError> errors;

  public ConfigException(List<ConfigError> errors) {
    super(EXIT_CONFIG, describe(errors));
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("ConfigException needs at least one error");
    }
    this.errors = List.copyOf(errors);
  }

  /** A single error, e.g. a config file that does not exist. */
  public ConfigException(ConfigError error) {
    this(List.of(error));
  }

  /** Every error, in file order (parse errors first, then validation errors). */
  public List<ConfigError> errors() {
    return errors;
  }

  private static String describe(List<ConfigError> errors) {
    if (errors.size() == 1) {
      return "invalid config: " + errors.get(0).format();
    }
    StringBuilder s = new StringBuilder("invalid config (" + errors.size() + " errors):");
    for (ConfigError e : errors) {
      s.append("\n  ").append(e.format());
    }
    return s.toString();
  }
}
