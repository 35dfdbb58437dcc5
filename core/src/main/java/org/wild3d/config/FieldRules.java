package org.wild3d.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The checker behind every spec constructor: each rule names the config field it is about and
 * says {@code expected <x>, found <y> (<how to fix>)}; failures are collected (at most one per
 * field, the first) and thrown together by {@link #throwIfFailed} as a {@link ConfigException}
 * (exit code 3). {@link ConfigValidator} runs the same constructors, so a rule is written once.
 *
 * <p>Composite specs gather the failures of their parts with {@link #attempt}.
 */
public final class FieldRules {
  private final Map<String, ConfigError> errors = new LinkedHashMap<>();

  /** Records {@code expected <expected>, found <found> (<fix>)} at {@code path} unless {@code ok}. */
  public boolean check(boolean ok, String path, String expected, Object found, String fix) {
    if (!ok && !errors.containsKey(path)) {
      errors.put(path, new ConfigError(path,
          "expected " + expected + ", found " + format(found) + " (" + fix + ")"));
    }
    return ok;
  }

  /** {@code value >= min}. */
  public boolean atLeast(String path, long value, long min, String hint) {
    return check(value >= min, path, "a value >= " + min, value, hint);
  }

  /** {@code value >= min}; NaN fails. */
  public boolean atLeast(String path, double value, double min, String hint) {
    return check(value >= min, path, "a value >= " + format(min), value, hint);
  }

  /** {@code value > 0}; NaN fails. */
  public boolean positive(String path, double value, String hint) {
    return check(value > 0, path, "a value > 0", value, hint);
  }

  /** A power of two {@code >= min}. */
  public boolean powerOfTwo(String path, int value, int min, String hint) {
    return check(value >= min && isPowerOfTwo(value), path, "a power of two >= " + min, value,
        hint);
  }

  /**
   * Runs {@code build} (a spec constructor or {@code from}) and keeps the errors of its {@link
   * ConfigException}, the first per field; null when it failed.
   */
  public <T> T attempt(Supplier<T> build) {
    try {
      return build.get();
    } catch (ConfigException e) {
      for (ConfigError err : e.errors()) {
        errors.putIfAbsent(err.fieldPath(), err);
      }
      return null;
    }
  }

  /** Whether nothing failed so far. */
  public boolean ok() {
    return errors.isEmpty();
  }

  /** The failures so far, in the order found. */
  public List<ConfigError> errors() {
    return new ArrayList<>(errors.values());
  }

  /** Throws every failure so far as one {@link ConfigException}, if there is any. */
  public void throwIfFailed() {
    if (!errors.isEmpty()) {
      throw new ConfigException(errors());
    }
  }

  public static boolean isPowerOfTwo(int v) {
    return v > 0 && (v & (v - 1)) == 0;
  }

  /** Numbers as a user wrote them: {@code 3}, {@code 0.5}, {@code NaN}; floats without noise. */
  static String format(Object found) {
    if (found instanceof Double || found instanceof Float) {
      double v = ((Number) found).doubleValue();
      if (v == Math.rint(v) && Math.abs(v) < 1e15) {
        return String.valueOf((long) v);
      }
      return String.valueOf((float) v).equals(String.valueOf(v)) ? String.valueOf(v)
          : String.valueOf((float) v);
    }
    return String.valueOf(found);
  }
}
