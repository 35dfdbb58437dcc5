package org.wild3d.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.wild3d.config.CameraPrior;
import org.wild3d.config.CameraPriorSpec;
import org.wild3d.render.TfTesting;

class RaysTest {

  /** Runs Rays.generate on cameras; returns {origins, directions} flattened [N,R,3]. */
  static List<float[]> rays(int res, Camera... cams) {
    try (Graph g = new Graph();
        Session s = new Session(g);
        Cameras.Batch b = Cameras.toTensors(cams)) {
      Ops tf = Ops.create(g);
      var c2w = TfTesting.input(tf, "c2w", -1, 4, 4);
      var k = TfTesting.input(tf, "k", -1, 3, 3);
      Rays r = Rays.generate(tf, c2w, k, res);
      assertThat(r.origins().shape().size(1)).isEqualTo((long) res * res);
      assertThat(r.directions().shape().size(2)).isEqualTo(3);
      Map<Operand<?>, org.tensorflow.Tensor> feeds = Map.of(c2w, b.cam2world(), k, b.intrinsics());
      return TfTesting.run(s, feeds, List.of(r.origins(), r.directions()));
    }
  }

  @Test
  void centreRayOfFrontalCameraPointsDownMinusZ() {
    Camera c = Camera.fromSpherical(0, Math.PI / 2, 2.7, 30);
    List<float[]> out = rays(3, c);
    int centre = 1 * 3 + 1;
    float[] o = out.get(0);
    float[] d = out.get(1);
    assertThat(new float[] {o[3 * centre], o[3 * centre + 1], o[3 * centre + 2]})
        .containsExactly(new float[] {0, 0, 2.7f}, within(1e-6f));
    assertThat(new float[] {d[3 * centre], d[3 * centre + 1], d[3 * centre + 2]})
        .containsExactly(new float[] {0, 0, -1}, within(1e-6f));
    // ray 0 is the top-left pixel: left (-x) and up (+y) of the centre
    assertThat(d[0]).isNegative();
    assertThat(d[1]).isPositive();
    // ray 2 is row 0, column 2: top-right
    assertThat(d[3 * 2]).isPositive();
    assertThat(d[3 * 2 + 1]).isPositive();
  }

  @Test
  void pointsOnAPixelsRayProjectToThatPixelsCentre() {
    int res = 8;
    Camera[] cams =
        new CameraSampler(CameraPriorSpec.from(CameraPrior.newBuilder().setFovDegrees(40).build()), 3).sample(4);
    List<float[]> out = rays(res, cams);
    for (int n = 0; n < cams.length; n++) {
      for (int i = 0; i < res; i++) {
        for (int j = 0; j < res; j++) {
          int ray = (n * res * res + i * res + j) * 3;
          double[] p = new double[3];
          double len = 0;
          for (int a = 0; a < 3; a++) {
            p[a] = out.get(0)[ray + a] + 2.5 * out.get(1)[ray + a];
            len += out.get(1)[ray + a] * out.get(1)[ray + a];
          }
          assertThat(Math.sqrt(len)).isCloseTo(1, within(1e-6));
          double[] uv = cams[n].project(p);
          assertThat(uv[0]).isCloseTo((j + 0.5) / res, within(2e-6));
          assertThat(uv[1]).isCloseTo((i + 0.5) / res, within(2e-6));
        }
      }
    }
  }

  @Test
  void knownWorldPointLiesOnTheRayOfThePixelItProjectsTo() {
    int res = 16;
    Camera c = Camera.fromSpherical(0.7, 1.1, 2.7, 20);
    double[] point = {0.05, -0.08, 0.11};
    double[] uv = c.project(point);
    int i = (int) Math.floor(uv[1] * res);
    int j = (int) Math.floor(uv[0] * res);
    float[] o = rays(res, c).get(0);
    float[] d = rays(res, c).get(1);
    int ray = (i * res + j) * 3;
    // distance from the point to the ray is at most half a pixel's footprint at that depth
    double[] v = {point[0] - o[ray], point[1] - o[ray + 1], point[2] - o[ray + 2]};
    double t = v[0] * d[ray] + v[1] * d[ray + 1] + v[2] * d[ray + 2];
    double[] perp = {v[0] - t * d[ray], v[1] - t * d[ray + 1], v[2] - t * d[ray + 2]};
    double pixel = t / c.focal() / res;
    assertThat(Camera.norm(perp)).isLessThan(pixel * Math.sqrt(0.5) + 1e-6);
    // and the neighbouring pixels' rays are farther away
    int other = (i * res + (j + 1 < res ? j + 1 : j - 1)) * 3;
    double[] w = {point[0] - o[other], point[1] - o[other + 1], point[2] - o[other + 2]};
    double s = w[0] * d[other] + w[1] * d[other + 1] + w[2] * d[other + 2];
    double[] perp2 = {w[0] - s * d[other], w[1] - s * d[other + 1], w[2] - s * d[other + 2]};
    assertThat(Camera.norm(perp2)).isGreaterThan(Camera.norm(perp));
  }

  @Test
  void camerasBecomeTensorsOfTheRightShape() {
    Camera c = Camera.fromSpherical(0.2, 1.0, 2.7, 13.37);
    try (Cameras.Batch b = Cameras.toTensors(c, c)) {
      assertThat(b.cam2world().shape().asArray()).containsExactly(2, 4, 4);
      assertThat(b.intrinsics().shape().asArray()).containsExactly(2, 3, 3);
      float[] m = TfTesting.values(b.cam2world());
      assertThat(m[16 + 3]).isCloseTo((float) c.at(0, 3), within(1e-6f));
      float[] k = TfTesting.values(b.intrinsics());
      assertThat(k[9]).isCloseTo((float) c.focal(), within(1e-5f));
      assertThat(k[9 + 2]).isEqualTo(0.5f);
    }
  }
}
