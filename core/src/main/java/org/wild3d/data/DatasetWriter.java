package org.wild3d.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.wild3d.AtomicFiles;
import org.wild3d.DataException;
import org.wild3d.TextFiles;
import org.wild3d.image.Images;
import org.wild3d.image.RgbImage;

/**
 * Writes a dataset in the StyleGAN2-ADA layout ({@code 00000/img00000000.png}, 1000 images per
 * folder, {@code dataset.json}), as a folder or, when the destination ends in {@code .zip}, as an
 * uncompressed ZIP with fixed timestamps. Output is byte-identical for identical inputs.
 *
 * <p>Atomic: everything is written under a temporary sibling name and renamed onto the destination
 * by {@link #commit()}; {@link #close()} without commit removes the temporary output. Images may
 * be added from several threads, in any order, by index; indices must end up contiguous from 0.
 */
public final class DatasetWriter implements AutoCloseable {
  private final Path dest;
  private final Path temp;
  private final boolean zip;
  private final int resolution;
  private final List<String> classNames;
  private final ZipOutputStream zipOut;
  private final Map<Integer, Object[]> entries = new ConcurrentSkipListMap<>();
  private final Map<Integer, JsonObject> objects = new ConcurrentSkipListMap<>();
  private JsonObject source = new JsonObject();
  private boolean committed;

  private DatasetWriter(Path dest, int resolution, List<String> classNames) throws IOException {
    this.dest = dest.toAbsolutePath();
    this.zip = dest.getFileName().toString().toLowerCase().endsWith(".zip");
    this.resolution = resolution;
    this.classNames = List.copyOf(classNames);
    Path parent = this.dest.getParent();
    Files.createDirectories(parent);
    if (zip) {
      this.temp = Files.createTempFile(parent, "." + this.dest.getFileName() + ".", ".tmp");
      this.zipOut = new ZipOutputStream(Files.newOutputStream(temp));
      zipOut.setMethod(ZipOutputStream.STORED);
    } else {
      this.temp = Files.createTempDirectory(parent, "." + this.dest.getFileName() + ".");
      this.zipOut = null;
    }
  }

  /**
   * Starts a dataset at {@code dest} (a folder, or a ZIP if the name ends in {@code .zip}); fails if
   * {@code dest} exists.
   */
  public static DatasetWriter create(Path dest, int resolution, List<String> classNames) {
    checkArgument(resolution > 0, "resolution: expected > 0, found %s", resolution);
    checkArgument(!classNames.isEmpty(), "class names: expected at least one class");
    if (Files.exists(dest)) {
      throw new DataException(dest + ": destination exists (choose a new path or delete it)");
    }
    try {
      return new DatasetWriter(dest, resolution, classNames);
    } catch (IOException e) {
      throw new DataException(dest + ": cannot create dataset (" + TextFiles.reason(e) + ")", e);
    }
  }

  /** The relative path image {@code index} is stored under. */
  public static String pathOf(int index) {
    return String.format("%05d/img%08d.png", index / 1000, index);
  }

  /** Records how the dataset was made (stored as {@code wild3d.source}). */
  public void setSource(JsonObject source) {
    this.source = source.deepCopy();
  }

  /** Adds image {@code index} of class {@code classIndex}. Thread-safe. */
  public String add(int index, RgbImage image, int classIndex) {
    return add(index, image, classIndex, null);
  }

  /** Adds image {@code index} with its true camera (synthetic datasets). Thread-safe. */
  public String add(int index, RgbImage image, int classIndex, TrueView view) {
    checkArgument(
        image.width() == resolution && image.height() == resolution,
        "image %s: expected %sx%s, found %sx%s", index, resolution, resolution, image.width(),
        image.height());
    return addPng(index, Images.encodePng(image), classIndex, view);
  }

  /** Adds already encoded PNG bytes (must be {@code resolution}² RGB). Thread-safe. */
  public String addPng(int index, byte[] png, int classIndex, TrueView view) {
    checkState(!committed, "dataset already committed");
    checkArgument(index >= 0, "image index: expected >= 0, found %s", index);
    checkArgument(
        classIndex >= 0 && classIndex < classNames.size(),
        "class index: expected in [0, %s), found %s", classNames.size(), classIndex);
    String path = pathOf(index);
    if (entries.putIfAbsent(index, new Object[] {classIndex, view}) != null) {
      throw new IllegalArgumentException("image index " + index + " added twice");
    }
    try {
      if (zip) {
        synchronized (zipOut) {
          putZip(path, png);
        }
      } else {
        Path file = temp.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, png);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(dest + ": cannot write " + path, e);
    }
    return path;
  }

  /** Records the parameters that re-create object {@code id} (stored in {@code wild3d.objects}). */
  public void addObject(int id, JsonObject params) {
    JsonObject o = new JsonObject();
    o.addProperty(DatasetJson.ID, id);
    for (Map.Entry<String, com.google.gson.JsonElement> e : params.entrySet()) {
      if (!e.getKey().equals(DatasetJson.ID)) {
        o.add(e.getKey(), e.getValue().deepCopy());
      }
    }
    objects.put(id, o);
  }

  /** Number of images added so far. */
  public int count() {
    return entries.size();
  }

  private void putZip(String path, byte[] data) throws IOException {
    ZipEntry e = new ZipEntry(path);
    e.setMethod(ZipEntry.STORED);
    e.setSize(data.length);
    e.setCompressedSize(data.length);
    CRC32 crc = new CRC32();
    crc.update(data);
    e.setCrc(crc.getValue());
    e.setTime(315532800000L); // 1980-01-01T00:00:00Z: fixed, so output is reproducible
    zipOut.putNextEntry(e);
    zipOut.write(data);
    zipOut.closeEntry();
  }

  /** Writes {@code dataset.json} and moves the dataset into place atomically. */
  public Path commit() {
    checkState(!committed, "dataset already committed");
    int n = entries.size();
    checkState(n > 0, "dataset has no images");
    int expected = 0;
    for (int idx : entries.keySet()) {
      checkState(idx == expected, "image indices must be contiguous from 0: missing %s", expected);
      expected++;
    }
    JsonObject root = new JsonObject();
    JsonArray labels = new JsonArray();
    JsonArray views = new JsonArray();
    for (Map.Entry<Integer, Object[]> e : entries.entrySet()) {
      JsonArray pair = new JsonArray();
      String path = pathOf(e.getKey());
      pair.add(path);
      pair.add((Integer) e.getValue()[0]);
      labels.add(pair);
      TrueView v = (TrueView) e.getValue()[1];
      if (v != null) {
        JsonObject vo = new JsonObject();
        vo.addProperty(DatasetJson.PATH, path);
        vo.addProperty(DatasetJson.OBJECT, v.objectId());
        JsonArray m = new JsonArray();
        for (double d : v.cam2world()) {
          m.add(d);
        }
        vo.add(DatasetJson.CAM2WORLD, m);
        vo.addProperty(DatasetJson.FOV, v.fovDegrees());
        views.add(vo);
      }
    }
    root.add(DatasetJson.LABELS, labels);
    JsonObject extras = new JsonObject();
    extras.addProperty(DatasetJson.FORMAT, DatasetJson.FORMAT_VERSION);
    extras.addProperty(DatasetJson.RESOLUTION, resolution);
    JsonArray names = new JsonArray();
    classNames.forEach(names::add);
    extras.add(DatasetJson.CLASS_NAMES, names);
    extras.add(DatasetJson.SOURCE, source);
    if (!views.isEmpty()) {
      extras.add(DatasetJson.VIEWS, views);
    }
    if (!objects.isEmpty()) {
      JsonArray objs = new JsonArray();
      objects.values().forEach(objs::add);
      extras.add(DatasetJson.OBJECTS, objs);
    }
    root.add(DatasetJson.EXTRAS, extras);
    byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
    try {
      if (zip) {
        putZip(DatasetJson.FILE, json);
        zipOut.close();
      } else {
        Files.write(temp.resolve(DatasetJson.FILE), json);
      }
      AtomicFiles.moveDirectory(temp, dest);
    } catch (IOException e) {
      throw new DataException(dest + ": cannot finish dataset (" + TextFiles.reason(e) + ")", e);
    }
    committed = true;
    return dest;
  }

  /** Removes the temporary output unless {@link #commit()} succeeded. */
  @Override
  public void close() {
    if (committed) {
      return;
    }
    try {
      if (zipOut != null) {
        zipOut.close();
      }
    } catch (IOException e) {
      // The temporary file is deleted below either way.
    }
    deleteRecursively(temp);
  }

  static void deleteRecursively(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Best effort: a leftover temporary folder is named with a leading dot and is harmless.
    }
  }
}
