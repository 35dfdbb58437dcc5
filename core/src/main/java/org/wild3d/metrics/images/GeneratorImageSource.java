package org.wild3d.metrics.images;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.SplittableRandom;
import org.wild3d.camera.Camera;
import org.wild3d.camera.CameraSampler;
import org.wild3d.config.CameraPriorSpec;
import org.wild3d.model.GeneratedImages;
import org.wild3d.model.ImageGenerator;
import org.wild3d.model.Latents;
import org.wild3d.model.Snapshot;

/**
 * Generated images of an {@link ImageGenerator} (e.g. a {@link Snapshot}), reproducible from one seed: image {@code i} of the
 * stream has latent, class and camera drawn in order from generators seeded by {@code seed}, so the
 * images do not depend on the batch sizes asked for. Classes follow given class frequencies (the
 * real dataset's), cameras the run's camera prior ({@link CameraSampler}); labels are the generated
 * classes (for {@code acc*_cls}). Never runs out.
 */
public final class GeneratorImageSource implements ImageSource {
  private final ImageGenerator snapshot;
  private final double[] cumulative;
  private final float psi;
  private final SplittableRandom latents;
  private final SplittableRandom classes;
  private final CameraSampler cameras;

  /**
   * @param classCounts relative class frequencies {@code [K]} (e.g. the dataset's class counts)
   * @param seed seeds latents, classes and cameras (three independent streams)
   * @param truncationPsi 1 = none
   */
  public GeneratorImageSource(ImageGenerator snapshot, int[] classCounts, long seed,
      float truncationPsi) {
    checkArgument(classCounts.length == snapshot.numClasses(),
        "class frequencies: expected %s classes (model.num_classes), found %s (the dataset does"
            + " not match the run's model)", snapshot.numClasses(), classCounts.length);
    this.snapshot = snapshot;
    this.cumulative = cumulative(classCounts);
    this.psi = truncationPsi;
    SplittableRandom root = new SplittableRandom(seed);
    this.latents = root.split();
    this.classes = root.split();
    this.cameras = new CameraSampler(CameraPriorSpec.from(snapshot.config().getCamera()),
        root.nextLong());
  }

  private static double[] cumulative(int[] classCounts) {
    long total = 0;
    for (int c : classCounts) {
      checkArgument(c >= 0, "class count: expected >= 0, found %s", c);
      total += c;
    }
    checkArgument(total > 0, "class frequencies: expected a positive total, found 0");
    double[] out = new double[classCounts.length];
    double acc = 0;
    for (int k = 0; k < classCounts.length; k++) {
      acc += classCounts[k];
      out[k] = acc / total;
    }
    return out;
  }

  /** A class drawn with the frequencies of {@code cumulative}. */
  private static int draw(double[] cumulative, SplittableRandom r) {
    double u = r.nextDouble();
    int k = 0;
    while (k < cumulative.length - 1 && (u >= cumulative[k] || cumulative[k] == 0)) {
      k++;
    }
    return k;
  }

  /** Observed frequencies of {@code n} classes drawn as this source draws them (for tests). */
  static double[] classFrequencies(int[] classCounts, long seed, int n) {
    double[] cum = cumulative(classCounts);
    SplittableRandom r = new SplittableRandom(seed);
    double[] f = new double[classCounts.length];
    for (int i = 0; i < n; i++) {
      f[draw(cum, r)] += 1.0 / n;
    }
    return f;
  }

  /**
   * Moves the stream past its next {@code n} images without generating them: draws (and drops)
   * their latents, classes and cameras exactly as {@link #next} would, so the image that follows
   * is image {@code n} of a fresh source (how a metric shard starts at its first index). Costs
   * random draws only.
   *
   * @return this source
   */
  public GeneratorImageSource skip(long n) {
    checkArgument(n >= 0, "GeneratorImageSource.skip: expected n >= 0, found %s", n);
    int zDim = snapshot.zDim();
    for (long done = 0; done < n; ) {
      int b = (int) Math.min(SKIP_CHUNK, n - done);
      for (long i = 0; i < (long) b * zDim; i++) {
        Latents.gaussian(latents);
      }
      for (int i = 0; i < b; i++) {
        draw(cumulative, classes);
      }
      cameras.sample(b);
      done += b;
    }
    return this;
  }

  private static final int SKIP_CHUNK = 4096;

  @Override
  public ImageBatch next(int max) {
    checkArgument(max > 0, "ImageSource.next: expected max > 0, found %s", max);
    int zDim = snapshot.zDim();
    float[] z = new float[max * zDim];
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) Latents.gaussian(latents);
    }
    int[] c = new int[max];
    for (int i = 0; i < max; i++) {
      c[i] = draw(cumulative, classes);
    }
    Camera[] cams = cameras.sample(max);
    GeneratedImages g = snapshot.generate(z, c, cams, psi);
    return new ImageBatch(g.images(), max, g.resolution(), g.resolution(), c);
  }
}
