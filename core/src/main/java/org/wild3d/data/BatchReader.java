package org.wild3d.data;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.wild3d.DataException;

/**
 * Streams shuffled batches of real images from a {@link Dataset}, decoding ahead on a background
 * thread; memory use is a few batches, never the dataset.
 *
 * <p>Order is a pure function of {@code (seed, epoch, index)}: epoch {@code e} visits the images in
 * a permutation drawn from {@code (seed, e)}; a batch takes the next N positions, running on into the
 * next epoch when one ends. The x-flip of each image is a hash of {@code (seed, epoch, index)}.
 * So a reader restarted at a saved {@link Position} continues with exactly the batches the
 * original reader would have produced.
 *
 * <p>Same-class grouping (the stacked multi-view discriminator): with {@code viewsPerScene = V > 1}
 * each position gives an anchor image plus V-1 more images of the anchor's class, chosen by a hash
 * of {@code (seed, epoch, index, v)}; batches hold N scenes of V images, scene-major.
 */
public final class BatchReader implements AutoCloseable {
  /**
   * A reader position: the next anchor is element {@code index} of epoch {@code epoch}'s
   * permutation. Save it with a checkpoint; pass it to {@link Options#start} to resume.
   */
  public record Position(long epoch, long index) {
    public Position {
      checkArgument(epoch >= 0 && index >= 0, "reader position: expected >= 0, found (%s, %s)",
          epoch, index);
    }

    /** The start of training. */
    public static final Position ZERO = new Position(0, 0);
  }

  /** Reader options (immutable; {@code with...} return copies). */
  public record Options(
      int batchSize, long seed, boolean xflip, int viewsPerScene, int prefetch, int threads,
      Position start, int[] rows) {
    public Options {
      checkArgument(batchSize > 0, "batch size: expected > 0, found %s", batchSize);
      checkArgument(viewsPerScene > 0, "views per scene: expected > 0, found %s", viewsPerScene);
      checkArgument(prefetch > 0, "prefetch: expected > 0 batches, found %s", prefetch);
      checkArgument(threads > 0, "decode threads: expected > 0, found %s", threads);
      checkArgument(start != null, "start position: expected a position, found null");
      if (rows != null) {
        rows = rows.clone();
        for (int r : rows) {
          checkArgument(r >= 0 && r < batchSize, "reader rows: expected scenes in [0, %s), found %s",
              batchSize, r);
        }
      }
    }

    /** N scenes per batch, seed 0, no flips, V = 1, 3 batches ahead, 1 decode thread, from 0. */
    public static Options of(int batchSize) {
      return new Options(batchSize, 0, false, 1, 3, 1, Position.ZERO, null);
    }

    public Options withSeed(long s) {
      return new Options(batchSize, s, xflip, viewsPerScene, prefetch, threads, start, rows);
    }

    public Options withXflip(boolean f) {
      return new Options(batchSize, seed, f, viewsPerScene, prefetch, threads, start, rows);
    }

    public Options withViewsPerScene(int v) {
      return new Options(batchSize, seed, xflip, v, prefetch, threads, start, rows);
    }

    public Options withPrefetch(int p) {
      return new Options(batchSize, seed, xflip, viewsPerScene, p, threads, start, rows);
    }

    public Options withThreads(int t) {
      return new Options(batchSize, seed, xflip, viewsPerScene, prefetch, t, start, rows);
    }

    public Options withStart(Position p) {
      return new Options(batchSize, seed, xflip, viewsPerScene, prefetch, threads, p, rows);
    }

    /**
     * Only these scenes of every batch, in this order (each with its V images): the shard of a
     * worker of a multi-worker run, whose batches together are the single reader's batches.
     * Positions advance as for the whole batch. Null = every scene in order.
     */
    public Options withRows(int[] sceneRows) {
      return new Options(batchSize, seed, xflip, viewsPerScene, prefetch, threads, start, sceneRows);
    }

    /** The scenes each batch holds (a copy), or null for all. */
    @Override
    public int[] rows() {
      return rows == null ? null : rows.clone();
    }

    /** Scenes each batch holds: {@code rows.length}, or the batch size. */
    public int scenesPerBatch() {
      return rows == null ? batchSize : rows.length;
    }
  }

  private static final Object END = new Object();

  private final Dataset dataset;
  private final Options options;
  private final int[][] byClass;
  private final BlockingQueue<Object> queue;
  private final Thread producer;
  private final ExecutorService decoders;
  private volatile boolean closed;
  private Position position;

  private BatchReader(Dataset dataset, Options options) {
    this.dataset = dataset;
    this.options = options;
    this.position = options.start();
    // One pass over the labels (indicesOfClass per class would be O(N·K), minutes on ImageNet).
    int[] counts = dataset.classCounts();
    this.byClass = new int[counts.length][];
    for (int k = 0; k < counts.length; k++) {
      byClass[k] = new int[counts[k]];
    }
    int[] fill = new int[counts.length];
    for (int i = 0; i < dataset.size(); i++) {
      int k = dataset.classOf(i);
      byClass[k][fill[k]++] = i;
    }
    this.queue = new ArrayBlockingQueue<>(options.prefetch());
    this.decoders = options.threads() > 1 ? Executors.newFixedThreadPool(options.threads(), r -> {
      Thread t = new Thread(r, "wild3d-data-decode");
      t.setDaemon(true);
      return t;
    }) : null;
    this.producer = new Thread(this::produce, "wild3d-data-prefetch");
    producer.setDaemon(true);
    producer.start();
  }

  /** Starts reading {@code dataset} (which the caller keeps open and closes after the reader). */
  public static BatchReader open(Dataset dataset, Options options) {
    checkArgument(dataset.size() > 0, "dataset: expected images, found none");
    return new BatchReader(dataset, options);
  }

  /**
   * The next batch (blocks while the background thread decodes).
   *
   * @throws DataException naming the file if an image fails to decode
   */
  public Batch next() {
    Object item;
    try {
      item = queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a batch", e);
    }
    if (item instanceof RuntimeException e) {
      queue.offer(item); // keep failing for later calls
      throw e;
    }
    if (item == END) {
      queue.offer(item);
      throw new IllegalStateException("reader is closed");
    }
    Batch b = (Batch) item;
    position = b.end();
    return b;
  }

  /** The position after the last batch returned by {@link #next()} (the start before any). */
  public Position position() {
    return position;
  }

  /** The options this reader runs with. */
  public Options options() {
    return options;
  }

  /**
   * The dataset indices, classes and flips of the batch starting at {@code start}, without decoding
   * (the deterministic schedule the background thread follows). Shapes: each array {@code [N*V]}.
   */
  Schedule schedule(Position start) {
    int n = options.batchSize();
    int v = options.viewsPerScene();
    int[] idx = new int[n * v];
    boolean[] flip = new boolean[n * v];
    long epoch = start.epoch();
    long pos = start.index();
    int size = dataset.size();
    for (int s = 0; s < n; s++) {
      if (pos >= size) {
        epoch++;
        pos = 0;
      }
      int anchor = permutation(epoch)[(int) pos];
      idx[s * v] = anchor;
      flip[s * v] = options.xflip() && (mix(options.seed(), epoch, pos, 0) & 1) == 1;
      int[] same = byClass[dataset.classOf(anchor)];
      for (int k = 1; k < v; k++) {
        long h = mix(options.seed(), epoch, pos, k);
        idx[s * v + k] = same[(int) Long.remainderUnsigned(h >>> 1, same.length)];
        flip[s * v + k] = options.xflip() && (h & 1) == 1;
      }
      pos++;
    }
    if (pos >= size) {
      epoch++;
      pos = 0;
    }
    return new Schedule(idx, flip, start, new Position(epoch, pos));
  }

  record Schedule(int[] indices, boolean[] flips, Position start, Position end) {}

  /** {@code s} cut to the options' rows (scenes of V images each), or {@code s} itself. */
  private Schedule shard(Schedule s) {
    int[] rows = options.rows();
    if (rows == null) {
      return s;
    }
    int v = options.viewsPerScene();
    int[] idx = new int[rows.length * v];
    boolean[] flip = new boolean[rows.length * v];
    for (int i = 0; i < rows.length; i++) {
      for (int k = 0; k < v; k++) {
        idx[i * v + k] = s.indices()[rows[i] * v + k];
        flip[i * v + k] = s.flips()[rows[i] * v + k];
      }
    }
    return new Schedule(idx, flip, s.start(), s.end());
  }

  private long cachedEpoch = -1;
  private int[] cachedPermutation;

  private synchronized int[] permutation(long epoch) {
    if (epoch != cachedEpoch) {
      int size = dataset.size();
      int[] p = new int[size];
      for (int i = 0; i < size; i++) {
        p[i] = i;
      }
      java.util.SplittableRandom rng =
          new java.util.SplittableRandom(mix(options.seed(), epoch, -1, -1));
      for (int i = size - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = p[i];
        p[i] = p[j];
        p[j] = t;
      }
      cachedPermutation = p;
      cachedEpoch = epoch;
    }
    return cachedPermutation;
  }

  /** SplitMix64-style hash of four longs. */
  static long mix(long a, long b, long c, long d) {
    long h = 0x9E3779B97F4A7C15L;
    for (long x : new long[] {a, b, c, d}) {
      h ^= x;
      h *= 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
      h *= 0x94D049BB133111EBL;
      h ^= h >>> 29;
    }
    return h;
  }

  private void produce() {
    Position next = position;
    int r = dataset.resolution();
    int per = r * r * 3;
    try {
      while (!closed) {
        Schedule s = shard(schedule(next));
        int count = s.indices().length;
        float[] images = new float[count * per];
        int[] classes = new int[count];
        for (int i = 0; i < count; i++) {
          classes[i] = dataset.classOf(s.indices()[i]);
        }
        if (decoders == null) {
          for (int i = 0; i < count; i++) {
            dataset.readInto(s.indices()[i], s.flips()[i], images, i * per);
          }
        } else {
          List<Future<?>> futures = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            final int k = i;
            futures.add(decoders.submit(
                () -> dataset.readInto(s.indices()[k], s.flips()[k], images, k * per)));
          }
          for (Future<?> f : futures) {
            try {
              f.get();
            } catch (ExecutionException e) {
              throw e.getCause() instanceof RuntimeException re ? re
                  : new DataException("image decoding failed: " + e.getCause(), e.getCause());
            }
          }
        }
        queue.put(new Batch(images, classes, s.indices().clone(), options.scenesPerBatch(),
            options.viewsPerScene(), r, s.start(), s.end()));
        next = s.end();
      }
    } catch (InterruptedException e) {
      // close() interrupts us.
    } catch (RuntimeException e) {
      try {
        queue.put(e);
      } catch (InterruptedException ie) {
        // Closing: nobody waits for the error any more.
      }
    }
  }

  /** Stops the background thread. The dataset stays open. */
  @Override
  public void close() {
    closed = true;
    producer.interrupt();
    try {
      producer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (decoders != null) {
      decoders.shutdownNow();
    }
    queue.clear();
    queue.offer(END);
  }
}
