package org.wild3d.metrics.images;

import static com.google.common.base.Preconditions.checkArgument;

/** An {@link ImageSource} over images held in memory, read once in order. */
public final class ArrayImageSource implements ImageSource {
  private final ImageBatch all;
  private int position;

  /** Shapes: {@code all [N,H,W,3]}. */
  public ArrayImageSource(ImageBatch all) {
    this.all = all;
  }

  @Override
  public ImageBatch next(int max) {
    checkArgument(max > 0, "ImageSource.next: expected max > 0, found %s", max);
    int to = Math.min(all.size(), position + max);
    ImageBatch b = all.slice(position, to);
    position = to;
    return b;
  }
}
