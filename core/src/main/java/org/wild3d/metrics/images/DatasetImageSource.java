package org.wild3d.metrics.images;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.wild3d.data.Dataset;

/**
 * Real images of a {@link Dataset} in a fixed order (all of it, or a seeded subset), labels = the
 * dataset's classes; read once. Images are decoded in parallel.
 */
public final class DatasetImageSource implements ImageSource {
  private final Dataset dataset;
  private final int[] order;
  private int position;

  /** The images {@code order} (dataset indices) in that order. */
  public DatasetImageSource(Dataset dataset, int[] order) {
    for (int i : order) {
      checkArgument(i >= 0 && i < dataset.size(), "dataset image index: expected [0, %s), found %s",
          dataset.size(), i);
    }
    this.dataset = dataset;
    this.order = order.clone();
  }

  /** Every image in dataset order. */
  public static DatasetImageSource all(Dataset dataset) {
    return new DatasetImageSource(dataset, IntStream.range(0, dataset.size()).toArray());
  }

  /** Every image in the order of a seeded shuffle, so any prefix is a random subset. */
  public static DatasetImageSource shuffled(Dataset dataset, long seed) {
    return new DatasetImageSource(dataset, permutation(dataset.size(), seed));
  }

  /**
   * Two disjoint halves of a seeded shuffle (the first gets the extra image of an odd count), each
   * in shuffled order: the sanity check of a metric, real vs real.
   */
  public static DatasetImageSource[] split(Dataset dataset, long seed) {
    int[] p = permutation(dataset.size(), seed);
    int h = (p.length + 1) / 2;
    int[] a = new int[h];
    int[] b = new int[p.length - h];
    System.arraycopy(p, 0, a, 0, h);
    System.arraycopy(p, h, b, 0, b.length);
    return new DatasetImageSource[] {new DatasetImageSource(dataset, a),
        new DatasetImageSource(dataset, b)};
  }

  /** A seeded permutation of {@code [0, n)} ({@link Collections#shuffle} with {@link Random}). */
  public static int[] permutation(int n, long seed) {
    List<Integer> idx = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      idx.add(i);
    }
    Collections.shuffle(idx, new Random(seed));
    return idx.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Images this source yields in total. */
  public int size() {
    return order.length;
  }

  @Override
  public ImageBatch next(int max) {
    checkArgument(max > 0, "ImageSource.next: expected max > 0, found %s", max);
    int n = Math.min(max, order.length - position);
    int r = dataset.resolution();
    int per = r * r * 3;
    float[] px = new float[n * per];
    int[] labels = new int[n];
    int from = position;
    IntStream.range(0, n).parallel()
        .forEach(i -> dataset.readInto(order[from + i], false, px, i * per));
    for (int i = 0; i < n; i++) {
      labels[i] = dataset.classOf(order[from + i]);
    }
    position += n;
    return new ImageBatch(px, n, r, r, labels);
  }
}
