package org.wild3d.metrics.geometry;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.wild3d.camera.Camera;
import org.wild3d.camera.CameraSampler;
import org.wild3d.config.CameraPrior;
import org.wild3d.config.CameraPriorSpec;

/**
 * Geometry agreement with the truth: scene i (class {@code classes[i mod |classes|]}) is rendered
 * from {@code views} cameras of the whole-sphere prior (drawn from {@code (seed, i)} alone); its
 * silhouettes (opacity > 0.5) and depths are compared with the nearest true object of its class
 * under the best rotation about the origin, one rotation for all views ({@link Aligner}).
 *
 * <p>Per sample: the silhouette IoU averaged over views, and the mean absolute depth difference
 * (scene units) over the pixels inside both silhouettes. Reported: their means over samples
 * (depth over the samples with any such pixel).
 */
public final class GeometryAgreement {
  /** Views per generated scene, aligned jointly. */
  public static final int DEFAULT_VIEWS = 3;

  /**
   * One measured scene.
   *
   * @param candidateObject object id of the nearest true object
   * @param rotation rotation applied to it (3×3 row-major)
   */
  public record Sample(int index, int classIndex, int candidateObject, double[] rotation,
      ViewScore score) {}

  /**
   * The measurement.
   *
   * @param iou per-sample IoU, mean over samples
   * @param depthError per-sample depth error, mean over samples that have overlap
   * @param secondsPerSample wall time per sample (rendering, alignment)
   */
  public record Summary(List<Sample> samples, Stats iou, Stats depthError,
      double secondsPerSample) {}

  private GeometryAgreement() {}

  /**
   * Measures {@code n} scenes of {@code scenes} against {@code truth}.
   *
   * @param camera the prior cameras are drawn from; the aligner must be built for its radius and
   *     field of view
   */
  public static Summary measure(SceneSampler scenes, TrueObjects truth, CameraPrior camera,
      Aligner aligner, int n, int views, long seed) {
    checkArgument(n > 0, "geometry samples: expected > 0, found %s", n);
    checkArgument(views > 0, "views per scene: expected > 0, found %s", views);
    int[] classes = Arrays.stream(truth.classes()).filter(k -> k < scenes.numClasses())
        .toArray();
    checkArgument(classes.length > 0, "geometry classes: expected true objects of a class the"
        + " generator makes (0..%s), found classes %s", scenes.numClasses() - 1,
        Arrays.toString(truth.classes()));
    long t0 = System.nanoTime();
    List<Sample> samples = new ArrayList<>();
    double[] ious = new double[n];
    double[] depths = new double[n];
    for (int i = 0; i < n; i++) {
      int k = classes[i % classes.length];
      Camera[] cams = new CameraSampler(CameraPriorSpec.from(camera), GeneratorScenes.mix(seed, i))
          .sample(views);
      DepthViews target = scenes.scene(i, k).render(cams);
      TrueObjects.Candidate[] cands = truth.candidates(k).toArray(new TrueObjects.Candidate[0]);
      Aligner.Result r = aligner.align(target, cams, truth.meshes(k));
      samples.add(new Sample(i, k, cands[r.candidate()].objectId(), r.rotation(), r.score()));
      ious[i] = r.score().iou();
      depths[i] = r.score().depthError();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Summary(List.copyOf(samples), Stats.of(ious), Stats.of(depths), seconds / n);
  }
}
