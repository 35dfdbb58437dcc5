package org.wild3d.eval;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.wild3d.camera.Camera;
import org.wild3d.config.CameraPrior;
import org.wild3d.model.GeneratedImages;
import org.wild3d.model.Snapshot;
import org.wild3d.viz.Gif;
import org.wild3d.viz.Grid;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wild3d-eval render}: pictures of chosen (seed, class) scenes of a run's {@code G_ema}:
 *
 * <ul>
 *   <li>{@code grid.png}: rows = classes, columns = seeds × views (views spread over the whole
 *       sphere, {@link SphereViews#spread});
 *   <li>{@code depth.png} and {@code opacity.png}: the same layout from the neural rendering;
 *       depth as grey {@code opacity·(far − d)/(far − near)} (white = near, black = far or
 *       empty) with near/far the range of depths seen where opacity > 0.5, written to {@code
 *       depth.json} with the layout, ψ and the checkpoint the pictures come from (directory,
 *       step, verification);
 *   <li>{@code orbit-seedSSSS-classCC.gif} per scene: rings at several elevations and a loop over
 *       both poles ({@link SphereViews#orbit}).
 * </ul>
 *
 * Deterministic: the same run, seeds and options give the same files.
 */
@Command(
    name = "render",
    description = {
        "Render chosen seeds and classes of a run: a sample grid (rows = classes, columns ="
            + " seeds x views over the whole sphere), depth and opacity grids (depth range in"
            + " depth.json) and an orbit GIF per (seed, class) that circles the whole sphere"
            + " (--rings rings at different elevations plus a loop over both poles)."})
final class RenderCommand implements Callable<Integer> {
  /** Cameras per generator call: bounds memory (rays·samples per call) and fixes the graph. */
  static final int CAMERAS_PER_CALL = 8;
  /** Opacity above which a pixel's depth counts for the depth range. */
  static final float OPAQUE = 0.5f;
  private static final Gson JSON = new GsonBuilder().disableHtmlEscaping().create();

  @Spec CommandSpec spec;

  @Mixin SceneOptions scenes;

  @Option(names = "--views", paramLabel = "N", defaultValue = "8",
      description = "Views per scene in the grids, spread over the whole sphere (default:"
          + " ${DEFAULT-VALUE}).")
  int views;

  @Option(names = "--rings", paramLabel = "N", defaultValue = "3",
      description = "Horizontal rings of the orbit, at polar angles 180*(r+1)/(N+1) degrees; a"
          + " loop over both poles follows (default: ${DEFAULT-VALUE}).")
  int rings;

  @Option(names = "--frames", paramLabel = "N", defaultValue = "36",
      description = "Frames per loop of the orbit; a GIF has N*(rings+1) frames (default:"
          + " ${DEFAULT-VALUE}; 0 = no GIFs).")
  int frames;

  @Option(names = "--frame-ms", paramLabel = "MS", defaultValue = "60",
      description = "GIF frame delay in milliseconds (default: ${DEFAULT-VALUE}).")
  int frameMs;

  @Option(names = "--scale", paramLabel = "K", defaultValue = "0",
      description = "Enlarge every picture K times (nearest neighbour); 0 = enough for 128"
          + " pixels (default).")
  int scale;

  @Override
  public Integer call() {
    var cl = spec.commandLine();
    scenes.checkUsage(cl);
    check(views >= 1 && views <= 64, "--views: expected 1..64, found " + views);
    check(rings >= 0 && rings <= 16, "--rings: expected 0..16, found " + rings);
    check(frames >= 0 && frames <= 720, "--frames: expected 0..720, found " + frames);
    check(frameMs >= 10, "--frame-ms: expected >= 10, found " + frameMs);
    check(scale >= 0 && scale <= 16, "--scale: expected 0..16, found " + scale);
    long[] seeds = scenes.seeds(cl);
    PrintWriter out = cl.getOut();
    PrintWriter log = cl.getErr();
    try (Snapshot snap = scenes.open(log)) {
      int[] classes = scenes.classes(cl, snap.numClasses());
      CameraPrior prior = snap.config().getCamera();
      int res = snap.imageResolution();
      int rr = snap.renderResolution();
      int k = scale > 0 ? scale : Math.max(1, (int) Math.ceil(128.0 / res));
      Camera[] gridCams = SphereViews.spread(views, prior.getRadius(), prior.getFovDegrees());
      Camera[] orbitCams = frames > 0
          ? SphereViews.orbit(rings, frames, prior.getRadius(), prior.getFovDegrees())
          : new Camera[0];
      int cols = seeds.length * views;
      float[][] rgbTiles = new float[classes.length * cols][];
      float[][] depthTiles = new float[classes.length * cols][];
      float[][] opacityTiles = new float[classes.length * cols][];
      int total = seeds.length * classes.length;
      int done = 0;
      for (int row = 0; row < classes.length; row++) {
        for (int s = 0; s < seeds.length; s++) {
          long t0 = System.nanoTime();
          float[] ws = snap.map(SceneOptions.latent(seeds[s], snap.zDim()),
              new int[] {classes[row]}, scenes.truncation);
          GeneratedImages g = render(snap, ws, gridCams);
          for (int v = 0; v < views; v++) {
            int t = row * cols + s * views + v;
            rgbTiles[t] = slice(g.images(), v, res * res * 3);
            depthTiles[t] = slice(g.depth(), v, rr * rr);
            opacityTiles[t] = slice(g.opacity(), v, rr * rr);
          }
          String stem = SceneOptions.stem(seeds[s], classes[row]);
          String gif = "";
          if (orbitCams.length > 0) {
            GeneratedImages o = render(snap, ws, orbitCams);
            List<BufferedImage> list = new ArrayList<>();
            for (int f = 0; f < orbitCams.length; f++) {
              list.add(enlarge(Grid.assemble(new float[][] {slice(o.images(), f, res * res * 3)},
                  1, 1, res, res, 3, 0), k));
            }
            Path file = scenes.out.resolve("orbit-" + stem + ".gif");
            Gif.write(list, frameMs, file);
            gif = ", " + orbitCams.length + " frames → " + file;
          }
          done++;
          log.printf(Locale.ROOT, "render %d/%d %s: %d views%s, %.1f s%n", done, total, stem,
              views, gif, (System.nanoTime() - t0) / 1e9);
          log.flush();
        }
      }
      float[] range = depthRange(depthTiles, opacityTiles, snap.config().getRender().getRayStart(),
          snap.config().getRender().getRayEnd());
      float[][] depthGrey = new float[depthTiles.length][];
      float[][] opacityGrey = new float[depthTiles.length][];
      for (int t = 0; t < depthTiles.length; t++) {
        depthGrey[t] = depthToGrey(depthTiles[t], opacityTiles[t], range[0], range[1]);
        opacityGrey[t] = toSigned(opacityTiles[t]);
      }
      Path gridFile = scenes.out.resolve("grid.png");
      Grid.writePng(enlarge(Grid.assemble(rgbTiles, classes.length, cols, res, res, 3, 1), k),
          gridFile);
      int kd = Math.max(1, k * res / rr);
      Grid.writePng(enlarge(Grid.assemble(depthGrey, classes.length, cols, rr, rr, 1, 1), kd),
          scenes.out.resolve("depth.png"));
      Grid.writePng(enlarge(Grid.assemble(opacityGrey, classes.length, cols, rr, rr, 1, 1), kd),
          scenes.out.resolve("opacity.png"));
      writeLegend(scenes.out.resolve("depth.json"), range, seeds, classes, snap);
      out.printf(Locale.ROOT, "wrote %s, depth.png (depth %.4f..%.4f, see depth.json),"
              + " opacity.png: %d rows (classes %s) x %d columns (seeds %s x %d views)%n",
          gridFile, range[0], range[1], classes.length, Arrays.toString(classes), cols,
          scenes.seeds, views);
      if (orbitCams.length > 0) {
        out.printf("wrote %d orbit GIFs of %d frames (%d rings + a loop over the poles) to %s%n",
            total, orbitCams.length, rings, scenes.out);
      }
      out.flush();
    }
    return 0;
  }

  private void check(boolean ok, String message) {
    if (!ok) {
      throw new ParameterException(spec.commandLine(), message);
    }
  }

  /**
   * One scene from many cameras, {@link #CAMERAS_PER_CALL} per call (the last call padded with
   * its last camera, so every call has the same shape and the graph is built once).
   */
  static GeneratedImages render(Snapshot snap, float[] ws, Camera[] cams) {
    int n = cams.length;
    int res = snap.imageResolution();
    int rr = snap.renderResolution();
    float[] img = new float[n * res * res * 3];
    float[] depth = new float[n * rr * rr];
    float[] opacity = new float[n * rr * rr];
    for (int start = 0; start < n; start += CAMERAS_PER_CALL) {
      int m = Math.min(CAMERAS_PER_CALL, n - start);
      Camera[] chunk = new Camera[CAMERAS_PER_CALL];
      for (int i = 0; i < CAMERAS_PER_CALL; i++) {
        chunk[i] = cams[start + Math.min(i, m - 1)];
      }
      GeneratedImages g = snap.generateFromW(ws, 1, chunk);
      System.arraycopy(g.images(), 0, img, start * res * res * 3, m * res * res * 3);
      System.arraycopy(g.depth(), 0, depth, start * rr * rr, m * rr * rr);
      System.arraycopy(g.opacity(), 0, opacity, start * rr * rr, m * rr * rr);
    }
    return new GeneratedImages(img, depth, opacity, n, res, rr);
  }

  private static float[] slice(float[] all, int i, int size) {
    return Arrays.copyOfRange(all, i * size, (i + 1) * size);
  }

  /** {@code {near, far}}: the depth range over pixels with opacity > {@link #OPAQUE}. */
  static float[] depthRange(float[][] depth, float[][] opacity, float rayStart, float rayEnd) {
    float lo = Float.POSITIVE_INFINITY;
    float hi = Float.NEGATIVE_INFINITY;
    for (int t = 0; t < depth.length; t++) {
      for (int i = 0; i < depth[t].length; i++) {
        if (opacity[t][i] > OPAQUE) {
          lo = Math.min(lo, depth[t][i]);
          hi = Math.max(hi, depth[t][i]);
        }
      }
    }
    if (!(lo < hi)) { // nothing opaque, or one depth: fall back to the ray range
      return new float[] {rayStart, rayEnd};
    }
    return new float[] {lo, hi};
  }

  /** Grey in [−1, 1] (Grid's range): {@code 2·opacity·clamp((far − d)/(far − near)) − 1}. */
  static float[] depthToGrey(float[] depth, float[] opacity, float near, float far) {
    float[] g = new float[depth.length];
    for (int i = 0; i < g.length; i++) {
      float x = Math.max(0f, Math.min(1f, (far - depth[i]) / (far - near)));
      g[i] = 2 * opacity[i] * x - 1;
    }
    return g;
  }

  private static float[] toSigned(float[] unit) {
    float[] g = new float[unit.length];
    for (int i = 0; i < g.length; i++) {
      g[i] = 2 * unit[i] - 1;
    }
    return g;
  }

  static BufferedImage enlarge(BufferedImage img, int k) {
    if (k == 1) {
      return img;
    }
    BufferedImage big = new BufferedImage(img.getWidth() * k, img.getHeight() * k,
        BufferedImage.TYPE_INT_RGB);
    var g = big.createGraphics();
    g.drawImage(img.getScaledInstance(big.getWidth(), big.getHeight(), Image.SCALE_FAST), 0, 0,
        null);
    g.dispose();
    return big;
  }

  private void writeLegend(Path file, float[] range, long[] seeds, int[] classes,
      Snapshot snap) {
    String json = String.format(Locale.ROOT, """
        {
          "depth_png": "depth.png",
          "near": %.6f,
          "far": %.6f,
          "grey": "255 * opacity * clamp((far - depth) / (far - near), 0, 1): white = near, black = far or empty",
          "near_far_from": "min/max expected depth over pixels with opacity > %.2f",
          "opacity_png": "opacity.png (255 * opacity)",
          "layout": "rows = classes %s, columns = seeds %s x %d views",
          "truncation_psi": %s,
          "checkpoint": %s,
          "checkpoint_step": %d,
          "checkpoint_verification": "%s"
        }
        """, range[0], range[1], OPAQUE, Arrays.toString(classes), Arrays.toString(seeds),
        views, scenes.truncation,
        JSON.toJson(snap.checkpoint().dir().toAbsolutePath().normalize().toString()),
        snap.checkpoint().manifest().step(), snap.checkpoint().verification().label());
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, json, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + file, e);
    }
  }
}
