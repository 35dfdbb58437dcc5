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
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.wild3d.DataException;
import org.wild3d.Version;
import org.wild3d.camera.Camera;
import org.wild3d.checkpoint.CheckpointManager;
import org.wild3d.checkpoint.CheckpointManager.Checkpoint;
import org.wild3d.checkpoint.CheckpointRestore;
import org.wild3d.checkpoint.Manifest;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import org.wild3d.config.ModelSpec;
import org.wild3d.config.Invert;
import org.wild3d.model.Generator3D;
import org.wild3d.nn.Noise;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.optim.Adam;
import org.wild3d.tf.Sessions;

/**
 * Pivotal tuning inversion (PTI, Roich et al. 2021) of one image with a trained 3D generator whose
 * camera is unknown.
 *
 * <p>One graph holds the run's {@code G_ema} (restored by name from a checkpoint, after the
 * verification and architecture check of {@link CheckpointRestore#restore}) and, in scope {@code invert}, the
 * pivot: a latent ({@code w [1,1,Wd]} tiled to every layer in W, {@code [1,num_ws,Wd]} in W+) and
 * a camera {@link SphereCamera} (azimuth, elevation, roll; radius optional) whose cam2world is
 * built in the graph so the loss differentiates through the rays. The loss of an image {@code x}
 * against the target {@code t} is {@code pixel_weight·mean((x−t)²) + perceptual_weight·d(x,t)}
 * with a {@link PerceptualDistance}.
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
 * #saveGenerator}: only {@code G_ema}'s variables (the session's saver was built when they were
 * the only variables), so {@code Snapshot.open} loads it.
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

  /** Renders: images {@code [N,H,W,3]}, depth and opacity {@code [N,r,r,1]}, flattened. */
  public record Views(float[] images, float[] depth, float[] opacity, int size, int resolution,
      int renderResolution) {}

  private final Experiment config;
  private final Invert opts;
  private final Checkpoint checkpoint;
  private final PerceptualDistance perceptual;
  private final Graph graph;
  private final Session session;
  private final Generator3D gen;
  private final int numWs;
  private final int wDim;
  private final int res;
  private final double fov;
  private final float[] intrinsics;

  // pivot variables and their setters
  private final Param w;
  private final Param azimuth;
  private final Param elevation;
  private final Param roll;
  private final Param radius; // null unless optimize_radius
  private final Map<Param, Placeholder<TFloat32>> setters = new HashMap<>();
  private final Map<Param, Op> assigns = new HashMap<>();
  private final Operand<TFloat32> pivotWs; // [1,num_ws,Wd]
  private final Operand<TFloat32> pivotCam2world; // [1,4,4]

  private final Placeholder<TFloat32> target; // [1,H,W,3]
  private final Operand<TFloat32> fitImage; // [1,H,W,3]
  private final Operand<TFloat32> fitLoss; // scalar
  private final Placeholder<TFloat32> lr;
  private final Op stage1Step;
  private final Op stage2Step;
  private final Op resetOptimizers;

  // batched render branch (search, views, locality targets)
  private final Placeholder<TFloat32> batchWs; // [N,num_ws,Wd]
  private final Placeholder<TFloat32> batchCam2world; // [N,4,4]
  private final Placeholder<TFloat32> batchIntrinsics; // [N,3,3]
  private final Generator3D.Output batchOut;
  private final Operand<TFloat32> batchLoss; // [N] against target

  // mapping branch
  private final Placeholder<TFloat32> z;
  private final Placeholder<TInt32> classes;
  private final Operand<TFloat32> mappedW; // [N,Wd]

  // locality branch (stage 2)
  private final Placeholder<TFloat32> localWs;
  private final Placeholder<TFloat32> localCam2world;
  private final Placeholder<TFloat32> localIntrinsics;
  private final Placeholder<TFloat32> localTarget;

  private float[] targetPixels;
  private int classIndex = -1;
  private double pivotLoss = Double.NaN;
  private long seed;

  private Inverter(Experiment config, Checkpoint checkpoint, PerceptualDistance perceptual,
      int intraThreads, boolean optimizeRadius) {
    this.config = config;
    this.opts = config.getInvert();
    this.checkpoint = checkpoint;
    this.perceptual = perceptual;
    this.seed = config.getSeed();
    checkArgument(perceptual != null || opts.getPerceptualWeight() == 0,
        "inversion: invert.perceptual_weight is %s but no perceptual network was given",
        opts.getPerceptualWeight());
    graph = new Graph();
    Session s = null;
    try {
      Ops tf = Ops.create(graph);
      gen = new Generator3D(tf, new Params(config.getSeed()), ModelSpec.from(config), "G_ema");
      s = Sessions.create(graph, intraThreads);
      restore(s, checkpoint, config);
      // Variables created from here on are not in the saver (built by the restore above), so
      // saving writes G_ema only. The session initialises them on its next run.
      numWs = gen.synthesis().numWs();
      wDim = config.getModel().getMapping().getWDim();
      res = gen.imageResolution();
      fov = config.getCamera().getFovDegrees();
      double f = 0.5 / Math.tan(Math.toRadians(fov) / 2);
      intrinsics = new float[] {(float) f, 0, 0.5f, 0, (float) f, 0.5f, 0, 0, 1};
      Ops iv = tf.withSubScope("invert");
      Params ip = new Params(0);
      boolean wPlus = opts.getLatentSpace() == Invert.LatentSpace.W_PLUS;
      w = ip.constant(iv, "w", Shape.of(1, wPlus ? numWs : 1, wDim), 0f);
      azimuth = ip.constant(iv, "azimuth", Shape.scalar(), 0f);
      elevation = ip.constant(iv, "elevation", Shape.scalar(), 0f);
      roll = ip.constant(iv, "roll", Shape.scalar(), 0f);
      radius = optimizeRadius
          ? ip.constant(iv, "radius", Shape.scalar(), config.getCamera().getRadius()) : null;
      for (Param p : ip.trainables()) {
        Placeholder<TFloat32> ph = iv.withName(p.name().substring(p.name().lastIndexOf('/') + 1)
            + "_set").placeholder(TFloat32.class, Placeholder.shape(p.shape()));
        setters.put(p, ph);
        assigns.put(p, iv.assign(p.variable(), ph));
      }
      pivotWs = wPlus ? w.value()
          : iv.tile(w.value(), iv.constant(new int[] {1, numWs, 1})); // [1,num_ws,Wd]
      Operand<TFloat32> r = radius != null ? radius.value()
          : iv.constant(config.getCamera().getRadius());
      pivotCam2world = SphereCamera.cam2world(iv, azimuth.value(), elevation.value(),
          roll.value(), r);
      Operand<TFloat32> k1 = iv.constant(Shape.of(1, 3, 3), DataBuffers.of(intrinsics, true,
          false));
      target = iv.withName("target").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(1, res, res, 3)));
      fitImage = gen.synthesize(pivotWs, pivotCam2world, k1, 1, Noise.constant(), null).image();
      fitLoss = iv.math.mean(loss(iv, fitImage, target), iv.constant(0));
      lr = iv.withName("lr").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      Adam.Spec adam = Adam.Spec.defaults();
      Adam adam1 = new Adam(iv, "adam_pivot", ip.trainables(), adam);
      stage1Step = adam1.minimize(fitLoss, lr);

      batchWs = iv.withName("batch_ws").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, numWs, wDim)));
      batchCam2world = iv.withName("batch_cam2world").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, 4, 4)));
      batchIntrinsics = iv.withName("batch_intrinsics").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, 3, 3)));
      batchOut = gen.synthesize(batchWs, batchCam2world, batchIntrinsics, 1, Noise.constant(),
          null);
      batchLoss = loss(iv, batchOut.image(), target);

      z = iv.withName("z").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, config.getModel().getMapping().getZDim())));
      classes = iv.withName("classes").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      mappedW = gen.map(z, classes, iv.constant(1f)).w();

      Operand<TFloat32> loss2 = fitLoss;
      if (opts.getLocalityWeight() > 0) {
        localWs = iv.withName("local_ws").placeholder(TFloat32.class,
            Placeholder.shape(Shape.of(-1, numWs, wDim)));
        localCam2world = iv.withName("local_cam2world").placeholder(TFloat32.class,
            Placeholder.shape(Shape.of(-1, 4, 4)));
        localIntrinsics = iv.withName("local_intrinsics").placeholder(TFloat32.class,
            Placeholder.shape(Shape.of(-1, 3, 3)));
        localTarget = iv.withName("local_target").placeholder(TFloat32.class,
            Placeholder.shape(Shape.of(-1, res, res, 3)));
        Operand<TFloat32> img = gen.synthesize(localWs, localCam2world, localIntrinsics, 1,
            Noise.constant(), null).image();
        Operand<TFloat32> local = iv.math.mean(iv.math.square(iv.math.sub(img, localTarget)),
            iv.constant(new int[] {0, 1, 2, 3}));
        loss2 = iv.math.add(loss2, iv.math.mul(local, iv.constant(opts.getLocalityWeight())));
      } else {
        localWs = null;
        localCam2world = null;
        localIntrinsics = null;
        localTarget = null;
      }
      Adam adam2 = new Adam(iv, "adam_tune", gen.trainables(), adam);
      stage2Step = adam2.minimize(loss2, lr);
      List<Op> resets = new ArrayList<>();
      for (Adam a : List.of(adam1, adam2)) {
        List<org.tensorflow.op.core.Variable<TFloat32>> slots = a.slots();
        for (int i = 0; i < slots.size() - 2; i++) {
          resets.add(iv.assign(slots.get(i), iv.zerosLike(slots.get(i))));
        }
        resets.add(iv.assign(slots.get(slots.size() - 2), iv.constant(adam.beta1())));
        resets.add(iv.assign(slots.get(slots.size() - 1), iv.constant(adam.beta2())));
      }
      resetOptimizers = iv.withControlDependencies(resets).withName("reset").noOp();
      session = s;
    } catch (RuntimeException e) {
      if (s != null) {
        s.close();
      }
      graph.close();
      throw e;
    }
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
    return new Inverter(config, checkpoint, perceptual, intraThreads, false);
  }

  /**
   * As {@link #open(Experiment, Checkpoint, PerceptualDistance, int)}; with {@code
   * optimizeRadius} stage 1 also fits the camera's distance (else it stays at camera.radius).
   */
  public static Inverter open(Experiment config, Checkpoint checkpoint,
      PerceptualDistance perceptual, int intraThreads, boolean optimizeRadius) {
    return new Inverter(config, checkpoint, perceptual, intraThreads, optimizeRadius);
  }

  private static void restore(Session s, Checkpoint ckpt, Experiment config) {
    CheckpointRestore.restore(s, ckpt, config, "the generator G_ema");
  }

  /** Per-image loss. Shapes: {@code x [N,H,W,3]}, {@code t [1,H,W,3]} → {@code [N]}. */
  private Operand<TFloat32> loss(Ops tf, Operand<TFloat32> x, Operand<TFloat32> t) {
    Operand<TFloat32> pix = tf.math.mean(tf.math.square(tf.math.sub(x, t)),
        tf.constant(new int[] {1, 2, 3})); // [N]
    Operand<TFloat32> l = tf.math.mul(pix, tf.constant(opts.getPixelWeight()));
    if (opts.getPerceptualWeight() > 0) {
      l = tf.math.add(l, tf.math.mul(perceptual.distance(tf, x, t),
          tf.constant(opts.getPerceptualWeight())));
    }
    return l;
  }

  /**
   * Makes the inverter as new for another image: restores {@code G_ema} from the checkpoint again
   * and zeroes both optimisers' moments (the pivot is set by the next {@link #search}).
   */
  public void reset() {
    restore(session, checkpoint, config);
    session.run(resetOptimizers);
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
    float[] zs = gaussian(rng, m * zDim);
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

  private static float[] gaussian(SplittableRandom rng, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      double u = Math.max(1e-12, rng.nextDouble());
      a[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble()));
    }
    return a;
  }

  /** Untruncated latents {@code [N,Wd]} of {@code z [N,Z]}, all of class {@code c}. */
  float[] mapLatents(float[] zs, int c, int n) {
    int[] cls = new int[n];
    java.util.Arrays.fill(cls, c);
    try (TFloat32 zt = TFloat32.tensorOf(Shape.of(n, zs.length / n), DataBuffers.of(zs, true,
        false));
        TInt32 ct = TInt32.vectorOf(cls);
        Result r = session.runner().feed(z, zt).feed(classes, ct).fetch(mappedW).run()) {
      return floats((TFloat32) r.get(0));
    }
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
    try (TFloat32 wt = TFloat32.tensorOf(Shape.of(n, numWs, wDim), DataBuffers.of(wsFlat, true,
        false));
        TFloat32 ct = cam2worlds(c2w);
        TFloat32 kt = intrinsicsOf(n);
        TFloat32 tt = targetTensor();
        Result r = session.runner().feed(batchWs, wt).feed(batchCam2world, ct)
            .feed(batchIntrinsics, kt).feed(target, tt).fetch(batchLoss).run()) {
      return floats((TFloat32) r.get(0));
    }
  }

  private static TFloat32 cam2worlds(List<double[]> c2w) {
    float[] m = new float[c2w.size() * 16];
    for (int i = 0; i < c2w.size(); i++) {
      for (int j = 0; j < 16; j++) {
        m[i * 16 + j] = (float) c2w.get(i)[j];
      }
    }
    return TFloat32.tensorOf(Shape.of(c2w.size(), 4, 4), DataBuffers.of(m, true, false));
  }

  private TFloat32 intrinsicsOf(int n) {
    float[] k = new float[n * 9];
    for (int i = 0; i < n; i++) {
      System.arraycopy(intrinsics, 0, k, i * 9, 9);
    }
    return TFloat32.tensorOf(Shape.of(n, 3, 3), DataBuffers.of(k, true, false));
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
    checkArgument(value.length == w.shape().size(), "pivot w: expected %s values, found %s",
        w.shape().size(), w1.length);
    assign(w, value);
    assign(azimuth, new float[] {(float) cam.azimuth()});
    assign(elevation, new float[] {(float) cam.elevation()});
    assign(roll, new float[] {(float) cam.roll()});
    if (radius != null) {
      assign(radius, new float[] {(float) cam.radius()});
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

  private void assign(Param p, float[] v) {
    try (TFloat32 t = TFloat32.tensorOf(p.shape(), DataBuffers.of(v, true, false))) {
      session.runner().feed(setters.get(p), t).addTarget(assigns.get(p)).run();
    }
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
      last = step(stage1Step, (float) (opts.getStage1Lr() * ramp), Map.of());
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
    Map<Placeholder<TFloat32>, float[]> local = opts.getLocalityWeight() > 0
        ? localityTargets() : Map.of();
    boolean stopped = false;
    int done = 0;
    double last = start;
    float early = opts.getStage2EarlyStop();
    while (done < steps) {
      if (early > 0 && last < early) {
        stopped = true;
        break;
      }
      last = step(stage2Step, opts.getStage2Lr(), local);
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
   * PTI's locality samples: {@value #LOCALITY_SAMPLES} latents {@value #LOCALITY_ALPHA} of the way
   * from the pivot to random latents of the class, seen from random whole-sphere cameras, and their
   * images under the generator before tuning (a fixed set, drawn once per tuning).
   */
  private Map<Placeholder<TFloat32>, float[]> localityTargets() {
    int n = LOCALITY_SAMPLES;
    SplittableRandom rng = new SplittableRandom(seed * 17 + 5);
    float[] zs = gaussian(rng, n * config.getModel().getMapping().getZDim());
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
    float[] images = renderBatch(ws, cams).images();
    float[] c2w = new float[n * 16];
    float[] k = new float[n * 9];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 16; j++) {
        c2w[i * 16 + j] = (float) cams.get(i)[j];
      }
      System.arraycopy(intrinsics, 0, k, i * 9, 9);
    }
    return Map.of(localWs, ws, localCam2world, c2w, localIntrinsics, k, localTarget, images);
  }

  private double step(Op train, float learningRate, Map<Placeholder<TFloat32>, float[]> extra) {
    List<TFloat32> open = new ArrayList<>();
    try (TFloat32 tt = targetTensor(); TFloat32 lt = TFloat32.scalarOf(learningRate)) {
      Session.Runner run = session.runner().feed(target, tt).feed(lr, lt);
      for (Map.Entry<Placeholder<TFloat32>, float[]> e : extra.entrySet()) {
        TFloat32 t = TFloat32.tensorOf(shapeFor(e.getKey(), e.getValue().length),
            DataBuffers.of(e.getValue(), true, false));
        open.add(t);
        run.feed(e.getKey(), t);
      }
      try (Result r = run.addTarget(train).fetch(fitLoss).run()) {
        double l = ((TFloat32) r.get(0)).getFloat();
        if (!Double.isFinite(l)) {
          throw new IllegalStateException("inversion: the loss became " + l
              + " (lower invert.stage1_lr / invert.stage2_lr)");
        }
        return l;
      }
    } finally {
      open.forEach(TFloat32::close);
    }
  }

  /** The static shape of a [-1,...] placeholder for {@code size} values. */
  private static Shape shapeFor(Placeholder<TFloat32> p, int size) {
    long[] dims = p.shape().asArray();
    long rest = 1;
    for (int i = 1; i < dims.length; i++) {
      rest *= dims[i];
    }
    dims[0] = size / rest;
    return Shape.of(dims);
  }

  /** The reconstruction loss at the current pivot and generator. */
  public double evalLoss() {
    try (TFloat32 tt = targetTensor();
        Result r = session.runner().feed(target, tt).fetch(fitLoss).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  /** The input view at the current pivot and generator, {@code [H,W,3]} in [−1,1]. */
  public float[] pivotImage() {
    try (Result r = session.runner().fetch(fitImage).run()) {
      return floats((TFloat32) r.get(0));
    }
  }

  /** The current pivot. */
  public Pivot pivot() {
    try (Result r = session.runner().fetch(pivotWs).fetch(pivotCam2world).run()) {
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
  public Views render(Camera[] cameras) {
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

  private Views renderBatch(float[] ws, List<double[]> c2w) {
    int n = c2w.size();
    int rr = config.getRender().getResolution();
    float[] images = new float[n * res * res * 3];
    float[] depth = new float[n * rr * rr];
    float[] opacity = new float[n * rr * rr];
    int per = numWs * wDim;
    for (int i0 = 0; i0 < n; i0 += BATCH) {
      int b = Math.min(BATCH, n - i0);
      float[] wsb = java.util.Arrays.copyOfRange(ws, i0 * per, (i0 + b) * per);
      try (TFloat32 wt = TFloat32.tensorOf(Shape.of(b, numWs, wDim), DataBuffers.of(wsb, true,
          false));
          TFloat32 ct = cam2worlds(c2w.subList(i0, i0 + b));
          TFloat32 kt = intrinsicsOf(b);
          Result r = session.runner().feed(batchWs, wt).feed(batchCam2world, ct)
              .feed(batchIntrinsics, kt).fetch(batchOut.image()).fetch(batchOut.depth())
              .fetch(batchOut.opacity()).run()) {
        System.arraycopy(floats((TFloat32) r.get(0)), 0, images, i0 * res * res * 3,
            b * res * res * 3);
        System.arraycopy(floats((TFloat32) r.get(1)), 0, depth, i0 * rr * rr, b * rr * rr);
        System.arraycopy(floats((TFloat32) r.get(2)), 0, opacity, i0 * rr * rr, b * rr * rr);
      }
    }
    return new Views(images, depth, opacity, n, res, rr);
  }

  /**
   * Writes the current {@code G_ema} variables as a checkpoint of {@code runDir} (the caller
   * writes the run's config files next to it), through {@link CheckpointManager} so the manifest
   * carries the architecture hash.
   *
   * @param extra provenance recorded in the manifest
   */
  public Checkpoint saveGenerator(Path runDir, Map<String, String> extra) {
    Manifest src = checkpoint.manifest();
    Manifest m = new Manifest(src.step(), src.kimg(), src.seed(), Configs.hash(config),
        Configs.architectureHash(config), Version.get(), extra);
    return new CheckpointManager(runDir.resolve(CheckpointManager.CHECKPOINTS), 1)
        .save(session, m, config);
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
    float[] v = new float[Math.toIntExact(t.size())];
    t.copyTo(DataBuffers.of(v, false, false));
    return v;
  }

  public Experiment config() {
    return config;
  }

  public Checkpoint checkpoint() {
    return checkpoint;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
