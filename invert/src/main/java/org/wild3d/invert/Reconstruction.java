package org.wild3d.invert;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.wild3d.DataException;
import org.wild3d.config.ConfigLoader;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import org.wild3d.config.Invert;
import org.wild3d.data.Dataset;
import org.wild3d.data.Datasets;
import org.wild3d.image.Resize;
import org.wild3d.image.RgbImage;
import org.wild3d.metrics.classifier.ClassifierCache;
import org.wild3d.metrics.classifier.ClassifierWeights;
import org.wild3d.metrics.images.DatasetFingerprint;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine;

/**
 * What the command and the benchmark share: the run's config with the user's invert overrides,
 * the perceptual network, the target image, and the three steps of PTI on one image.
 */
final class Reconstruction {
  /**
   * Everything one inversion produced.
   *
   * @param target the input view {@code [H,W,3]} in [−1,1]
   * @param classGiven whether the class was given (else inferred by the search)
   */
  record Result(float[] target, boolean classGiven, Inverter.Search search, Inverter.Stage stage1,
      Inverter.Stage stage2, Inverter.Pivot pivot) {}

  private Reconstruction() {}

  /**
   * The run's resolved config with {@code overrides} and an optional latent space on top. Only the
   * {@code invert} section may change: the architecture comes from the run.
   *
   * @throws org.wild3d.config.ConfigException (exit 3) on a bad override
   * @throws ParameterException (exit 2) when an override touches anything but {@code invert}
   */
  static Experiment config(CommandLine cl, Path run, List<String> overrides,
      Invert.LatentSpace latentSpace) {
    Experiment base = Configs.readResolved(run);
    Experiment cfg = base;
    if (!overrides.isEmpty()) {
      cfg = ConfigLoader.loadText(run.resolve(Configs.RESOLVED_FILE).toString(),
          Configs.toText(base), overrides).resolved();
      Experiment onlyInvert = cfg.toBuilder().setInvert(base.getInvert()).build();
      if (!Configs.hash(onlyInvert).equals(Configs.hash(base))) {
        throw new ParameterException(cl, "--override: expected changes to the invert { ... }"
            + " section only, found changes elsewhere (the architecture and data come from the"
            + " run " + run + ")");
      }
    }
    if (latentSpace != null) {
      cfg = cfg.toBuilder().setInvert(cfg.getInvert().toBuilder().setLatentSpace(latentSpace))
          .build();
    }
    return cfg;
  }

  /**
   * The perceptual network of invert.lpips_path, or else the run dataset's {@code _cls}
   * classifier (trained on first use and cached next to the metrics' cache); null when the
   * perceptual weight is 0.
   */
  static PerceptualDistance perceptual(Experiment cfg, int threads, PrintWriter log) {
    Invert inv = cfg.getInvert();
    if (inv.getPerceptualWeight() == 0) {
      return null;
    }
    if (!inv.getLpipsPath().isEmpty()) {
      return LpipsVgg16.load(Path.of(inv.getLpipsPath()));
    }
    int res = cfg.getData().getResolution();
    try (Dataset ds = Datasets.open(cfg.getData(), cfg.getCamera(), res, log)) {
      String fp = DatasetFingerprint.of(ds);
      Path cache = Datasets.cacheDir(cfg.getData()).resolve("metrics");
      ClassifierWeights w = ClassifierCache.getOrTrain(cache, ds, fp,
          ClassifierCache.DEFAULT_STEPS, 0, threads, log);
      return new ClassifierPerceptual(w);
    }
  }

  /** Centre crop and Lanczos resize to {@code res}² (the importer's treatment). */
  static float[] target(RgbImage image, int res) {
    RgbImage img = image.width() == res && image.height() == res ? image
        : Resize.cropAndResize(image, res);
    byte[] px = img.rgb();
    float[] out = new float[px.length];
    for (int i = 0; i < px.length; i++) {
      out[i] = (px[i] & 0xff) / 127.5f - 1f;
    }
    return out;
  }

  /** Search, stage 1 and stage 2 on {@code target} ({@code classIndex} −1 = infer). */
  static Result run(Inverter inv, float[] target, int classIndex, PrintWriter log) {
    Inverter.Search search = inv.search(target, classIndex, log);
    Inverter.Stage s1 = inv.fitPivot(log);
    Inverter.Pivot pivot = inv.pivot();
    Inverter.Stage s2 = inv.tune(log);
    return new Result(target, classIndex >= 0, search, s1, s2, pivot);
  }

  /** Opens a dataset folder/zip for --dataset, naming the option on failure. */
  static Dataset dataset(Path dir) {
    if (!Files.exists(dir)) {
      throw new DataException("--dataset: expected a dataset folder or zip, found nothing at "
          + dir + " (check the path)");
    }
    return Dataset.open(dir);
  }

  /** Fails unless {@code out} is absent or an empty directory (or {@code force}). */
  static void checkOut(CommandLine cl, Path out, boolean force) {
    if (!Files.exists(out) || force) {
      return;
    }
    if (Files.isDirectory(out)) {
      try (var s = Files.list(out)) {
        if (s.findAny().isEmpty()) {
          return;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + out, e);
      }
    }
    throw new ParameterException(cl, "--out: expected a new or empty directory, found "
        + (Files.isDirectory(out) ? "a non-empty directory" : "a file") + " at " + out
        + " (pass --force to replace it)");
  }
}
