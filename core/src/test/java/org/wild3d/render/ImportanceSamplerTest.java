package org.wild3d.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImportanceSamplerTest {
  static final int S = 16; // coarse samples: 15 bins
  static final float NEAR = 2f;
  static final float FAR = 3.6f;

  static float[] coarseDepths() {
    float[] t = new float[S];
    for (int k = 0; k < S; k++) {
      t[k] = NEAR + k * (FAR - NEAR) / (S - 1);
    }
    return t;
  }

  /** Samples `count` depths on 3 identical rays with all weight in bin `heavy`. */
  static float[] sampleOneHeavyBin(int heavy, int count, float eps, boolean smooth, long[] seed) {
    float[] t = coarseDepths();
    float[] depths = new float[3 * S];
    float[] w = new float[3 * (S - 1)];
    for (int i = 0; i < 3; i++) {
      System.arraycopy(t, 0, depths, i * S, S);
      w[i * (S - 1) + heavy] = 0.8f;
    }
    return TfTesting.evaluate(
            tf ->
                List.of(
                    ImportanceSampler.sample(
                        tf,
                        RayMarcherTest.constant(tf, depths, 1, 3, S, 1),
                        RayMarcherTest.constant(tf, w, 1, 3, S - 1, 1),
                        count,
                        eps,
                        smooth,
                        seed == null ? null : org.wild3d.tf.Seed.of(tf.constant(seed)))))
        .get(0);
  }

  static double shareIn(float[] samples, int bin) {
    float[] t = coarseDepths();
    int in = 0;
    for (float x : samples) {
      assertThat(x).isBetween(NEAR, FAR);
      if (x >= t[bin] && x <= t[bin + 1]) {
        in++;
      }
    }
    return in / (double) samples.length;
  }

  @Test
  void deterministicSamplesPutTheExpectedShareInTheHeavyBin() {
    float eps = ImportanceSampler.DEFAULT_EPSILON;
    int count = 64;
    float[] out = sampleOneHeavyBin(6, count, eps, false, null);
    double expected = (0.8 + eps) / (0.8 + (S - 1) * eps);
    assertThat(shareIn(out, 6)).isCloseTo(expected, within(1.0 / count + 1e-9));
    // the regular u grid makes every ray identical and the samples sorted
    for (int j = 1; j < count; j++) {
      assertThat(out[j]).isGreaterThanOrEqualTo(out[j - 1]);
      assertThat(out[count + j]).isEqualTo(out[j]);
    }
    // inside the heavy bin the samples are evenly spread (uniform pdf within a bin)
    float[] t = coarseDepths();
    float width = t[7] - t[6];
    int first = -1;
    for (int j = 0; j < count; j++) {
      if (out[j] > t[6] && first < 0) {
        first = j;
      }
    }
    float step = out[first + 1] - out[first];
    double expectedStep = width / (count * (0.8 + eps) / (0.8 + (S - 1) * eps));
    assertThat((double) step).isCloseTo(expectedStep, within(1e-5));
  }

  @Test
  void smoothingSpreadsHalfTheWeightToEachNeighbour() {
    float eps = ImportanceSampler.DEFAULT_EPSILON;
    int count = 200;
    float[] out = sampleOneHeavyBin(6, count, eps, true, null);
    double total = 1.6 + (S - 1) * eps; // smoothed weights 0.4, 0.8, 0.4 around bin 6
    double tol = 1.0 / count + 1e-9;
    assertThat(shareIn(out, 6)).isCloseTo((0.8 + eps) / total, within(tol));
    assertThat(shareIn(out, 5)).isCloseTo((0.4 + eps) / total, within(tol));
    assertThat(shareIn(out, 7)).isCloseTo((0.4 + eps) / total, within(tol));
    assertThat(shareIn(out, 0)).isCloseTo(eps / total, within(tol));
  }

  @Test
  void randomSamplesFollowThePdfAndDependOnTheSeed() {
    float eps = 0.05f;
    int count = 2000;
    float[] a = sampleOneHeavyBin(3, count, eps, false, new long[] {1, 2});
    float[] b = sampleOneHeavyBin(3, count, eps, false, new long[] {1, 3});
    float[] a2 = sampleOneHeavyBin(3, count, eps, false, new long[] {1, 2});
    double expected = (0.8 + eps) / (0.8 + (S - 1) * eps);
    assertThat(shareIn(a, 3)).isCloseTo(expected, within(0.03));
    assertThat(a).containsExactly(a2);
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void mergeSortsByDepthAndCarriesValuesAlong() {
    float[] da = {1f, 3f, 5f};
    float[] db = {2f, 4f};
    List<float[]> out =
        TfTesting.evaluate(
            tf -> {
              var m =
                  ImportanceSampler.merge(
                      tf,
                      RayMarcherTest.constant(tf, da, 1, 1, 3, 1),
                      RayMarcherTest.constant(tf, new float[] {10, 30, 50}, 1, 1, 3, 1),
                      RayMarcherTest.constant(tf, new float[] {-1, -3, -5}, 1, 1, 3, 1),
                      RayMarcherTest.constant(tf, db, 1, 1, 2, 1),
                      RayMarcherTest.constant(tf, new float[] {20, 40}, 1, 1, 2, 1),
                      RayMarcherTest.constant(tf, new float[] {-2, -4}, 1, 1, 2, 1));
              return List.of(m.depths(), m.sigma(), m.features());
            });
    assertThat(out.get(0)).containsExactly(1, 2, 3, 4, 5);
    assertThat(out.get(1)).containsExactly(10, 20, 30, 40, 50);
    assertThat(out.get(2)).containsExactly(-1, -2, -3, -4, -5);
  }

  @Test
  void stratifiedDepthsAreBinCentresOrJitteredInsideTheirBins() {
    int s = 8;
    List<float[]> out =
        TfTesting.evaluate(
            tf -> {
              var likeStatic = tf.constant(new float[2][5][3]);
              return List.of(
                  RaySamples.stratified(tf, likeStatic, s, 2f, 4f, null),
                  RaySamples.stratified(tf, likeStatic, s, 2f, 4f, org.wild3d.tf.Seed.of(tf.constant(new long[] {7, 7}))));
            });
    float bin = 2f / s;
    float[] centres = out.get(0);
    float[] jittered = out.get(1);
    assertThat(centres).hasSize(2 * 5 * s);
    for (int i = 0; i < centres.length; i++) {
      int k = i % s;
      assertThat(centres[i]).isCloseTo(2f + (k + 0.5f) * bin, within(1e-6f));
      assertThat(jittered[i]).isBetween(2f + k * bin, 2f + (k + 1) * bin);
    }
    assertThat(jittered[0]).isNotEqualTo(jittered[s]); // rays are jittered independently
  }
}
