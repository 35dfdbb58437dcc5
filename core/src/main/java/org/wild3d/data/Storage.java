package org.wild3d.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.wild3d.DataException;
import org.wild3d.PathRule;
import org.wild3d.TextFiles;

/**
 * Where a dataset's files live: a folder or a ZIP archive. Paths are relative, '/'-separated,
 * exactly as written in {@code dataset.json}, and must stay inside the dataset ({@link PathRule}):
 * {@link #outside} says why one does not, and {@link #read}/{@link #head} refuse such a path
 * without opening anything. Implementations are safe for concurrent reads.
 */
abstract class Storage implements AutoCloseable {
  /** Opens {@code location}: a ZIP file (by content, any extension) or a folder. */
  static Storage open(Path location) {
    if (Files.isDirectory(location)) {
      try {
        return new Folder(location, location.toRealPath());
      } catch (IOException e) {
        throw new DataException(location + ": cannot open the dataset folder ("
            + TextFiles.reason(e) + ")", e);
      }
    }
    if (!Files.isRegularFile(location)) {
      throw new DataException(location + ": dataset not found (expected a folder or a .zip file)");
    }
    try {
      return new Zip(location, new ZipFile(location.toFile()));
    } catch (ZipException e) {
      throw new DataException(location + ": expected a dataset folder or a ZIP archive, found a "
          + "file that is not a readable ZIP (re-create it, e.g. with 'wild3d-train dataset "
          + "import', or unpack it into a folder)", e);
    } catch (IOException e) {
      throw new DataException(location + ": cannot open the dataset (" + TextFiles.reason(e) + ")",
          e);
    }
  }

  /** Human-readable location for messages. */
  abstract String describe();

  /**
   * Why {@code path} may not be read from this dataset ({@link PathRule#relative}; for a folder
   * also a symbolic link, of the file or of a folder on its way, whose target is outside the
   * folder), or null when it may. Opens nothing.
   */
  abstract String outside(String path);

  /** Refuses a path that {@link PathRule#relative} rejects, before anything is opened. */
  static void requireRelative(String path) {
    String why = PathRule.relative(path);
    if (why != null) {
      throw new DataException("\"" + printable(path) + "\": expected " + PathRule.EXPECTED
          + ", found " + why);
    }
  }

  /** {@code path} for messages, control characters (e.g. NUL) written as Java escapes. */
  static String printable(String path) {
    StringBuilder sb = new StringBuilder(path.length());
    for (char c : path.toCharArray()) {
      if (Character.isISOControl(c)) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Whether {@code path} exists. */
  abstract boolean exists(String path);

  /** The whole file; {@link NoSuchFileException} if absent. */
  abstract byte[] read(String path) throws IOException;

  /** The first {@code n} bytes (fewer if the file is shorter). */
  abstract byte[] head(String path, int n) throws IOException;

  /**
   * All file paths, sorted, as stored: a ZIP's entry names are listed as they are, including
   * names that {@link #outside} refuses, so that the reader can name them.
   */
  abstract List<String> list() throws IOException;

  @Override
  public abstract void close();

  static final class Folder extends Storage {
    private final Path root;
    private final Path realRoot;
    /** Per folder on the way to a file: "" when its real path is inside the root, else why not. */
    private final Map<Path, String> folders = new ConcurrentHashMap<>();

    Folder(Path root, Path realRoot) {
      this.root = root;
      this.realRoot = realRoot;
    }

    @Override
    String describe() {
      return root.toString();
    }

    @Override
    String outside(String path) {
      String why = PathRule.relative(path);
      if (why != null) {
        return why;
      }
      Path file = root.resolve(path);
      Path dir = file.getParent();
      if (!dir.equals(root)) {
        String d = folders.computeIfAbsent(dir, f -> {
          String w = PathRule.linkOutside(realRoot, f);
          return w == null ? "" : "a folder on the way (" + root.relativize(f).toString()
              .replace('\\', '/') + ") that goes through " + w;
        });
        if (!d.isEmpty()) {
          return d;
        }
      }
      return PathRule.fileLinkOutside(realRoot, file);
    }

    private Path resolve(String path) {
      requireRelative(path);
      return root.resolve(path);
    }

    @Override
    boolean exists(String path) {
      return PathRule.relative(path) == null && Files.isRegularFile(root.resolve(path));
    }

    @Override
    byte[] read(String path) throws IOException {
      return Files.readAllBytes(resolve(path));
    }

    @Override
    byte[] head(String path, int n) throws IOException {
      try (InputStream in = Files.newInputStream(resolve(path))) {
        return in.readNBytes(n);
      }
    }

    @Override
    List<String> list() throws IOException {
      List<String> out = new ArrayList<>();
      try (Stream<Path> files = Files.walk(root)) {
        files.filter(Files::isRegularFile)
            .forEach(p -> out.add(root.relativize(p).toString().replace('\\', '/')));
      }
      Collections.sort(out);
      return out;
    }

    @Override
    public void close() {}
  }

  static final class Zip extends Storage {
    private final Path file;
    private final ZipFile zip;

    Zip(Path file, ZipFile zip) {
      this.file = file;
      this.zip = zip;
    }

    @Override
    String describe() {
      return file.toString();
    }

    @Override
    String outside(String path) {
      return PathRule.relative(path);
    }

    private ZipEntry entry(String path) throws NoSuchFileException {
      requireRelative(path);
      ZipEntry e = zip.getEntry(path);
      if (e == null || e.isDirectory()) {
        throw new NoSuchFileException(path);
      }
      return e;
    }

    @Override
    boolean exists(String path) {
      if (PathRule.relative(path) != null) {
        return false;
      }
      ZipEntry e = zip.getEntry(path);
      return e != null && !e.isDirectory();
    }

    @Override
    byte[] read(String path) throws IOException {
      try (InputStream in = zip.getInputStream(entry(path))) {
        return in.readAllBytes();
      }
    }

    @Override
    byte[] head(String path, int n) throws IOException {
      try (InputStream in = zip.getInputStream(entry(path))) {
        return in.readNBytes(n);
      }
    }

    @Override
    List<String> list() {
      List<String> out = new ArrayList<>();
      zip.stream().filter(e -> !e.isDirectory()).forEach(e -> out.add(e.getName()));
      Collections.sort(out);
      return out;
    }

    @Override
    public void close() {
      try {
        zip.close();
      } catch (IOException e) {
        // Closing a read-only archive cannot lose data.
      }
    }
  }
}
