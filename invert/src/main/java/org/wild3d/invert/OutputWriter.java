package org.wild3d.invert;

import com.google.gson.GsonBuilder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.wild3d.AtomicFiles;
import org.wild3d.camera.Camera;
import org.wild3d.checkpoint.CheckpointRestore;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import org.wild3d.meshing.FieldMeshes;
import org.wild3d.meshing.PlyWriter;
import org.wild3d.model.GeneratedImages;
import org.wild3d.model.Snapshot;
import org.wild3d.viz.Gif;
import org.wild3d.viz.Grid;

/**
 * Writes a reconstruction's output directory. Everything goes into a hidden temporary sibling
 * {@code .tmp-<name>-<pid>} which replaces {@code out} only when complete, so a failure leaves no
 * partial output.
 *
 * <p>Layout: {@code input.png}, {@code reconstruction_stage1.png}, {@code reconstruction.png}
 * (input view after stage 2), {@code views.png} (8 views around the object at the pivot's
 * elevation over their depth maps), {@code orbit.gif} ({@value #ORBIT_FRAMES} frames),
 * {@code depth.png} (input view; near = bright, weighted by opacity), {@code pivot.json},
 * {@code report.json}, and {@code generator/} — a run directory ({@code config.*.pbtxt} of the
 * source run, {@code checkpoints/step-N/} with the tuned {@code G_ema}) that {@code
 * Snapshot.open} and {@code wild3d-eval} load.
 */
final class OutputWriter {
  static final int VIEWS = 8;
  static final int ORBIT_FRAMES = 24;
  static final String GENERATOR = "generator";
  /** Grid nodes per axis and density level of {@code mesh.ply} (wild3d-eval mesh's defaults). */
  static final int MESH_RESOLUTION = 128;
  static final float MESH_LEVEL = FieldMeshes.DEFAULT_LEVEL;

  private OutputWriter() {}

  /**
   * Writes the directory.
   *
   * @param report the caller's report fields (inputs, timings); stage figures are added here
   */
  static void write(Path out, Path run, Inverter inv, Reconstruction.Result r,
      Map<String, Object> report) {
    Path abs = out.toAbsolutePath().normalize();
    Path tmp = abs.resolveSibling(".tmp-" + abs.getFileName() + "-" + ProcessHandle.current().pid());
    try {
      deleteRecursively(tmp);
      Files.createDirectories(tmp);
      int res = inv.resolution();
      Experiment cfg = inv.config();
      png(tmp.resolve("input.png"), r.target(), res, 3);
      png(tmp.resolve("reconstruction_stage1.png"), r.stage1().image(), res, 3);
      png(tmp.resolve("reconstruction.png"), r.stage2().image(), res, 3);

      SphereCamera.Angles a = r.pivot().camera();
      double fov = r.pivot().fovDegrees();
      GeneratedImages input = inv.render(new Camera[] {r.pivot().toCamera()});
      float near = cfg.getRender().getRayStart();
      float far = cfg.getRender().getRayEnd();
      int rr = input.renderResolution();
      png(tmp.resolve("depth.png"), depthTile(input.depth(), input.opacity(), 0, rr, near, far),
          rr, 1);

      Camera[] ring = orbit(a, fov, VIEWS);
      GeneratedImages views = inv.render(ring);
      float[][] tiles = new float[2 * VIEWS][];
      for (int i = 0; i < VIEWS; i++) {
        tiles[i] = slice(views.images(), i, res * res * 3);
        float[] d = depthTile(views.depth(), views.opacity(), i, rr, near, far);
        tiles[VIEWS + i] = rr == res ? gray(d) : gray(upsample(d, rr, res));
      }
      Grid.writePng(Grid.assemble(tiles, 2, VIEWS, res, res, 3, 1), tmp.resolve("views.png"));

      GeneratedImages orbit = inv.render(orbit(a, fov, ORBIT_FRAMES));
      List<BufferedImage> frames = new ArrayList<>();
      for (int i = 0; i < ORBIT_FRAMES; i++) {
        frames.add(Grid.assemble(new float[][] {slice(orbit.images(), i, res * res * 3)}, 1, 1,
            res, res, 3, 0));
      }
      Gif.write(frames, 80, tmp.resolve("orbit.gif"));

      Files.writeString(tmp.resolve("pivot.json"), json(pivotJson(r.pivot(), cfg)),
          StandardCharsets.UTF_8);

      Path gen = tmp.resolve(GENERATOR);
      Files.createDirectories(gen);
      Files.copy(run.resolve(Configs.RESOLVED_FILE), gen.resolve(Configs.RESOLVED_FILE));
      if (Files.isRegularFile(run.resolve(Configs.INPUT_FILE))) {
        Files.copy(run.resolve(Configs.INPUT_FILE), gen.resolve(Configs.INPUT_FILE));
      }
      Map<String, String> prov = new LinkedHashMap<>();
      prov.put("pti_source_checkpoint", inv.checkpoint().dir().toAbsolutePath().toString());
      prov.put("pti_stage2_steps", Integer.toString(r.stage2().steps()));
      inv.saveGenerator(gen, prov);
      // The reconstructed object as a mesh: the tuned generator's field around the pivot.
      Map<String, Object> meshReport = new LinkedHashMap<>();
      try (Snapshot tuned = Snapshot.open(gen, 0, new PrintWriter(Writer.nullWriter()))) {
        FieldMeshes.Extracted m = FieldMeshes.extract(tuned, r.pivot().ws(),
            FieldMeshes.grid(tuned, MESH_RESOLUTION), MESH_LEVEL);
        meshReport.put("resolution", MESH_RESOLUTION);
        meshReport.put("sigma_level", MESH_LEVEL);
        meshReport.put("sigma_range", List.of(m.sigmaRange()[0], m.sigmaRange()[1]));
        if (m.mesh().isEmpty()) {
          meshReport.put("note", "no surface: sigma never reaches the level; no mesh.ply");
        } else {
          PlyWriter.write(m.mesh(), tmp.resolve("mesh.ply"), true, List.of(
              "from the PTI-tuned generator of " + CheckpointRestore.describe(inv.checkpoint())));
          meshReport.put("file", "mesh.ply");
          meshReport.put("vertices", m.mesh().vertexCount());
          meshReport.put("faces", m.mesh().faceCount());
        }
      }

      Map<String, Object> rep = new LinkedHashMap<>(report);
      rep.putAll(stagesJson(r, inv));
      rep.put("mesh", meshReport);
      Files.writeString(tmp.resolve("report.json"), json(rep), StandardCharsets.UTF_8);

      if (Files.exists(abs)) {
        deleteRecursively(abs);
      }
      Files.createDirectories(abs.getParent());
      AtomicFiles.moveDirectory(tmp, abs);
    } catch (IOException e) {
      cleanup(tmp);
      throw new UncheckedIOException("writing the reconstruction to " + out, e);
    } catch (RuntimeException e) {
      cleanup(tmp);
      throw e;
    }
  }

  /** The pivot's camera turned about world +y by {@code 360°·i/n}, i = 0..n−1. */
  static Camera[] orbit(SphereCamera.Angles a, double fov, int n) {
    Camera[] cams = new Camera[n];
    for (int i = 0; i < n; i++) {
      cams[i] = new Camera(SphereCamera.cam2world(a.azimuth() + 2 * Math.PI * i / n,
          a.elevation(), a.roll(), a.radius()), fov);
    }
    return cams;
  }

  static Map<String, Object> pivotJson(Inverter.Pivot p, Experiment cfg) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("class", p.classIndex());
    m.put("latent_space", cfg.getInvert().getLatentSpace().name());
    m.put("num_ws", p.numWs());
    m.put("w_dim", p.wDim());
    m.put("ws", p.ws());
    Map<String, Object> cam = new LinkedHashMap<>();
    cam.put("cam2world", p.camera().cam2world());
    cam.put("azimuth_deg", Math.toDegrees(p.camera().azimuth()));
    cam.put("elevation_deg", Math.toDegrees(p.camera().elevation()));
    cam.put("roll_deg", Math.toDegrees(p.camera().roll()));
    cam.put("radius", p.camera().radius());
    cam.put("fov_degrees", p.fovDegrees());
    m.put("camera", cam);
    m.put("loss", p.loss());
    return m;
  }

  static Map<String, Object> stagesJson(Reconstruction.Result r, Inverter inv) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("perceptual_network", inv.perceptualName());
    m.put("class", r.pivot().classIndex());
    m.put("class_given", r.classGiven());
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("renders", r.search().evaluated());
    s.put("seconds", r.search().seconds());
    s.put("best_loss", r.search().bestLoss());
    Map<String, Double> perClass = new LinkedHashMap<>();
    r.search().classLosses().forEach((k, v) -> perClass.put(Integer.toString(k), v));
    s.put("best_loss_per_class", perClass);
    m.put("search", s);
    m.put("stage1", stage(r.stage1()));
    m.put("stage2", stage(r.stage2()));
    m.put("psnr_input_view", r.stage2().psnr());
    return m;
  }

  private static Map<String, Object> stage(Inverter.Stage st) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("steps", st.steps());
    m.put("seconds", st.seconds());
    m.put("loss_start", st.lossStart());
    m.put("loss_end", st.lossEnd());
    m.put("psnr", st.psnr());
    m.put("early_stopped", st.earlyStopped());
    return m;
  }

  static String json(Object o) {
    return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create()
        .toJson(o) + "\n";
  }

  /**
   * Depth of view {@code i} as a gray tile in [−1,1]: brightness {@code opacity · (far − d)/(far −
   * near)}, so near surfaces are bright, far ones and empty pixels black, and faint (low-opacity)
   * geometry stays faint.
   */
  static float[] depthTile(float[] depth, float[] opacity, int i, int rr, float near, float far) {
    float[] t = new float[rr * rr];
    for (int p = 0; p < t.length; p++) {
      float d = depth[i * rr * rr + p];
      float o = Math.max(0f, Math.min(1f, opacity[i * rr * rr + p]));
      float v = o * Math.max(0f, Math.min(1f, (far - d) / (far - near)));
      t[p] = 2 * v - 1;
    }
    return t;
  }

  private static float[] upsample(float[] a, int from, int to) {
    float[] out = new float[to * to];
    for (int y = 0; y < to; y++) {
      for (int x = 0; x < to; x++) {
        out[y * to + x] = a[(y * from / to) * from + x * from / to];
      }
    }
    return out;
  }

  private static float[] gray(float[] a) {
    float[] out = new float[a.length * 3];
    for (int i = 0; i < a.length; i++) {
      out[3 * i] = a[i];
      out[3 * i + 1] = a[i];
      out[3 * i + 2] = a[i];
    }
    return out;
  }

  static float[] slice(float[] a, int i, int n) {
    float[] out = new float[n];
    System.arraycopy(a, i * n, out, 0, n);
    return out;
  }

  private static void png(Path file, float[] tile, int res, int channels) {
    Grid.writePng(Grid.assemble(new float[][] {tile}, 1, 1, res, res, channels, 0), file);
  }

  private static void cleanup(Path tmp) {
    try {
      deleteRecursively(tmp);
    } catch (IOException ignored) {
      // the original failure is what the user needs to see
    }
  }

  static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
