package org.wild3d.camera;

import static com.google.common.base.Preconditions.checkArgument;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Cameras as tensors to feed a graph. */
public final class Cameras {
  private Cameras() {}

  /**
   * A batch of cameras as float32 tensors; the caller closes it.
   *
   * <p>Shapes: {@code cam2world [N,4,4]}, {@code intrinsics [N,3,3]}.
   */
  public record Batch(TFloat32 cam2world, TFloat32 intrinsics) implements AutoCloseable {
    @Override
    public void close() {
      cam2world.close();
      intrinsics.close();
    }
  }

  /** Converts cameras to tensors (float32, row-major matrices). */
  public static Batch toTensors(Camera... cameras) {
    checkArgument(cameras.length > 0, "cameras: expected at least one, found none");
    int n = cameras.length;
    float[] m = new float[n * 16];
    float[] k = new float[n * 9];
    for (int i = 0; i < n; i++) {
      double[] c = cameras[i].cam2world();
      for (int j = 0; j < 16; j++) {
        m[16 * i + j] = (float) c[j];
      }
      double[][] in = cameras[i].intrinsics();
      for (int r = 0; r < 3; r++) {
        for (int j = 0; j < 3; j++) {
          k[9 * i + 3 * r + j] = (float) in[r][j];
        }
      }
    }
    TFloat32 c2w = TFloat32.tensorOf(Shape.of(n, 4, 4), DataBuffers.of(m, true, false));
    try {
      return new Batch(c2w, TFloat32.tensorOf(Shape.of(n, 3, 3), DataBuffers.of(k, true, false)));
    } catch (RuntimeException e) {
      c2w.close();
      throw e;
    }
  }
}
