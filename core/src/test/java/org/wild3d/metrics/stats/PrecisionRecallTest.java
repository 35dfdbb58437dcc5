package org.wild3d.metrics.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Improved precision/recall against a brute-force plain-Java computation on 2-D points. */
class PrecisionRecallTest {
  private static float[][] points(int n, double dx, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[][] p = new float[n][2];
    for (float[] row : p) {
      row[0] = (float) (rng.nextDouble() + dx);
      row[1] = (float) rng.nextDouble();
    }
    return p;
  }

  private static double d2(float[] a, float[] b) {
    double x = (double) a[0] - b[0];
    double y = (double) a[1] - b[1];
    return x * x + y * y;
  }

  /** Fraction of probe points within the k-NN ball of some manifold point. */
  private static double bruteCoverage(float[][] probe, float[][] manifold, int k) {
    double[] radius = new double[manifold.length];
    for (int i = 0; i < manifold.length; i++) {
      double[] ds = new double[manifold.length];
      for (int j = 0; j < manifold.length; j++) {
        ds[j] = d2(manifold[i], manifold[j]);
      }
      Arrays.sort(ds);
      radius[i] = ds[k]; // ds[0] is the point itself
    }
    int hits = 0;
    for (float[] p : probe) {
      for (int i = 0; i < manifold.length; i++) {
        if (d2(p, manifold[i]) <= radius[i]) {
          hits++;
          break;
        }
      }
    }
    return (double) hits / probe.length;
  }

  @Test
  void matchesBruteForceAndIsPerfectForIdenticalSets() {
    float[][] real = points(1500, 0, 1); // more than one 1024-row chunk
    float[][] gen = points(700, 0.6, 2);
    PrecisionRecall.Result2 pr = PrecisionRecall.compute(real, gen, 3);
    assertThat(pr.precision()).isEqualTo(bruteCoverage(gen, real, 3));
    assertThat(pr.recall()).isEqualTo(bruteCoverage(real, gen, 3));
    assertThat(pr.precision()).isBetween(0.3, 0.6); // 40% overlap of the two squares
    PrecisionRecall.Result2 same = PrecisionRecall.compute(real, real, 3);
    assertThat(same.precision()).isEqualTo(1.0);
    assertThat(same.recall()).isEqualTo(1.0);
  }
}
