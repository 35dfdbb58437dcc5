package org.wild3d.invert;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.wild3d.DataException;
import org.wild3d.camera.Camera;
import org.wild3d.checkpoint.CheckpointManager.Checkpoint;
import org.wild3d.checkpoint.CheckpointRestore;
import org.wild3d.cli.RunOptions;
import org.wild3d.config.Experiment;
import org.wild3d.config.Invert;
import org.wild3d.data.Dataset;
import org.wild3d.data.SyntheticObjects;
import org.wild3d.data.TrueView;
import org.wild3d.model.GeneratedImages;
import org.wild3d.raster.Mesh;
import org.wild3d.raster.MeshRenderer;
import org.wild3d.raster.RenderOptions;
import org.wild3d.raster.Rendering;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wild3d-invert bench}: inverts images of a synthetic dataset whose true cameras and objects
 * are recorded ({@link TrueView}) and measures the reconstruction against the truth.
 *
 * <p>Per image: input-view PSNR after stage 1 and stage 2; the recovered camera's viewpoint error
 * (angle between the true and recovered directions from the object), rotation error and elevation
 * error (the generator learns its own object frame from unposed images: it shares the up axis
 * with the data, so elevation is comparable, but not the azimuth origin); and, after
 * each stage, novel views: the true object re-rendered with {@link MeshRenderer} from the true
 * camera turned about world {@code +y} by 45°, 90°, …, 315°, against the generator rendered from
 * the recovered camera turned by the same angles (the two frames share the up axis but not the
 * azimuth origin, so only relative turns are comparable): PSNR, silhouette IoU (opacity ≥ ½ vs
 * coverage ≥ ½) and mean absolute ray depth where both silhouettes are on. Seconds of search +
 * stage 1 and of stage 2.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Inverts held-out synthetic images and scores them against their true camera"
        + " and object (input-view and novel-view PSNR, silhouette IoU, depth error, camera"
        + " error, seconds).")
final class BenchCommand implements Callable<Integer> {
  static final int[] TURNS_DEG = {45, 90, 135, 180, 225, 270, 315};

  @Spec CommandSpec spec;

  @Mixin RunOptions runOptions;

  @Option(names = "--dataset", required = true, paramLabel = "DIR",
      description = "Synthetic dataset with true views (e.g. held-out shapes: wild3d-train"
          + " dataset shapes DIR --seed 1 ...).")
  Path dataset;

  @Option(names = "--indices", required = true, paramLabel = "A-B",
      description = "Image indices: a range 0-19 or a list 0,5,9.")
  String indices;

  @Option(names = "--use-labels",
      description = "Give each image's dataset class to the inversion (default: infer it).")
  boolean useLabels;

  @Option(names = "--latent-space", paramLabel = "W|W_PLUS",
      description = "Latent space of the pivot (overrides invert.latent_space).")
  Invert.LatentSpace latentSpace;

  @Option(names = "--override", paramLabel = "SNIPPET",
      description = "invert { ... } snippet on top of the run's config. Repeatable.")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--out", paramLabel = "DIR",
      description = "Also write bench.md and bench.json (per image and summary) here.")
  Path out;

  /** One image's figures; stage-indexed arrays hold {after stage 1, after stage 2}. */
  record Row(int index, int trueClass, int classUsed, double viewpointErrorDeg,
      double rotationErrorDeg, double elevationErrorDeg, double[] psnrInput, double[] psnrNovel, double[] iouNovel,
      double[] depthErrorNovel, double[] iouInput, double secondsStage1, double secondsStage2) {}

  @Override
  public Integer call() {
    PrintWriter log = spec.commandLine().getOut();
    Path run = runOptions.run();
    int threads = runOptions.threads();
    Experiment cfg = Reconstruction.config(spec.commandLine(), run, overrides, latentSpace);
    int res = cfg.getData().getResolution();
    List<Row> rows = new ArrayList<>();
    Checkpoint ckpt;
    try (Dataset ds = Reconstruction.dataset(dataset)) {
      int[] idx = parseIndices(indices, ds.size());
      ckpt = CheckpointRestore.choose(run, runOptions.checkpoint(), log);
      CheckpointRestore.checkArchitecture(ckpt, cfg); // before a classifier or graph is built
      PerceptualDistance perceptual = Reconstruction.perceptual(cfg, threads, log);
      try (Inverter inv = Inverter.open(cfg, ckpt, perceptual, threads)) {
        for (int i : idx) {
          inv.reset();
          Row r = one(ds, i, cfg, inv, res);
          rows.add(r);
            log.printf("image %d: class %d->%d, camera error %.1f deg, PSNR %.2f -> %.2f dB, novel"
              + " PSNR %.2f -> %.2f, IoU %.3f -> %.3f, %.1f s + %.1f s%n", i, r.trueClass(),
              r.classUsed(), r.viewpointErrorDeg(), r.psnrInput()[0], r.psnrInput()[1],
              r.psnrNovel()[0], r.psnrNovel()[1], r.iouNovel()[0], r.iouNovel()[1],
              r.secondsStage1(), r.secondsStage2());
          log.flush();
        }
      }
    }
    String md = markdown(rows, cfg, perceptualLabel(cfg));
    log.println(md);
    log.flush();
    if (out != null) {
      try {
        Files.createDirectories(out);
        Files.writeString(out.resolve("bench.md"), md, StandardCharsets.UTF_8);
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("run", run.toAbsolutePath().toString());
        j.put("dataset", dataset.toAbsolutePath().toString());
        j.put("checkpoint", ckpt.dir().toAbsolutePath().toString());
        j.put("checkpoint_step", ckpt.manifest().step());
        j.put("checkpoint_verification", ckpt.verification().label());
        j.put("invert", org.wild3d.config.Configs.toText(
            Experiment.newBuilder().setInvert(cfg.getInvert()).build()));
        j.put("rows", rows);
        Files.writeString(out.resolve("bench.json"), OutputWriter.json(j),
            StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("writing the benchmark to " + out, e);
      }
    }
    return 0;
  }

  private static String perceptualLabel(Experiment cfg) {
    Invert inv = cfg.getInvert();
    return inv.getPerceptualWeight() == 0 ? "none"
        : inv.getLpipsPath().isEmpty() ? "dataset classifier (cls)" : "lpips-vgg16";
  }

  private Row one(Dataset ds, int i, Experiment cfg, Inverter inv, int res) {
    TrueView tv = ds.trueView(i).orElseThrow(() -> new DataException("--dataset: expected a"
        + " synthetic dataset that records true views, found none for image " + i + " of "
        + dataset + " (generate one with wild3d-train dataset shapes)"));
    JsonObject obj = ds.object(tv.objectId()).orElseThrow(() -> new DataException("--dataset:"
        + " image " + i + " names object " + tv.objectId() + ", which is not recorded"));
    Mesh mesh = SyntheticObjects.mesh(obj, meshRoot(ds));
    RenderOptions light = SyntheticObjects.lighting(obj, RenderOptions.defaults()
        .withSupersample(3));
    float[] target = Reconstruction.target(ds.image(i), res);
    int trueClass = ds.classOf(i);
    inv.setSeed(cfg.getSeed() + i);
    long t0 = System.nanoTime();
    inv.search(target, useLabels ? trueClass : -1, null);
    Inverter.Stage s1 = inv.fitPivot(null);
    double sec1 = (System.nanoTime() - t0) / 1e9;
    Inverter.Pivot p = inv.pivot();
    double[][] after1 = novel(inv, p, tv, mesh, light, res);
    Inverter.Stage s2 = inv.tune(null);
    double[][] after2 = novel(inv, p, tv, mesh, light, res);
    double[] c2w = p.camera().cam2world();
    return new Row(i, trueClass, p.classIndex(),
        SphereCamera.viewpointErrorDegrees(c2w, tv.cam2world()),
        SphereCamera.rotationErrorDegrees(c2w, tv.cam2world()),
        Math.toDegrees(Math.abs(p.camera().elevation()
            - SphereCamera.angles(tv.cam2world()).elevation())),
        new double[] {s1.psnr(), s2.psnr()},
        new double[] {after1[0][0], after2[0][0]},
        new double[] {after1[0][1], after2[0][1]},
        new double[] {after1[0][2], after2[0][2]},
        new double[] {after1[1][1], after2[1][1]},
        sec1, s2.seconds());
  }

  private static Path meshRoot(Dataset ds) {
    JsonObject ex = ds.extras();
    if (ex.has("source") && ex.getAsJsonObject("source").has("root")) {
      return Path.of(ex.getAsJsonObject("source").get("root").getAsString());
    }
    return null;
  }

  /**
   * {novel views: mean PSNR, IoU, depth error}, {input view: PSNR, IoU, depth error} of the
   * generator's current state against the true object.
   */
  static double[][] novel(Inverter inv, Inverter.Pivot p, TrueView tv, Mesh mesh,
      RenderOptions light, int res) {
    SphereCamera.Angles t = SphereCamera.angles(tv.cam2world());
    SphereCamera.Angles g = p.camera();
    int n = TURNS_DEG.length + 1;
    Camera[] gen = new Camera[n];
    Rendering[] truth = new Rendering[n];
    for (int v = 0; v < n; v++) {
      double d = v == 0 ? 0 : Math.toRadians(TURNS_DEG[v - 1]);
      gen[v] = new Camera(SphereCamera.cam2world(g.azimuth() + d, g.elevation(), g.roll(),
          g.radius()), p.fovDegrees());
      double[] tc = SphereCamera.cam2world(t.azimuth() + d, t.elevation(), t.roll(), t.radius());
      truth[v] = MeshRenderer.render(mesh, tc, tv.fovDegrees(), res, res, light);
    }
    GeneratedImages views = inv.render(gen);
    int rr = views.renderResolution();
    double[] sum = new double[3];
    double[] input = new double[3];
    for (int v = 0; v < n; v++) {
      float[] img = OutputWriter.slice(views.images(), v, res * res * 3);
      float[] tImg = Reconstruction.target(truth[v].image(), res);
      double[] m = {Inverter.psnr(img, tImg),
          iou(views.opacity(), v, truth[v].silhouette(), rr, res),
          depthError(views, v, truth[v], rr, res)};
      if (v == 0) {
        input = m;
      } else {
        for (int k = 0; k < 3; k++) {
          sum[k] += m[k] / TURNS_DEG.length;
        }
      }
    }
    return new double[][] {sum, input};
  }

  /** Pixel (y, x) of a {@code res}² image in the {@code rr}² rendering (nearest). */
  private static int at(int y, int x, int rr, int res) {
    return (y * rr / res) * rr + x * rr / res;
  }

  static double iou(float[] opacity, int v, float[] silhouette, int rr, int res) {
    int inter = 0;
    int union = 0;
    for (int y = 0; y < res; y++) {
      for (int x = 0; x < res; x++) {
        boolean a = opacity[v * rr * rr + at(y, x, rr, res)] >= 0.5f;
        boolean b = silhouette[y * res + x] >= 0.5f;
        inter += a && b ? 1 : 0;
        union += a || b ? 1 : 0;
      }
    }
    return union == 0 ? 1 : (double) inter / union;
  }

  static double depthError(GeneratedImages views, int v, Rendering truth, int rr, int res) {
    double s = 0;
    int n = 0;
    for (int y = 0; y < res; y++) {
      for (int x = 0; x < res; x++) {
        int k = v * rr * rr + at(y, x, rr, res);
        if (views.opacity()[k] >= 0.5f && truth.silhouette()[y * res + x] >= 0.5f
            && truth.depth()[y * res + x] > 0) {
          s += Math.abs(views.depth()[k] - truth.depth()[y * res + x]);
          n++;
        }
      }
    }
    return n == 0 ? Double.NaN : s / n;
  }

  int[] parseIndices(String spec, int size) {
    List<Integer> out = new ArrayList<>();
    try {
      for (String part : spec.split(",")) {
        String p = part.strip();
        int dash = p.indexOf('-', 1);
        if (dash > 0) {
          int a = Integer.parseInt(p.substring(0, dash).strip());
          int b = Integer.parseInt(p.substring(dash + 1).strip());
          for (int i = a; i <= b; i++) {
            out.add(i);
          }
        } else {
          out.add(Integer.parseInt(p));
        }
      }
    } catch (NumberFormatException e) {
      throw new ParameterException(spec().commandLine(), "--indices: expected a range like 0-19"
          + " or a list like 0,5,9, found '" + spec + "'");
    }
    for (int i : out) {
      if (i < 0 || i >= size) {
        throw new ParameterException(spec().commandLine(), "--indices: expected indices in 0.."
            + (size - 1) + " (" + size + " images in " + dataset + "), found " + i);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  private CommandSpec spec() {
    return spec;
  }

  static String markdown(List<Row> rows, Experiment cfg, String perceptual) {
    StringBuilder b = new StringBuilder();
    Invert inv = cfg.getInvert();
    b.append(String.format("Inversion benchmark: %d images; %s; search %d cameras x %d starts;"
        + " stage 1 %d steps, stage 2 %d steps; perceptual: %s%n%n", rows.size(),
        inv.getLatentSpace(), inv.getCameraCandidates(), inv.getLatentStarts(),
        inv.getStage1Steps(), inv.getStage2Steps(), perceptual));
    b.append("| image | class true/used | view err (deg) | elev err (deg) | PSNR in s1 | PSNR in s2 | novel PSNR s1"
        + " | novel PSNR s2 | novel IoU s1 | novel IoU s2 | novel depth err s1 | novel depth err"
        + " s2 | input IoU s2 | s stage1 | s stage2 |\n");
    b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      b.append(String.format("| %d | %d/%d | %.1f | %.1f | %.2f | %.2f | %.2f | %.2f | %.3f |"
          + " %.3f | %.3f | %.3f | %.3f | %.1f | %.1f |%n", r.index(), r.trueClass(),
          r.classUsed(), r.viewpointErrorDeg(), r.elevationErrorDeg(), r.psnrInput()[0], r.psnrInput()[1], r.psnrNovel()[0],
          r.psnrNovel()[1], r.iouNovel()[0], r.iouNovel()[1], r.depthErrorNovel()[0],
          r.depthErrorNovel()[1], r.iouInput()[1], r.secondsStage1(), r.secondsStage2()));
    }
    if (!rows.isEmpty()) {
      long correct = rows.stream().filter(r -> r.trueClass() == r.classUsed()).count();
      for (String stat : List.of("mean", "median")) {
        b.append(String.format("| **%s** | %d/%d same | %.1f | %.1f | %.2f | %.2f | %.2f | %.2f |"
            + " %.3f | %.3f | %.3f | %.3f | %.3f | %.1f | %.1f |%n", stat, correct, rows.size(),
            stat(rows, stat, r -> r.viewpointErrorDeg()),
            stat(rows, stat, r -> r.elevationErrorDeg()), stat(rows, stat, r -> r.psnrInput()[0]),
            stat(rows, stat, r -> r.psnrInput()[1]), stat(rows, stat, r -> r.psnrNovel()[0]),
            stat(rows, stat, r -> r.psnrNovel()[1]), stat(rows, stat, r -> r.iouNovel()[0]),
            stat(rows, stat, r -> r.iouNovel()[1]), stat(rows, stat, r -> r.depthErrorNovel()[0]),
            stat(rows, stat, r -> r.depthErrorNovel()[1]), stat(rows, stat, r -> r.iouInput()[1]),
            stat(rows, stat, r -> r.secondsStage1()), stat(rows, stat, r -> r.secondsStage2())));
      }
    }
    return b.toString();
  }

  private static double stat(List<Row> rows, String which,
      java.util.function.ToDoubleFunction<Row> f) {
    double[] v = rows.stream().mapToDouble(f).filter(Double::isFinite).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    if (which.equals("mean")) {
      return Arrays.stream(v).average().orElse(Double.NaN);
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
