package org.wild3d.scale;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * How a global batch of {@code n} samples is cut into {@code towers} equal parts so that every
 * tower computes exactly what one device computes on the whole batch.
 *
 * <p>The one coupling between samples is StyleGAN's minibatch standard deviation: with group
 * size {@code G}, sample {@code i} of a batch of {@code n} belongs to group {@code i mod (n/G)}
 * ({@link org.wild3d.disc.MinibatchStd}). A tower of {@code b = n/towers} samples forms its own
 * groups the same way, so tower {@code t}'s local sample {@code l = g·(b/G) + j} must be global
 * sample {@code t·(b/G) + j + g·(n/G)}: then each tower holds {@code b/G} whole global groups in
 * the order its own minibatch-std expects. With one tower the order is the identity.
 *
 * <p>The same split serves every batch that feeds the discriminator: scenes (the fakes of scene
 * {@code s} are its {@code V} views, and a fake's group is its scene's group and view, so splitting
 * scenes keeps fake groups whole), per-view reals (images) and stacked reals (groups of {@code V}).
 *
 * @param n samples in the global batch
 * @param towers parts (towers × workers), each {@code n / towers} samples
 * @param group minibatch-std group size; 0 = no coupling (contiguous parts)
 */
public record TowerSplit(int n, int towers, int group) {
  public TowerSplit {
    checkArgument(towers >= 1, "towers: expected >= 1, found %s", towers);
    checkArgument(n % towers == 0, "batch: expected a multiple of the %s towers, found %s", towers, n);
    checkArgument(group >= 0, "minibatch-std group: expected >= 0, found %s", group);
    checkArgument(group == 0 || (n / towers) % group == 0,
        "batch per tower: expected a multiple of the minibatch-std group size %s, found %s",
        group, n / towers);
  }

  /** Samples per tower. */
  public int perTower() {
    return n / towers;
  }

  /** Global index of tower {@code t}'s local sample {@code l}. */
  public int global(int t, int l) {
    int b = perTower();
    checkArgument(t >= 0 && t < towers && l >= 0 && l < b, "tower %s sample %s out of range", t, l);
    if (group == 0) {
      return t * b + l;
    }
    int perTowerGroups = b / group; // groups of this tower
    int stride = n / group; // groups of the whole batch
    int g = l / perTowerGroups;
    int j = l % perTowerGroups;
    return t * perTowerGroups + j + g * stride;
  }

  /** Tower {@code t}'s samples as global indices, in the tower's local order. */
  public int[] rows(int t) {
    int[] r = new int[perTower()];
    for (int l = 0; l < r.length; l++) {
      r[l] = global(t, l);
    }
    return r;
  }

  /** Global indices in tower-major order: {@code order()[t·b + l] = global(t, l)}. */
  public int[] order() {
    int b = perTower();
    int[] o = new int[n];
    for (int t = 0; t < towers; t++) {
      for (int l = 0; l < b; l++) {
        o[t * b + l] = global(t, l);
      }
    }
    return o;
  }

  /**
   * Rows of tower {@code t} when every sample has {@code k} consecutive rows (e.g. {@code k = V}
   * views per scene): row {@code s·k + v} of the global tensor for each of the tower's samples
   * {@code s}, views in order.
   */
  public int[] rows(int t, int k) {
    int[] s = rows(t);
    int[] r = new int[s.length * k];
    for (int i = 0; i < s.length; i++) {
      for (int v = 0; v < k; v++) {
        r[i * k + v] = s[i] * k + v;
      }
    }
    return r;
  }
}
