package org.wild3d.data;

import static com.google.common.base.Preconditions.checkArgument;

import org.wild3d.camera.Camera;

/**
 * The true camera of a synthetic image and the object it shows. Evaluation only: training never
 * reads it.
 *
 * @param objectId index into the dataset's objects (see {@link Dataset#object(int)})
 * @param cam2world 4x4 row-major OpenCV cam2world (docs/CONVENTIONS.md), world y up
 * @param fovDegrees vertical = horizontal field of view; normalised focal {@code 0.5/tan(fov/2)}
 */
public record TrueView(int objectId, double[] cam2world, double fovDegrees) {
  public TrueView {
    checkArgument(cam2world.length == 16, "cam2world: expected 16 values, found %s", cam2world.length);
    cam2world = cam2world.clone();
  }

  @Override
  public double[] cam2world() {
    return cam2world.clone();
  }

  /**
   * The EG3D camera label: 16 cam2world values then the 9 normalised intrinsics
   * {@code [fx,0,0.5, 0,fy,0.5, 0,0,1]}.
   */
  public float[] eg3dLabel() {
    float[] out = new float[25];
    for (int i = 0; i < 16; i++) {
      out[i] = (float) cam2world[i];
    }
    double f = Camera.focal(fovDegrees);
    out[16] = (float) f;
    out[18] = 0.5f;
    out[20] = (float) f;
    out[21] = 0.5f;
    out[24] = 1f;
    return out;
  }
}
