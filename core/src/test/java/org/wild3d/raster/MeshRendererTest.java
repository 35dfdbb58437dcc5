package org.wild3d.raster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.wild3d.config.CameraPrior;
import org.wild3d.image.RgbImage;

class MeshRendererTest {
  private static Mesh unitCube(Material m) {
    MeshBuilder b = new MeshBuilder();
    b.box(-0.5, -0.5, -0.5, 0.5, 0.5, 0.5);
    return b.build(m);
  }

  private static double sum(float[] a) {
    double s = 0;
    for (float v : a) {
      s += v;
    }
    return s;
  }

  /** Unit cube seen along +z from distance d: its front face is a square of known size. */
  @Test
  void unitCubeAlongAxisCoversAnalyticAreaAndDepth() {
    double d = 4;
    double fov = 30;
    int res = 64;
    double focal = 0.5 / Math.tan(Math.toRadians(fov) / 2);
    for (double[] eye : new double[][] {{0, 0, d}, {d, 0, 0}, {0, 0, -d}}) {
      double[] cam = SphereCameras.lookAtOrigin(eye);
      Rendering r = MeshRenderer.render(unitCube(Material.of(1, 1, 1)), cam, fov, res, res,
          RenderOptions.defaults().withSupersample(4));
      double side = 2 * focal * 0.5 / (d - 0.5) * res; // pixels
      assertThat(sum(r.silhouette())).isCloseTo(side * side, within(0.01 * side * side));
      // Depth at the centre pixel (32, 32): the ray through its centre hits the face z = d - 0.5.
      double a = (32.5 / res - 0.5) / focal;
      double expected = (d - 0.5) * Math.sqrt(1 + 2 * a * a);
      assertThat((double) r.depth()[32 * res + 32]).isCloseTo(expected, within(1e-3));
      assertThat(r.depth()[0]).isZero();
      assertThat(r.silhouette()[0]).isZero();
    }
  }

  @Test
  void depthIsMeasuredAtPixelCentresForEvenSupersampling() {
    double[] cam = SphereCameras.lookAtOrigin(new double[] {0, 0, 3});
    Rendering even = MeshRenderer.render(unitCube(Material.of(1, 1, 1)), cam, 40, 16, 16,
        RenderOptions.defaults().withSupersample(2));
    Rendering odd = MeshRenderer.render(unitCube(Material.of(1, 1, 1)), cam, 40, 16, 16,
        RenderOptions.defaults().withSupersample(1));
    assertThat(even.depth()).containsExactly(odd.depth());
  }

  /** OpenCV axes: world +x appears on the image's right, world +y (up) in the upper half. */
  @Test
  void followsTheCameraConvention() {
    double[] cam = SphereCameras.lookAtOrigin(new double[] {0, 0, 3});
    MeshBuilder b = new MeshBuilder();
    b.box(0.2, 0.2, -0.05, 0.3, 0.3, 0.05); // right and up of the centre
    Rendering r = MeshRenderer.render(b.build(Material.of(1, 1, 1)), cam, 40, 32, 32,
        RenderOptions.defaults());
    double cx = 0;
    double cy = 0;
    double n = 0;
    for (int i = 0; i < 32; i++) {
      for (int j = 0; j < 32; j++) {
        float s = r.silhouette()[i * 32 + j];
        cx += s * (j + 0.5);
        cy += s * (i + 0.5);
        n += s;
      }
    }
    double focal = 0.5 / Math.tan(Math.toRadians(20));
    // Box centre (0.25, 0.25, 0) at camera depth 3: normalised (0.5 + f*0.25/3, 0.5 - f*0.25/3).
    assertThat(cx / n).isCloseTo((0.5 + focal * 0.25 / 3) * 32, within(0.3));
    assertThat(cy / n).isCloseTo((0.5 - focal * 0.25 / 3) * 32, within(0.3));
  }

  @Test
  void sampledCamerasAreOrthonormalOnTheSphereAndLookAtTheOrigin() {
    CameraPrior prior = CameraPrior.getDefaultInstance();
    SplittableRandom rng = new SplittableRandom(1);
    double meanCos = 0;
    int n = 2000;
    for (int k = 0; k < n; k++) {
      double[] m = SphereCameras.sample(prior, rng);
      double[] t = {m[3], m[7], m[11]};
      assertThat(Math.sqrt(t[0] * t[0] + t[1] * t[1] + t[2] * t[2])).isCloseTo(2.7, within(1e-6));
      for (int a = 0; a < 3; a++) {
        for (int c = 0; c < 3; c++) {
          double dot = m[a] * m[c] + m[4 + a] * m[4 + c] + m[8 + a] * m[8 + c];
          assertThat(dot).isCloseTo(a == c ? 1 : 0, within(1e-9));
        }
      }
      // Forward (column 2) points at the origin; right (column 0) is horizontal.
      assertThat(m[2] * t[0] + m[6] * t[1] + m[10] * t[2]).isCloseTo(-2.7, within(1e-6));
      if (Math.abs(t[1]) < 2.69) {
        assertThat(m[4]).isCloseTo(0, within(1e-9));
      }
      meanCos += t[1] / 2.7;
    }
    // Area-uniform polar angle: cos(phi) uniform on [-1, 1], mean 0, sd 1/sqrt(3 n).
    assertThat(meanCos / n).isCloseTo(0, within(4 / Math.sqrt(3.0 * n)));
  }

  /** A floor plane reaching behind the camera is clipped at the near plane, not mangled. */
  @Test
  void clipsTrianglesCrossingTheNearPlane() {
    double[] identity = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    // Camera at the origin looking along +z with image-down = world +y; plane y = 1, z in [-10, 10].
    MeshBuilder b = new MeshBuilder();
    b.quad(new double[] {-50, 1, -10}, new double[] {50, 1, -10}, new double[] {50, 1, 10},
        new double[] {-50, 1, 10});
    int res = 40;
    double fov = 60;
    double focal = 0.5 / Math.tan(Math.toRadians(30));
    Rendering r = MeshRenderer.render(b.build(Material.of(1, 1, 1)), identity, fov, res, res,
        RenderOptions.defaults().withSupersample(1));
    double horizon = (0.5 + focal * 1 / 10) * res; // far edge z = 10
    for (int i = 0; i < res; i++) {
      boolean covered = r.silhouette()[i * res + res / 2] > 0;
      if (i + 0.5 > horizon + 0.5) {
        assertThat(covered).as("row %s", i).isTrue();
        // Depth: distance to the plane y = 1 along this pixel's ray.
        double v = ((i + 0.5) / res - 0.5) / focal;
        double u = ((res / 2 + 0.5) / res - 0.5) / focal;
        double expected = Math.sqrt(u * u + v * v + 1) / v;
        assertThat((double) r.depth()[i * res + res / 2]).isCloseTo(expected, within(1e-3));
      } else if (i + 0.5 < horizon - 0.5) {
        assertThat(covered).as("row %s", i).isFalse();
      }
    }
  }

  @Test
  void texturedQuadShowsItsTextureAndBackgroundImageShowsAround() {
    // 8x8 texture in four 4x4 quadrants: red (top-left), green, blue (bottom-left), yellow.
    byte[] tex = new byte[8 * 8 * 3];
    int[][] colors = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 0}};
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        int q = (y / 4) * 2 + x / 4;
        for (int c = 0; c < 3; c++) {
          tex[(y * 8 + x) * 3 + c] = (byte) colors[q][c];
        }
      }
    }
    Material m = new Material(new float[] {1, 1, 1}, new RgbImage(8, 8, tex));
    // Quad z = 0 covering [-1, 1]^2, UV (0,0) at bottom-left (world y = -1).
    float[] pos = {-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, -1, 0, 1, 1, 0, -1, 1, 0};
    float[] uv = {0, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1};
    Mesh quad = new Mesh(pos, null, null, uv, null, java.util.List.of(m));
    double[] cam = SphereCameras.lookAtOrigin(new double[] {0, 0, 10});
    byte[] grey = new byte[64 * 64 * 3];
    java.util.Arrays.fill(grey, (byte) 100);
    Rendering r = MeshRenderer.render(quad, cam, 30, 64, 64,
        RenderOptions.defaults().withLight(new double[] {0, 0, 1}, 1f, 0f)
            .withBackgroundImage(new RgbImage(64, 64, grey)));
    RgbImage img = r.image();
    // The quad spans normalised +-focal/10 = +-0.187 around the centre: pixels ~20..44.
    assertThat(new int[] {img.get(24, 24, 0), img.get(24, 24, 1), img.get(24, 24, 2)})
        .containsExactly(255, 0, 0); // top-left texel (texture row 0)
    assertThat(new int[] {img.get(24, 40, 0), img.get(24, 40, 1), img.get(24, 40, 2)})
        .containsExactly(0, 255, 0);
    assertThat(new int[] {img.get(40, 24, 0), img.get(40, 24, 1), img.get(40, 24, 2)})
        .containsExactly(0, 0, 255);
    assertThat(img.get(2, 2, 0)).isEqualTo(100);
  }
}
