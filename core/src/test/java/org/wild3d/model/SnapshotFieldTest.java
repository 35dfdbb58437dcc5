package org.wild3d.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.camera.Camera;
import org.wild3d.config.LoadedConfig;
import org.wild3d.config.Render;

/**
 * The latent and field entry points of {@link Snapshot}: rendering from mapped latents is the same
 * as rendering from z, and the density/colour at points is what the renderer composites (checked
 * by compositing the field along a pixel's ray in plain Java and comparing with the rendering).
 */
class SnapshotFieldTest {
  @TempDir static Path dir;
  private static Snapshot snap;
  private static TinyRuns.Inputs in;
  /** G_ema's images of {@code in} at ψ = 0.7 computed in one training-like graph from z. */
  private static float[] inGraph;

  @BeforeAll
  static void open() {
    // No importance samples: a pixel is then the composite of the bin centres alone.
    LoadedConfig cfg = TinyRuns.config(dir.resolve("cache"), "render { samples_importance: 0 }");
    in = TinyRuns.Inputs.of(cfg.resolved(), 3);
    inGraph = TinyRuns.writeRun(dir.resolve("run"), cfg, 2, in, 0.7f);
    snap = Snapshot.open(dir.resolve("run"), 0);
  }

  @AfterAll
  static void close() {
    snap.close();
  }

  @Test
  void generateFromMappedLatentsEqualsTheGraphFromZ() {
    float[] ws = snap.map(in.z(), in.classes(), 0.7f);
    int l = snap.numWs();
    int wd = snap.wDim();
    assertThat(ws).hasSize(3 * l * wd);
    GeneratedImages fromZ = snap.generate(in.z(), in.classes(), in.cameras(), 0.7f);
    GeneratedImages fromW = snap.generateFromW(ws, 3, in.cameras());
    assertThat(fromW.images()).containsExactly(inGraph);
    assertThat(fromW.images()).containsExactly(fromZ.images());
    assertThat(fromW.depth()).containsExactly(fromZ.depth());
    assertThat(fromW.opacity()).containsExactly(fromZ.opacity());
    // Mapping broadcasts one w to every layer: [N,Wd] latents give the same images.
    float[] w = new float[3 * wd];
    for (int n = 0; n < 3; n++) {
      System.arraycopy(ws, n * l * wd, w, n * wd, wd);
      for (int i = 1; i < l; i++) {
        assertThat(Arrays.copyOfRange(ws, (n * l + i) * wd, (n * l + i + 1) * wd))
            .containsExactly(Arrays.copyOfRange(w, n * wd, (n + 1) * wd));
      }
    }
    assertThat(snap.generateFromW(w, 3, in.cameras()).images()).containsExactly(fromZ.images());
  }

  @Test
  void severalViewsPerSceneRenderEachSceneFromEachCamera() {
    float[] ws = snap.map(in.z(), in.classes(), 0.7f);
    int per = snap.numWs() * snap.wDim();
    float[] two = Arrays.copyOf(ws, 2 * per);
    Camera[] cams = {in.cameras()[0], in.cameras()[1], in.cameras()[2], in.cameras()[0]};
    GeneratedImages g = snap.generateFromW(two, 2, cams); // V = 2, scene-major
    assertThat(g.size()).isEqualTo(4);
    int img = 16 * 16 * 3;
    for (int k = 0; k < 4; k++) {
      float[] one = Arrays.copyOfRange(two, (k / 2) * per, (k / 2 + 1) * per);
      float[] expected = snap.generateFromW(one, 1, new Camera[] {cams[k]}).images();
      float[] got = Arrays.copyOfRange(g.images(), k * img, (k + 1) * img);
      for (int i = 0; i < img; i++) {
        assertThat(got[i]).as("view %s value %s", k, i).isCloseTo(expected[i], within(1e-5f));
      }
    }
    assertThatThrownBy(() -> snap.generateFromW(two, 2, new Camera[] {cams[0], cams[1], cams[2]}))
        .hasMessageContaining("expected a positive multiple of 2");
    assertThatThrownBy(() -> snap.generateFromW(new float[7], 1, new Camera[] {cams[0]}))
        .hasMessageContaining("latents ws: expected")
        .hasMessageContaining("found 7");
  }

  @Test
  void fieldAlongARayCompositesToTheRenderedPixel() {
    float[] ws = snap.map(in.z(), in.classes(), 0.7f);
    int per = snap.numWs() * snap.wDim();
    Render rc = snap.config().getRender();
    int res = snap.renderResolution();
    int s = rc.getSamplesStratified();
    float near = rc.getRayStart();
    float far = rc.getRayEnd();
    double bin = (far - near) / s;
    int checked = 0;
    double maxOpacity = 0;
    for (int n = 0; n < 3; n++) {
      float[] scene = Arrays.copyOfRange(ws, n * per, (n + 1) * per);
      Camera cam = in.cameras()[n];
      GeneratedImages g = snap.generateFromW(scene, 1, new Camera[] {cam});
      for (int[] px : new int[][] {{8, 8}, {7, 9}, {3, 12}, {0, 0}, {10, 5}}) {
        int i = px[0];
        int j = px[1];
        double f = cam.focal();
        double[] dc = {((j + 0.5) / res - 0.5) / f, ((i + 0.5) / res - 0.5) / f, 1};
        double[] d = new double[3];
        for (int r = 0; r < 3; r++) {
          for (int c = 0; c < 3; c++) {
            d[r] += cam.at(r, c) * dc[c];
          }
        }
        double norm = Math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        double[] o = cam.position();
        float[] pts = new float[s * 3];
        double[] t = new double[s];
        for (int k = 0; k < s; k++) {
          t[k] = near + (k + 0.5) * bin;
          for (int c = 0; c < 3; c++) {
            pts[3 * k + c] = (float) (o[c] + t[k] * d[c] / norm);
          }
        }
        Snapshot.FieldSamples fs = snap.sampleField(scene, pts);
        assertThat(snap.density(scene, pts)).containsExactly(fs.sigma());
        double tau = 0;
        double opacity = 0;
        double depthSum = 0;
        double[] feat = new double[3];
        for (int k = 0; k < s - 1; k++) {
          double sig = 0.5 * (fs.sigma()[k] + fs.sigma()[k + 1]);
          double w = Math.exp(-tau) * (1 - Math.exp(-sig * bin));
          tau += sig * bin;
          opacity += w;
          depthSum += w * 0.5 * (t[k] + t[k + 1]);
          for (int c = 0; c < 3; c++) {
            feat[c] += w * 0.5 * (fs.rgb()[3 * k + c] + fs.rgb()[3 * (k + 1) + c]);
          }
        }
        int p = i * res + j;
        assertThat((double) g.opacity()[p]).as("opacity scene %s pixel %s", n, p)
            .isCloseTo(opacity, within(2e-4));
        if (opacity > 1e-3) {
          assertThat((double) g.depth()[p]).as("depth scene %s pixel %s", n, p)
              .isCloseTo(Math.min(far, Math.max(near, depthSum / opacity)), within(2e-3));
        }
        if (g.resolution() == res) { // raw rendering (no SR): rgb = 2f − a + (1 − a)·(−1)
          for (int c = 0; c < 3; c++) {
            assertThat((double) g.images()[3 * p + c]).as("rgb scene %s pixel %s", n, p)
                .isCloseTo(2 * feat[c] - opacity - (1 - opacity), within(3e-3));
          }
        }
        maxOpacity = Math.max(maxOpacity, opacity);
        checked++;
      }
    }
    assertThat(checked).isEqualTo(15);
    assertThat(maxOpacity).as("some ray must hit density for the test to mean much")
        .isGreaterThan(0.05);
  }

  @Test
  void fieldQueriesChunkLargePointSetsAndStayInRange() {
    float[] ws = snap.map(in.z(), in.classes(), 0.7f);
    int per = snap.numWs() * snap.wDim();
    float[] scene = Arrays.copyOf(ws, per);
    int p = Snapshot.FIELD_CHUNK + 37;
    float[] pts = new float[3 * p];
    java.util.SplittableRandom r = new java.util.SplittableRandom(4);
    for (int i = 0; i < pts.length; i++) {
      pts[i] = (float) (r.nextDouble() * 1.4 - 0.7);
    }
    Snapshot.FieldSamples all = snap.sampleField(scene, pts);
    assertThat(all.size()).isEqualTo(p);
    assertThat(all.sigma()).hasSize(p);
    assertThat(all.rgb()).hasSize(3 * p);
    for (float v : all.sigma()) {
      assertThat(v).isFinite().isGreaterThanOrEqualTo(0f);
    }
    for (float v : all.rgb()) {
      assertThat(v).isBetween(0f, 1f);
    }
    // The tail that fell into the second chunk equals the same points queried alone.
    float[] tail = Arrays.copyOfRange(pts, 3 * (p - 40), 3 * p);
    Snapshot.FieldSamples alone = snap.sampleField(scene, tail);
    for (int k = 0; k < 40; k++) {
      assertThat(alone.sigma()[k]).isCloseTo(all.sigma()[p - 40 + k], within(1e-5f));
      assertThat(alone.rgb()[3 * k]).isCloseTo(all.rgb()[3 * (p - 40 + k)], within(1e-5f));
    }
    // Another scene's field differs.
    float[] other = snap.density(Arrays.copyOfRange(ws, per, 2 * per), tail);
    assertThat(other).isNotEqualTo(alone.sigma());
    assertThatThrownBy(() -> snap.density(scene, new float[4]))
        .hasMessageContaining("field points: expected [P,3]");
  }
}
