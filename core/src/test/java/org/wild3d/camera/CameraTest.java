package org.wild3d.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CameraTest {
  static final double EPS = 1e-12;

  /** Asserts the rotation is orthonormal with determinant +1. */
  static void assertRotation(Camera c, double tol) {
    double[][] a = {c.axis(0), c.axis(1), c.axis(2)};
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        double dot = a[i][0] * a[j][0] + a[i][1] * a[j][1] + a[i][2] * a[j][2];
        assertThat(dot).isCloseTo(i == j ? 1 : 0, within(tol));
      }
    }
    double[] x = Camera.cross(a[0], a[1]); // right × down = forward
    assertThat(x).containsExactly(a[2], within(tol));
    assertThat(c.at(3, 0)).isZero();
    assertThat(c.at(3, 1)).isZero();
    assertThat(c.at(3, 2)).isZero();
    assertThat(c.at(3, 3)).isEqualTo(1.0);
  }

  /**
   * Largest deviation of the rotation from an orthonormal right-handed frame (entries of RᵀR − I
   * and of right × down − forward) and of the last row from (0, 0, 0, 1).
   */
  static double rotationError(Camera c) {
    double[][] a = {c.axis(0), c.axis(1), c.axis(2)};
    double err = 0;
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        double dot = a[i][0] * a[j][0] + a[i][1] * a[j][1] + a[i][2] * a[j][2];
        err = Math.max(err, Math.abs(dot - (i == j ? 1 : 0)));
      }
    }
    double[] x = Camera.cross(a[0], a[1]);
    for (int i = 0; i < 3; i++) {
      err = Math.max(err, Math.abs(x[i] - a[2][i]));
      err = Math.max(err, Math.abs(c.at(3, i)));
    }
    return Math.max(err, Math.abs(c.at(3, 3) - 1));
  }

  @Test
  void rotationErrorDetectsAReflection() {
    double[] m = Camera.fromSpherical(0.3, 1, 2, 20).cam2world();
    for (int r = 0; r < 3; r++) {
      m[4 * r] = -m[4 * r]; // flip the right axis: det -1
    }
    assertThat(rotationError(new Camera(m, 20))).isGreaterThan(1);
  }

  @Test
  void cameraOnPlusZLooksDownMinusZWithImageDownAlongMinusY() {
    Camera c = Camera.fromSpherical(0, Math.PI / 2, 2.7, 30);
    assertThat(c.position()).containsExactly(new double[] {0, 0, 2.7}, within(EPS));
    assertThat(c.axis(0)).containsExactly(new double[] {1, 0, 0}, within(EPS)); // right
    assertThat(c.axis(1)).containsExactly(new double[] {0, -1, 0}, within(EPS)); // down
    assertThat(c.axis(2)).containsExactly(new double[] {0, 0, -1}, within(EPS)); // forward
    assertRotation(c, EPS);
  }

  @Test
  void sphericalAnglesFollowTheConvention() {
    // theta from +z towards +x, phi from +y
    assertThat(Camera.fromSpherical(Math.PI / 2, Math.PI / 2, 2, 20).position())
        .containsExactly(new double[] {2, 0, 0}, within(EPS));
    assertThat(Camera.fromSpherical(0, Math.PI / 4, 2, 20).position())
        .containsExactly(new double[] {0, Math.sqrt(2), Math.sqrt(2)}, within(EPS));
    Camera c = Camera.fromSpherical(Math.PI / 2, Math.PI / 2, 2, 20);
    assertThat(c.axis(2)).containsExactly(new double[] {-1, 0, 0}, within(EPS));
    assertThat(c.axis(1)).containsExactly(new double[] {0, -1, 0}, within(EPS));
  }

  @Test
  void polesFallBackToPlusZUpAndStayRightHanded() {
    Camera top = Camera.fromSpherical(0.3, 0, 2.7, 20);
    assertThat(top.position()).containsExactly(new double[] {0, 2.7, 0}, within(1e-12));
    assertThat(top.axis(2)).containsExactly(new double[] {0, -1, 0}, within(EPS));
    assertThat(top.axis(0)).containsExactly(new double[] {-1, 0, 0}, within(EPS));
    assertRotation(top, EPS);
    Camera bottom = Camera.fromSpherical(0, Math.PI, 2.7, 20);
    assertThat(bottom.axis(2)).containsExactly(new double[] {0, 1, 0}, within(1e-12));
    assertRotation(bottom, 1e-12);
  }

  @Test
  void intrinsicsAreNormalised() {
    double[][] k = Camera.fromSpherical(0, 1, 2, 90).intrinsics();
    assertThat(k[0]).containsExactly(new double[] {0.5, 0, 0.5}, within(EPS));
    assertThat(k[1]).containsExactly(new double[] {0, 0.5, 0.5}, within(EPS));
    assertThat(k[2]).containsExactly(0, 0, 1);
    // EG3D's normalised focal 4.2647 is a 13.37 degree field of view
    assertThat(Camera.fromSpherical(0, 1, 2, 13.37).focal()).isCloseTo(4.2647, within(2e-3));
  }

  @Test
  void projectsKnownPoints() {
    Camera c = Camera.fromSpherical(0, Math.PI / 2, 2.7, 60);
    double f = 0.5 / Math.tan(Math.toRadians(30));
    assertThat(c.project(new double[] {0, 0, 0}))
        .containsExactly(new double[] {0.5, 0.5}, within(EPS));
    // world +x is image right, world +y is image up (smaller v)
    assertThat(c.project(new double[] {0.1, 0.2, 0}))
        .containsExactly(new double[] {0.5 + f * 0.1 / 2.7, 0.5 - f * 0.2 / 2.7}, within(EPS));
    assertThat(c.project(new double[] {0, 0, 3})[0]).isNaN(); // behind the camera
  }

  @Test
  void lookAtArbitraryTargetPutsTargetInTheCentre() {
    Camera c =
        Camera.lookAt(
            new double[] {1, 2, 3}, new double[] {-0.5, 0.1, 0.2}, new double[] {0, 1, 0}, 40);
    assertThat(c.project(new double[] {-0.5, 0.1, 0.2}))
        .containsExactly(new double[] {0.5, 0.5}, within(1e-12));
    assertRotation(c, 1e-12);
    assertThat(c.axis(1)[1]).isNegative(); // image down points to world down
  }

  @Test
  void rejectsBadInput() {
    assertThatThrownBy(() -> new Camera(new double[15], 20)).hasMessageContaining("16 values");
    assertThatThrownBy(() -> Camera.fromSpherical(0, 1, 2, 0)).hasMessageContaining("fovDegrees");
  }
}
