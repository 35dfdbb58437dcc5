package org.wild3d.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.wild3d.DataException;

/**
 * Where a dataset's files live: a folder or a ZIP archive. Paths are relative, '/'-separated,
 * exactly as written in {@code dataset.json}. Implementations are safe for concurrent reads.
 */
abstract class Storage implements AutoCloseable {
  /** Opens {@code location}: a ZIP file (by content, any extension) or a folder. */
  static Storage open(Path location) {
    if (Files.isDirectory(location)) {
      return new Folder(location);
    }
    if (!Files.isRegularFile(location)) {
      throw new DataException(location + ": dataset not found (expected a folder or a .zip file)");
    }
    try {
      return new Zip(location, new ZipFile(location.toFile()));
    } catch (IOException e) {
      throw new DataException(location + ": not a dataset folder or a readable ZIP (" + e + ")", e);
    }
  }

  /** Human-readable location for messages. */
  abstract String describe();

  /** Whether {@code path} exists. */
  abstract boolean exists(String path);

  /** The whole file; {@link NoSuchFileException} if absent. */
  abstract byte[] read(String path) throws IOException;

  /** The first {@code n} bytes (fewer if the file is shorter). */
  abstract byte[] head(String path, int n) throws IOException;

  /** All file paths, sorted. */
  abstract List<String> list() throws IOException;

  @Override
  public abstract void close();

  static final class Folder extends Storage {
    private final Path root;

    Folder(Path root) {
      this.root = root;
    }

    @Override
    String describe() {
      return root.toString();
    }

    private Path resolve(String path) {
      return root.resolve(path);
    }

    @Override
    boolean exists(String path) {
      return Files.isRegularFile(resolve(path));
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

    private ZipEntry entry(String path) throws NoSuchFileException {
      ZipEntry e = zip.getEntry(path);
      if (e == null || e.isDirectory()) {
        throw new NoSuchFileException(path);
      }
      return e;
    }

    @Override
    boolean exists(String path) {
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
