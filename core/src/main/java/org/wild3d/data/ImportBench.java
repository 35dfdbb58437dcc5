package org.wild3d.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.wild3d.image.Images;
import org.wild3d.image.Resize;
import org.wild3d.image.RgbImage;

/**
 * Benchmarks of the data path at ImageNet scale, on inputs they make themselves in a work folder:
 *
 * <ul>
 *   <li>{@link #importer}: ImageNet-like JPEGs (500×375, quality 90, a textured colour field with
 *       sensor-like noise, about ImageNet's bytes per pixel) imported at each resolution by the
 *       importer as it was before the pipeline ({@link #legacyImport}: ImageIO decode at full
 *       size, Lanczos, PNG with per-row filter search at zlib level 6, chunks of 256 on a
 *       fork-join pool, as of commit 4142d55) and by {@link ImageFolderImporter}; img/s overall,
 *       and per stage what one thread does in that stage alone.
 *   <li>{@link #reader}: a ZIP dataset of many small entries opened ({@link Dataset#open} time and
 *       heap, extrapolated linearly to ImageNet's 1,281,167), and the batch reader streaming a
 *       ZIP of distinct photos at the training resolution.
 * </ul>
 *
 * Not a test: the figures depend on the machine and its load; they are printed, never asserted.
 */
public final class ImportBench {
  /** Images in ImageNet's training set (ILSVRC-2012). */
  public static final int IMAGENET_TRAIN = 1_281_167;

  private ImportBench() {}

  /**
   * A photo-like JPEG of {@code w}×{@code h} at quality {@code quality}: two colours blended
   * along a wavy field, an octave of finer texture and Gaussian noise (σ 14).
   */
  public static byte[] photoJpeg(int w, int h, long seed, float quality) {
    SplittableRandom r = new SplittableRandom(seed);
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    double fx = 0.01 + r.nextDouble() * 0.03;
    double fy = 0.01 + r.nextDouble() * 0.03;
    double gx = 0.15 + r.nextDouble() * 0.2;
    int[] c0 = {r.nextInt(256), r.nextInt(256), r.nextInt(256)};
    int[] c1 = {r.nextInt(256), r.nextInt(256), r.nextInt(256)};
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double t = 0.5 + 0.5 * Math.sin(x * fx + Math.cos(y * fy) * 3);
        double tex = 18 * Math.sin(x * gx + y * gx * 0.7) * Math.cos(y * gx * 1.3);
        for (int k = 0; k < 3; k++) {
          double v = c0[k] * (1 - t) + c1[k] * t + tex + gaussian(r) * 14;
          px[(y * w + x) * 3 + 2 - k] = (byte) Math.max(0, Math.min(255, (int) v));
        }
      }
    }
    ImageWriter wr = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam p = wr.getDefaultWriteParam();
    p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    p.setCompressionQuality(quality);
    ByteArrayOutputStream bo = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bo)) {
      wr.setOutput(out);
      wr.write(null, new IIOImage(img, null, null), p);
    } catch (IOException e) {
      throw new IllegalStateException("in-memory JPEG encoding failed", e);
    } finally {
      wr.dispose();
    }
    return bo.toByteArray();
  }

  private static double gaussian(SplittableRandom r) {
    double u = 1 - r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  /** Writes {@code classes} synset folders of ImageNet-like JPEGs under {@code root}. */
  static long writeTree(Path root, int classes, int perClass) throws IOException {
    long bytes = 0;
    for (int k = 0; k < classes; k++) {
      Path d = Files.createDirectories(root.resolve(String.format("n%08d", 1440764 + k)));
      for (int i = 0; i < perClass; i++) {
        byte[] b = photoJpeg(500, 375, k * 100_000L + i, 0.9f);
        Files.write(d.resolve(String.format("n%08d_%d.JPEG", 1440764 + k, i)), b);
        bytes += b.length;
      }
    }
    return bytes;
  }

  /**
   * The importer before the pipeline (commit 4142d55), for comparison: chunks of 256 files on a
   * fork-join pool of {@code threads}, each decoded by ImageIO at full size, centre-cropped and
   * Lanczos-resized, encoded by {@link Images#encodePng(RgbImage)}, then written in order.
   *
   * @return seconds
   */
  static double legacyImport(List<Path> files, Path dest, int resolution, int threads) {
    long t = System.nanoTime();
    ForkJoinPool pool = new ForkJoinPool(threads);
    try (DatasetWriter writer = DatasetWriter.create(dest, resolution, List.of("all"))) {
      int written = 0;
      for (int start = 0; start < files.size(); start += 256) {
        List<Path> chunk = files.subList(start, Math.min(files.size(), start + 256));
        byte[][] results = new byte[chunk.size()][];
        pool.submit(() -> IntStream.range(0, chunk.size()).parallel().forEach(i -> results[i] =
            Images.encodePng(Resize.cropAndResize(Images.read(chunk.get(i)), resolution)))).get();
        for (byte[] png : results) {
          writer.addPng(written++, png, 0, null);
        }
      }
      writer.commit();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("benchmark interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("legacy import failed", e.getCause());
    } finally {
      pool.shutdown();
    }
    return (System.nanoTime() - t) / 1e9;
  }

  /** One thread through the legacy stages on {@code files}: img/s of read, decode, resize, encode. */
  static double[] legacyStages(List<Path> files, int resolution) throws IOException {
    double[] ns = new double[4];
    for (Path f : files) {
      long t0 = System.nanoTime();
      byte[] b = Files.readAllBytes(f);
      long t1 = System.nanoTime();
      RgbImage img = Images.decode(b, f.toString());
      long t2 = System.nanoTime();
      RgbImage small = Resize.cropAndResize(img, resolution);
      long t3 = System.nanoTime();
      Images.encodePng(small);
      long t4 = System.nanoTime();
      ns[0] += t1 - t0;
      ns[1] += t2 - t1;
      ns[2] += t3 - t2;
      ns[3] += t4 - t3;
    }
    double[] perSecond = new double[4];
    for (int i = 0; i < 4; i++) {
      perSecond[i] = files.size() / (ns[i] / 1e9);
    }
    return perSecond;
  }

  /**
   * Imports {@code images} generated JPEGs (in 4 classes) at each of {@code resolutions} with the
   * legacy importer and the pipeline at {@code threads} threads (and at 1, for the scaling),
   * printing img/s overall and per stage.
   */
  public static void importer(Path work, int images, int[] resolutions, int threads,
      PrintWriter out) throws IOException {
    Path root = work.resolve("jpegs");
    int per = Math.max(1, images / 4);
    long t = System.nanoTime();
    long bytes = writeTree(root, 4, per);
    int n = per * 4;
    out.printf(Locale.ROOT, "made %d JPEGs of 500x375 at quality 90 (mean %.0f KB, %.2f bits per"
        + " pixel) in %.1f s%n", n, bytes / 1024.0 / n, bytes * 8.0 / n / 500 / 375,
        (System.nanoTime() - t) / 1e9);
    List<Path> files = new ArrayList<>();
    try (var s = Files.walk(root)) {
      s.filter(Files::isRegularFile).sorted().forEach(files::add);
    }
    out.printf("threads: %d of %d cores%n", threads, Runtime.getRuntime().availableProcessors());
    for (int res : resolutions) {
      // Warm-up (JIT, TF graph), not timed.
      ImageFolderImporter.run(ImageFolderImporter.Options.of(root, work.resolve("warm-" + res
          + ".zip"), res).withThreads(threads).withMaxPerClass(Math.min(per, 16)), null);
      legacyImport(files.subList(0, Math.min(files.size(), 64)), work.resolve("lwarm-" + res
          + ".zip"), res, threads);

      double legacy = legacyImport(files, work.resolve("legacy-" + res + ".zip"), res, threads);
      double[] ls = legacyStages(files.subList(0, Math.min(files.size(), 100)), res);
      out.printf(Locale.ROOT, "%d²  before (commit 4142d55): %.1f img/s; one thread per stage: "
          + "read %.0f, decode (ImageIO, full size) %.0f, resize %.0f, encode (PNG level 6, "
          + "filter search) %.0f img/s%n", res, n / legacy, ls[0], ls[1], ls[2], ls[3]);
      for (int th : threads > 1 ? new int[] {1, threads} : new int[] {1}) {
        ImageFolderImporter.Result r = ImageFolderImporter.run(ImageFolderImporter.Options.of(
            root, work.resolve("new-" + res + "-" + th + ".zip"), res).withThreads(th), null);
        ImageFolderImporter.Stages s = r.stages();
        out.printf(Locale.ROOT, "%d²  pipeline, %d thread%s: %.1f img/s (%.1fx before); one "
            + "thread per stage: read %.0f, decode %.0f, resize %.0f, encode (PNG level 0) "
            + "%.0f img/s; writer %.0f img/s; decoders %s%n", res, th, th == 1 ? "" : "s",
            r.imagesPerSecond(), r.imagesPerSecond() * legacy / n, s.perSecond("read"),
            s.perSecond("decode"), s.perSecond("resize"), s.perSecond("encode"),
            s.perSecond("write"), r.decoders());
        if (res == resolutions[resolutions.length - 1] && th == threads) {
          out.printf(Locale.ROOT, "     ImageNet's %,d training images at this rate: %.1f h%n",
              IMAGENET_TRAIN, IMAGENET_TRAIN / r.imagesPerSecond() / 3600);
        }
      }
    }
    out.flush();
  }

  /**
   * Opens a ZIP dataset of {@code entries} tiny images ({@link Dataset#open} time and heap per
   * entry, extrapolated to ImageNet), then streams {@code streamEntries} distinct photos at
   * {@code resolution} through {@link BatchReader} with {@code threads} decode threads for about
   * {@code seconds}.
   */
  public static void reader(Path work, int entries, int streamEntries, int resolution,
      int threads, double seconds, PrintWriter out) throws IOException {
    Path big = work.resolve("many.zip");
    byte[][] tiny = new byte[16][];
    for (int i = 0; i < tiny.length; i++) {
      tiny[i] = Images.encodePng(Resize.cropAndResize(Images.decode(photoJpeg(40, 30, i, 0.9f),
          "tiny"), 8), 0);
    }
    long t = System.nanoTime();
    write(big, entries, i -> tiny[i % tiny.length], 10);
    out.printf(Locale.ROOT, "wrote %s: %,d entries of 8x8 in %.1f s (%,d bytes)%n", big.getFileName(),
        entries, (System.nanoTime() - t) / 1e9, Files.size(big));
    Runtime rt = Runtime.getRuntime();
    gc();
    long before = rt.totalMemory() - rt.freeMemory();
    t = System.nanoTime();
    try (Dataset ds = Dataset.open(big)) {
      double secs = (System.nanoTime() - t) / 1e9;
      gc();
      long after = rt.totalMemory() - rt.freeMemory();
      double perEntry = (after - before) / (double) ds.size();
      out.printf(Locale.ROOT, "open: %,d entries in %.2f s (%.1f µs per entry), heap %.1f MB "
          + "(%.0f bytes per entry); ImageNet's %,d: about %.0f s and %.0f MB%n", ds.size(),
          secs, secs / ds.size() * 1e6, (after - before) / 1e6, perEntry, IMAGENET_TRAIN,
          secs / ds.size() * IMAGENET_TRAIN, perEntry * IMAGENET_TRAIN / 1e6);
    }

    Path photos = work.resolve("photos-" + resolution + ".zip");
    int distinct = Math.min(streamEntries, 512);
    byte[][] pngs = new byte[distinct][];
    for (int i = 0; i < distinct; i++) {
      pngs[i] = Images.encodePng(Resize.cropAndResize(Images.decode(photoJpeg(500, 375, i,
          0.9f), "photo"), resolution), 0);
    }
    write(photos, streamEntries, i -> pngs[i % distinct], 20);
    try (Dataset ds = Dataset.open(photos);
        BatchReader r = BatchReader.open(ds, BatchReader.Options.of(32).withXflip(true)
            .withThreads(threads).withPrefetch(4))) {
      for (int i = 0; i < 10; i++) {
        r.next();
      }
      long start = System.nanoTime();
      int batches = 0;
      while ((System.nanoTime() - start) / 1e9 < seconds) {
        r.next();
        batches++;
      }
      double secs = (System.nanoTime() - start) / 1e9;
      out.printf(Locale.ROOT, "stream: %,d entries of %dx%d (PNG level 0), batches of 32 with %d"
          + " decode thread%s: %.0f img/s (%d batches in %.1f s)%n", ds.size(), resolution,
          resolution, threads, threads == 1 ? "" : "s", batches * 32 / secs, batches, secs);
    }
    out.flush();
  }

  private static void gc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
  }

  /** A ZIP dataset of {@code n} entries (image {@code i} = {@code png.apply(i)}), classes i % k. */
  private static void write(Path dest, int n, java.util.function.IntFunction<byte[]> png,
      int classes) {
    com.google.gson.JsonObject state = new com.google.gson.JsonObject();
    state.addProperty("bench", dest.toString());
    try (ImportOutput out = ImportOutput.open(dest, state, true, null)) {
      for (int i = 0; i < n; i++) {
        out.write(i, png.apply(i), i % classes);
      }
      com.google.gson.JsonObject extras = new com.google.gson.JsonObject();
      com.google.gson.JsonArray names = new com.google.gson.JsonArray();
      for (int k = 0; k < classes; k++) {
        names.add("class" + k);
      }
      extras.add(DatasetJson.CLASS_NAMES, names);
      out.finish(extras);
    }
  }
}
