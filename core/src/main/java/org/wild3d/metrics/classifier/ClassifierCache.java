package org.wild3d.metrics.classifier;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.SplittableRandom;
import org.wild3d.DataException;
import org.wild3d.data.Dataset;
import org.wild3d.log.Progress;
import org.wild3d.metrics.images.DatasetImageSource;
import org.wild3d.metrics.images.ImageBatch;

/**
 * The {@code _cls} feature network of a dataset, trained on first use and kept in a cache folder
 * as {@code classifier-<dataset fingerprint>-<steps>steps-seed<seed>.w3dcls}
 * ({@link ClassifierWeights} format), so every later metric of that dataset uses the same network.
 *
 * <p>Training: {@link ClassifierNet.Spec#standard} at the dataset's resolution, {@link #BATCH}
 * images per step drawn uniformly with replacement (seeded), Adam at {@link #LEARNING_RATE}.
 */
public final class ClassifierCache {
  /** Default optimisation steps (about a minute at 64² on 2 CPU cores). */
  public static final int DEFAULT_STEPS = 1000;
  /** Seconds between two progress lines of the training (a few lines for a minute's work). */
  static final double PROGRESS_INTERVAL_SECONDS = 10;
  /** Images per training step. */
  public static final int BATCH = 32;
  /** Adam learning rate. */
  public static final float LEARNING_RATE = 2e-3f;

  private ClassifierCache() {}

  /** The cache file of a dataset's classifier. */
  public static Path file(Path cacheDir, String datasetFingerprint, int steps, long seed) {
    return cacheDir.resolve("classifier-" + datasetFingerprint.replaceAll("[^A-Za-z0-9._-]", "_")
        + "-" + steps + "steps-seed" + seed + ".w3dcls");
  }

  /**
   * The cached classifier of {@code ds}, or a new one trained for {@code steps} and stored.
   *
   * @param log one line when training starts, a progress line (steps done, rate, ETA) every
   *     {@value #PROGRESS_INTERVAL_SECONDS} s, and one with its result; may be null
   */
  public static ClassifierWeights getOrTrain(Path cacheDir, Dataset ds, String fingerprint,
      int steps, long seed, int intraThreads, PrintWriter log) {
    Path f = file(cacheDir, fingerprint, steps, seed);
    if (Files.isRegularFile(f)) {
      return ClassifierWeights.load(f);
    }
    int r = ds.resolution();
    if (r < 16 || r % 16 != 0) {
      throw new DataException("classifier metrics (_cls): expected a dataset resolution that is a"
          + " multiple of 16, found " + r + " (" + ds.location() + "; use Inception metrics, or a"
          + " dataset of 16, 32, 64... pixels)");
    }
    ClassifierNet.Spec spec = ClassifierNet.Spec.standard(r, Math.max(1, ds.numClasses()));
    if (log != null) {
      log.printf("training the _cls feature network on %s (%d images, %d classes, %d steps of %d"
          + " images); cached as %s%n", ds.location(), ds.size(), spec.numClasses(), steps, BATCH,
          f);
      log.flush();
    }
    long t0 = System.nanoTime();
    Progress progress = new Progress(log, "classifier", steps, Progress.Unit.STEPS)
        .interval(PROGRESS_INTERVAL_SECONDS);
    ClassifierWeights w = ClassifierTrainer.train(spec, batches(ds, seed),
        new ClassifierTrainer.Options(steps, LEARNING_RATE, seed, intraThreads), fingerprint,
        progress);
    try {
      Files.createDirectories(cacheDir);
      w.save(f);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the classifier to " + f
          + " (set data.cache_dir or --cache-dir to a writable folder)", e);
    }
    if (log != null) {
      log.printf("classifier cls-%s: training accuracy %.3f, %.1f s%n", w.id(),
          w.trainAccuracy(), (System.nanoTime() - t0) / 1e9);
      log.flush();
    }
    return w;
  }

  /** An endless stream of batches drawn uniformly with replacement. */
  static Iterator<ImageBatch> batches(Dataset ds, long seed) {
    checkArgument(ds.size() > 0, "classifier training: the dataset %s is empty", ds.location());
    SplittableRandom rnd = new SplittableRandom(seed);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public ImageBatch next() {
        int[] idx = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
          idx[i] = rnd.nextInt(ds.size());
        }
        return new DatasetImageSource(ds, idx).next(BATCH);
      }
    };
  }
}
