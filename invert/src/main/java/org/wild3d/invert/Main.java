package org.wild3d.invert;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.wild3d.DataException;
import org.wild3d.checkpoint.CheckpointRestore;
import org.wild3d.cli.Cli;
import org.wild3d.cli.RunOptions;
import org.wild3d.cli.Verbosity;
import org.wild3d.cli.VersionProvider;
import org.wild3d.config.Experiment;
import org.wild3d.config.Invert;
import org.wild3d.data.Dataset;
import org.wild3d.image.Images;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code wild3d-invert}: single-view 3D reconstruction of a photo with a trained run by pivotal
 * tuning inversion (search + stage 1 pivot, stage 2 generator tuning; see {@link Inverter}).
 */
@Command(
    name = "wild3d-invert",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    scope = ScopeType.INHERIT,
    sortOptions = false,
    subcommands = {BenchCommand.class},
    description = "Reconstructs a 3D object from one photo with a trained run (PTI).",
    footer = {"", "Exit codes: 0 ok, 1 failure, 2 usage, 3 bad config, 4 bad run/image."})
public final class Main implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RunOptions runOptions;

  @Option(
      names = "--image",
      paramLabel = "IMG",
      description = "The photo to reconstruct (PNG or JPEG; centre-cropped and resized).")
  Path image;

  @Option(
      names = "--dataset",
      paramLabel = "DIR",
      description = "Instead of --image: a dataset folder or zip, with --index.")
  Path dataset;

  @Option(names = "--index", paramLabel = "I", description = "Image index in --dataset.")
  Integer index;

  @Option(
      names = "--class",
      paramLabel = "K",
      description = "Class index of the object; default: every class is tried, the best kept.")
  Integer classIndex;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Where the views, depth, pivot and tuned generator go (new or empty).")
  Path out;

  @Option(names = "--force", description = "Replace a non-empty --out.")
  boolean force;

  @Option(
      names = "--latent-space",
      paramLabel = "W|W_PLUS",
      description = "Latent space of the pivot (overrides invert.latent_space).")
  Invert.LatentSpace latentSpace;

  @Option(
      names = "--override",
      paramLabel = "SNIPPET",
      description = "invert { ... } text-proto snippet on top of the run's config, e.g. "
          + "'invert { stage1_steps: 200 }'. Repeatable; later wins.")
  List<String> overrides = new ArrayList<>();

  @Mixin Verbosity verbosity;

  /** The command line; add subcommands before setting writers. */
  public static CommandLine commandLine() {
    return Cli.commandLine(new Main());
  }

  public static void main(String[] args) {
    Cli.exit(commandLine(), args);
  }

  @Override
  public Integer call() {
    CommandLine cl = spec.commandLine();
    Path run = runOptions.run();
    int threads = runOptions.threads();
    require(out, "--out");
    if ((image == null) == (dataset == null)) {
      throw new ParameterException(cl, "expected exactly one of --image FILE or --dataset DIR"
          + " --index I, found " + (image == null ? "neither" : "both"));
    }
    if (dataset != null && index == null) {
      throw new ParameterException(cl, "--dataset: expected --index I with it, found none");
    }
    if (image != null && !Files.isRegularFile(image)) {
      throw new ParameterException(cl, "--image: expected an image file, found "
          + (Files.isDirectory(image) ? "a directory" : "nothing") + " at " + image
          + " (check the path)");
    }
    Reconstruction.checkOut(cl, out, force);
    PrintWriter log = cl.getOut();
    Experiment cfg = Reconstruction.config(cl, run, overrides, latentSpace);
    int k = Math.max(1, cfg.getModel().getNumClasses());
    if (classIndex != null && (classIndex < 0 || classIndex >= k)) {
      throw new ParameterException(cl, "--class: expected an index in 0.." + (k - 1)
          + " (the run has " + k + " classes), found " + classIndex);
    }
    int res = cfg.getData().getResolution();
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("run", run.toAbsolutePath().toString());
    float[] target;
    if (image != null) {
      BufferedImage photo = decode(image);
      target = Reconstruction.target(Images.toRgb(photo, image.toString()), res);
      report.put("image", image.toAbsolutePath().toString());
      report.put("image_size", List.of(photo.getWidth(), photo.getHeight()));
    } else {
      try (Dataset ds = Reconstruction.dataset(dataset)) {
        if (index < 0 || index >= ds.size()) {
          throw new ParameterException(cl, "--index: expected 0.." + (ds.size() - 1) + " ("
              + ds.size() + " images in " + dataset + "), found " + index);
        }
        target = Reconstruction.target(ds.image(index), res);
        report.put("dataset", dataset.toAbsolutePath().toString());
        report.put("index", index);
        report.put("dataset_class", ds.classOf(index));
      }
    }
    var ckpt = CheckpointRestore.choose(run, runOptions.checkpoint(), log);
    CheckpointRestore.checkArchitecture(ckpt, cfg); // before a classifier or graph is built
    report.put("checkpoint", ckpt.dir().toAbsolutePath().toString());
    report.put("checkpoint_step", ckpt.manifest().step());
    report.put("checkpoint_verification", ckpt.verification().label());
    long t0 = System.nanoTime();
    PerceptualDistance perceptual = Reconstruction.perceptual(cfg, threads, log);
    try (Inverter inv = Inverter.open(cfg, ckpt, perceptual, threads)) {
      report.put("graph_seconds", (System.nanoTime() - t0) / 1e9);
      Reconstruction.Result r = Reconstruction.run(inv, target,
          classIndex == null ? -1 : classIndex, log);
      report.put("total_seconds", (System.nanoTime() - t0) / 1e9);
      OutputWriter.write(out, run, inv, r, report);
      log.printf("class %d%s, camera azimuth %.1f elevation %.1f roll %.1f deg; input-view PSNR"
          + " %.2f dB after stage 1, %.2f dB after stage 2 (perceptual network %s); wrote %s%n",
          r.pivot().classIndex(), r.classGiven() ? "" : " (inferred)",
          Math.toDegrees(r.pivot().camera().azimuth()),
          Math.toDegrees(r.pivot().camera().elevation()),
          Math.toDegrees(r.pivot().camera().roll()), r.stage1().psnr(), r.stage2().psnr(),
          inv.perceptualName(), out);
      log.flush();
    }
    return 0;
  }

  private void require(Object value, String option) {
    if (value == null) {
      throw new ParameterException(spec.commandLine(), "Missing required option: '" + option
          + "'");
    }
  }

  /**
   * Decodes a PNG or JPEG file.
   *
   * @throws DataException (exit 4) naming the file if it is another format or does not decode
   */
  static BufferedImage decode(Path file) {
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        throw notAnImage(file, "data that is not a known image format");
      }
      ImageReader reader = readers.next();
      try {
        String format = reader.getFormatName().toLowerCase(Locale.ROOT);
        if (!format.equals("png") && !format.equals("jpeg")) {
          throw notAnImage(file, "a " + format + " image");
        }
        reader.setInput(in, true, true);
        return reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof DataException d) {
        throw d;
      }
      throw notAnImage(file, "data that does not decode (" + e.getMessage() + ")");
    }
  }

  private static DataException notAnImage(Path file, String found) {
    return new DataException(file + ": expected a PNG or JPEG image, found " + found
        + " (convert it to PNG or JPEG)");
  }
}
