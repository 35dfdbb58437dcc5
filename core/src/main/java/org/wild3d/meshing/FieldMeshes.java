package org.wild3d.meshing;

import org.wild3d.model.Snapshot;

/**
 * Meshes of a generator's radiance field: σ of one scene on a cube grid over the triplane box,
 * marching cubes at a density level (the grid's outer layer counts as empty, so every mesh is
 * closed), vertex colours from the field.
 */
public final class FieldMeshes {
  /**
   * Default density level: our σ = softplus(raw − 1) rises from about 0 to a few units at
   * surfaces of briefly trained models (EG3D uses 10 for long-trained ones).
   */
  public static final float DEFAULT_LEVEL = 1f;

  private FieldMeshes() {}

  /**
   * One scene's surface.
   *
   * @param mesh the coloured surface; {@link TriangleMesh#isEmpty() empty} when σ never exceeds
   *     the level
   * @param sigmaRange {@code [min, max]} of σ on the grid (to choose a level when it is empty)
   */
  public record Extracted(TriangleMesh mesh, float[] sigmaRange) {}

  /**
   * Extracts the surface {@code σ = level} of the scene with latents {@code ws} ({@code [L,Wd]}
   * or {@code [Wd]}) on a {@code resolution³} grid spanning {@code [−box/2, box/2]³}.
   */
  public static Extracted extract(Snapshot snap, float[] ws, ScalarGrid grid, float level) {
    ScalarGrid sigma = grid.withValues(snap.density(ws, grid.points()));
    float[] range = sigma.range();
    TriangleMesh mesh = MarchingCubes.extract(sigma.closedAtBoundary(0f), level);
    if (!mesh.isEmpty()) {
      mesh = mesh.withColors(snap.sampleField(ws, mesh.vertices()).rgb());
    }
    return new Extracted(mesh, range);
  }

  /** The cube grid of {@code resolution³} nodes over {@code snap}'s triplane box. */
  public static ScalarGrid grid(Snapshot snap, int resolution) {
    return ScalarGrid.cube(resolution, snap.boxSize() / 2);
  }
}
