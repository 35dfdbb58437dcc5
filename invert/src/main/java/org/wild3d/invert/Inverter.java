package org.wild3d.invert;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;
import org.wild3d.DataException;
import org.wild3d.Version;
import org.wild3d.camera.Camera;
import org.wild3d.checkpoint.CheckpointManager.Checkpoint;
import org.wild3d.checkpoint.CheckpointManager;
import org.wild3d.checkpoint.Manifest;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import org.wild3d.config.Invert;
import org.wild3d.model.GeneratedImages;
import org.wild3d.model.Latents;
import org.wild3d.model.SampleGraph;
import org.wild3d.nn.Noise;
import org.wild3d.optim.Adam;

/**
 * Pivotal tuning inversion (PTI, Roich et al. 2021) of one image with a trained 3D generator whose
 * camera is unknown: the stages, run on an {@link InversionGraph} (which holds {@code G_ema}, the
 * pivot and the losses).
 *
 * <ol>
 *   <li>{@link #search}: every class (or the given one) at its mean latent from every camera of a
 *       Fibonacci whole-sphere set at the training radius, then the best class's other latent
 *       starts from every camera, are rendered and scored; the best becomes the initial pivot.
 *   <li>{@link #fitPivot}: Adam on the pivot's latent and camera (generator frozen) with the
 *       StyleGAN2 projector's learning-rate ramp.
 *   <li>{@link #tune}: Adam on {@code G_ema}'s trainable variables, pivot frozen, optionally with
 *       PTI's locality regulariser.
 * </ol>
 *
 * <p>Per-pixel noise is the generator's fixed constant noise ({@link Noise#constant()}, as in
 * {@code Snapshot}); it is not optimised. The tuned generator is saved with {@link
 * #saveGenerator}: only {@code G_ema}'s variables, so {@code Snapshot.open} loads it.
 *
 * <p>Shapes: target {@code [H,W,3]} in [−1,1] (H = W = the generator's image resolution).
 */
public final class Inverter implements AutoCloseable {
  /** Scenes per batch of the candidate search and of {@link #render}. */
  static final int BATCH = 16;
  /** z samples averaged into a class's mean latent. */
  static final int CLASS_MEAN_SAMPLES = 256;
  /** Stage 1 learning-rate ramp-up and ramp-down, fractions of the steps (StyleGAN2 projector). */
  static final double LR_RAMPUP = 0.05;
  static final double LR_RAMPDOWN = 0.25;
  /** Locality regulariser: how far from the pivot towards random latents, and how many. */
  static final float LOCALITY_ALPHA = 0.5f;
  static final int LOCALITY_SAMPLES = 4;

  /**
   * The pivot: latent, camera and class.
   *
   * @param ws {@code [num_ws·Wd]} row-major (every layer's latent, also in W)
   * @param camera angles in radians and the radius
   * @param loss reconstruction loss at the pivot when it was last evaluated
   */
  public record Pivot(int classIndex, float[] ws, int numWs, int wDim,
      SphereCamera.Angles camera, double fovDegrees, double loss) {
    /** The pivot's camera. */
    public Camera toCamera() {
      return new Camera(camera.cam2world(), fovDegrees);
    }
  }

  /**
   * What the candidate search did.
   *
   * @param evaluated renders scored
   * @param classLosses best loss per class tried (class index → loss)
   */
  public record Search(int evaluated, double seconds, int bestClass, double bestLoss,
      Map<Integer, Double> classLosses) {}

  /**
   * One optimisation stage.
   *
   * @param steps steps run (fewer than asked after an early stop)
   * @param lossStart loss before the first step
   * @param lossEnd loss after the last step
   * @param psnr PSNR (dB, images in [0,1]) of the input view after the stage
   * @param image the input view after the stage, {@code [H,W,3]} in [−1,1]
   */
  public record Stage(int steps, double seconds, double lossStart, double lossEnd, double psnr,
      float[] image, boolean earlyStopped) {}

  private final InversionGraph ig;
  private final Experiment config;
  private final Invert opts;
  private final PerceptualDistance perceptual;
  private final int numWs;
  private final int wDim;
  private final int res;
  private final double fov;

  private float[] targetPixels;
  private int classIndex = -1;
  private double pivotLoss = Double.NaN;
  private long seed;

  private Inverter(InversionGraph ig, PerceptualDistance perceptual) {
    this.ig = ig;
    this.config = ig.config;
    this.opts = ig.opts;
    this.perceptual = perceptual;
    this.numWs = ig.numWs;
    this.wDim = ig.wDim;
    this.res = ig.res;
    this.fov = ig.fov;
    this.seed = config.getSeed();
  }

  /**
   * Builds the inversion graph for {@code config}'s architecture and restores {@code G_ema} from
   * {@code checkpoint}.
   *
   * @param perceptual the perceptual network; may be null when invert.perceptual_weight is 0
   * @throws DataException (exit 4) naming the checkpoint when it was written for another
   *     architecture or lacks the generator's variables
   */
  public static Inverter open(Experiment config, Checkpoint checkpoint,
      PerceptualDistance perceptual, int intraThreads) {
    return open(config, checkpoint, perceptual, intraThreads, false);
  }

  /**
   * As {@link #open(Experiment, Checkpoint, PerceptualDistance, int)}; with {@code
   * optimizeRadius} stage 1 also fits the camera's distance (else it stays at camera.radius).
   */
  public static Inverter open(Experiment config, Checkpoint checkpoint,
      PerceptualDistance perceptual, int intraThreads, boolean optimizeRadius) {
    return new Inverter(
        InversionGraph.build(config, checkpoint, perceptual, intraThreads, optimizeRadius),
        perceptual);
  }

  /**
   * Makes the inverter as new for another image: restores {@code G_ema} from the checkpoint again
   * and zeroes both optimisers' moments (the pivot is set by the next {@link #search}).
   */
  public void reset() {
    ig.restore();
    ig.session.run(ig.resetOptimizers);
    targetPixels = null;
    classIndex = -1;
    pivotLoss = Double.NaN;
  }

  /** Seed of the search's random latents and the locality samples (default: the run's seed). */
  public void setSeed(long seed) {
    this.seed = seed;
  }

  /** H = W of the generator's images (the target's size). */
  public int resolution() {
    return res;
  }

  /** K (1 for unconditional generators). */
  public int numClasses() {
    return Math.max(1, config.getModel().getNumClasses());
  }

  /** The perceptual network's name, or {@code none} when the perceptual term is off. */
  public String perceptualName() {
    return opts.getPerceptualWeight() > 0 ? perceptual.name() : "none";
  }

  /**
   * Sets the image to reconstruct and searches the initial pivot.
   *
   * @param pixels {@code [H,W,3]} in [−1,1]
   * @param classIndex the class, or −1 to try every class and keep the best
   */
  public Search search(float[] pixels, int classIndex, PrintWriter log) {
    checkArgument(pixels.length == res * res * 3, "target image: expected %sx%sx3 = %s values, found"
        + " %s", res, res, res * res * 3, pixels.length);
    int k = numClasses();
    checkArgument(classIndex >= -1 && classIndex < k,
        "class: expected an index in [0, %s), found %s", k, classIndex);
    long t0 = System.nanoTime();
    targetPixels = pixels.clone();
    List<double[]> cams = SphereCamera.fibonacci(opts.getCameraCandidates());
    double r = config.getCamera().getRadius();
    int[] tried = classIndex >= 0 ? new int[] {classIndex} : range(k);
    // Phase 1: every class tried at its mean latent from every camera; phase 2: the other
    // latent starts of the best class from every camera.
    Candidate best = null;
    int evaluated = 0;
    Map<Integer, Double> perClass = new java.util.LinkedHashMap<>();
    Map<Integer, List<float[]>> starts = new HashMap<>();
    for (int c : tried) {
      starts.put(c, latentStarts(c));
      Candidate cb = bestOf(c, List.of(starts.get(c).get(0)), cams, r);
      evaluated += cams.size();
      perClass.put(c, cb.loss());
      best = best == null || cb.loss() < best.loss() ? cb : best;
    }
    List<float[]> more = starts.get(best.classIndex()).subList(1, opts.getLatentStarts());
    if (!more.isEmpty()) {
      Candidate cb = bestOf(best.classIndex(), more, cams, r);
      evaluated += more.size() * cams.size();
      perClass.merge(best.classIndex(), cb.loss(), Math::min);
      best = cb.loss() < best.loss() ? cb : best;
    }
    int bestClass = best.classIndex();
    float[] bestW = best.w();
    double[] bestCam = best.camera();
    this.classIndex = bestClass;
    setPivot(bestW, new SphereCamera.Angles(bestCam[0], bestCam[1], 0, r));
    pivotLoss = best.loss();
    double secs = (System.nanoTime() - t0) / 1e9;
    if (log != null) {
      log.printf("search: %d renders (%d classes x %d cameras, then %d more starts of the best"
          + " class) in %.1f s; best class %d, loss %.4f, azimuth %.1f, elevation %.1f deg%n",
          evaluated, tried.length, cams.size(), opts.getLatentStarts() - 1, secs, bestClass,
          best.loss(), Math.toDegrees(bestCam[0]), Math.toDegrees(bestCam[1]));
      log.flush();
    }
    return new Search(evaluated, secs, bestClass, best.loss(), perClass);
  }

  private record Candidate(int classIndex, float[] w, double[] camera, double loss) {}

  /** The best of every latent in {@code ws} ({@code [Wd]} each) from every camera. */
  private Candidate bestOf(int c, List<float[]> ws, List<double[]> cams, double r) {
    List<float[]> all = new ArrayList<>();
    List<double[]> c2w = new ArrayList<>();
    List<Integer> which = new ArrayList<>();
    for (int s = 0; s < ws.size(); s++) {
      for (int j = 0; j < cams.size(); j++) {
        all.add(broadcast(ws.get(s)));
        c2w.add(SphereCamera.cam2world(cams.get(j)[0], cams.get(j)[1], 0, r));
        which.add(s * cams.size() + j);
      }
    }
    Candidate best = null;
    for (int i0 = 0; i0 < all.size(); i0 += BATCH) {
      int n = Math.min(BATCH, all.size() - i0);
      float[] l = batchLosses(all.subList(i0, i0 + n), c2w.subList(i0, i0 + n));
      for (int i = 0; i < n; i++) {
        if (best == null || l[i] < best.loss()) {
          int k = which.get(i0 + i);
          best = new Candidate(c, ws.get(k / cams.size()), cams.get(k % cams.size()), l[i]);
        }
      }
    }
    return best;
  }

  private static int[] range(int k) {
    int[] a = new int[k];
    for (int i = 0; i < k; i++) {
      a[i] = i;
    }
    return a;
  }

  /**
   * Latent starts of class {@code c}: its mean latent (over {@link #CLASS_MEAN_SAMPLES} z), then
   * latents half-way from it to random latents of the class. Each {@code [Wd]}.
   */
  List<float[]> latentStarts(int c) {
    int zDim = config.getModel().getMapping().getZDim();
    int m = CLASS_MEAN_SAMPLES;
    SplittableRandom rng = new SplittableRandom(seed * 31 + c);
    float[] zs = Latents.gaussian(rng, m * zDim);
    float[] w = mapLatents(zs, c, m);
    float[] mean = new float[wDim];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < wDim; j++) {
        mean[j] += w[i * wDim + j] / m;
      }
    }
    List<float[]> out = new ArrayList<>();
    out.add(mean);
    for (int s = 1; s < opts.getLatentStarts(); s++) {
      float[] x = new float[wDim];
      for (int j = 0; j < wDim; j++) {
        x[j] = mean[j] + 0.5f * (w[(s - 1) % m * wDim + j] - mean[j]);
      }
      out.add(x);
    }
    return out;
  }

  /** Untruncated latents {@code [N,Wd]} of {@code z [N,Z]}, all of class {@code c}. */
  float[] mapLatents(float[] zs, int c, int n) {
    int[] cls = new int[n];
    java.util.Arrays.fill(cls, c);
    return ig.sample.mapW(ig.session, zs, cls);
  }

  private float[] broadcast(float[] w1) {
    float[] ws = new float[numWs * wDim];
    for (int i = 0; i < numWs; i++) {
      System.arraycopy(w1, 0, ws, i * wDim, wDim);
    }
    return ws;
  }

  private float[] batchLosses(List<float[]> ws, List<double[]> c2w) {
    int n = ws.size();
    float[] wsFlat = new float[n * numWs * wDim];
    for (int i = 0; i < n; i++) {
      System.arraycopy(ws.get(i), 0, wsFlat, i * numWs * wDim, numWs * wDim);
    }
    try (SampleGraph.Feed f = ig.sample.feedW(wsFlat, n, cameras(c2w));
        TFloat32 tt = targetTensor();
        Result r = f.runner(ig.session).feed(ig.target, tt).fetch(ig.batchLoss).run()) {
      return floats((TFloat32) r.get(0));
    }
  }

  /** Cameras at the run's field of view. */
  private Camera[] cameras(List<double[]> c2w) {
    Camera[] cams = new Camera[c2w.size()];
    for (int i = 0; i < cams.length; i++) {
      cams[i] = new Camera(c2w.get(i), fov);
    }
    return cams;
  }

  private TFloat32 targetTensor() {
    checkState(targetPixels != null, "inversion: call search() with the target image first");
    return TFloat32.tensorOf(Shape.of(1, res, res, 3), DataBuffers.of(targetPixels, true, false));
  }

  /**
   * Sets the pivot directly (skipping the search): {@code w [Wd]} (or {@code [num_ws·Wd]} in W+),
   * the camera and the class. The target must be set by {@link #search} or {@link #setTarget}.
   */
  public void setPivot(float[] w1, SphereCamera.Angles cam) {
    boolean wPlus = opts.getLatentSpace() == Invert.LatentSpace.W_PLUS;
    float[] value = wPlus && w1.length == wDim ? broadcast(w1) : w1;
    checkArgument(value.length == ig.w.shape().size(), "pivot w: expected %s values, found %s",
        ig.w.shape().size(), w1.length);
    ig.assign(ig.w, value);
    ig.assign(ig.azimuth, new float[] {(float) cam.azimuth()});
    ig.assign(ig.elevation, new float[] {(float) cam.elevation()});
    ig.assign(ig.roll, new float[] {(float) cam.roll()});
    if (ig.radius != null) {
      ig.assign(ig.radius, new float[] {(float) cam.radius()});
    }
  }

  /** Sets the target image {@code [H,W,3]} in [−1,1] and the class without searching. */
  public void setTarget(float[] pixels, int classIndex) {
    checkArgument(pixels.length == res * res * 3, "target image: expected %s values, found %s",
        res * res * 3, pixels.length);
    checkArgument(classIndex >= 0 && classIndex < numClasses(),
        "class: expected an index in [0, %s), found %s", numClasses(), classIndex);
    targetPixels = pixels.clone();
    this.classIndex = classIndex;
  }

  /**
   * Stage 1: Adam on the pivot's latent and camera for invert.stage1_steps with the StyleGAN2
   * projector's schedule: {@code lr·min(1,t/rampup)·(½−½cos(π·min(1,(1−t)/rampdown)))}, t =
   * step/steps, rampup {@value #LR_RAMPUP}, rampdown {@value #LR_RAMPDOWN}.
   */
  public Stage fitPivot(PrintWriter log) {
    int steps = opts.getStage1Steps();
    long t0 = System.nanoTime();
    double start = evalLoss();
    double last = start;
    for (int i = 0; i < steps; i++) {
      double t = (double) i / steps;
      double ramp = Math.min(1, (1 - t) / LR_RAMPDOWN);
      ramp = 0.5 - 0.5 * Math.cos(ramp * Math.PI);
      ramp *= Math.min(1, t / LR_RAMPUP);
      last = step(ig.stage1Step, (float) (opts.getStage1Lr() * ramp), null);
      logStep(log, "stage 1", i, steps, last);
    }
    return finish(start, steps, t0, false);
  }

  /**
   * Stage 2: Adam on {@code G_ema}'s trainable variables with the pivot frozen, for
   * invert.stage2_steps or until the loss is below invert.stage2_early_stop.
   */
  public Stage tune(PrintWriter log) {
    int steps = opts.getStage2Steps();
    long t0 = System.nanoTime();
    double start = evalLoss();
    Locality local = ig.localTarget != null ? localityTargets() : null;
    boolean stopped = false;
    int done = 0;
    double last = start;
    float early = opts.getStage2EarlyStop();
    while (done < steps) {
      if (early > 0 && last < early) {
        stopped = true;
        break;
      }
      last = step(ig.stage2Step, opts.getStage2Lr(), local);
      logStep(log, "stage 2", done, steps, last);
      done++;
    }
    return finish(start, done, t0, stopped);
  }

  private void logStep(PrintWriter log, String stage, int i, int steps, double loss) {
    if (log != null && (i % 50 == 0 || i == steps - 1)) {
      log.printf("%s step %d/%d: loss %.5f%n", stage, i + 1, steps, loss);
      log.flush();
    }
  }

  private Stage finish(double start, int steps, long t0, boolean stopped) {
    double end = evalLoss();
    pivotLoss = end;
    float[] img = pivotImage();
    return new Stage(steps, (System.nanoTime() - t0) / 1e9, start, end, psnr(img, targetPixels),
        img, stopped);
  }

  /**
   * PTI's locality samples of stage 2: latents {@code [N,L,Wd]} near the pivot, their cameras and
   * their images {@code [N,H,W,3]} under the generator before tuning.
   */
  private record Locality(float[] ws, Camera[] cameras, float[] images) {}

  /**
   * PTI's locality samples: {@value #LOCALITY_SAMPLES} latents {@value #LOCALITY_ALPHA} of the way
   * from the pivot to random latents of the class, seen from random whole-sphere cameras, and their
   * images under the generator before tuning (a fixed set, drawn once per tuning).
   */
  private Locality localityTargets() {
    int n = LOCALITY_SAMPLES;
    SplittableRandom rng = new SplittableRandom(seed * 17 + 5);
    float[] zs = Latents.gaussian(rng, n * config.getModel().getMapping().getZDim());
    float[] wr = mapLatents(zs, classIndex, n);
    float[] piv = pivot().ws();
    float a = LOCALITY_ALPHA;
    float[] ws = new float[n * numWs * wDim];
    List<double[]> cams = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (int l = 0; l < numWs; l++) {
        for (int j = 0; j < wDim; j++) {
          float p = piv[l * wDim + j];
          ws[(i * numWs + l) * wDim + j] = p + a * (wr[i * wDim + j] - p);
        }
      }
      double y = rng.nextDouble() * 2 - 1;
      cams.add(SphereCamera.cam2world(rng.nextDouble() * 2 * Math.PI, Math.asin(y), 0,
          config.getCamera().getRadius()));
    }
    return new Locality(ws, cameras(cams), renderBatch(ws, cams).images());
  }

  /** One Adam step of {@code train}; {@code local} (stage 2) feeds the locality samples. */
  private double step(Op train, float learningRate, Locality local) {
    try (TFloat32 tt = targetTensor();
        TFloat32 lt = TFloat32.scalarOf(learningRate);
        SampleGraph.Feed lf = local != null
            ? ig.sample.feedW(local.ws(), local.cameras().length, local.cameras()) : null;
        TFloat32 ltarget = local != null ? TFloat32.tensorOf(
            Shape.of(local.cameras().length, res, res, 3),
            DataBuffers.of(local.images(), true, false)) : null) {
      Session.Runner run = (lf != null ? lf.runner(ig.session).feed(ig.localTarget, ltarget)
          : ig.session.runner()).feed(ig.target, tt).feed(ig.lr, lt);
      try (Result r = run.addTarget(train).fetch(ig.fitLoss).run()) {
        double l = ((TFloat32) r.get(0)).getFloat();
        if (!Double.isFinite(l)) {
          throw new IllegalStateException("inversion: the loss became " + l
              + " (lower invert.stage1_lr / invert.stage2_lr)");
        }
        return l;
      }
    }
  }

  /** The reconstruction loss at the current pivot and generator. */
  public double evalLoss() {
    try (TFloat32 tt = targetTensor();
        Result r = ig.session.runner().feed(ig.target, tt).fetch(ig.fitLoss).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  /** The input view at the current pivot and generator, {@code [H,W,3]} in [−1,1]. */
  public float[] pivotImage() {
    try (Result r = ig.session.runner().fetch(ig.fitImage).run()) {
      return floats((TFloat32) r.get(0));
    }
  }

  /** The current pivot. */
  public Pivot pivot() {
    try (Result r = ig.session.runner().fetch(ig.pivotWs).fetch(ig.pivotCam2world).run()) {
      float[] ws = floats((TFloat32) r.get(0));
      float[] m = floats((TFloat32) r.get(1));
      double[] c2w = new double[16];
      for (int i = 0; i < 16; i++) {
        c2w[i] = m[i];
      }
      return new Pivot(classIndex, ws, numWs, wDim, SphereCamera.angles(c2w), fov, pivotLoss);
    }
  }

  /**
   * Renders the pivot's scene (current generator) from {@code cameras}: images, depth, opacity.
   */
  public GeneratedImages render(Camera[] cameras) {
    float[] piv = pivot().ws();
    float[] ws = new float[cameras.length * piv.length];
    List<double[]> c2w = new ArrayList<>();
    for (int i = 0; i < cameras.length; i++) {
      System.arraycopy(piv, 0, ws, i * piv.length, piv.length);
      checkArgument(Math.abs(cameras[i].fovDegrees() - fov) < 1e-6,
          "render: expected the run's field of view %s, found %s", fov, cameras[i].fovDegrees());
      c2w.add(cameras[i].cam2world());
    }
    return renderBatch(ws, c2w);
  }

  private GeneratedImages renderBatch(float[] ws, List<double[]> c2w) {
    int n = c2w.size();
    int rr = config.getRender().getResolution();
    float[] images = new float[n * res * res * 3];
    float[] depth = new float[n * rr * rr];
    float[] opacity = new float[n * rr * rr];
    int per = numWs * wDim;
    for (int i0 = 0; i0 < n; i0 += BATCH) {
      int b = Math.min(BATCH, n - i0);
      float[] wsb = java.util.Arrays.copyOfRange(ws, i0 * per, (i0 + b) * per);
      GeneratedImages g = ig.sample.generateFromW(ig.session, wsb, b,
          cameras(c2w.subList(i0, i0 + b)));
      System.arraycopy(g.images(), 0, images, i0 * res * res * 3, b * res * res * 3);
      System.arraycopy(g.depth(), 0, depth, i0 * rr * rr, b * rr * rr);
      System.arraycopy(g.opacity(), 0, opacity, i0 * rr * rr, b * rr * rr);
    }
    return new GeneratedImages(images, depth, opacity, n, res, rr);
  }

  /**
   * Writes the current {@code G_ema} variables as a checkpoint of {@code runDir} (the caller
   * writes the run's config files next to it), through {@link CheckpointManager} so the manifest
   * carries the architecture hash.
   *
   * @param extra provenance recorded in the manifest
   */
  public Checkpoint saveGenerator(Path runDir, Map<String, String> extra) {
    Manifest src = ig.checkpoint.manifest();
    Manifest m = new Manifest(src.step(), src.kimg(), src.seed(), Configs.hash(config),
        Configs.architectureHash(config), Version.get(), extra);
    return new CheckpointManager(runDir.resolve(CheckpointManager.CHECKPOINTS), 1)
        .save(ig.session, m, config);
  }

  /** PSNR in dB of two images in [−1,1] (peak 1 after mapping to [0,1]); values are clamped. */
  public static double psnr(float[] a, float[] b) {
    checkArgument(a.length == b.length, "psnr: expected equal sizes, found %s and %s", a.length,
        b.length);
    double se = 0;
    for (int i = 0; i < a.length; i++) {
      double d = (clamp(a[i]) - clamp(b[i])) / 2;
      se += d * d;
    }
    double mse = se / a.length;
    return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(1 / mse);
  }

  private static double clamp(float x) {
    return Math.max(-1, Math.min(1, x));
  }

  private static float[] floats(TFloat32 t) {
    return SampleGraph.floats(t);
  }

  public Experiment config() {
    return config;
  }

  public Checkpoint checkpoint() {
    return ig.checkpoint;
  }

  @Override
  public void close() {
    ig.close();
  }
}
