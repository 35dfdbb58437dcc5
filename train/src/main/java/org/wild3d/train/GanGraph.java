package org.wild3d.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.wild3d.config.GanSpec;
import org.wild3d.config.ModelSpec;
import org.wild3d.config.TrainSpec;
import org.wild3d.disc.Discriminator;
import org.wild3d.loss.GanLosses;
import org.wild3d.mapping.MappingNetwork;
import org.wild3d.model.Generator3D;
import org.wild3d.model.SampleGraph;
import org.wild3d.nn.Fir;
import org.wild3d.nn.Noise;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.optim.Adam;

/**
 * The whole training graph of the method, built once from a {@link GanSpec}.
 *
 * <p>Phases (StyleGAN2/EG3D): {@link #gMain} (non-saturating G loss over all V views of each
 * scene), {@link #gReg} (EG3D's density regulariser, lazy), {@link #dMain} (logistic D loss on
 * reals and on every fake view), {@link #dReg} (R1 on reals, lazy), then {@link #updateEma}. Each
 * phase is one session run with its own inputs; learning rates and betas of lazily regularised
 * networks are rescaled by {@link TrainSpec#lazyRatio} ({@link TrainSpec#g()}, {@link
 * TrainSpec#d()}).
 *
 * <p>Built in three parts: the networks ({@code G}, {@code G_ema}, {@code D}: every variable, from
 * the spec), the {@link Tower} (inputs of one batch, the generator pass and every loss on it;
 * variables only read), then the optimisers and the EMA on the tower's losses.
 *
 * <p>Training inputs have static batch sizes (N = train.batch_size scenes), so every shape in the
 * step is known when the graph is built. Inputs: {@code z [N,Z]}, {@code cFake [N]}, {@code
 * cam2world [N·V,4,4]}, {@code intrinsics [N·V,3,3]} (scene-major, from the whole-sphere prior —
 * never from data), {@code real [B,H,W,3]}, {@code cReal [B]} (B = N·V, {@link
 * GanSpec#realBatch}), {@code seed [2]} (stateless randomness of the step: noise, ray jitter,
 * density regulariser points), {@code emaBeta} scalar. {@link #sample} drives the EMA generator
 * deterministically (constant noise, no jitter).
 */
public final class GanGraph {
  public final GanSpec spec;
  public final Generator3D g;
  public final Generator3D gEma;
  public final Discriminator d;

  public final Placeholder<TFloat32> z;
  public final Placeholder<TInt32> cFake;
  public final Placeholder<TFloat32> cam2world;
  public final Placeholder<TFloat32> intrinsics;
  public final Placeholder<TFloat32> real;
  public final Placeholder<TInt32> cReal;
  public final Placeholder<TInt64> seed;
  public final Placeholder<TFloat32> emaBeta;
  /** σ of the blur of D's image inputs (train.blur_fade_kimg), fed per step; null when off. */
  public final Operand<TFloat32> blurSigma;

  public final Operand<TFloat32> lossGMain;
  public final Operand<TFloat32> lossDensity;
  public final Operand<TFloat32> lossDFake;
  public final Operand<TFloat32> lossDReal;
  public final Operand<TFloat32> r1Penalty;
  /** D's scores of the fakes of the G step, {@code [N·V,1]} (per view) or {@code [N,1]}. */
  public final Operand<TFloat32> fakeLogits;
  /** The fakes fed to D in the D step (detached), {@code [N·V,H,W,3]}. */
  public final Operand<TFloat32> fakeImages;

  public final Op gMain;
  /** G and D main steps from one generator pass (train.shared_fakes); null when off. */
  public final Op gdMain;
  /** D's loss on the fakes of the G step (shared_fakes), {@code lossDFake}'s counterpart. */
  public final Operand<TFloat32> lossDFakeShared;
  public final Op gReg; // null when the density regulariser is off
  public final Op dMain;
  public final Op dReg; // null when R1 is off
  public final Op updateEma;

  /** The EMA generator's deterministic sampling path (constant noise, no jitter). */
  public final SampleGraph sample;

  private final Params gParams;
  private final Params gEmaParams;
  private final Params dParams;
  private final List<Adam> optimizers = new ArrayList<>();

  /**
   * One batch's share of a training step: its inputs, the generator pass on them and every loss,
   * reading the shared networks' variables (creating none).
   *
   * @param wAvgUpdate the mapping network's {@code w_avg} update from this batch's latents
   * @param lossDFakeShared D's loss on the G pass's fakes (train.shared_fakes), else null
   * @param lossDensity EG3D's density regulariser, a constant 0 when it is off
   * @param r1Penalty R1 on the reals, a constant 0 when it is off
   */
  record Tower(
      Placeholder<TFloat32> z,
      Placeholder<TInt32> cFake,
      Placeholder<TFloat32> cam2world,
      Placeholder<TFloat32> intrinsics,
      Placeholder<TFloat32> real,
      Placeholder<TInt32> cReal,
      Op wAvgUpdate,
      Operand<TFloat32> fakeLogits,
      Operand<TFloat32> fakeImages,
      Operand<TFloat32> lossGMain,
      Operand<TFloat32> lossDensity,
      Operand<TFloat32> lossDFake,
      Operand<TFloat32> lossDReal,
      Operand<TFloat32> lossDFakeShared,
      Operand<TFloat32> r1Penalty) {}

  /** Builds everything in {@code graph}. */
  public GanGraph(Graph graph, GanSpec spec) {
    this.spec = spec;
    Ops tf = Ops.create(graph);
    TrainSpec t = spec.train();

    // ---- networks: every variable --------------------------------------------------------------
    gParams = new Params(spec.seed());
    gEmaParams = new Params(spec.seed());
    dParams = new Params(spec.seed() + 1);
    g = new Generator3D(tf, gParams, spec.model(), "G");
    gEma = new Generator3D(tf, gEmaParams, spec.model(), "G_ema");
    d = new Discriminator(tf, dParams, "D", spec.model().discriminator());

    // ---- per-step inputs shared by every tower ---------------------------------------------------
    seed = tf.withName("seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
    emaBeta = tf.withName("ema_beta").placeholder(TFloat32.class,
        Placeholder.shape(Shape.scalar()));
    // EG3D's fade-in: D's image inputs (not the raw ones) are blurred, σ fading to 0 (fed).
    int blurRadius = t.blurRadius();
    blurSigma = blurRadius > 0
        ? tf.withName("blur_sigma").placeholderWithDefault(tf.constant(0f), Shape.scalar())
        : null;
    UnaryOperator<Operand<TFloat32>> blur = x -> blurRadius > 0
        ? Fir.gaussianBlur(tf.withSubScope("blur"), x, blurSigma, blurRadius) : x;

    Tower tower = tower(tf, spec, g, d, spec.scenes(), seed, blur);
    z = tower.z();
    cFake = tower.cFake();
    cam2world = tower.cam2world();
    intrinsics = tower.intrinsics();
    real = tower.real();
    cReal = tower.cReal();
    fakeLogits = tower.fakeLogits();
    fakeImages = tower.fakeImages();
    lossGMain = tower.lossGMain();
    lossDensity = tower.lossDensity();
    lossDFake = tower.lossDFake();
    lossDReal = tower.lossDReal();
    lossDFakeShared = tower.lossDFakeShared();
    r1Penalty = tower.r1Penalty();

    // ---- optimisers ---------------------------------------------------------------------------
    Ops ot = tf.withSubScope("opt");
    Ops lt = tf.withSubScope("loss");
    TrainSpec.Optimiser og = t.g();
    TrainSpec.Optimiser od = t.d();
    Adam adamG = new Adam(ot, "adam_G", g.trainables(), adamSpec(og));
    Adam adamD = new Adam(ot, "adam_D", d.trainables(), adamSpec(od));
    optimizers.add(adamG);
    optimizers.add(adamD);
    Operand<TFloat32> gLr = ot.constant(og.lr());
    Operand<TFloat32> dLr = ot.constant(od.lr());

    Op gStep = adamG.minimize(lossGMain, gLr);
    gMain = tf.withControlDependencies(List.of(gStep, tower.wAvgUpdate())).withName("g_main")
        .noOp();
    if (t.sharedFakes()) {
      // D scores the G step's fakes once; its loss differentiates only w.r.t. D's weights. Every
      // update waits for both gradient sets, since each reads the other network's weights.
      var gGrads = adamG.gradients(lossGMain);
      var dGrads = adamD.gradients(lt.math.add(lossDFakeShared, lossDReal));
      Op gs = adamG.apply(gGrads, gLr, dGrads);
      Op ds = adamD.apply(dGrads, dLr, gGrads);
      gdMain = tf.withControlDependencies(List.of(gs, ds, tower.wAvgUpdate())).withName("gd_main")
          .noOp();
    } else {
      gdMain = null;
    }
    gReg = t.densityRegOn()
        ? adamG.minimize(
            lt.math.mul(lossDensity, lt.constant(t.densityReg() * og.lazyInterval())), gLr)
        : null;
    dMain = adamD.minimize(lt.math.add(lossDFake, lossDReal), dLr);
    dReg = t.r1()
        ? adamD.minimize(
            lt.math.mul(r1Penalty, lt.constant(t.r1Gamma() / 2f * od.lazyInterval())), dLr)
        : null;

    // ---- EMA -----------------------------------------------------------------------------------
    updateEma = emaUpdate(tf.withSubScope("ema"), gParams, gEmaParams, emaBeta);

    // ---- samples from G_ema (deterministic) ------------------------------------------------------
    sample = SampleGraph.build(tf.withSubScope("sample"), gEma);
    sample.fromZ(); // the whole training graph exists before its session
  }

  /**
   * The inputs of {@code scenes} scenes (their fakes and as many reals), the generator pass on
   * them and every loss, in {@code tf}'s scope; reads {@code g}'s and {@code d}'s variables and
   * creates none. The real batch follows {@link GanSpec#realBatch}'s rule for that many scenes.
   */
  static Tower tower(Ops tf, GanSpec spec, Generator3D g, Discriminator d, int scenes,
      Operand<TInt64> seed, UnaryOperator<Operand<TFloat32>> blur) {
    ModelSpec model = spec.model();
    TrainSpec t = spec.train();
    int views = model.multiview().views();
    int nv = model.multiview().fakeImages(scenes);
    int reals = model.multiview().realBatch(scenes).images();
    int res = model.imageResolution();
    var z = tf.withName("z").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(scenes, model.zDim())));
    var cFake = tf.withName("c_fake").placeholder(TInt32.class,
        Placeholder.shape(Shape.of(scenes)));
    var cam2world = tf.withName("cam2world").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(nv, 4, 4)));
    var intrinsics = tf.withName("intrinsics").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(nv, 3, 3)));
    var real = tf.withName("real").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(reals, res, res, 3)));
    var cReal = tf.withName("c_real").placeholder(TInt32.class,
        Placeholder.shape(Shape.of(reals)));

    // ---- generator pass (shared by the G and D phases; D detaches it) -------------------------
    Ops gt = tf.withSubScope("fake");
    MappingNetwork.Mapped mapped = g.map(z, cFake, gt.constant(1f));
    Generator3D.Output fake =
        g.synthesize(mapped.ws(), cam2world, intrinsics, views, Noise.random(seed), seed);
    Operand<TInt32> cFakeViews = Discriminator.repeatViews(gt, cFake, views); // [N·V]
    boolean dual = model.hasSuperResolution();

    // ---- G main --------------------------------------------------------------------------------
    Ops lt = tf.withSubScope("loss");
    Operand<TFloat32> fakeLogits =
        d.score(blur.apply(fake.image()), dual ? fake.raw() : null, cFakeViews);
    Operand<TFloat32> lossGMain = GanLosses.generatorLoss(lt, fakeLogits);

    // ---- G reg: EG3D density regulariser (σ at random points vs. slightly perturbed points) ----
    float box = model.triplane().boxSize();
    Operand<TFloat32> lossDensity;
    if (t.densityRegOn()) {
      Operand<TFloat32> planes = fake.planes(); // [N,R,R,3F]
      Operand<TFloat32> pts =
          lt.math.mul(
              lt.math.sub(
                  lt.random.statelessRandomUniform(
                      lt.constant(new int[] {scenes, 1000, 3}),
                      lt.math.add(seed, lt.constant(new long[] {0, 101}))),
                  lt.constant(0.5f)),
              lt.constant(box)); // [N,1000,3] uniform in the box
      Operand<TFloat32> perturbed =
          lt.math.add(
              pts,
              lt.math.mul(
                  lt.random.statelessRandomNormal(
                      lt.constant(new int[] {scenes, 1000, 3}),
                      lt.math.add(seed, lt.constant(new long[] {0, 102}))),
                  lt.constant(t.densityRegPDist() * box / 2f)));
      Operand<TFloat32> s0 = g.renderer().density(lt, planes, pts);
      Operand<TFloat32> s1 = g.renderer().density(lt, planes, perturbed);
      lossDensity =
          lt.math.mean(lt.math.abs(lt.math.sub(s0, s1)), lt.constant(new int[] {0, 1, 2}));
    } else {
      lossDensity = lt.constant(0f);
    }

    // ---- D main --------------------------------------------------------------------------------
    Operand<TFloat32> fakeImages = lt.stopGradient(fake.image());
    Operand<TFloat32> fakeRaw = lt.stopGradient(fake.raw());
    Operand<TFloat32> dFake = d.score(blur.apply(fakeImages), dual ? fakeRaw : null, cFakeViews);
    // EG3D: the real "raw" image is the real image resized to the neural rendering resolution,
    // a separate leaf for R1 (gradients w.r.t. the image do not flow through it).
    int rr = model.render().resolution();
    Operand<TFloat32> rawReal =
        dual
            ? lt.stopGradient(
                lt.image.resizeBilinear(
                    real, lt.constant(new int[] {rr, rr}), ResizeBilinear.halfPixelCenters(true)))
            : null;
    Operand<TFloat32> dReal = d.score(blur.apply(real), rawReal, cReal);
    Operand<TFloat32> lossDFake = GanLosses.discriminatorFakeLoss(lt, dFake);
    Operand<TFloat32> lossDReal = GanLosses.discriminatorRealLoss(lt, dReal);

    // ---- D reg: R1 on reals ----------------------------------------------------------------------
    List<Operand<TFloat32>> r1Inputs = new ArrayList<>();
    r1Inputs.add(real);
    if (dual) {
      r1Inputs.add(rawReal);
    }
    Operand<TFloat32> r1Penalty =
        t.r1() ? GanLosses.r1Penalty(lt, dReal, r1Inputs) : lt.constant(0f);
    // D's loss on the G pass's fakes, for one generator pass per step.
    Operand<TFloat32> lossDFakeShared =
        t.sharedFakes() ? GanLosses.discriminatorFakeLoss(lt, fakeLogits) : null;
    return new Tower(z, cFake, cam2world, intrinsics, real, cReal, mapped.updateWAvg(),
        fakeLogits, fakeImages, lossGMain, lossDensity, lossDFake, lossDReal, lossDFakeShared,
        r1Penalty);
  }

  private static Adam.Spec adamSpec(TrainSpec.Optimiser o) {
    return Adam.Spec.defaults()
        .withBeta1(o.beta1())
        .withBeta2(o.beta2())
        .withEpsilon(o.epsilon());
  }

  /** ema ← g + (ema − g)·β for trainables; state (w_avg) copied. */
  private static Op emaUpdate(Ops tf, Params g, Params ema, Operand<TFloat32> beta) {
    List<Op> ops = new ArrayList<>();
    List<Param> gt = g.trainables();
    List<Param> et = ema.trainables();
    for (int i = 0; i < gt.size(); i++) {
      Operand<TFloat32> gv = gt.get(i).value();
      ops.add(
          tf.assign(
              et.get(i).variable(),
              tf.math.add(gv, tf.math.mul(tf.math.sub(et.get(i).value(), gv), beta))));
    }
    List<Param> gs = g.state();
    List<Param> es = ema.state();
    for (int i = 0; i < gs.size(); i++) {
      ops.add(tf.assign(es.get(i).variable(), gs.get(i).value()));
    }
    return tf.withControlDependencies(ops).withName("update").noOp();
  }

  public Params gParams() {
    return gParams;
  }

  public Params gEmaParams() {
    return gEmaParams;
  }

  public Params dParams() {
    return dParams;
  }

  public List<Adam> optimizers() {
    return optimizers;
  }
}
