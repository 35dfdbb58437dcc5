package org.wild3d.metrics.images;

/**
 * Where a metric gets images: a dataset reader for real images, the generator for fakes.
 *
 * <p>A generator-backed source draws its latents and classes from a seed range; a dataset-backed
 * source reads its images in a fixed order. Either way the same source state gives the same images.
 */
public interface ImageSource {
  /**
   * The next at most {@code max} images; an empty batch when the source is exhausted (a generator
   * never is). Shapes: {@code [N,H,W,3]} in [−1, 1], {@code N <= max}.
   */
  ImageBatch next(int max);
}
