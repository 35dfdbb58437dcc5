package org.wild3d.metrics.geometry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wild3d.raster.Mesh;

/**
 * The geometry metric applied to the truth itself (presented under unknown rotations) is perfect,
 * and applied to wrong shapes it is clearly worse.
 */
class GeometryAgreementTest {
  static TrueObjects truth;
  static Aligner aligner;

  @BeforeAll
  static void setUp() {
    truth = TestObjects.truth();
    aligner = new Aligner(TestObjects.PRIOR.getRadius(), TestObjects.PRIOR.getFovDegrees(),
        TestObjects.RES, Aligner.Settings.defaults());
  }

  @Test
  void trueObjectsUnderUnknownRotationsScorePerfectly() {
    GeometryAgreement.Summary s = GeometryAgreement.measure(
        TestObjects.rotatedTruth(truth, 11), truth, TestObjects.PRIOR, aligner, 6, 3, 4);
    System.out.printf("truth: iou %.5f (min %.5f) depth %.6f (max %.6f) %.3f s/sample%n",
        s.iou().mean(), s.samples().stream().mapToDouble(x -> x.score().iou()).min().orElse(0),
        s.depthError().mean(),
        s.samples().stream().mapToDouble(x -> x.score().depthError()).max().orElse(0),
        s.secondsPerSample());
    for (GeometryAgreement.Sample x : s.samples()) {
      // Scene i shows candidate i mod 2 of its class: the search finds that very object ...
      assertThat(x.candidateObject()).isEqualTo(2 * x.classIndex() + x.index() % 2);
      assertThat(x.score().iou()).isGreaterThan(0.98);
      assertThat(x.score().depthError()).isLessThan(0.002);
    }
    assertThat(s.iou().count()).isEqualTo(6);
  }

  @Test
  void wrongShapesScoreClearlyWorse() {
    // Every class is shown as a cube of the truth's size: no rotation of a chair, cone or torus
    // looks like it.
    Mesh cube = TestObjects.object("cube", 1, 0.85);
    SceneSampler cubes = new SceneSampler() {
      @Override
      public DepthSource scene(int index, int classIndex) {
        return new MeshDepthSource(cube, TestObjects.RES);
      }

      @Override
      public int numClasses() {
        return 3;
      }
    };
    GeometryAgreement.Summary s = GeometryAgreement.measure(cubes, truth, TestObjects.PRIOR,
        aligner, 3, 3, 4);
    System.out.printf("cube: iou %.5f depth %.6f%n", s.iou().mean(), s.depthError().mean());
    assertThat(s.iou().mean()).isLessThan(0.8);
    assertThat(s.depthError().mean()).isGreaterThan(0.01);
  }

  @Test
  void shiftedTruthScoresWorse() {
    // The right object moved off the origin by 0.1 (a third of its radius): rotations about the
    // origin cannot undo a translation.
    Mesh chair = truth.meshes(0).get(0).transformed(1, 0.1f, 0, 0);
    TrueObjects one = new TrueObjects(Map.of(0, List.of(truth.candidates(0).get(0))));
    SceneSampler shifted = new SceneSampler() {
      @Override
      public DepthSource scene(int index, int classIndex) {
        return new MeshDepthSource(chair, TestObjects.RES);
      }

      @Override
      public int numClasses() {
        return 1;
      }
    };
    GeometryAgreement.Summary s = GeometryAgreement.measure(shifted, one, TestObjects.PRIOR,
        aligner, 2, 3, 4);
    System.out.printf("shifted: iou %.5f depth %.6f%n", s.iou().mean(), s.depthError().mean());
    assertThat(s.iou().mean()).isLessThan(0.8);
    assertThat(s.depthError().mean()).isGreaterThan(0.01);
  }
}
