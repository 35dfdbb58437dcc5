package org.wild3d.metrics.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Known answers for FID, KID and IS, copied from {@code /work/shared/reference/metric-vectors.md}
 * (computed there in float64 with numpy/scipy, cross-checked by two sqrtm methods to ~1e-13).
 * Each is reproduced to 1e-9 relative.
 */
class KnownAnswersTest {
  private static final double REL = 1e-9;

  private static void assertRel(double actual, double expected) {
    assertThat(actual).isCloseTo(expected, within(REL * Math.max(1, Math.abs(expected))));
  }

  @Test
  void fidIdenticalIsZero() {
    double[] mu = {1, 2};
    double[][] s = {{2, 1}, {1, 2}};
    assertThat(FrechetDistance.compute(mu, s, mu, s)).isCloseTo(0, within(1e-12));
  }

  @Test
  void fidDiagonalIsSeventeen() {
    double[][] s1 = {{1, 0, 0}, {0, 4, 0}, {0, 0, 9}};
    double[][] s2 = {{4, 0, 0}, {0, 1, 0}, {0, 0, 16}};
    assertRel(FrechetDistance.compute(new double[3], s1, new double[] {1, 2, 3}, s2), 17);
  }

  /** Not from the reference file: a singular Σ1 (Cholesky impossible); exact by hand, 14 + 26 − 8. */
  @Test
  void fidWithSingularCovarianceUsesTheSymmetricRoot() {
    double[][] s1 = {{1, 0, 0}, {0, 4, 0}, {0, 0, 0}};
    double[][] s2 = {{4, 0, 0}, {0, 1, 0}, {0, 0, 16}};
    assertRel(FrechetDistance.compute(new double[3], s1, new double[] {1, 2, 3}, s2), 32);
    assertRel(FrechetDistance.compute(new double[] {1, 2, 3}, s2, new double[3], s1), 32);
  }

  @Test
  void fidTwoByTwo() {
    double[][] s1 = {{2, 1}, {1, 2}};
    double[][] s2 = {{1, 0.5}, {0.5, 3}};
    assertRel(FrechetDistance.compute(new double[] {1, 2}, s1, new double[] {3, -1}, s2),
        13.320270148882049);
  }

  /** Σ1 = AAᵀ/d + 0.1·I with A_ij = sin(1+i·d+j); Σ2 the same with cos; μ1_i = sin i, μ2_i = cos i. */
  private static double fidTrig(int d) {
    double[][] a = new double[d][d];
    double[][] b = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        a[i][j] = Math.sin(1 + i * d + j);
        b[i][j] = Math.cos(1 + i * d + j);
      }
    }
    double[][] s1 = new double[d][d];
    double[][] s2 = new double[d][d];
    double[] mu1 = new double[d];
    double[] mu2 = new double[d];
    for (int i = 0; i < d; i++) {
      mu1[i] = Math.sin(i);
      mu2[i] = Math.cos(i);
      for (int j = 0; j < d; j++) {
        double sa = 0;
        double sb = 0;
        for (int k = 0; k < d; k++) {
          sa += a[i][k] * a[j][k];
          sb += b[i][k] * b[j][k];
        }
        s1[i][j] = sa / d + (i == j ? 0.1 : 0);
        s2[i][j] = sb / d + (i == j ? 0.1 : 0);
      }
    }
    return FrechetDistance.compute(mu1, s1, mu2, s2);
  }

  @Test
  void fidTrigonometricD8AndD64() {
    assertRel(fidTrig(8), 7.309474029186783);
    assertRel(fidTrig(64), 63.826302693022555);
  }

  /** n=200, d=16: X_ij = sin((i+1)(j+1)·0.731 + 0.113·j²). */
  static double[][] featuresX() {
    double[][] x = new double[200][16];
    for (int i = 0; i < 200; i++) {
      for (int j = 0; j < 16; j++) {
        x[i][j] = Math.sin((i + 1) * (j + 1) * 0.731 + 0.113 * j * j);
      }
    }
    return x;
  }

  /** n=200, d=16: Y_ij = 0.5·cos((i+1)(j+2)·0.517) + 0.2. */
  static double[][] featuresY() {
    double[][] y = new double[200][16];
    for (int i = 0; i < 200; i++) {
      for (int j = 0; j < 16; j++) {
        y[i][j] = 0.5 * Math.cos((i + 1) * (j + 2) * 0.517) + 0.2;
      }
    }
    return y;
  }

  @Test
  void fidFromFeaturesUsesUnbiasedCovarianceAndStreamsInAnyBatching() {
    FeatureStats sx = new FeatureStats(16, 0);
    FeatureStats sy = new FeatureStats(16, 0);
    double[][] x = featuresX();
    double[][] y = featuresY();
    // Uneven batches on one side, one batch on the other: the result must not depend on it.
    int[] cuts = {0, 1, 8, 57, 130, 200};
    for (int c = 0; c + 1 < cuts.length; c++) {
      sx.add(java.util.Arrays.copyOfRange(x, cuts[c], cuts[c + 1]));
    }
    sy.add(y);
    assertThat(sx.count()).isEqualTo(200);
    assertRel(FrechetDistance.compute(sx, sy), 2.6369581119436454);
  }

  @Test
  void mergedShardsEqualOneStreamAndSurviveSaveLoad(@TempDir Path dir) throws Exception {
    double[][] x = featuresX();
    FeatureStats whole = new FeatureStats(16, 0);
    whole.add(x);
    FeatureStats a = new FeatureStats(16, 5);
    FeatureStats b = new FeatureStats(16, 5);
    a.add(java.util.Arrays.copyOfRange(x, 0, 73));
    b.add(java.util.Arrays.copyOfRange(x, 73, 200));
    a.merge(b);
    Path f = dir.resolve("x.stats");
    a.save(f);
    FeatureStats loaded = FeatureStats.load(f);
    assertThat(loaded.count()).isEqualTo(200);
    assertThat(loaded.rawFeatures()).hasDimensions(5, 16);
    assertThat(loaded.rawFeatures()[4][3]).isEqualTo((float) x[4][3]);
    double[][] c1 = whole.covariance();
    double[][] c2 = loaded.covariance();
    for (int i = 0; i < 16; i++) {
      assertThat(loaded.mean()[i]).isCloseTo(whole.mean()[i], within(1e-14));
      for (int j = 0; j < 16; j++) {
        assertThat(c2[i][j]).isCloseTo(c1[i][j], within(1e-14));
      }
    }
    // The unbiased estimate against a direct two-pass computation.
    double m0 = 0;
    for (double[] r : x) {
      m0 += r[0] / 200;
    }
    double v0 = 0;
    for (double[] r : x) {
      v0 += (r[0] - m0) * (r[0] - m0) / 199;
    }
    assertThat(c1[0][0]).isCloseTo(v0, within(1e-14));
    assertThat(dir.toFile().list()).containsExactly("x.stats"); // no temporary left behind
  }

  @Test
  void kidKnownAnswers() {
    Estimate xy = Kid.compute(featuresX(), featuresY(), 1, 1000, 0);
    assertRel(xy.value(), 0.13123203402490535);
    Estimate xx = Kid.compute(featuresX(), featuresX(), 1, 1000, 0);
    assertRel(xx.value(), -0.02369516491028767);
  }

  @Test
  void kidSubsetsAreSeededAndAverageNearTheFullEstimate() {
    Estimate a = Kid.compute(featuresX(), featuresY(), 20, 100, 7);
    Estimate b = Kid.compute(featuresX(), featuresY(), 20, 100, 7);
    Estimate c = Kid.compute(featuresX(), featuresY(), 20, 100, 8);
    assertThat(a).isEqualTo(b);
    assertThat(c.value()).isNotEqualTo(a.value());
    assertThat(a.value()).isCloseTo(0.13123203402490535, within(0.03));
    assertThat(a.std()).isGreaterThan(0);
  }

  @Test
  void inceptionScoreKnownAnswers() {
    double[][] oneHot = new double[100][10];
    for (int i = 0; i < 100; i++) {
      oneHot[i][i % 10] = 1;
    }
    assertRel(InceptionScore.compute(oneHot, 1).value(), 10);
    double[][] same = new double[30][];
    for (int i = 0; i < 30; i++) {
      same[i] = new double[] {0.2, 0.5, 0.3};
    }
    assertRel(InceptionScore.compute(same, 3).value(), 1);
    double[][] p = new double[20][5];
    for (int i = 0; i < 20; i++) {
      double z = 0;
      for (int j = 0; j < 5; j++) {
        p[i][j] = Math.exp(3 * Math.sin(1 + 5 * i + j));
        z += p[i][j];
      }
      for (int j = 0; j < 5; j++) {
        p[i][j] /= z;
      }
    }
    assertRel(InceptionScore.compute(p, 1).value(), 2.2862249509368686);
  }
}
