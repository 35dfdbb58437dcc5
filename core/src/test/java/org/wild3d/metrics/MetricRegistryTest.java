package org.wild3d.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.wild3d.Wild3dException;

class MetricRegistryTest {
  @Test
  void aConfiguredNoneAloneTurnsMetricsOffAndIsRefusedWithOthers() {
    assertThat(MetricRegistry.parseConfigured(List.of("none"))).isEmpty();
    assertThat(MetricRegistry.parseConfigured(List.of("fid500_cls", "acc500_cls")))
        .extracting(MetricSpec::name).containsExactly("fid500_cls", "acc500_cls");
    assertThatThrownBy(() -> MetricRegistry.parseConfigured(List.of("fid2k_cls", "none")))
        .isInstanceOf(Wild3dException.class).hasMessageContaining("expected it alone")
        .hasMessageContaining("1 other name(s)");
  }

  @Test
  void namesCarryTheProtocol() {
    MetricSpec fid = MetricRegistry.parse("fid50k");
    assertThat(fid.kind()).isEqualTo(MetricSpec.Kind.FID);
    assertThat(fid.features()).isEqualTo(MetricSpec.Features.INCEPTION);
    assertThat(fid.numGenerated()).isEqualTo(50000);
    assertThat(fid.numReal()).isEqualTo(50000);
    assertThat(fid.needsRawFeatures()).isFalse();
    MetricSpec is = MetricRegistry.parse("is50k");
    assertThat(is.numReal()).isZero();
    MetricSpec kid = MetricRegistry.parse("kid2k_cls");
    assertThat(kid.features()).isEqualTo(MetricSpec.Features.CLASSIFIER);
    assertThat(kid.count()).isEqualTo(2000);
    assertThat(kid.needsRawFeatures()).isTrue();
    MetricSpec acc = MetricRegistry.parse("acc500_cls");
    assertThat(acc.count()).isEqualTo(500);
    assertThat(acc.numReal()).isZero();
  }

  @Test
  void badNamesAreUsageErrorsAllReportedTogether() {
    assertThatThrownBy(() -> MetricRegistry.parse("acc2k"))
        .isInstanceOf(Wild3dException.class).hasMessageContaining("acc with _cls");
    assertThatThrownBy(() -> MetricRegistry.parse("fid2k_vgg"))
        .hasMessageContaining("_cls").hasMessageContaining("fid2k_vgg");
    assertThatThrownBy(() -> MetricRegistry.parseAll(List.of("fid", "kid0k", "fid2k_cls", "FID")))
        .isInstanceOfSatisfying(Wild3dException.class, e -> {
          assertThat(e.exitCode()).isEqualTo(Wild3dException.EXIT_USAGE);
          assertThat(e.getMessage()).contains("'fid'", "'kid0k'", "'FID'")
              .doesNotContain("'fid2k_cls'");
        });
  }

  @Test
  void resultsAreOneTimestamplessJsonLine() {
    MetricResult r = new MetricResult("fid2k_cls", 1.25, 0, "cls-0123456789ab", 2000, 1800,
        Map.of("generator", 0L), Map.of("snapshot", "network-snapshot-000100", "dataset", "abc"));
    String line = r.toJsonLine();
    assertThat(line).doesNotContain("\n").startsWith("{\"name\":\"fid2k_cls\",\"value\":1.25,")
        .contains("\"featureNetwork\":\"cls-0123456789ab\"")
        .contains("\"provenance\":{\"dataset\":\"abc\",\"snapshot\":\"network-snapshot-000100\"}");
    assertThat(MetricResult.fromJsonLine(line)).isEqualTo(r);
  }
}
