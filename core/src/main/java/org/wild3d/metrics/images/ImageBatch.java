package org.wild3d.metrics.images;

import static com.google.common.base.Preconditions.checkArgument;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * A batch of RGB images with their class indices, as metrics consume them.
 *
 * <p>Shapes: {@code pixels [N,H,W,3]} flattened in NHWC order, values in [−1, 1];
 * {@code labels [N]} class indices (0 for unconditional data).
 */
public record ImageBatch(float[] pixels, int size, int height, int width, int[] labels) {
  public ImageBatch {
    checkArgument(size >= 0 && height > 0 && width > 0,
        "ImageBatch: expected N >= 0 and H, W > 0, found N=%s H=%s W=%s", size, height, width);
    checkArgument(pixels.length == (long) size * height * width * 3,
        "ImageBatch pixels: expected N*H*W*3 = %s floats, found %s",
        (long) size * height * width * 3, pixels.length);
    checkArgument(labels.length == size, "ImageBatch labels: expected %s, found %s", size,
        labels.length);
  }

  /** Pixels of image {@code i}, {@code [H,W,3]} flattened. */
  public float[] image(int i) {
    int n = height * width * 3;
    float[] out = new float[n];
    System.arraycopy(pixels, i * n, out, 0, n);
    return out;
  }

  /** Images {@code [from, to)} of this batch. */
  public ImageBatch slice(int from, int to) {
    int n = height * width * 3;
    float[] p = new float[(to - from) * n];
    System.arraycopy(pixels, from * n, p, 0, p.length);
    int[] l = new int[to - from];
    System.arraycopy(labels, from, l, 0, l.length);
    return new ImageBatch(p, to - from, height, width, l);
  }

  /** The pixels as a {@code [N,H,W,3]} tensor; the caller closes it. */
  public TFloat32 toTensor() {
    return TFloat32.tensorOf(Shape.of(size, height, width, 3), DataBuffers.of(pixels, true, false));
  }
}
