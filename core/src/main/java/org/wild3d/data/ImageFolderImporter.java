package org.wild3d.data;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;
import java.util.stream.Stream;
import org.wild3d.DataException;
import org.wild3d.TextFiles;
import org.wild3d.Wild3dException;
import org.wild3d.image.Images;
import org.wild3d.image.Resize;
import org.wild3d.image.RgbImage;
import org.wild3d.log.Progress;

/**
 * Imports an image-folder tree {@code root/<class>/**.<jpg|jpeg|png|bmp|gif>} (ImageNet's
 * {@code train/nXXXXXXXX/*.JPEG} is the main case) into a dataset: decode ({@link PhotoDecoder}:
 * JPEGs reduced by libjpeg's DCT scaling where the target allows, EXIF orientation applied; CMYK
 * JPEGs and PNG incl. grayscale and alpha through ImageIO), centre-crop to a square,
 * Lanczos-resize to the target resolution, write PNGs ({@link Images#encodePng(RgbImage, int)},
 * level 0 by default as EG3D's tool) with {@code dataset.json}. Classes are the sorted
 * sub-folders (a root holding images directly is one class), optionally a subset ({@link
 * Options#classes}); an optional mapping file in ImageNet's {@code LOC_synset_mapping.txt}
 * format ({@code <folder> <readable name>} per line) names them.
 *
 * <p>A bounded pipeline uses every core: worker threads read, decode, crop/resize and encode
 * items in claimed order; the calling thread writes them strictly in item order, so the output is
 * deterministic whatever the thread count. At most {@code 8 × threads} items are in flight.
 *
 * <p>Resumable and safe ({@link ImportOutput}): the dataset is built in {@code .<DEST>.import/}
 * and appears at {@code DEST} only when complete; a killed import rerun with the same settings
 * continues after the last journaled item and writes the same bytes as an uninterrupted one; an
 * existing {@code DEST} is replaced only with {@code force}, and only once the new one is done.
 *
 * <p>Unreadable or corrupt files and empty class folders are listed with the reason and skipped;
 * with {@code strict} the run fails listing all of them, and nothing is written.
 */
public final class ImageFolderImporter {
  /** Extensions (lower case) taken as images. */
  public static final List<String> EXTENSIONS = List.of("jpg", "jpeg", "png", "bmp", "gif");
  /** Identifies the pixel pipeline; an unfinished import of another pipeline is not continued. */
  static final String PIPELINE = "libjpeg-turbo DCT scaling (TF DecodeJpeg ratio) else ImageIO;"
      + " EXIF orientation; centre crop; Lanczos-3; PNG";
  private static final int STATE_FORMAT = 1;

  private ImageFolderImporter() {}

  /**
   * Import settings.
   *
   * @param source root of the class folders
   * @param dest new dataset folder, or a {@code .zip} file
   * @param resolution output side length
   * @param classNames optional mapping file, {@code <folder> <readable name>} per line
   *     (LOC_synset_mapping.txt); null = folder names
   * @param classes the class folders to import: a file with one folder name first on each line,
   *     or a comma-separated list; null = all
   * @param maxPerClass at most this many images per class (the first in sorted order); 0 = all
   * @param strict fail, listing every problem, instead of skipping
   * @param threads worker threads (read, decode, resize, encode)
   * @param force replace an existing {@code dest} and discard an unfinished import of other
   *     settings
   * @param pngLevel PNG compression level 0-9 (0 = stored, EG3D's choice)
   * @param pad pad to a square with black instead of centre-cropping (whole objects cut out on
   *     black, such as Tux Paint's stamps, stay whole)
   */
  public record Options(
      Path source, Path dest, int resolution, Path classNames, String classes, int maxPerClass,
      boolean strict, int threads, boolean force, int pngLevel, boolean pad) {
    public Options {
      checkArgument(resolution >= 1, "--resolution: expected >= 1, found %s", resolution);
      checkArgument(maxPerClass >= 0, "--max-per-class: expected >= 0, found %s", maxPerClass);
      checkArgument(threads >= 1, "--threads: expected >= 1, found %s", threads);
      checkArgument(pngLevel >= 0 && pngLevel <= 9, "--png-level: expected 0-9, found %s",
          pngLevel);
    }

    /** All classes, no cap, skip bad files, all cores, no force, PNG level 0. */
    public static Options of(Path source, Path dest, int resolution) {
      return new Options(source, dest, resolution, null, null, 0, false,
          Runtime.getRuntime().availableProcessors(), false, 0, false);
    }

    public Options withPad(boolean p) {
      return new Options(source, dest, resolution, classNames, classes, maxPerClass, strict,
          threads, force, pngLevel, p);
    }

    public Options withClassNames(Path f) {
      return new Options(source, dest, resolution, f, classes, maxPerClass, strict, threads,
          force, pngLevel, pad);
    }

    public Options withClasses(String c) {
      return new Options(source, dest, resolution, classNames, c, maxPerClass, strict, threads,
          force, pngLevel, pad);
    }

    public Options withMaxPerClass(int n) {
      return new Options(source, dest, resolution, classNames, classes, n, strict, threads,
          force, pngLevel, pad);
    }

    public Options withStrict(boolean s) {
      return new Options(source, dest, resolution, classNames, classes, maxPerClass, s, threads,
          force, pngLevel, pad);
    }

    public Options withThreads(int t) {
      return new Options(source, dest, resolution, classNames, classes, maxPerClass, strict, t,
          force, pngLevel, pad);
    }

    public Options withForce(boolean f) {
      return new Options(source, dest, resolution, classNames, classes, maxPerClass, strict,
          threads, f, pngLevel, pad);
    }

    public Options withPngLevel(int l) {
      return new Options(source, dest, resolution, classNames, classes, maxPerClass, strict,
          threads, force, l, pad);
    }
  }

  /**
   * Time spent per pipeline stage, summed over threads (worker stages) or on the writer thread.
   * {@link #perSecond} of a stage is what one core does in that stage alone.
   */
  public static final class Stages {
    /** Stage names, in pipeline order. */
    public static final List<String> NAMES = List.of("read", "decode", "resize", "encode",
        "write");
    private final LongAdder[] nanos = new LongAdder[NAMES.size()];
    private final LongAdder items = new LongAdder();

    Stages() {
      for (int i = 0; i < nanos.length; i++) {
        nanos[i] = new LongAdder();
      }
    }

    void add(int stage, long ns) {
      nanos[stage].add(ns);
    }

    /** Seconds spent in {@code stage} (one of {@link #NAMES}). */
    public double seconds(String stage) {
      return nanos[NAMES.indexOf(stage)].sum() / 1e9;
    }

    /** Items through the pipeline in this run. */
    public long items() {
      return items.sum();
    }

    /** Items per second of one thread in {@code stage}. */
    public double perSecond(String stage) {
      double s = seconds(stage);
      return s > 0 ? items() / s : 0;
    }
  }

  /** What an import did. */
  public record Result(
      Path dest, int images, List<String> classNames, List<String> skipped, int ignoredFiles,
      double seconds, int resumedItems, int processedItems, Stages stages,
      Map<String, Long> decoders) {
    /** Source files processed per second in this run (resumed ones not counted). */
    public double imagesPerSecond() {
      return seconds > 0 ? processedItems / seconds : 0;
    }
  }

  /** One source file: its path relative to the source root and its class. */
  private record Item(String rel, int classIndex) {}

  /** Runs the import; progress and skipped files go to {@code out} (may be null). */
  public static Result run(Options o, PrintWriter out) {
    return run(o, out, k -> {});
  }

  /**
   * As {@link #run(Options, PrintWriter)}; {@code afterItem} is called on the writer thread after
   * each item is written or skipped (tests stop an import part-way by throwing from it).
   */
  static Result run(Options o, PrintWriter out, IntConsumer afterItem) {
    if (!Files.isDirectory(o.source())) {
      throw new DataException(o.source() + ": source folder not found (expected root/<class>/"
          + "<image> folders)");
    }
    List<String> problems = new ArrayList<>();
    List<String> folders = new ArrayList<>();
    List<Item> items = new ArrayList<>();
    MessageDigest digest = sha256();
    int ignored = 0;
    try {
      List<Path> classDirs;
      try (Stream<Path> s = Files.list(o.source())) {
        classDirs = s.filter(Files::isDirectory).sorted().toList();
      }
      if (classDirs.isEmpty()) {
        classDirs = List.of(o.source());
      }
      classDirs = select(o, classDirs);
      for (Path dir : classDirs) {
        List<String[]> all = listFiles(o.source(), dir);
        List<String[]> files = all.stream().filter(f -> isImage(f[0])).toList();
        ignored += all.size() - files.size();
        String folder = dir.equals(o.source()) ? dir.getFileName().toString()
            : o.source().relativize(dir).toString();
        if (files.isEmpty()) {
          problems.add(folder + "/: empty class folder (no " + String.join("/", EXTENSIONS)
              + " images)" + (o.strict() ? "" : "; class skipped"));
          continue;
        }
        int k = folders.size();
        folders.add(folder);
        int limit = o.maxPerClass() > 0 ? Math.min(o.maxPerClass(), files.size()) : files.size();
        for (int i = 0; i < limit; i++) {
          String[] f = files.get(i);
          items.add(new Item(f[0], k));
          digest.update((f[0] + "\t" + f[1] + "\t" + f[2] + "\t" + k + "\n")
              .getBytes(StandardCharsets.UTF_8));
        }
      }
    } catch (IOException e) {
      throw new DataException(o.source() + ": cannot list images (" + TextFiles.reason(e) + ")",
          e);
    }
    if (folders.isEmpty()) {
      throw Dataset.problemsException(o.source().toString(), problems);
    }
    List<String> names = readableNames(folders, o.classNames());
    // With --strict the run goes on to find every problem, then fails listing them all.
    String listed = o.strict() ? "problem: " : "skipped: ";
    for (String p : problems) {
      if (out != null) {
        out.println(listed + p);
      }
    }
    JsonObject state = state(o, folders, names, items.size(), digest);
    Stages stages = new Stages();
    Map<String, Long> decoders = new LinkedHashMap<>();
    try (ImportOutput output = ImportOutput.open(o.dest(), state, o.force(), out)) {
      int start = output.items();
      Progress progress = new Progress(out, "import", items.size(), Progress.Unit.IMAGES, start);
      if (start < items.size()) {
        try (PhotoDecoder decoder = new PhotoDecoder()) {
          pipeline(o, items, output, stages, progress, listed, out, afterItem, decoder);
          decoder.counts().forEach((k, v) -> decoders.put(k.name().toLowerCase(Locale.ROOT), v));
        }
      }
      List<String> skipped = new ArrayList<>(problems);
      skipped.addAll(output.skipped());
      if ((o.strict() && !skipped.isEmpty()) || output.count() == 0) {
        output.discard();
        throw Dataset.problemsException(o.source().toString(), skipped);
      }
      JsonObject extras = new JsonObject();
      extras.addProperty(DatasetJson.FORMAT, DatasetJson.FORMAT_VERSION);
      extras.addProperty(DatasetJson.RESOLUTION, o.resolution());
      JsonArray nameArray = new JsonArray();
      names.forEach(nameArray::add);
      extras.add(DatasetJson.CLASS_NAMES, nameArray);
      JsonObject source = new JsonObject();
      source.addProperty("importer", "image-folder");
      source.addProperty("source", o.source().toAbsolutePath().toString());
      source.addProperty("resolution", o.resolution());
      source.addProperty("max_per_class", o.maxPerClass());
      source.addProperty("resize", (o.pad() ? "pad to a black square" : "centre crop")
          + " + Lanczos-3");
      source.addProperty("decode", "JPEG: libjpeg-turbo with DCT scaling to >= the resolution,"
          + " EXIF orientation; others and CMYK: ImageIO");
      source.addProperty("png_level", o.pngLevel());
      JsonArray folderArray = new JsonArray();
      folders.forEach(folderArray::add);
      source.add("class_folders", folderArray);
      source.addProperty("skipped_files", output.skipped().size());
      extras.add(DatasetJson.SOURCE, source);
      Path dest = output.finish(extras);
      double secs = progress.finish();
      if (out != null && ignored > 0) {
        out.println("ignored " + ignored + " files that are not " + EXTENSIONS + " images");
      }
      return new Result(dest, output.count(), names, List.copyOf(skipped), ignored, secs, start,
          items.size() - start, stages, decoders);
    }
  }

  /** The bounded pipeline over items {@code output.items() ..}: workers process, we write. */
  private static void pipeline(Options o, List<Item> items, ImportOutput output, Stages stages,
      Progress progress, String listed, PrintWriter out, IntConsumer afterItem,
      PhotoDecoder decoder) {
    int n = items.size();
    int start = output.items();
    int window = Math.max(16, 8 * o.threads());
    Object[] slots = new Object[window];
    Semaphore permits = new Semaphore(window);
    AtomicInteger next = new AtomicInteger(start);
    String skip = o.strict() ? "" : "; skipped";
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < o.threads(); t++) {
      Thread w = new Thread(() -> {
        try {
          while (true) {
            permits.acquire();
            int i = next.getAndIncrement();
            if (i >= n) {
              permits.release();
              return;
            }
            Object r = process(o, items.get(i), decoder, stages, skip);
            synchronized (slots) {
              slots[i % window] = r;
              slots.notifyAll();
            }
          }
        } catch (InterruptedException e) {
          // The writer stopped: nothing more to do.
        }
      }, "wild3d-import-" + t);
      w.setDaemon(true);
      workers.add(w);
      w.start();
    }
    try {
      for (int k = start; k < n; k++) {
        Object r;
        synchronized (slots) {
          while ((r = slots[k % window]) == null) {
            slots.wait();
          }
          slots[k % window] = null;
        }
        permits.release();
        if (r instanceof Error e) {
          throw e;
        }
        long t0 = System.nanoTime();
        if (r instanceof byte[] png) {
          output.write(k, png, items.get(k).classIndex());
        } else {
          String msg = (String) r;
          output.skip(k, msg);
          if (out != null) {
            out.println(listed + msg);
          }
        }
        stages.add(4, System.nanoTime() - t0);
        stages.items.increment();
        progress.add(1);
        afterItem.accept(k);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Wild3dException(Wild3dException.EXIT_FAILURE, "import interrupted", e);
    } finally {
      for (Thread w : workers) {
        w.interrupt();
      }
      for (Thread w : workers) {
        try {
          w.join(10_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** PNG bytes of one item, its skip message, or an {@link Error} to rethrow. */
  private static Object process(Options o, Item it, PhotoDecoder decoder, Stages stages,
      String skip) {
    Path file = o.source().resolve(it.rel());
    try {
      long t0 = System.nanoTime();
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new DataException(file + ": cannot read file (" + TextFiles.reason(e) + ")", e);
      }
      long t1 = System.nanoTime();
      RgbImage img = decoder.decode(bytes, file.toString(), o.resolution()).image();
      long t2 = System.nanoTime();
      RgbImage small = o.pad() ? Resize.lanczos(padSquare(img), o.resolution(), o.resolution())
          : Resize.cropAndResize(img, o.resolution());
      long t3 = System.nanoTime();
      byte[] png = Images.encodePng(small, o.pngLevel());
      long t4 = System.nanoTime();
      stages.add(0, t1 - t0);
      stages.add(1, t2 - t1);
      stages.add(2, t3 - t2);
      stages.add(3, t4 - t3);
      return png;
    } catch (DataException e) {
      return it.rel() + ": " + stripPath(e.getMessage(), file.toString()) + skip;
    } catch (RuntimeException e) {
      return it.rel() + ": cannot decode (the decoder failed"
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")" + skip;
    } catch (Error e) {
      return e;
    }
  }

  /** {@code img} centred on a black square of side max(width, height). */
  static RgbImage padSquare(RgbImage img) {
    int w = img.width();
    int h = img.height();
    if (w == h) {
      return img;
    }
    int side = Math.max(w, h);
    int x0 = (side - w) / 2;
    int y0 = (side - h) / 2;
    byte[] out = new byte[side * side * 3];
    for (int y = 0; y < h; y++) {
      System.arraycopy(img.rgb(), y * w * 3, out, ((y + y0) * side + x0) * 3, w * 3);
    }
    return new RgbImage(side, side, out);
  }

  /** The settings that identify an import: a rerun continues only when they are equal. */
  private static JsonObject state(Options o, List<String> folders, List<String> names, int n,
      MessageDigest digest) {
    JsonObject s = new JsonObject();
    s.addProperty("format", STATE_FORMAT);
    s.addProperty("pipeline", PIPELINE);
    s.addProperty("source", o.source().toAbsolutePath().normalize().toString());
    s.addProperty("resolution", o.resolution());
    s.addProperty("png_level", o.pngLevel());
    s.addProperty("fit", o.pad() ? "pad" : "crop");
    s.addProperty("max_per_class", o.maxPerClass());
    s.addProperty("strict", o.strict());
    JsonArray f = new JsonArray();
    folders.forEach(f::add);
    s.add("class_folders", f);
    JsonArray c = new JsonArray();
    names.forEach(c::add);
    s.add("class_names", c);
    s.addProperty("source_files", n);
    s.addProperty("source_files_sha256", HexFormat.of().formatHex(digest.digest()));
    return s;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /**
   * Regular files under {@code dir} (links to regular files included), sorted, as {@code
   * [path relative to root, size, modified millis]}.
   */
  private static List<String[]> listFiles(Path root, Path dir) throws IOException {
    List<String[]> out = new ArrayList<>();
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
        BasicFileAttributes attrs = a;
        if (a.isSymbolicLink()) {
          if (!Files.isRegularFile(file)) {
            return FileVisitResult.CONTINUE;
          }
          attrs = Files.readAttributes(file, BasicFileAttributes.class);
        }
        if (attrs.isRegularFile()) {
          out.add(new String[] {root.relativize(file).toString(), Long.toString(attrs.size()),
              Long.toString(attrs.lastModifiedTime().toMillis())});
        }
        return FileVisitResult.CONTINUE;
      }
    });
    out.sort((x, y) -> x[0].compareTo(y[0]));
    return out;
  }

  /** The class folders {@link Options#classes} names (all when null), in sorted order. */
  private static List<Path> select(Options o, List<Path> classDirs) {
    if (o.classes() == null) {
      return classDirs;
    }
    List<String> wanted = classList(o.classes());
    if (wanted.isEmpty()) {
      throw new Wild3dException(Wild3dException.EXIT_USAGE, "--classes: expected class folder "
          + "names (a comma-separated list or a file with one per line), found none in '"
          + o.classes() + "'");
    }
    Map<String, Path> byName = new LinkedHashMap<>();
    for (Path d : classDirs) {
      byName.put(d.getFileName().toString(), d);
    }
    List<String> unknown = wanted.stream().filter(w -> !byName.containsKey(w)).toList();
    if (!unknown.isEmpty()) {
      List<String> examples = byName.keySet().stream().limit(3).toList();
      throw new Wild3dException(Wild3dException.EXIT_USAGE, "--classes: expected class folders "
          + "of " + o.source() + ", found " + unknown.size() + " that "
          + (unknown.size() == 1 ? "is" : "are") + " not: " + String.join(", ",
              unknown.stream().limit(10).toList()) + (unknown.size() > 10 ? ", ..." : "")
          + " (it has " + byName.size() + " class folders, e.g. " + String.join(", ", examples)
          + "; name folders, not readable class names)");
    }
    Set<String> keep = new LinkedHashSet<>(wanted);
    return classDirs.stream().filter(d -> keep.contains(d.getFileName().toString())).toList();
  }

  /**
   * The entries of a {@code --classes} value: an existing file's lines (the first word of each,
   * so a subset of LOC_synset_mapping.txt works; blank lines and {@code #} comments skipped), or
   * a comma-separated list. Duplicates dropped.
   */
  static List<String> classList(String spec) {
    Set<String> out = new LinkedHashSet<>();
    Path file = Path.of(spec);
    if (!spec.contains(",") && Files.isRegularFile(file)) {
      try {
        for (String raw : TextFiles.readUtf8(file).lines().toList()) {
          String s = raw.strip();
          if (!s.isEmpty() && !s.startsWith("#")) {
            out.add(s.split("\\s+", 2)[0]);
          }
        }
      } catch (IOException e) {
        throw new DataException(file + ": cannot read the class list (" + TextFiles.reason(e)
            + ")", e);
      }
    } else {
      for (String s : spec.split(",")) {
        if (!s.isBlank()) {
          out.add(s.strip());
        }
      }
    }
    return List.copyOf(out);
  }

  private static String stripPath(String message, String path) {
    return message.startsWith(path + ": ") ? message.substring(path.length() + 2) : message;
  }

  private static boolean isImage(String rel) {
    String n = Path.of(rel).getFileName().toString().toLowerCase(Locale.ROOT);
    int dot = n.lastIndexOf('.');
    return dot > 0 && !n.startsWith(".") && EXTENSIONS.contains(n.substring(dot + 1));
  }

  /** A folder name of a mapping line: no spaces, quotes, braces, brackets, commas or colons. */
  private static final java.util.regex.Pattern KEY =
      java.util.regex.Pattern.compile("[^\\s\"'{}\\[\\],:]+");

  /**
   * Readable class names from a mapping file in ImageNet's {@code LOC_synset_mapping.txt} format
   * ({@code <folder> <readable name>} per line, e.g. {@code n01440764 tench, Tinca tinca}; blank
   * lines and {@code #} comments allowed), which must name every imported folder; the folder
   * names themselves without a file.
   *
   * @throws DataException listing every line not in that format, repeated folders, or the folders
   *     it does not name
   */
  static List<String> readableNames(List<String> folders, Path mapping) {
    if (mapping == null) {
      return folders;
    }
    Map<String, String> map = new HashMap<>();
    List<String> bad = new ArrayList<>();
    try {
      int line = 0;
      String text = TextFiles.readUtf8(mapping);
      if (text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      for (String raw : text.lines().toList()) {
        line++;
        String s = raw.strip();
        if (s.isEmpty() || s.startsWith("#")) {
          continue;
        }
        String[] kv = s.split("\\s+", 2);
        if (kv.length < 2 || !KEY.matcher(kv[0]).matches()) {
          bad.add("line " + line + ": \"" + (s.length() > 60 ? s.substring(0, 57) + "..." : s)
              + "\"");
        } else if (map.put(kv[0], kv[1].strip()) != null) {
          bad.add("line " + line + ": folder " + kv[0] + " named a second time");
        }
      }
    } catch (IOException e) {
      throw new DataException(mapping + ": cannot read class names (" + TextFiles.reason(e) + ")",
          e);
    }
    if (!bad.isEmpty()) {
      throw new DataException(mapping + ": expected '<folder> <readable name>' on every line "
          + "(LOC_synset_mapping.txt format, e.g. 'n01440764 tench, Tinca tinca'), found "
          + bad.size() + (bad.size() == 1 ? " line" : " lines") + " that "
          + (bad.size() == 1 ? "is" : "are") + " not: " + String.join("; ",
              bad.stream().limit(5).toList()) + (bad.size() > 5 ? "; ..." : "")
          + " (fix the file, or drop --class-names to use the folder names)");
    }
    List<String> names = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String f : folders) {
      String key = Path.of(f).getFileName().toString();
      String name = map.get(key);
      if (name == null) {
        missing.add(key);
      }
      names.add(name == null ? f : name);
    }
    if (!missing.isEmpty()) {
      throw new DataException(mapping + ": expected a readable name for every class folder, "
          + "found none for " + missing.size() + " of " + folders.size() + ": " + String.join(
              ", ", missing.stream().limit(10).toList()) + (missing.size() > 10 ? ", ..." : "")
          + " (add '<folder> <name>' lines, or drop --class-names to use the folder names)");
    }
    return Collections.unmodifiableList(names);
  }
}
