package org.wild3d.data;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.wild3d.DataException;
import org.wild3d.TextFiles;
import org.wild3d.image.Images;
import org.wild3d.image.Resize;
import org.wild3d.image.RgbImage;
import org.wild3d.log.Progress;

/**
 * Imports an image-folder tree {@code root/<class>/**.<jpg|jpeg|png|bmp|gif>} (ImageNet's
 * {@code train/nXXXXXXXX/*.JPEG} is the main case) into a dataset: decode (JPEG incl. CMYK,
 * PNG incl. grayscale and alpha), centre-crop to a square, Lanczos-resize to the target
 * resolution, write PNGs with {@code dataset.json}. Classes are the sorted sub-folders (a root
 * holding images directly is one class); an optional class-names file maps folder names to
 * readable names ({@code <folder> <name...>} per line, e.g. ImageNet's LOC_synset_mapping.txt).
 *
 * <p>Files are processed in parallel in chunks and written in sorted order, so the output is
 * deterministic. Unreadable or corrupt files and empty class folders are listed with the reason and
 * skipped; with {@code strict} the run fails listing all of them, and nothing is written.
 */
public final class ImageFolderImporter {
  /** Extensions (lower case) taken as images. */
  public static final List<String> EXTENSIONS = List.of("jpg", "jpeg", "png", "bmp", "gif");
  private static final int CHUNK = 256;

  private ImageFolderImporter() {}

  /**
   * Import settings.
   *
   * @param source root of the class folders
   * @param dest new dataset folder, or a {@code .zip} file
   * @param resolution output side length
   * @param classNames optional file mapping folder names to readable names; null = folder names
   * @param maxPerClass at most this many images per class (the first in sorted order); 0 = all
   * @param strict fail, listing every problem, instead of skipping
   * @param threads decoding threads
   */
  public record Options(
      Path source, Path dest, int resolution, Path classNames, int maxPerClass, boolean strict,
      int threads) {
    public Options {
      checkArgument(resolution >= 1, "--resolution: expected >= 1, found %s", resolution);
      checkArgument(maxPerClass >= 0, "--max-per-class: expected >= 0, found %s", maxPerClass);
      checkArgument(threads >= 1, "--threads: expected >= 1, found %s", threads);
    }
  }

  /** What an import did. */
  public record Result(
      Path dest, int images, List<String> classNames, List<String> skipped, int ignoredFiles,
      double seconds) {
    /** Images written per second. */
    public double imagesPerSecond() {
      return seconds > 0 ? images / seconds : 0;
    }
  }

  private record Item(Path file, int classIndex) {}

  /** Runs the import; progress and skipped files go to {@code out} (may be null). */
  public static Result run(Options o, PrintWriter out) {
    if (!Files.isDirectory(o.source())) {
      throw new DataException(o.source() + ": source folder not found (expected root/<class>/"
          + "<image> folders)");
    }
    List<String> problems = new ArrayList<>();
    List<String> folders = new ArrayList<>();
    List<Item> items = new ArrayList<>();
    int[] ignored = {0};
    try {
      List<Path> classDirs;
      try (Stream<Path> s = Files.list(o.source())) {
        classDirs = s.filter(Files::isDirectory).sorted().toList();
      }
      if (classDirs.isEmpty()) {
        classDirs = List.of(o.source());
      }
      for (Path dir : classDirs) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
          List<Path> all = walk.filter(Files::isRegularFile).sorted().toList();
          files = all.stream().filter(ImageFolderImporter::isImage).toList();
          ignored[0] += all.size() - files.size();
        }
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
          items.add(new Item(files.get(i), k));
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
    String skip = o.strict() ? "" : "; skipped";
    for (String p : problems) {
      if (out != null) {
        out.println(listed + p);
      }
    }

    Progress progress = new Progress(out, "import", items.size(), Progress.Unit.IMAGES);
    List<String> skipped = new ArrayList<>(problems);
    int written = 0;
    ForkJoinPool pool = new ForkJoinPool(o.threads());
    try (DatasetWriter writer = DatasetWriter.create(o.dest(), o.resolution(), names)) {
      JsonObject source = new JsonObject();
      source.addProperty("importer", "image-folder");
      source.addProperty("source", o.source().toAbsolutePath().toString());
      source.addProperty("resolution", o.resolution());
      source.addProperty("max_per_class", o.maxPerClass());
      source.addProperty("resize", "centre crop + Lanczos-3");
      JsonArray folderArray = new JsonArray();
      folders.forEach(folderArray::add);
      source.add("class_folders", folderArray);
      for (int start = 0; start < items.size(); start += CHUNK) {
        List<Item> chunk = items.subList(start, Math.min(items.size(), start + CHUNK));
        Object[] results = new Object[chunk.size()];
        pool.submit(() -> IntStream.range(0, chunk.size()).parallel().forEach(i -> {
          Item it = chunk.get(i);
          try {
            RgbImage img = Resize.cropAndResize(Images.read(it.file()), o.resolution());
            results[i] = Images.encodePng(img);
          } catch (DataException e) {
            results[i] = o.source().relativize(it.file()) + ": "
                + stripPath(e.getMessage(), it.file().toString()) + skip;
          } catch (RuntimeException e) {
            results[i] = o.source().relativize(it.file()) + ": cannot decode (the decoder failed"
                + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")" + skip;
          }
          progress.add(1);
        })).get();
        for (int i = 0; i < chunk.size(); i++) {
          if (results[i] instanceof byte[] png) {
            writer.addPng(written++, png, chunk.get(i).classIndex(), null);
          } else {
            String msg = (String) results[i];
            skipped.add(msg);
            if (out != null) {
              out.println(listed + msg);
            }
          }
        }
      }
      if (o.strict() && !skipped.isEmpty()) {
        throw Dataset.problemsException(o.source().toString(), skipped);
      }
      if (written == 0) {
        throw Dataset.problemsException(o.source().toString(), skipped);
      }
      source.addProperty("skipped_files", skipped.size() - problems.size());
      writer.setSource(source);
      Path dest = writer.commit();
      double secs = progress.finish();
      if (out != null && ignored[0] > 0) {
        out.println("ignored " + ignored[0] + " files that are not " + EXTENSIONS + " images");
      }
      return new Result(dest, written, names, List.copyOf(skipped), ignored[0], secs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("import interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re
          : new IllegalStateException(e.getCause());
    } finally {
      pool.shutdown();
    }
  }

  private static String stripPath(String message, String path) {
    return message.startsWith(path + ": ") ? message.substring(path.length() + 2) : message;
  }

  private static boolean isImage(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    int dot = n.lastIndexOf('.');
    return dot > 0 && !n.startsWith(".") && EXTENSIONS.contains(n.substring(dot + 1));
  }

  /** Readable class names: the mapping file's name for each folder, else the folder name. */
  static List<String> readableNames(List<String> folders, Path mapping) {
    if (mapping == null) {
      return folders;
    }
    Map<String, String> map = new HashMap<>();
    try {
      int line = 0;
      for (String raw : TextFiles.readUtf8(mapping).lines().toList()) {
        line++;
        String s = raw.strip();
        if (s.isEmpty() || s.startsWith("#")) {
          continue;
        }
        String[] kv = s.split("[\\s,:]+", 2);
        if (kv.length < 2) {
          throw new DataException(mapping + ":" + line + ": expected '<folder> <name>', found \""
              + s + "\"");
        }
        map.put(kv[0], kv[1].strip());
      }
    } catch (IOException e) {
      throw new DataException(mapping + ": cannot read class names (" + TextFiles.reason(e) + ")",
          e);
    }
    List<String> names = new ArrayList<>();
    for (String f : folders) {
      names.add(map.getOrDefault(Path.of(f).getFileName().toString(), f));
    }
    return Collections.unmodifiableList(names);
  }
}
