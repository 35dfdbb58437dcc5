package org.wild3d.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.wild3d.camera.Camera;

class SphereViewsTest {
  private static double polarDeg(Camera c) {
    double[] p = c.position();
    double r = Math.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
    return Math.toDegrees(Math.acos(p[1] / r));
  }

  private static double dot(double[] a, double[] b) {
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  }

  @Test
  void orbitCoversTheWholeSphereIncludingThePolesAndMovesSmoothly() {
    int frames = 24;
    Camera[] o = SphereViews.orbit(3, frames, 2.7, 12);
    assertThat(o).hasSize(4 * frames);
    for (int r = 0; r < 3; r++) { // rings at 45°, 90°, 135°
      for (int f = 0; f < frames; f++) {
        assertThat(polarDeg(o[r * frames + f])).isCloseTo(45.0 * (r + 1), within(1e-6));
      }
    }
    double minPolar = 180;
    double maxPolar = 0;
    for (int i = 0; i < o.length; i++) {
      Camera c = o[i];
      double[] p = c.position();
      assertThat(Math.sqrt(dot(p, p))).isCloseTo(2.7, within(1e-9));
      double[] fwd = c.axis(2);
      assertThat(dot(fwd, p)).as("camera %s looks at the origin", i).isCloseTo(-2.7, within(1e-9));
      minPolar = Math.min(minPolar, polarDeg(c));
      maxPolar = Math.max(maxPolar, polarDeg(c));
      if (i >= 3 * frames && i + 1 < o.length) {
        // Over the poles the image's down axis turns with the camera: no flip between frames.
        assertThat(dot(c.axis(1), o[i + 1].axis(1))).as("frame %s → %s", i, i + 1)
            .isGreaterThan(Math.cos(Math.toRadians(360.0 / frames)) - 1e-9);
      }
    }
    assertThat(minPolar).isLessThan(1e-6);
    assertThat(maxPolar).isGreaterThan(180 - 1e-6);
    // The loop over the poles starts where the rings start (azimuth 0 at the equator).
    assertThat(o[3 * frames].position()[2]).isCloseTo(2.7, within(1e-9));
    assertThat(o[3 * frames].axis(1)[1]).as("image down = world −y at the start")
        .isCloseTo(-1, within(1e-9));
  }

  @Test
  void spreadViewsAreAreaUniformInPolarAngle() {
    Camera[] v = SphereViews.spread(8, 2, 12);
    assertThat(v).hasSize(8);
    for (int i = 0; i < 8; i++) {
      double[] p = v[i].position();
      assertThat(p[1] / 2).isCloseTo(1 - 2 * (i + 0.5) / 8, within(1e-9));
    }
  }

  @Test
  void seedListsParseRangesAndLatentsAreDeterministic() {
    var cl = new picocli.CommandLine(new Main());
    assertThat(SceneOptions.parseList(cl, "--seeds", "0-3,7, 2", Long.MAX_VALUE))
        .containsExactly(0L, 1L, 2L, 3L, 7L);
    assertThat(SceneOptions.latent(5, 16)).containsExactly(SceneOptions.latent(5, 16))
        .isNotEqualTo(SceneOptions.latent(6, 16));
    float[] z = SceneOptions.latent(1, 20000);
    double m = 0;
    double s = 0;
    for (float x : z) {
      m += x / 20000.0;
      s += x * x / 20000.0;
    }
    assertThat(m).isCloseTo(0, within(0.03));
    assertThat(s).isCloseTo(1, within(0.04));
  }
}
