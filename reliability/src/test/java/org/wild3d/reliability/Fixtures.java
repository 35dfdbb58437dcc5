package org.wild3d.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.wild3d.config.Configs;
import org.wild3d.model.TinyRuns;

/**
 * The good inputs that each bad input is made from: a tiny PNG dataset, a tiny config and a run
 * directory trained by {@code wild3d-train} for a few steps. Made once per test class under one
 * root, which the table's paths are written relative to.
 */
final class Fixtures {
  /** Side of the tiny dataset's images and of the tiny model's output. */
  static final int RES = 16;

  final Path root;
  /** A valid 2-class folder dataset of 8 RGB PNGs at {@link #RES}². */
  final Path dataset;
  /** The tiny model's config (trains in seconds), as a file. */
  final Path config;
  /** A run directory with complete checkpoints, trained by wild3d-train. */
  final Path run;

  Fixtures(Path root) throws IOException {
    this.root = root;
    dataset = root.resolve("good-dataset");
    writeDataset(dataset, goodLabels(), Map.of());
    config = root.resolve("tiny.pbtxt");
    Files.writeString(config, tinyConfigText(root.resolve("cache")));
    Path runs = root.resolve("trained");
    Tool.Outcome o = Tool.TRAIN.run(List.of("--config", config.toString(), "--out", runs.toString()));
    assertThat(o.exit()).as("training the fixture run:%n%s%n%s", o.out(), o.err()).isZero();
    try (Stream<Path> s = Files.list(runs)) {
      run = s.findFirst().orElseThrow();
    }
  }

  /** The tiny shapes model of {@link TinyRuns} with a training schedule of three one-step ticks. */
  static String tinyConfigText(Path cache) {
    return Configs.toText(TinyRuns.config(cache, """
        train { batch_size: 2 kimg_per_tick: 0.004 snapshot_ticks: 1 total_kimg: 0.012
                max_minutes: 0 metrics: "none" keep_checkpoints: 5 }
        """).resolved());
  }

  /** {@code [["img/0000.png", k], ...]}: 8 images, classes alternating 0, 1. */
  static JsonArray goodLabels() {
    JsonArray labels = new JsonArray();
    for (int i = 0; i < 8; i++) {
      JsonArray pair = new JsonArray();
      pair.add(String.format("img/%04d.png", i));
      pair.add(i % 2);
      labels.add(pair);
    }
    return labels;
  }

  /**
   * Writes a folder dataset: one RGB PNG at {@link #RES}² for every label path that stays inside
   * the folder, {@code dataset.json} with {@code labels} and the class names, and {@code extra}
   * files (path → bytes) on top.
   */
  static void writeDataset(Path dir, JsonArray labels, Map<String, byte[]> extra) throws IOException {
    writeDataset(dir, labels, extra, true);
  }

  /** {@link #writeDataset(Path, JsonArray, Map)}, with or without {@code wild3d.class_names}. */
  static void writeDataset(Path dir, JsonArray labels, Map<String, byte[]> extra,
      boolean classNames) throws IOException {
    Files.createDirectories(dir);
    for (int i = 0; i < labels.size(); i++) {
      String p = labels.get(i).getAsJsonArray().get(0).getAsString();
      Path f = dir.resolve(p).normalize();
      if (f.startsWith(dir) && !p.startsWith("/")) {
        Files.createDirectories(f.getParent());
        Files.write(f, png(RES, RES, BufferedImage.TYPE_INT_RGB, i));
      }
    }
    JsonObject root = new JsonObject();
    root.add("labels", labels);
    JsonObject extras = new JsonObject();
    JsonArray names = new JsonArray();
    names.add("a");
    names.add("b");
    extras.add("class_names", names);
    if (classNames) {
      root.add("wild3d", extras);
    }
    Files.writeString(dir.resolve("dataset.json"), root.toString());
    for (var e : extra.entrySet()) {
      Path f = dir.resolve(e.getKey());
      Files.createDirectories(f.getParent());
      Files.write(f, e.getValue());
    }
  }

  /** A PNG of random pixels; {@code type} is a {@link BufferedImage} type (RGB, grey, ARGB...). */
  static byte[] png(int w, int h, int type, long seed) {
    BufferedImage img = new BufferedImage(w, h, type);
    Random r = new Random(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, 0xff000000 | r.nextInt(0x1000000));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A stored (uncompressed) ZIP of {@code entries} (name → bytes), in the given order. */
  static void writeZip(Path zip, List<Map.Entry<String, byte[]>> entries) throws IOException {
    try (OutputStream os = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(os)) {
      z.setMethod(ZipOutputStream.STORED);
      for (var e : entries) {
        ZipEntry ze = new ZipEntry(e.getKey());
        CRC32 crc = new CRC32();
        crc.update(e.getValue());
        ze.setSize(e.getValue().length);
        ze.setCrc(crc.getValue());
        z.putNextEntry(ze);
        z.write(e.getValue());
        z.closeEntry();
      }
    }
  }

  /** The files of a folder dataset as ZIP entries (sorted by path). */
  static List<Map.Entry<String, byte[]>> entriesOf(Path dir) throws IOException {
    List<Map.Entry<String, byte[]>> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
        out.add(Map.entry(dir.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f)));
      }
    }
    return out;
  }

  /** A copy of the fixture run under {@code name}, for one case to damage. */
  Path copyOfRun(String name) throws IOException {
    Path dst = root.resolve(name);
    try (Stream<Path> s = Files.walk(run)) {
      for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
        Path q = dst.resolve(run.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q);
        }
      }
    }
    return dst;
  }

  /** The checkpoint directories of {@code run}, oldest first. */
  static List<Path> checkpoints(Path run) throws IOException {
    try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
      return s.filter(p -> p.getFileName().toString().startsWith("step-")).sorted().toList();
    }
  }

  /** The newest checkpoint directory of {@code run}. */
  static Path newest(Path run) throws IOException {
    List<Path> all = checkpoints(run);
    return all.get(all.size() - 1);
  }

  /** {@code text} as bytes that are not UTF-8 (Latin-1 with a non-ASCII character). */
  static byte[] latin1(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }
}
