package org.wild3d.metrics.geometry;

import static com.google.common.base.Preconditions.checkArgument;

import org.wild3d.camera.Camera;
import org.wild3d.raster.Mesh;
import org.wild3d.raster.MeshRenderer;
import org.wild3d.raster.RenderOptions;
import org.wild3d.raster.Rendering;

/**
 * A mesh rendered by {@link MeshRenderer} with one sample at each pixel centre: opacity is 1 where
 * the pixel-centre ray hits the mesh and 0 elsewhere, depth is the ray distance to the hit — the
 * same rays (and the same depth definition) as the volume renderer's. Thread-safe.
 */
public final class MeshDepthSource implements DepthSource {
  private static final RenderOptions OPTIONS = RenderOptions.defaults().withSupersample(1);

  private final Mesh mesh;
  private final int resolution;

  public MeshDepthSource(Mesh mesh, int resolution) {
    checkArgument(resolution > 0, "resolution: expected > 0, found %s", resolution);
    this.mesh = mesh;
    this.resolution = resolution;
  }

  public Mesh mesh() {
    return mesh;
  }

  @Override
  public DepthViews render(Camera... cameras) {
    int n = resolution * resolution;
    float[] depth = new float[cameras.length * n];
    float[] opacity = new float[cameras.length * n];
    for (int v = 0; v < cameras.length; v++) {
      Rendering r = MeshRenderer.render(mesh, cameras[v].cam2world(), cameras[v].fovDegrees(),
          resolution, resolution, OPTIONS);
      System.arraycopy(r.depth(), 0, depth, v * n, n);
      System.arraycopy(r.silhouette(), 0, opacity, v * n, n);
    }
    return new DepthViews(depth, opacity, cameras.length, resolution);
  }

  @Override
  public int resolution() {
    return resolution;
  }
}
