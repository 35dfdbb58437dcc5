package org.wild3d.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.DataException;
import org.wild3d.camera.Camera;
import org.wild3d.config.Experiment;
import org.wild3d.config.LoadedConfig;
import org.wild3d.data.Dataset;
import org.wild3d.data.Datasets;
import org.wild3d.metrics.features.InceptionV3Graph;
import org.wild3d.model.GeneratedImages;
import org.wild3d.model.ImageGenerator;
import org.wild3d.model.Snapshot;
import org.wild3d.model.TinyRuns;

/**
 * {@code fid50k} is the protocol of EG3D's paper: 50 000 generated images, classes drawn as EG3D
 * draws them (the class of a random real image, i.e. the dataset's class frequencies), no
 * truncation, Inception 2015-12-05 pool features, against the real images (all of them up to
 * 50 000; a larger dataset gives 50 000 drawn by the seeded shuffle, as EG3D's {@code fid50k};
 * its {@code fid50k_full} over more reals has no registry name).
 */
class Fid50kProtocolTest {
  @TempDir Path dir;

  @Test
  void theRegistrySpecOfFid50k() {
    MetricSpec s = MetricRegistry.parse("fid50k");
    assertThat(s.name()).isEqualTo("fid50k");
    assertThat(s.kind()).isEqualTo(MetricSpec.Kind.FID);
    assertThat(s.features()).isEqualTo(MetricSpec.Features.INCEPTION);
    assertThat(s.numGenerated()).isEqualTo(50_000);
    assertThat(s.numReal()).isEqualTo(50_000);
    assertThat(s.isGeometry()).isFalse();
    assertThat(s.needsRawFeatures()).isFalse();
  }

  @Test
  void generatedImagesAreUntruncatedWithTheDatasetsClassFrequenciesAgainstAllReals() {
    LoadedConfig cfg = TinyRuns.config(dir.resolve("cache"), "");
    Path run = dir.resolve("run");
    TinyRuns.writeRun(run, cfg, 1, TinyRuns.Inputs.of(cfg.resolved(), 1), 1f);
    Experiment e = cfg.resolved();
    PrintWriter log = new PrintWriter(new StringWriter(), true);
    List<Float> psis = new ArrayList<>();
    int[] drawn = new int[3];
    try (Snapshot snap = Snapshot.open(run, 0, log);
        Dataset ds = Datasets.open(e.getData(), e.getCamera(), e.getData().getResolution(), log)) {
      ImageGenerator recording = new ImageGenerator() {
        @Override
        public GeneratedImages generate(float[] z, int[] classes, Camera[] cameras,
            float psi) {
          psis.add(psi);
          for (int c : classes) {
            drawn[c]++;
          }
          return snap.generate(z, classes, cameras, psi);
        }

        @Override
        public Experiment config() {
          return snap.config();
        }

        @Override
        public int imageResolution() {
          return snap.imageResolution();
        }
      };
      MetricJobs.Settings settings = new MetricJobs.Settings(dir.resolve("metrics"), null, 8, 0,
          20, 0);
      // The same path with the offline features (Inception's graph cannot be fetched here).
      List<MetricResult> r = MetricJobs.ofGenerator(recording, ds,
          List.of(MetricRegistry.parse("fid300_cls")), settings, Map.of(), log);
      assertThat(r).hasSize(1);
      assertThat(r.get(0).numGenerated()).isEqualTo(300);
      assertThat(r.get(0).numReal()).isEqualTo(ds.size()); // every real image (12 < 300)
      assertThat(r.get(0).provenance()).containsEntry("truncation_psi", "1.0");
      assertThat(psis).isNotEmpty().containsOnly(1f);
      // The dataset has 4 images per class: each class about a third of 300 draws.
      assertThat(ds.classCounts()).containsExactly(4, 4, 4);
      for (int c = 0; c < 3; c++) {
        assertThat(drawn[c]).isBetween(70, 130);
      }
      // fid50k itself: the documented check for the first user who has the Inception file.
      assertThatThrownBy(() -> MetricJobs.ofGenerator(recording, ds,
          List.of(MetricRegistry.parse("fid50k")), settings, Map.of(), log))
          .isInstanceOf(DataException.class)
          .hasMessageContaining("metrics fid50k: expected the Inception 2015-12-05 graph ("
              + InceptionV3Graph.GRAPH_FILE);
    }
  }
}
