package org.wild3d.metrics.images;

import java.util.Iterator;
import java.util.SplittableRandom;

/**
 * A tiny procedural image set for metric tests: on a dark noisy background one shape per image —
 * class 0 reddish discs, class 1 greenish squares, class 2 bluish triangles — with random position,
 * size and colour jitter. Deterministic for a seed.
 */
public final class SyntheticImages {
  private SyntheticImages() {}

  /** {@code n} images of {@code r×r} drawn with {@code seed}; classes cycle 0, 1, 2. */
  public static ImageBatch draw(int n, int r, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] px = new float[n * r * r * 3];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int cls = i % 3;
      labels[i] = cls;
      float[] col = new float[3];
      for (int c = 0; c < 3; c++) {
        col[c] = (float) (c == cls ? 0.6 + 0.4 * rng.nextDouble() : -0.3 + 0.6 * rng.nextDouble());
      }
      double size = r * (0.18 + 0.15 * rng.nextDouble());
      double cx = size + rng.nextDouble() * (r - 2 * size);
      double cy = size + rng.nextDouble() * (r - 2 * size);
      float bg = (float) (-0.9 + 0.3 * rng.nextDouble());
      for (int y = 0; y < r; y++) {
        for (int x = 0; x < r; x++) {
          double dx = x + 0.5 - cx;
          double dy = y + 0.5 - cy;
          boolean inside = switch (cls) {
            case 0 -> dx * dx + dy * dy < size * size;
            case 1 -> Math.abs(dx) < size * 0.85 && Math.abs(dy) < size * 0.85;
            default -> dy < size * 0.8 && dy > -size && Math.abs(dx) < (dy + size) * 0.55;
          };
          int o = ((i * r + y) * r + x) * 3;
          for (int c = 0; c < 3; c++) {
            float noise = (float) (0.05 * (rng.nextDouble() - 0.5));
            px[o + c] = (inside ? col[c] : bg) + noise;
          }
        }
      }
    }
    return new ImageBatch(px, n, r, r, labels);
  }

  /** The same images with a colour shift (+0.6 red, −0.3 green), clamped to [−1, 1]. */
  public static ImageBatch colourShifted(ImageBatch b) {
    float[] px = b.pixels().clone();
    for (int i = 0; i < px.length; i += 3) {
      px[i] = Math.min(1f, px[i] + 0.6f);
      px[i + 1] = Math.max(-1f, px[i + 1] - 0.3f);
    }
    return new ImageBatch(px, b.size(), b.height(), b.width(), b.labels());
  }

  /** Endless shuffled batches of {@code size} from {@code all} (a new permutation per epoch). */
  public static Iterator<ImageBatch> batches(ImageBatch all, int size, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    return new Iterator<>() {
      private int[] order = new int[0];
      private int pos;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public ImageBatch next() {
        int per = all.height() * all.width() * 3;
        float[] px = new float[size * per];
        int[] labels = new int[size];
        for (int k = 0; k < size; k++) {
          if (pos == order.length) {
            order = new int[all.size()];
            for (int i = 0; i < order.length; i++) {
              order[i] = i;
            }
            for (int i = order.length - 1; i > 0; i--) {
              int j = rng.nextInt(i + 1);
              int t = order[i];
              order[i] = order[j];
              order[j] = t;
            }
            pos = 0;
          }
          int idx = order[pos++];
          System.arraycopy(all.pixels(), idx * per, px, k * per, per);
          labels[k] = all.labels()[idx];
        }
        return new ImageBatch(px, size, all.height(), all.width(), labels);
      }
    };
  }
}
