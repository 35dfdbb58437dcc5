package org.wild3d.scale;

import java.util.regex.Pattern;

/**
 * The naming convention of data-parallel towers: tower 0 builds under the names a single-device
 * graph has (so its variables and checkpoints are exactly those of one device), tower {@code k ≥ 1}
 * under {@code tower<k>/} (forward ops) and {@code tower<k>_grad...} (its gradients). Names with
 * the prefix stripped identify the same variable, noise stream or layer in every tower.
 */
public final class Towers {
  private static final Pattern PREFIX = Pattern.compile("^tower[1-9][0-9]*(/|_grad[^/]*/)");

  private Towers() {}

  /** The name scope of tower {@code k}: "" for tower 0, {@code tower<k>} otherwise. */
  public static String prefix(int k) {
    return k == 0 ? "" : "tower" + k;
  }

  /** {@code name} without its tower prefix (the name tower 0 gives the same thing). */
  public static String unprefixed(String name) {
    return PREFIX.matcher(name).replaceFirst("");
  }
}
