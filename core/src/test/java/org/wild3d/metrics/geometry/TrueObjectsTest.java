package org.wild3d.metrics.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.DataException;
import org.wild3d.camera.Camera;
import org.wild3d.config.CameraPrior;
import org.wild3d.data.Dataset;
import org.wild3d.data.DatasetWriter;
import org.wild3d.data.ShapesGenerator;
import org.wild3d.data.SyntheticObjects;
import org.wild3d.data.TrueView;
import org.wild3d.image.RgbImage;
import org.wild3d.raster.MeshRenderer;
import org.wild3d.raster.RenderOptions;
import org.wild3d.raster.Rendering;

class TrueObjectsTest {
  @TempDir Path dir;

  @Test
  void candidatesAreTheDatasetsObjectsEvenlySpacedAndRenderAsTheImages() {
    Path dest = ShapesGenerator.generate(dir.resolve("shapes"), new ShapesGenerator.Params(
        List.of("cone", "chair"), 5, 3, 32, CameraPrior.getDefaultInstance()), 1, null);
    try (Dataset ds = Dataset.open(dest)) {
      TrueObjects t = TrueObjects.of(ds, 2);
      assertThat(t.classes()).containsExactly(0, 1);
      // Ids 0..4 are cones, 5..9 chairs; two of five evenly spaced: j*5/2 -> 0, 2.
      assertThat(t.candidates(0).stream().map(TrueObjects.Candidate::objectId))
          .containsExactly(0, 2);
      assertThat(t.candidates(1).stream().map(TrueObjects.Candidate::objectId))
          .containsExactly(5, 7);
      assertThat(t.size()).isEqualTo(4);
      // The re-created mesh, seen from the image's true camera, covers the image's object.
      for (int image : new int[] {2, 7}) {
        TrueView v = ds.trueView(image).orElseThrow();
        TrueObjects.Candidate c = t.candidates(image / 5).get(1);
        assertThat(c.objectId()).isEqualTo(v.objectId());
        DepthViews r = new MeshDepthSource(c.mesh(), 32)
            .render(new Camera(v.cam2world(), v.fovDegrees()));
        // Exactly: the dataset's renderer settings on the re-created mesh give the image's bytes.
        Rendering again = MeshRenderer.render(c.mesh(), v.cam2world(), v.fovDegrees(), 32, 32,
            SyntheticObjects.lighting(ds.object(c.objectId()).orElseThrow(),
                RenderOptions.defaults().withSupersample(3)));
        assertThat(again.image().rgb()).isEqualTo(ds.image(image).rgb());
        // And the centre-sample silhouette is the half-covered part of the supersampled one.
        int inter = 0;
        int union = 0;
        for (int p = 0; p < 32 * 32; p++) {
          boolean half = again.silhouette()[p] >= 0.5f;
          inter += half && r.foreground(0, p) ? 1 : 0;
          union += half || r.foreground(0, p) ? 1 : 0;
        }
        assertThat(union).isGreaterThan(50);
        assertThat((double) inter / union).isGreaterThan(0.93);
      }
    }
  }

  @Test
  void plainDatasetIsDataErrorNamingIt() {
    Path data = dir.resolve("plain");
    try (DatasetWriter w = DatasetWriter.create(data, 8, List.of("a"))) {
      w.add(0, new RgbImage(8, 8, new byte[8 * 8 * 3]), 0);
      w.commit();
    }
    try (Dataset ds = Dataset.open(data)) {
      assertThatThrownBy(() -> TrueObjects.of(ds, 4)).isInstanceOf(DataException.class)
          .hasMessageContaining(ds.location()).hasMessageContaining("synthetic dataset");
    }
  }
}
