package org.wild3d.metrics.geometry;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.wild3d.camera.Camera;
import org.wild3d.raster.Mesh;

/**
 * Finds the candidate object and the rotation about the origin that best explain a rendering:
 * the silhouettes (and, on ties, depths) of {@code V} views of one scene, all with one rotation.
 *
 * <p>Coarse stage: every candidate under every rotation of {@link Rotations#grid} is scored with
 * its {@link ViewAtlas} (approximate renders). Fine stage: the best {@link Settings#refineStarts}
 * coarse (candidate, rotation) pairs are refined by coordinate descent with exact renders ({@link
 * MeshDepthSource}): small turns about the world x, y and z axes of ±step, the best improving one
 * taken, the step halved when none improves, until it is below {@link Settings#finalStepDeg}.
 * Scores compare by IoU, then depth ({@link ViewScore#betterThan}). Deterministic.
 *
 * <p>All cameras must lie on the sphere of {@code cameraRadius} and look at the origin (the
 * camera prior's cameras do). Atlases are built once per candidate mesh (by identity) and kept.
 */
public final class Aligner {
  /**
   * Search settings.
   *
   * @param atlasDirections directions of each candidate's {@link ViewAtlas}
   * @param gridAxes axes of the coarse rotation grid (Fibonacci sphere)
   * @param gridRolls angles about each axis in the coarse grid
   * @param rollBins image-roll bins of the atlas lookup
   * @param refineStarts coarse winners refined with exact renders
   * @param initialStepDeg first coordinate-descent step
   * @param finalStepDeg stop when the step falls below this
   * @param maxEvaluations exact-render evaluations per start at most
   */
  public record Settings(int atlasDirections, int gridAxes, int gridRolls, int rollBins,
      int refineStarts, double initialStepDeg, double finalStepDeg, int maxEvaluations) {
    public Settings {
      checkArgument(atlasDirections > 0 && gridAxes > 0 && gridRolls > 0 && rollBins > 0
          && refineStarts > 0 && maxEvaluations > 0, "aligner settings: expected positive counts,"
          + " found atlas %s, grid %sx%s, roll bins %s, starts %s, evaluations %s",
          atlasDirections, gridAxes, gridRolls, rollBins, refineStarts, maxEvaluations);
      checkArgument(initialStepDeg >= finalStepDeg && finalStepDeg > 0,
          "aligner steps: expected initial >= final > 0, found %s, %s", initialStepDeg,
          finalStepDeg);
    }

    /** 256 atlas views; 96 axes × 12 angles (≈ 21° × 30° apart); 4 starts refined 10° → 0.3°. */
    public static Settings defaults() {
      return new Settings(256, 96, 12, 72, 4, 10, 0.3, 200);
    }

    /** A short description for result provenance. */
    public String describe() {
      return "atlas" + atlasDirections + " grid" + gridAxes + "x" + gridRolls + " refine"
          + refineStarts + " " + initialStepDeg + "->" + finalStepDeg + "deg";
    }
  }

  /**
   * The best explanation found.
   *
   * @param candidate index into the candidate list
   * @param rotation 3×3 row-major rotation applied to the candidate
   * @param score exact-render score of the candidate under {@code rotation}
   * @param truth the candidate's exact renders under {@code rotation} ({@code [V,r,r]})
   * @param evaluations exact renders of V views made by the fine stage
   */
  public record Result(int candidate, double[] rotation, ViewScore score, DepthViews truth,
      int evaluations) {}

  /** Best first: IoU descending, then depth error ascending (NaN last); a total order. */
  private static final Comparator<ViewScore> ORDER =
      Comparator.comparingDouble((ViewScore s) -> -s.iou())
          .thenComparingDouble(s -> Double.isNaN(s.depthError()) ? Double.POSITIVE_INFINITY
              : s.depthError());
  private static final double[][] AXES = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};

  private final ViewAtlas.Geometry geometry;
  private final Settings settings;
  private final List<double[]> grid;
  private final Map<Mesh, ViewAtlas> atlases = new ConcurrentHashMap<>();

  /** For cameras at {@code cameraRadius} with {@code fovDegrees}, renders of {@code resolution}². */
  public Aligner(double cameraRadius, double fovDegrees, int resolution, Settings settings) {
    this.geometry = new ViewAtlas.Geometry(cameraRadius, fovDegrees, resolution,
        settings.atlasDirections(), settings.rollBins());
    this.settings = settings;
    this.grid = Rotations.grid(settings.gridAxes(), settings.gridRolls());
  }

  public Settings settings() {
    return settings;
  }

  /**
   * The candidate and rotation whose renders from {@code cameras} best match {@code target}.
   *
   * <p>Shapes: {@code target [V,r,r]}, {@code cameras [V]}.
   */
  public Result align(DepthViews target, Camera[] cameras, List<Mesh> candidates) {
    checkArgument(!candidates.isEmpty(), "alignment: expected at least one candidate object");
    checkArgument(target.views() == cameras.length, "alignment: expected %s cameras (one per"
        + " view), found %s", target.views(), cameras.length);
    checkArgument(target.resolution() == geometry.resolution, "alignment: expected %s² renders,"
        + " found %s²", geometry.resolution, target.resolution());
    // Coarse: atlas views for every grid rotation and view, shared by all candidates.
    int[][][] located = new int[grid.size()][cameras.length][];
    for (int g = 0; g < grid.size(); g++) {
      for (int v = 0; v < cameras.length; v++) {
        located[g][v] = geometry.locate(Rotations.viewOfRotated(grid.get(g), cameras[v]));
      }
    }
    record Coarse(int candidate, int rotation, ViewScore score) {}
    List<Coarse> coarse = new ArrayList<>();
    for (int m = 0; m < candidates.size(); m++) {
      ViewAtlas atlas = atlases.computeIfAbsent(candidates.get(m),
          mesh -> new ViewAtlas(geometry, mesh));
      for (int g = 0; g < grid.size(); g++) {
        double[] s = atlas.score(target, located[g]);
        coarse.add(new Coarse(m, g, new ViewScore(s[0], s[1], 0)));
      }
    }
    coarse.sort(Comparator.comparing(Coarse::score, ORDER));
    // Fine: exact renders from the best coarse starts.
    Result best = null;
    int evaluations = 0;
    int starts = Math.min(settings.refineStarts(), coarse.size());
    for (int k = 0; k < starts; k++) {
      Coarse c = coarse.get(k);
      Result r = refine(target, cameras, c.candidate(), candidates.get(c.candidate()),
          grid.get(c.rotation()));
      evaluations += r.evaluations();
      if (best == null || r.score().betterThan(best.score())) {
        best = r;
      }
    }
    return new Result(best.candidate(), best.rotation(), best.score(), best.truth(), evaluations);
  }

  private Result refine(DepthViews target, Camera[] cameras, int index, Mesh mesh,
      double[] start) {
    MeshDepthSource source = new MeshDepthSource(mesh, geometry.resolution);
    double[] cur = start;
    DepthViews curViews = render(source, cur, cameras);
    ViewScore curScore = ViewScore.compare(target, curViews);
    int evaluations = 1;
    double step = Math.toRadians(settings.initialStepDeg());
    double finalStep = Math.toRadians(settings.finalStepDeg());
    while (step >= finalStep - 1e-12 && evaluations < settings.maxEvaluations()) {
      double[] moveRot = null;
      DepthViews moveViews = null;
      ViewScore moveScore = null;
      for (double[] axis : AXES) {
        for (int sign = -1; sign <= 1; sign += 2) {
          double[] r = Rotations.multiply(Rotations.axisAngle(axis, sign * step), cur);
          DepthViews v = render(source, r, cameras);
          ViewScore s = ViewScore.compare(target, v);
          evaluations++;
          if (s.betterThan(moveScore)) {
            moveRot = r;
            moveViews = v;
            moveScore = s;
          }
        }
      }
      if (moveScore.betterThan(curScore)) {
        cur = moveRot;
        curViews = moveViews;
        curScore = moveScore;
      } else {
        step /= 2;
      }
    }
    return new Result(index, cur, curScore, curViews, evaluations);
  }

  private static DepthViews render(DepthSource source, double[] rotation, Camera[] cameras) {
    Camera[] moved = new Camera[cameras.length];
    for (int v = 0; v < cameras.length; v++) {
      moved[v] = Rotations.viewOfRotated(rotation, cameras[v]);
    }
    return source.render(moved);
  }
}
