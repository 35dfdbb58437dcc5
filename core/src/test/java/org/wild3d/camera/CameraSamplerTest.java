package org.wild3d.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.wild3d.config.CameraPrior;
import org.wild3d.config.CameraPriorSpec;

class CameraSamplerTest {

  @Test
  void wholeSphereIsAreaUniformAndEveryCameraLooksAtTheOrigin() {
    CameraPrior prior = CameraPrior.getDefaultInstance();
    Camera[] cams = new CameraSampler(CameraPriorSpec.from(prior), 42).sample(100_000);
    int[] octants = new int[8];
    double[] mean = new double[3];
    double radiusErr = 0;
    double lookErr = 0;
    double frameErr = 0;
    for (Camera c : cams) {
      double[] p = c.position();
      double r = Camera.norm(p);
      radiusErr = Math.max(radiusErr, Math.abs(r - 2.7));
      int o = (p[0] > 0 ? 1 : 0) + (p[1] > 0 ? 2 : 0) + (p[2] > 0 ? 4 : 0);
      octants[o]++;
      for (int i = 0; i < 3; i++) {
        mean[i] += p[i] / r / cams.length;
      }
      double[] fwd = c.axis(2);
      double look = -(fwd[0] * p[0] + fwd[1] * p[1] + fwd[2] * p[2]);
      lookErr = Math.max(lookErr, Math.abs(look - r));
      frameErr = Math.max(frameErr, CameraTest.rotationError(c));
    }
    assertThat(radiusErr).isLessThan(1e-5);
    assertThat(lookErr).isLessThan(1e-9);
    assertThat(frameErr).isLessThan(1e-9);
    CameraTest.assertRotation(cams[0], 1e-9);
    assertThat(cams[0].fovDegrees()).isCloseTo(13.37, within(1e-5));
    for (int o : octants) {
      assertThat(o / (double) cams.length).isCloseTo(0.125, within(0.01));
    }
    assertThat(Camera.norm(mean)).isLessThan(0.01);
  }

  @Test
  void restrictedRangesAreRespectedAndAreaUniform() {
    CameraPrior prior =
        CameraPrior.newBuilder()
            .setRadius(2f)
            .setAzimuthMinDeg(-90)
            .setAzimuthMaxDeg(90)
            .setPolarMinDeg(60)
            .setPolarMaxDeg(90)
            .build();
    Camera[] cams = new CameraSampler(CameraPriorSpec.from(prior), 1).sample(20_000);
    int lowerHalf = 0;
    for (Camera c : cams) {
      double[] p = c.position();
      double cos = p[1] / 2;
      assertThat(cos).isBetween(-1e-6, 0.5 + 1e-6);
      assertThat(p[2]).isGreaterThanOrEqualTo(-1e-6); // azimuth in [-90, 90]: z >= 0
      if (cos < 0.25) {
        lowerHalf++;
      }
    }
    // cos(phi) uniform in [0, 0.5]: half of the cameras below cos = 0.25
    assertThat(lowerHalf / (double) cams.length).isCloseTo(0.5, within(0.015));
  }

  @Test
  void sameSeedSameCamerasDifferentSeedDifferent() {
    CameraPrior prior = CameraPrior.getDefaultInstance();
    assertThat(new CameraSampler(CameraPriorSpec.from(prior), 5).sample(10))
        .containsExactly(new CameraSampler(CameraPriorSpec.from(prior), 5).sample(10));
    assertThat(new CameraSampler(CameraPriorSpec.from(prior), 5).sample(3)[0])
        .isNotEqualTo(new CameraSampler(CameraPriorSpec.from(prior), 6).sample(3)[0]);
  }

  @Test
  void orbitIsARingAtOnePolarAngle() {
    Camera[] ring = CameraSampler.orbit(CameraPriorSpec.from(CameraPrior.getDefaultInstance()), 8, Math.PI / 3);
    assertThat(ring).hasSize(8);
    for (int k = 0; k < 8; k++) {
      double[] p = ring[k].position();
      assertThat(p[1]).isCloseTo(2.7 * Math.cos(Math.PI / 3), within(1e-5));
      double az = 2 * Math.PI * k / 8;
      double rs = 2.7 * Math.sin(Math.PI / 3);
      assertThat(p[0]).isCloseTo(rs * Math.sin(az), within(1e-5));
      assertThat(p[2]).isCloseTo(rs * Math.cos(az), within(1e-5));
    }
  }
}
