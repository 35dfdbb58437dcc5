package org.wild3d.eval;

import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.wild3d.DataException;
import org.wild3d.camera.Camera;
import org.wild3d.config.CameraPrior;
import org.wild3d.config.CameraPriorSpec;
import org.wild3d.config.Data;
import org.wild3d.config.Experiment;
import org.wild3d.data.Dataset;
import org.wild3d.data.DatasetWriter;
import org.wild3d.data.Datasets;
import org.wild3d.data.TrueView;
import org.wild3d.image.Images;
import org.wild3d.image.RgbImage;
import org.wild3d.log.Progress;
import org.wild3d.model.GeneratedImages;
import org.wild3d.model.ImageGenerator;
import org.wild3d.model.Snapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wild3d-eval samples}: N generated images of a run's {@code G_ema} written as a dataset
 * in the StyleGAN2-ADA/EG3D layout (PNGs plus {@code dataset.json}), the counterpart of EG3D's
 * {@code gen_samples.py}, so that any FID tool (torch-fidelity, clean-fid, {@code wild3d-eval
 * metrics --dataset SAMPLES --against REAL}) can score a run.
 *
 * <p>Image {@code i} has latent seed {@code s = seed + i}: its latent is {@link
 * SceneOptions#latent}{@code (s)} (the one {@code render --seeds s} shows), its class and camera
 * are drawn from {@code SplittableRandom(s)} split off for them, so one image does not depend on
 * N or the batch size. {@code dataset.json} labels each image with its class; {@code
 * wild3d.views} holds its camera ({@code cam2world}, {@code fov_degrees}) with the latent seed as
 * {@code object}; {@code wild3d.source} records the checkpoint, ψ, the class and camera rules.
 */
@Command(
    name = "samples",
    description = {
        "Write N generated images of a run (PNG dataset with dataset.json: class label per image,"
            + " its camera and latent seed in wild3d.views) for external FID tools or"
            + " 'wild3d-eval metrics --dataset SAMPLES --against REAL'.",
        "Classes follow the run's dataset frequencies (EG3D's FID protocol) or are uniform;"
            + " cameras come from the run's whole-sphere prior or a ring at one polar angle."})
final class SamplesCommand implements Callable<Integer> {
  /** Most images one command writes. */
  static final int MAX_COUNT = 10_000_000;

  @Spec CommandSpec spec;

  @Option(names = "--run", paramLabel = "RUN", required = true,
      description = "Run directory written by wild3d-train, e.g. runs/00000-shapes-tiny.")
  Path run;

  @Option(names = "--checkpoint", paramLabel = "DIR",
      description = "Checkpoint directory of the run (default: the newest complete one).")
  Path checkpoint;

  @Option(names = {"-n", "--count"}, paramLabel = "N", required = true,
      description = "Images to write, e.g. 50000 for fid50k.")
  int count;

  @Option(names = "--out", paramLabel = "DEST", required = true,
      description = "New dataset folder, or a .zip file.")
  Path out;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
      description = "Latent seed of image 0; image i has seed S+i (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--class-dist", paramLabel = "dataset|uniform", defaultValue = "dataset",
      description = "Class of each image: drawn with the run's dataset class frequencies (as"
          + " EG3D draws them for FID) or uniformly (default: ${DEFAULT-VALUE}).")
  String classDist;

  @Option(names = "--cameras", paramLabel = "prior|equator|ring:DEG", defaultValue = "prior",
      description = "Camera of each image: the run's prior (the whole sphere unless the config"
          + " narrows it), or a ring at polar angle DEG (equator = ring:90) at a random azimuth;"
          + " radius and field of view from the run (default: ${DEFAULT-VALUE}).")
  String cameras;

  @Option(names = "--truncation", paramLabel = "PSI", defaultValue = "1",
      description = "Truncation psi; 1 = none, as FID is measured (default: ${DEFAULT-VALUE}).")
  float truncation;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "0",
      description = "Images per generator call (default: the run's eval.batch_size).")
  int batch;

  @Option(names = "--force", description = "Replace an existing DEST.")
  boolean force;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
      description = "TF intra-op threads; 0 = all cores.")
  int threads;

  /** How cameras are drawn. */
  record CameraRule(String name, double polarDeg) {
    boolean prior() {
      return polarDeg < 0;
    }
  }

  @Override
  public Integer call() throws Exception {
    var cl = spec.commandLine();
    if (count < 1 || count > MAX_COUNT) {
      throw new ParameterException(cl, "--count: expected 1.." + MAX_COUNT + ", found " + count);
    }
    if (seed < 0 || seed + count - 1 > Integer.MAX_VALUE) {
      throw new ParameterException(cl, "--seed: expected 0.." + (Integer.MAX_VALUE - count + 1L)
          + " (seeds S..S+N-1 are recorded as 32-bit integers), found " + seed);
    }
    if (!classDist.equals("dataset") && !classDist.equals("uniform")) {
      throw new ParameterException(cl, "--class-dist: expected dataset or uniform, found '"
          + classDist + "'");
    }
    CameraRule rule = cameraRule(cl, cameras);
    if (!(truncation >= 0 && truncation <= 2)) {
      throw new ParameterException(cl, "--truncation: expected a psi in [0, 2], found "
          + truncation);
    }
    if (batch < 0 || threads < 0) {
      throw new ParameterException(cl, (batch < 0 ? "--batch" : "--threads")
          + ": expected >= 0, found " + (batch < 0 ? batch : threads));
    }
    if (Files.exists(out) && !force) {
      throw new ParameterException(cl, "--out: expected a new dataset path, found an existing "
          + (Files.isDirectory(out) ? "folder" : "file") + " at " + out + " (pass --force to"
          + " replace it, or choose another --out)");
    }
    PrintWriter log = cl.getErr();
    try (Snapshot snap = Snapshot.open(run, checkpoint, threads, log)) {
      Experiment cfg = snap.config();
      int k = snap.numClasses();
      List<String> names = new ArrayList<>();
      int[] counts = new int[k];
      if (classDist.equals("dataset") && k > 1) {
        Data data = cfg.getData();
        try (Dataset ds = Datasets.open(data, cfg.getCamera(), data.getResolution(), log)) {
          if (ds.numClasses() != k) {
            throw new DataException("run " + run + ": model.num_classes is " + k + " but its "
                + "dataset " + ds.location() + " has " + ds.numClasses() + " classes (pass "
                + "--class-dist uniform, or restore the run's dataset)");
          }
          counts = ds.classCounts();
          names.addAll(ds.classNames());
        }
      } else {
        java.util.Arrays.fill(counts, 1);
        for (int c = 0; c < k; c++) {
          names.add("class" + c);
        }
      }
      double[] cumulative = cumulative(counts);
      int n = batch > 0 ? batch : cfg.getEval().getBatchSize();
      Path tmp = force && Files.exists(out)
          ? out.resolveSibling("." + out.getFileName() + ".samples-" + ProcessHandle.current().pid()
              + (out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip")
                  ? ".zip" : ""))
          : out;
      int res = snap.imageResolution();
      Progress progress = new Progress(log, "samples", count, Progress.Unit.IMAGES);
      ExecutorService writerThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "wild3d-samples-png");
        t.setDaemon(true);
        return t;
      });
      try (DatasetWriter writer = DatasetWriter.create(tmp, res, names)) {
        writer.setSource(source(snap, rule, n));
        Future<?> pending = null;
        for (int start = 0; start < count; start += n) {
          int m = Math.min(n, count - start);
          Draw d = draw(snap, seed + start, m, cumulative, rule, cfg.getCamera());
          GeneratedImages g = snap.generate(d.z(), d.classes(), d.cameras(), truncation);
          if (pending != null) {
            pending.get();
          }
          final int first = start;
          pending = writerThread.submit(() -> {
            for (int i = 0; i < m; i++) {
              byte[] png = Images.encodePng(toRgb(g.images(), i, res), 1);
              Camera c = d.cameras()[i];
              writer.addPng(first + i, png, d.classes()[i],
                  new TrueView((int) (seed + first + i), c.cam2world(), c.fovDegrees()));
            }
            progress.add(m);
          });
        }
        if (pending != null) {
          pending.get();
        }
        writer.commit();
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(
            e.getCause());
      } finally {
        writerThread.shutdownNow();
      }
      if (tmp != out) {
        deleteRecursively(out);
        Files.move(tmp, out);
      }
      double secs = progress.finish();
      PrintWriter o = cl.getOut();
      o.printf(Locale.ROOT, "wrote %s: %d images of %dx%d, %d classes (%s), cameras %s, psi %s,"
          + " seeds %d-%d; %.1f img/s%n", out, count, res, res, k, classDist, rule.name(),
          truncation, seed, seed + count - 1, count / Math.max(secs, 1e-9));
      o.flush();
    }
    return 0;
  }

  static CameraRule cameraRule(picocli.CommandLine cl, String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.equals("prior")) {
      return new CameraRule("prior", -1);
    }
    if (t.equals("equator")) {
      return new CameraRule("ring:90", 90);
    }
    if (t.startsWith("ring:")) {
      try {
        double deg = Double.parseDouble(t.substring(5));
        if (deg > 0 && deg < 180) {
          return new CameraRule("ring:" + t.substring(5), deg);
        }
      } catch (NumberFormatException e) {
        // Reported below.
      }
    }
    throw new ParameterException(cl, "--cameras: expected prior, equator or ring:DEG with DEG a"
        + " polar angle strictly between 0 and 180, found '" + text + "'");
  }

  /** Latents {@code [N,Z]}, classes {@code [N]} and cameras of images with seeds s0..s0+N-1. */
  record Draw(float[] z, int[] classes, Camera[] cameras) {}

  static Draw draw(ImageGenerator g, long firstSeed, int n, double[] cumulative, CameraRule rule,
      CameraPrior prior) {
    int zDim = g.zDim();
    float[] z = new float[n * zDim];
    int[] classes = new int[n];
    Camera[] cams = new Camera[n];
    for (int i = 0; i < n; i++) {
      long s = firstSeed + i;
      System.arraycopy(SceneOptions.latent(s, zDim), 0, z, i * zDim, zDim);
      SplittableRandom r = new SplittableRandom(s).split(); // independent of the latent's stream
      classes[i] = drawClass(cumulative, r.nextDouble());
      if (rule.prior()) {
        cams[i] = new org.wild3d.camera.CameraSampler(CameraPriorSpec.from(prior), r.nextLong()).sample(1)[0];
      } else {
        cams[i] = Camera.fromSpherical(2 * Math.PI * r.nextDouble(),
            Math.toRadians(rule.polarDeg()), prior.getRadius(), prior.getFovDegrees());
      }
    }
    return new Draw(z, classes, cams);
  }

  static double[] cumulative(int[] counts) {
    long total = 0;
    for (int c : counts) {
      total += c;
    }
    double[] out = new double[counts.length];
    double acc = 0;
    for (int k = 0; k < counts.length; k++) {
      acc += counts[k];
      out[k] = acc / total;
    }
    return out;
  }

  /** The class whose cumulative frequency first exceeds {@code u} (classes with none skipped). */
  static int drawClass(double[] cumulative, double u) {
    int k = 0;
    while (k < cumulative.length - 1 && u >= cumulative[k]) {
      k++;
    }
    return k;
  }

  /** Image {@code i} of {@code [N,H,W,3]} floats in [−1,1] as 8-bit RGB, rounded and clamped. */
  static RgbImage toRgb(float[] images, int i, int res) {
    int per = res * res * 3;
    byte[] px = new byte[per];
    for (int j = 0; j < per; j++) {
      float v = (images[i * per + j] + 1f) * 127.5f;
      px[j] = (byte) Math.max(0, Math.min(255, Math.round(v)));
    }
    return new RgbImage(res, res, px);
  }

  private JsonObject source(Snapshot snap, CameraRule rule, int batchSize) {
    JsonObject s = new JsonObject();
    s.addProperty("generator", "wild3d-eval samples");
    s.addProperty("run", run.toAbsolutePath().normalize().toString());
    var ckpt = snap.checkpoint();
    s.addProperty("checkpoint", ckpt.dir().toAbsolutePath().normalize().toString());
    s.addProperty("step", ckpt.manifest().step());
    s.addProperty("kimg", ckpt.manifest().kimg());
    s.addProperty("checkpoint_verification", ckpt.verification().label());
    s.addProperty("config_hash", ckpt.manifest().configHash());
    s.addProperty("count", count);
    s.addProperty("first_seed", seed);
    s.addProperty("seeds", "image i: latent seed first_seed + i (wild3d.views[i].object); "
        + "latent as 'render --seeds'; class and camera from SplittableRandom(seed).split()");
    s.addProperty("class_distribution", classDist);
    s.addProperty("cameras", rule.name());
    s.addProperty("truncation_psi", truncation);
    s.addProperty("batch_size", batchSize);
    return s;
  }

  private static void deleteRecursively(Path p) throws java.io.IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var s = Files.walk(p)) {
      for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
