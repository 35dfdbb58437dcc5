package org.wild3d.invert;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.wild3d.DataException;
import org.wild3d.Wild3dException;
import org.wild3d.cli.Cli;
import org.wild3d.cli.Verbosity;
import org.wild3d.cli.VersionProvider;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code wild3d-invert}: single-view 3D reconstruction of a photo with a trained run (PTI). This
 * build checks the inputs; the reconstruction itself comes with the inversion work.
 */
@Command(
    name = "wild3d-invert",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    scope = ScopeType.INHERIT,
    sortOptions = false,
    description = "Reconstructs a 3D object from one photo with a trained run (PTI).",
    footer = {"", "Exit codes: 0 ok, 1 failure, 2 usage, 3 bad config, 4 bad run/image."})
public final class Main implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--run",
      paramLabel = "RUN",
      required = true,
      description = "Run directory written by wild3d-train, e.g. runs/00000-shapes-tiny.")
  Path run;

  @Option(
      names = "--image",
      paramLabel = "IMG",
      required = true,
      description = "The photo to reconstruct (PNG or JPEG).")
  Path image;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      required = true,
      description = "Where the views, depth, mesh and tuned checkpoint go.")
  Path out;

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
    if (!Files.isRegularFile(image)) {
      throw new ParameterException(spec.commandLine(), "--image: expected an image file, found "
          + (Files.isDirectory(image) ? "a directory" : "nothing") + " at " + image
          + " (check the path)");
    }
    Experiment config = Configs.readResolved(run);
    BufferedImage photo = decode(image);
    throw new Wild3dException(Wild3dException.EXIT_FAILURE, String.format(
        "inputs are valid (run %s: %d classes at %dx%d; image %s: %dx%d), but single-view "
            + "reconstruction (PTI) is not part of this build: it lands with the inversion issue",
        run, config.getModel().getNumClasses(), config.getData().getResolution(),
        config.getData().getResolution(), image, photo.getWidth(), photo.getHeight()));
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
