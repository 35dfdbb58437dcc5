package org.wild3d.data;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * One batch of real images from a {@link BatchReader}.
 *
 * <p>Shapes: {@code images} is {@code [N*V, H, W, 3]} float in [-1, 1] ({@code x/127.5 - 1}),
 * scene-major: the V views of scene n are images {@code n*V .. n*V+V-1} (V = 1 unless the reader
 * groups same-class images); {@code classes} is {@code [N*V]} int class indices (equal within a
 * scene); {@code indices} is {@code [N*V]} dataset indices.
 */
public final class Batch {
  private final float[] images;
  private final int[] classes;
  private final int[] indices;
  private final int scenes;
  private final int views;
  private final int resolution;
  private final BatchReader.Position start;
  private final BatchReader.Position end;

  Batch(
      float[] images,
      int[] classes,
      int[] indices,
      int scenes,
      int views,
      int resolution,
      BatchReader.Position start,
      BatchReader.Position end) {
    this.images = images;
    this.classes = classes;
    this.indices = indices;
    this.scenes = scenes;
    this.views = views;
    this.resolution = resolution;
    this.start = start;
    this.end = end;
  }

  /** NHWC pixels in [-1, 1] (the backing array, not a copy). Shapes: {@code [N*V, H, W, 3]}. */
  public float[] images() {
    return images;
  }

  /** Class index per image. Shapes: {@code [N*V]}. */
  public int[] classes() {
    return classes;
  }

  /** Class index per scene (every V-th entry of {@link #classes()}). Shapes: {@code [N]}. */
  public int[] sceneClasses() {
    int[] out = new int[scenes];
    for (int n = 0; n < scenes; n++) {
      out[n] = classes[n * views];
    }
    return out;
  }

  /** Dataset index of each image. Shapes: {@code [N*V]}. */
  public int[] indices() {
    return indices;
  }

  /** N: scenes (= images when V = 1). */
  public int scenes() {
    return scenes;
  }

  /** V: images per scene (1 unless same-class grouping is on). */
  public int views() {
    return views;
  }

  /** Number of images, N*V. */
  public int size() {
    return scenes * views;
  }

  /** H = W. */
  public int resolution() {
    return resolution;
  }

  /** Reader position of this batch's first scene. */
  public BatchReader.Position start() {
    return start;
  }

  /** Reader position just after this batch (what a checkpoint saves to resume after it). */
  public BatchReader.Position end() {
    return end;
  }

  /** A new tensor of the images (caller closes). Shapes: {@code [N*V, H, W, 3]} float32. */
  public TFloat32 imagesTensor() {
    return TFloat32.tensorOf(
        Shape.of(size(), resolution, resolution, 3), DataBuffers.of(images, true, false));
  }

  /** A new tensor of the class indices (caller closes). Shapes: {@code [N*V]} int32. */
  public TInt32 classesTensor() {
    return TInt32.tensorOf(Shape.of(size()), DataBuffers.of(classes, true, false));
  }
}
