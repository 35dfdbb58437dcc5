package org.wild3d.config;

import java.util.List;
import java.util.Locale;

/**
 * The "did you mean" of unknown names in configs and table specs: the known name closest to a
 * misspelt one, if it is close enough to be the one meant.
 */
public final class DidYouMean {
  private DidYouMean() {}

  /**
   * The name of {@code known} nearest to {@code name} (case-insensitive edit distance, adjacent
   * swaps counting one), or null when none is within 1 edit for names of up to 3 characters, else
   * within {@code min(3, max(2, length / 3))}.
   */
  public static String closest(String name, List<String> known) {
    String best = null;
    int bestDist = Integer.MAX_VALUE;
    for (String k : known) {
      int d = editDistance(name.toLowerCase(Locale.ROOT), k);
      if (d < bestDist) {
        bestDist = d;
        best = k;
      }
    }
    int allowed = name.length() <= 3 ? 1 : Math.min(3, Math.max(2, name.length() / 3));
    return best != null && bestDist <= allowed ? best : null;
  }

  /** Edit distance counting insertions, deletions, substitutions and adjacent swaps as one. */
  static int editDistance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      for (int j = 0; j <= b.length(); j++) {
        if (i == 0 || j == 0) {
          d[i][j] = i + j;
          continue;
        }
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
