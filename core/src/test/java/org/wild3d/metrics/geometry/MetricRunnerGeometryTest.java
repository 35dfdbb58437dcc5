package org.wild3d.metrics.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.wild3d.DataException;
import org.wild3d.Wild3dException;
import org.wild3d.metrics.MetricRegistry;
import org.wild3d.metrics.MetricResult;
import org.wild3d.metrics.MetricRunner;
import org.wild3d.metrics.MetricSpec;

/** Geometry names in the metrics registry and {@link MetricRunner#runGeometry}. */
class MetricRunnerGeometryTest {
  @Test
  void geometryNamesParseWithCountsAndNoFeatureNetwork() {
    MetricSpec s = MetricRegistry.parse("geo_iou64");
    assertThat(s.kind()).isEqualTo(MetricSpec.Kind.GEO_IOU);
    assertThat(s.count()).isEqualTo(64);
    assertThat(s.features()).isEqualTo(MetricSpec.Features.GEOMETRY);
    assertThat(s.isGeometry()).isTrue();
    assertThat(s.numReal()).isZero();
    assertThat(MetricRegistry.parse("mv_agree2k").count()).isEqualTo(2000);
    assertThat(MetricRegistry.parse("geo_depth8").kind()).isEqualTo(MetricSpec.Kind.GEO_DEPTH);
    assertThat(MetricRegistry.parse("mv_depth8").kind()).isEqualTo(MetricSpec.Kind.MV_DEPTH);
    // Feature metrics are unchanged and never geometry.
    assertThat(MetricRegistry.parse("fid2k_cls").isGeometry()).isFalse();
    assertThat(MetricRegistry.parse("fid50k").features()).isEqualTo(MetricSpec.Features.INCEPTION);
    for (String bad : List.of("geo_iou", "geo_iou8_cls", "mv_depth0", "geo_iouk")) {
      assertThatThrownBy(() -> MetricRegistry.parse(bad)).isInstanceOf(Wild3dException.class)
          .hasMessageContaining("'" + bad + "'");
    }
  }

  @Test
  void runGeometryReportsTheMeasurementsWithProvenance() {
    TrueObjects truth = TestObjects.truth();
    MetricRunner.GeometryContext ctx = new MetricRunner.GeometryContext(
        TestObjects.rotatedTruth(truth, 5), () -> truth, TestObjects.PRIOR, TestObjects.RES,
        "fp", Map.of("checkpoint", "c"));
    List<MetricSpec> specs = MetricRegistry.parseAll(List.of("mv_agree3", "geo_iou3",
        "geo_depth3", "mv_depth3"));
    List<MetricResult> r = MetricRunner.runGeometry(specs, ctx, 9);
    assertThat(r.stream().map(MetricResult::name))
        .containsExactly("mv_agree3", "geo_iou3", "geo_depth3", "mv_depth3");
    // The truth itself: perfect agreement and consistency.
    assertThat(r.get(0).value()).isGreaterThan(0.95);
    assertThat(r.get(1).value()).isGreaterThan(0.98);
    assertThat(r.get(2).value()).isLessThan(0.002);
    assertThat(r.get(3).value()).isLessThan(0.004);
    assertThat(r.get(1).numReal()).isEqualTo(6);
    assertThat(r.get(0).numReal()).isZero();
    for (MetricResult m : r) {
      assertThat(m.numGenerated()).isEqualTo(3);
      assertThat(m.seeds()).containsEntry("generator", 9L);
      assertThat(m.provenance()).containsEntry("dataset", "fp").containsEntry("checkpoint", "c")
          .containsEntry("render_resolution", "32").containsEntry("scenes_measured", "3");
      assertThat(m.featureNetwork()).isEqualTo(MetricRunner.GEOMETRY_NETWORK);
      assertThat(m.std()).isFinite();
    }
    // Same inputs, same numbers (no timings in results).
    assertThat(MetricRunner.runGeometry(specs.subList(0, 1), ctx, 9).get(0)).isEqualTo(r.get(0));
  }

  @Test
  void geoMetricsNeedTruthButMultiViewDoesNot() {
    MetricRunner.GeometryContext ctx = new MetricRunner.GeometryContext(
        TestObjects.rotatedTruth(TestObjects.truth(), 5),
        () -> {
          throw new DataException("dataset d: no true objects");
        }, TestObjects.PRIOR, TestObjects.RES, "fp", Map.of());
    assertThatThrownBy(() -> MetricRunner.runGeometry(MetricRegistry.parseAll(
        List.of("geo_iou1")), ctx, 0)).isInstanceOf(DataException.class)
        .hasMessageContaining("dataset d");
    assertThat(MetricRunner.runGeometry(MetricRegistry.parseAll(List.of("mv_depth1")), ctx, 0))
        .hasSize(1);
  }
}
