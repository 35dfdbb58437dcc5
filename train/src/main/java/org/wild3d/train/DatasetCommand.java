package org.wild3d.train;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.wild3d.Wild3dException;
import org.wild3d.config.CameraPrior;
import org.wild3d.data.Batch;
import org.wild3d.data.BatchReader;
import org.wild3d.data.Dataset;
import org.wild3d.data.FurnitureCatalog;
import org.wild3d.data.ImageFolderImporter;
import org.wild3d.data.MeshesGenerator;
import org.wild3d.data.ShapesGenerator;
import org.wild3d.raster.Procedural;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code wild3d-train dataset ...}: prepare, inspect and check datasets. Failures are thrown as
 * {@link Wild3dException}s (4 for bad datasets and images) and mapped to exit codes in one place,
 * {@link org.wild3d.cli.ExitCodes}; output goes through the command line's writers. Tests run it
 * through {@code Cli.commandLine(new DatasetCommand())}.
 */
@Command(
    name = "dataset",
    mixinStandardHelpOptions = true,
    description = "Prepare, inspect and check datasets (StyleGAN2-ADA/EG3D layout).",
    subcommands = {
      DatasetCommand.Import.class,
      DatasetCommand.Info.class,
      DatasetCommand.Check.class,
      DatasetCommand.Shapes.class,
      DatasetCommand.Meshes.class,
      DatasetCommand.Furniture.class,
      DatasetCommand.Stamps.class,
      DatasetCommand.Bench.class,
      DatasetCommand.ImportBenchCommand.class,
      DatasetCommand.ReaderBenchCommand.class
    },
    footer = {"", "Exit codes: 0 ok, 1 failure, 2 usage, 4 bad dataset or image."})
public final class DatasetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return Wild3dException.EXIT_USAGE;
  }

  /** Runs {@code body}, turning our exceptions into their exit codes with the message on stderr. */
  static int threads() {
    return Runtime.getRuntime().availableProcessors();
  }

  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description = {
        "Import an image-folder tree SOURCE/<class>/<image> (e.g. ImageNet train/nXXXXXXXX/*.JPEG):",
        "decode JPEG/PNG (JPEGs reduced by libjpeg's DCT scaling where the resolution allows, EXIF",
        "orientation applied), centre-crop, Lanczos-resize, write DEST (a folder, or .zip) on every",
        "core. Corrupt or unreadable files are listed with the reason and skipped (or fail with",
        "--strict). A killed import rerun with the same command continues where it stopped; DEST",
        "appears only when complete, and an existing one is replaced only with --force.",
        "ImageNet-100 at 64x64: import train imagenet100-64.zip --resolution 64 --classes",
        "  imagenet100.txt --class-names LOC_synset_mapping.txt"
      })
  static final class Import implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SOURCE", description = "Root of the class folders.")
    Path source;

    @Parameters(index = "1", paramLabel = "DEST", description = "New dataset folder or .zip.")
    Path dest;

    @Option(names = "--resolution", required = true, paramLabel = "N",
        description = "Output side length in pixels, e.g. 128.")
    int resolution;

    @Option(names = "--class-names", paramLabel = "FILE",
        description = "Readable class names, '<folder> <name>' per line (ImageNet's "
            + "LOC_synset_mapping.txt format); must name every imported folder.")
    Path classNames;

    @Option(names = "--classes", paramLabel = "FILE|LIST",
        description = "Import only these class folders: a file with one folder name first on "
            + "each line, or a comma-separated list (default: all).")
    String classes;

    @Option(names = "--max-per-class", paramLabel = "N", defaultValue = "0",
        description = "At most N images per class (first in sorted order); 0 = all.")
    int maxPerClass;

    @Option(names = "--strict", description = "Fail on any unreadable file or empty class folder.")
    boolean strict;

    @Option(names = "--force",
        description = "Replace an existing DEST (once the new import is complete) and discard an "
            + "unfinished import of other settings.")
    boolean force;

    @Option(names = "--png-level", paramLabel = "0-9", defaultValue = "0",
        description = "PNG compression: 0 = stored (fastest, EG3D's choice; default), 1-9 = zlib "
            + "level with the Up filter (1: about two thirds of the size).")
    int pngLevel;

    @Option(names = "--fit", paramLabel = "crop|pad", defaultValue = "crop",
        description = "Make images square by a centre crop (default) or by padding with black"
            + " (objects cut out on black stay whole).")
    String fit;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
        description = "Worker threads (read, decode, resize, encode); 0 = all cores.")
    int threads;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      if (!fit.equals("crop") && !fit.equals("pad")) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--fit: expected crop or "
            + "pad, found '" + fit + "'");
      }
      ImageFolderImporter.Result r = ImageFolderImporter.run(new ImageFolderImporter.Options(
          source, dest, resolution, classNames, classes, maxPerClass, strict,
          threads > 0 ? threads : threads(), force, pngLevel, fit.equals("pad")), out);
      out.printf(java.util.Locale.ROOT, "wrote %s: %d images, %d classes, %d skipped, %.1f img/s%s%n",
          r.dest(), r.images(), r.classNames().size(), r.skipped().size(), r.imagesPerSecond(),
          r.resumedItems() > 0 ? " (continued after " + r.resumedItems() + " files)" : "");
      out.flush();
      return 0;
    }
  }

  @Command(name = "info", mixinStandardHelpOptions = true,
      description = "Validate a dataset's labels and PNG headers and print a summary.")
  static final class Info implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DATASET", description = "Dataset folder or ZIP.")
    Path path;

    @Option(names = "--grid", paramLabel = "PNG",
        description = "Also write a picture of the dataset: one row per class (at most 16), 12 images each.")
    Path grid;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (Dataset ds = Dataset.open(path)) {
        if (grid != null) {
          org.wild3d.viz.DatasetGrid.write(ds, 16, 12, grid);
          out.printf("grid: %s%n", grid);
        }
        out.printf("dataset: %s%nimages: %d%nresolution: %dx%d%ncolour: %s%nclasses: %d%n",
            ds.location(), ds.size(), ds.resolution(), ds.resolution(), ds.colourSummary(),
            ds.numClasses());
        int[] counts = ds.classCounts();
        for (int k = 0; k < counts.length; k++) {
          out.printf("  %4d %-30s %d images%n", k, ds.classNames().get(k), counts[k]);
        }
        out.printf("camera labels (EG3D): %s%ntrue views (synthetic): %s%n",
            ds.cameraLabel(0).isPresent() ? "yes" : "no",
            ds.trueView(0).isPresent() ? "yes" : "no");
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Decode every image of a dataset; list each problem with its file (exit 4).")
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DATASET", description = "Dataset folder or ZIP.")
    Path path;

    @Override
    public Integer call() throws Exception {
      try (Dataset ds = Dataset.open(path)) {
        List<String> problems = ds.check();
        if (!problems.isEmpty()) {
          PrintWriter err = spec.commandLine().getErr();
          err.printf("%s: dataset %s: %d images do not decode:%n", spec.root().name(), path,
              problems.size());
          problems.forEach(p -> err.println("  " + p));
          err.flush();
          return Wild3dException.EXIT_DATA;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("ok: every image of " + path + " decodes");
        out.println("colour: " + ds.colourSummary());
        out.flush();
      }
      return 0;
    }
  }

  /** Camera prior options shared by the synthetic generators. */
  static final class CameraOptions {
    @Option(names = "--camera-radius", paramLabel = "R", defaultValue = "2.7",
        description = "Camera distance from the origin (default ${DEFAULT-VALUE}).")
    float radius;

    @Option(names = "--fov", paramLabel = "DEG", defaultValue = "13.37",
        description = "Field of view in degrees (default ${DEFAULT-VALUE}).")
    float fov;

    CameraPrior prior() {
      return CameraPrior.newBuilder().setRadius(radius).setFovDegrees(fov).build();
    }
  }

  @Command(name = "shapes", mixinStandardHelpOptions = true,
      description = "Render the procedural shapes dataset into DEST (training generates and "
          + "caches it by itself; this writes it where you want).")
  static final class Shapes implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DEST", description = "New dataset folder or .zip.")
    Path dest;

    @Option(names = "--resolution", defaultValue = "32", paramLabel = "N",
        description = "Side length (default ${DEFAULT-VALUE}).")
    int resolution;

    @Option(names = "--images-per-class", defaultValue = "1000", paramLabel = "N",
        description = "Images per class (default ${DEFAULT-VALUE}).")
    int imagesPerClass;

    @Option(names = "--seed", defaultValue = "0", description = "Dataset seed.")
    long seed;

    @Option(names = "--classes", split = ",", paramLabel = "NAME",
        description = "Classes (default: sphere,cube,torus,cone,cylinder,chair; also pyramid, "
            + "table).")
    List<String> classes;

    @CommandLine.ArgGroup(exclusive = false)
    CameraOptions camera = new CameraOptions();

    @Override
    public Integer call() throws Exception {
      List<String> cls = classes == null ? Procedural.DEFAULT_CLASSES : classes;
      Path out = ShapesGenerator.generate(dest, new ShapesGenerator.Params(cls, imagesPerClass,
          seed, resolution, camera.prior()), threads(), spec.commandLine().getOut());
      spec.commandLine().getOut().println("wrote " + out);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "meshes", mixinStandardHelpOptions = true,
      description = "Render a dataset from class folders of meshes SOURCE/<class>/**.obj|ply|off.")
  static final class Meshes implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SOURCE", description = "Root of the class folders.")
    Path source;

    @Parameters(index = "1", paramLabel = "DEST", description = "New dataset folder or .zip.")
    Path dest;

    @Option(names = "--resolution", defaultValue = "64", paramLabel = "N",
        description = "Side length (default ${DEFAULT-VALUE}).")
    int resolution;

    @Option(names = "--views-per-mesh", defaultValue = "24", paramLabel = "V",
        description = "Random views per mesh (default ${DEFAULT-VALUE}).")
    int views;

    @Option(names = "--seed", defaultValue = "0", description = "Dataset seed.")
    long seed;

    @Option(names = "--strict", description = "Fail on meshes that do not load or empty folders.")
    boolean strict;

    @CommandLine.ArgGroup(exclusive = false)
    CameraOptions camera = new CameraOptions();

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Path p = MeshesGenerator.generate(dest, MeshesGenerator.scan(source), views, seed,
          resolution, camera.prior(), strict, threads(), out);
      out.println("wrote " + p);
      out.flush();
      return 0;
    }
  }

  @Command(name = "furniture", mixinStandardHelpOptions = true,
      description = {
        "Build a ShapeNet-like dataset from Sweet Home 3D furniture catalogues (.sh3f; Debian:",
        "apt-get install sweethome3d-furniture): models are sorted into classes by their names",
        "(chair, table, lamp, sofa, bed, cabinet), extracted as OBJ class folders, then rendered."
      })
  static final class Furniture implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DEST", description = "New dataset folder or .zip.")
    Path dest;

    @Option(names = "--catalogs", paramLabel = "PATH", split = ",",
        defaultValue = FurnitureCatalog.DEBIAN_DIR,
        description = ".sh3f files or folders holding them (default ${DEFAULT-VALUE}).")
    List<Path> catalogs;

    @Option(names = "--meshes", paramLabel = "DIR",
        description = "Where the class folders of OBJ files are extracted (default: DEST.meshes).")
    Path meshes;

    @Option(names = "--resolution", defaultValue = "64", paramLabel = "N",
        description = "Side length (default ${DEFAULT-VALUE}).")
    int resolution;

    @Option(names = "--views-per-mesh", defaultValue = "24", paramLabel = "V",
        description = "Random views per model (default ${DEFAULT-VALUE}).")
    int views;

    @Option(names = "--seed", defaultValue = "0", description = "Dataset seed.")
    long seed;

    @CommandLine.ArgGroup(exclusive = false)
    CameraOptions camera = new CameraOptions();

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Path meshRoot = meshes != null ? meshes
          : dest.resolveSibling(dest.getFileName() + ".meshes");
      FurnitureCatalog.Extraction ex = FurnitureCatalog.extract(catalogs, meshRoot, out);
      out.printf("extracted %d models into %s: %s%n", ex.models(), meshRoot, ex.perClass());
      Path p = MeshesGenerator.generate(dest, MeshesGenerator.scan(meshRoot), views, seed,
          resolution, camera.prior(), false, threads(), out);
      out.println("wrote " + p);
      out.flush();
      return 0;
    }
  }

  @Command(name = "stamps", mixinStandardHelpOptions = true,
      description = {
        "Import real photographs of objects grouped by kind from Tux Paint's stamps (Debian:",
        "apt-get install tuxpaint-stamps-default; GPL-2): birds, flowers, fruit, mammals and",
        "vegetables, cut out on black, padded to squares. Links them as class folders in",
        "DEST.photos, then imports those like 'dataset import --fit pad'."
      })
  static final class Stamps implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DEST", description = "New dataset folder or .zip.")
    Path dest;

    @Option(names = "--stamps", paramLabel = "DIR",
        defaultValue = org.wild3d.data.TuxPaintStamps.DEBIAN_DIR,
        description = "Tux Paint's stamps folder (default ${DEFAULT-VALUE}).")
    Path stamps;

    @Option(names = "--resolution", defaultValue = "32", paramLabel = "N",
        description = "Side length (default ${DEFAULT-VALUE}).")
    int resolution;

    @Option(names = "--force", description = "Replace an existing DEST.")
    boolean force;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Path photos = dest.toAbsolutePath().resolveSibling(dest.getFileName() + ".photos");
      var counts = org.wild3d.data.TuxPaintStamps.linkTree(stamps, photos);
      out.printf("linked %s photos into %s%n", counts, photos);
      ImageFolderImporter.Result r = ImageFolderImporter.run(
          ImageFolderImporter.Options.of(photos, dest, resolution).withThreads(threads())
              .withForce(force).withPad(true), out);
      out.printf(java.util.Locale.ROOT, "wrote %s: %d images, %d classes, %d skipped%n",
          r.dest(), r.images(), r.classNames().size(), r.skipped().size());
      out.flush();
      return 0;
    }
  }

  @Command(name = "bench", mixinStandardHelpOptions = true,
      description = "Measure the batch reader: batches/s and images/s.")
  static final class Bench implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DATASET", description = "Dataset folder or ZIP.")
    Path path;

    @Option(names = "--batch", defaultValue = "8", description = "Batch size (default 8).")
    int batch;

    @Option(names = "--batches", defaultValue = "200", description = "Batches to time.")
    int batches;

    @Option(names = "--threads", defaultValue = "1", description = "Decode threads (default 1).")
    int threads;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (Dataset ds = Dataset.open(path);
          BatchReader r = BatchReader.open(ds, BatchReader.Options.of(batch).withXflip(true)
              .withThreads(threads))) {
        for (int i = 0; i < 10; i++) {
          r.next(); // warm-up
        }
        long t = System.nanoTime();
        List<Batch> keep = new ArrayList<>(1);
        for (int i = 0; i < batches; i++) {
          keep.clear();
          keep.add(r.next());
        }
        double secs = (System.nanoTime() - t) / 1e9;
        out.printf("reader: %d batches of %d at %dx%d in %.2f s: %.1f batches/s, %.0f img/s%n",
            batches, batch, ds.resolution(), ds.resolution(), secs, batches / secs,
            batches * batch / secs);
      }
      out.flush();
      return 0;
    }
  }

  /** A work folder: {@code dir} if given (kept), else a temporary one deleted afterwards. */
  private static Path workDir(Path dir) throws java.io.IOException {
    return dir != null ? java.nio.file.Files.createDirectories(dir)
        : java.nio.file.Files.createTempDirectory("wild3d-bench-");
  }

  private static void deleteTree(Path p) throws java.io.IOException {
    try (var s = java.nio.file.Files.walk(p)) {
      for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.deleteIfExists(f);
      }
    }
  }

  @Command(name = "import-bench", mixinStandardHelpOptions = true,
      description = {
        "Measure the importer on ImageNet-like JPEGs it makes itself (500x375, quality 90): img/s",
        "overall and per stage (read, decode, resize, encode, write), against the importer before",
        "the pipeline. A benchmark, not a test: run it on a quiet machine."})
  static final class ImportBenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--images", defaultValue = "400", paramLabel = "N",
        description = "JPEGs to make and import (default ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--resolutions", defaultValue = "64,128", split = ",", paramLabel = "LIST",
        description = "Target resolutions (default ${DEFAULT-VALUE}).")
    int[] resolutions;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
        description = "Worker threads; 0 = all cores.")
    int threads;

    @Option(names = "--work", paramLabel = "DIR",
        description = "Work folder, kept (default: a temporary one, deleted).")
    Path work;

    @Override
    public Integer call() throws Exception {
      Path dir = workDir(work);
      try {
        org.wild3d.data.ImportBench.importer(dir, images, resolutions,
            threads > 0 ? threads : threads(), spec.commandLine().getOut());
      } finally {
        if (work == null) {
          deleteTree(dir);
        }
      }
      return 0;
    }
  }

  @Command(name = "reader-bench", mixinStandardHelpOptions = true,
      description = {
        "Measure the reader at scale on ZIPs it makes itself: Dataset open time and heap for many",
        "small entries (extrapolated to ImageNet's 1,281,167), and batches/s streaming photos at",
        "the training resolution. A benchmark, not a test: run it on a quiet machine."})
  static final class ReaderBenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--entries", defaultValue = "100000", paramLabel = "N",
        description = "Entries of the ZIP that is opened (default ${DEFAULT-VALUE}).")
    int entries;

    @Option(names = "--stream-entries", defaultValue = "4000", paramLabel = "N",
        description = "Entries of the ZIP that is streamed (default ${DEFAULT-VALUE}).")
    int streamEntries;

    @Option(names = "--resolution", defaultValue = "128", paramLabel = "N",
        description = "Resolution of the streamed photos (default ${DEFAULT-VALUE}).")
    int resolution;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
        description = "Decode threads of the batch reader; 0 = all cores.")
    int threads;

    @Option(names = "--seconds", defaultValue = "10", paramLabel = "S",
        description = "How long to stream (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--work", paramLabel = "DIR",
        description = "Work folder, kept (default: a temporary one, deleted).")
    Path work;

    @Override
    public Integer call() throws Exception {
      Path dir = workDir(work);
      try {
        org.wild3d.data.ImportBench.reader(dir, entries, streamEntries, resolution,
            threads > 0 ? threads : threads(), seconds, spec.commandLine().getOut());
      } finally {
        if (work == null) {
          deleteTree(dir);
        }
      }
      return 0;
    }
  }
}
