package org.wild3d.config;

/**
 * One problem in an experiment config: the field it concerns and what is wrong with it.
 *
 * @param fieldPath dotted path from the root {@code Experiment}, e.g. {@code
 *     model.multiview.views}; {@code ""} for the file as a whole
 * @param message {@code expected <x>, found <y> (<how to fix>)}
 * @param source where the offending text came from (a file path or {@code --override #i '...'});
 *     {@code null} when not known (e.g. a default value)
 * @param line 1-based line in {@code source}; 0 when not known
 */
public record ConfigError(String fieldPath, String message, String source, int line) {

  /** An error not tied to a place in a file (e.g. a validation error on a default value). */
  public ConfigError(String fieldPath, String message) {
    this(fieldPath, message, null, 0);
  }

  /** This error, located at {@code line} of {@code source}. */
  public ConfigError at(String source, int line) {
    return new ConfigError(fieldPath, message, source, line);
  }

  /** {@code <source>:<line>: <field.path>: <message>}, leaving out the parts that are unknown. */
  public String format() {
    StringBuilder s = new StringBuilder();
    if (source != null) {
      s.append(source);
      if (line > 0) {
        s.append(':').append(line);
      }
      s.append(": ");
    }
    if (!fieldPath.isEmpty()) {
      s.append(fieldPath).append(": ");
    }
    return s.append(message).toString();
  }

  @Override
  public String toString() {
    return format();
  }
}
