package org.wild3d.train;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.wild3d.config.Experiment;
import org.wild3d.config.MultiView;
import org.wild3d.config.Train;
import org.wild3d.disc.Discriminator;
import org.wild3d.loss.GanLosses;
import org.wild3d.model.Generator3D;
import org.wild3d.model.SampleGraph;
import org.wild3d.nn.Fir;
import org.wild3d.nn.Noise;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.optim.Adam;

/**
 * The whole training graph of the method, built once from a resolved {@link Experiment}.
 *
 * <p>Phases (StyleGAN2/EG3D): {@link #gMain} (non-saturating G loss over all V views of each
 * scene), {@link #gReg} (EG3D's density regulariser, lazy), {@link #dMain} (logistic D loss on
 * reals and on every fake view), {@link #dReg} (R1 on reals, lazy), then {@link #updateEma}. Each
 * phase is one session run with its own inputs; learning rates and betas of lazily regularised
 * networks are rescaled by {@code interval/(interval+1)} in {@link #lazyRatio}.
 *
 * <p>Training inputs have static batch sizes (N = train.batch_size scenes), so every shape in the
 * step is known when the graph is built. Inputs: {@code z [N,Z]}, {@code cFake [N]}, {@code cam2world [N·V,4,4]}, {@code intrinsics
 * [N·V,3,3]} (scene-major, from the whole-sphere prior — never from data), {@code real [B,H,W,3]},
 * {@code cReal [B]}, {@code seed [2]} (stateless randomness of the step: noise, ray jitter, density
 * regulariser points), {@code emaBeta} scalar. {@link #sample} drives the EMA generator deterministically (constant
 * noise, no jitter).
 */
public final class GanGraph {
  public final Experiment cfg;
  public final int views;
  public final boolean stacked;
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

  /** Builds everything in {@code graph}. */
  public GanGraph(Graph graph, Experiment cfg) {
    this.cfg = cfg;
    Ops tf = Ops.create(graph);
    Train t = cfg.getTrain();
    MultiView mv = cfg.getModel().getMultiview();
    this.views = mv.getViews();
    this.stacked = mv.getFusion() == MultiView.Fusion.STACKED;
    int zDim = cfg.getModel().getMapping().getZDim();
    int n = t.getBatchSize();
    int nv = n * views; // fakes per step; reals per step likewise (PER_VIEW) or N groups of V (STACKED)

    gParams = new Params(cfg.getSeed());
    gEmaParams = new Params(cfg.getSeed());
    dParams = new Params(cfg.getSeed() + 1);
    g = new Generator3D(tf, gParams, cfg, "G");
    gEma = new Generator3D(tf, gEmaParams, cfg, "G_ema");
    int res = g.imageResolution();
    d =
        new Discriminator(
            tf,
            dParams,
            "D",
            Discriminator.Spec.from(
                cfg.getModel().getDiscriminator(),
                res,
                cfg.getModel().getNumClasses(),
                3,
                mv,
                g.hasSuperResolution()));

    z = tf.withName("z").placeholder(TFloat32.class, Placeholder.shape(Shape.of(n, zDim)));
    cFake = tf.withName("c_fake").placeholder(TInt32.class, Placeholder.shape(Shape.of(n)));
    cam2world = tf.withName("cam2world").placeholder(TFloat32.class, Placeholder.shape(Shape.of(nv, 4, 4)));
    intrinsics = tf.withName("intrinsics").placeholder(TFloat32.class, Placeholder.shape(Shape.of(nv, 3, 3)));
    real = tf.withName("real").placeholder(TFloat32.class, Placeholder.shape(Shape.of(nv, res, res, 3)));
    cReal = tf.withName("c_real").placeholder(TInt32.class, Placeholder.shape(Shape.of(nv)));
    seed = tf.withName("seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
    emaBeta = tf.withName("ema_beta").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));

    // EG3D's fade-in: D's image inputs (not the raw ones) are blurred, σ fading to 0 (fed).
    int blurRadius = t.getBlurFadeKimg() > 0 ? (int) Math.floor(3 * t.getBlurSigma()) : 0;
    blurSigma = blurRadius > 0
        ? tf.withName("blur_sigma").placeholderWithDefault(tf.constant(0f), Shape.scalar())
        : null;
    java.util.function.UnaryOperator<Operand<TFloat32>> blur = x -> blurRadius > 0
        ? Fir.gaussianBlur(tf.withSubScope("blur"), x, blurSigma, blurRadius) : x;

    // ---- generator pass (shared by the G and D phases; D detaches it) -------------------------
    Ops gt = tf.withSubScope("fake");
    var mapped = g.map(z, cFake, gt.constant(1f));
    Generator3D.Output fake =
        g.synthesize(mapped.ws(), cam2world, intrinsics, views, Noise.random(seed), seed);
    Operand<TInt32> cFakeViews = Discriminator.repeatViews(gt, cFake, views); // [N·V]
    boolean dual = g.hasSuperResolution();

    // ---- G main --------------------------------------------------------------------------------
    Ops lt = tf.withSubScope("loss");
    fakeLogits = d.score(blur.apply(fake.image()), dual ? fake.raw() : null, cFakeViews);
    lossGMain = GanLosses.generatorLoss(lt, fakeLogits);

    // ---- G reg: EG3D density regulariser (σ at random points vs. slightly perturbed points) ----
    float box = cfg.getModel().getTriplane().getBoxSize();
    if (t.getDensityReg() > 0) {
      Operand<TFloat32> planes = fake.planes(); // [N,R,R,3F]
      Operand<TFloat32> pts =
          lt.math.mul(
              lt.math.sub(
                  lt.random.statelessRandomUniform(
                      lt.constant(new int[] {t.getBatchSize(), 1000, 3}), lt.math.add(seed, lt.constant(new long[] {0, 101}))),
                  lt.constant(0.5f)),
              lt.constant(box)); // [N,1000,3] uniform in the box
      Operand<TFloat32> perturbed =
          lt.math.add(
              pts,
              lt.math.mul(
                  lt.random.statelessRandomNormal(
                      lt.constant(new int[] {t.getBatchSize(), 1000, 3}), lt.math.add(seed, lt.constant(new long[] {0, 102}))),
                  lt.constant(t.getDensityRegPDist() * box / 2f)));
      Operand<TFloat32> s0 = g.renderer().density(lt, planes, pts);
      Operand<TFloat32> s1 = g.renderer().density(lt, planes, perturbed);
      lossDensity = lt.math.mean(lt.math.abs(lt.math.sub(s0, s1)), lt.constant(new int[] {0, 1, 2}));
    } else {
      lossDensity = lt.constant(0f);
    }

    // ---- D main --------------------------------------------------------------------------------
    fakeImages = lt.stopGradient(fake.image());
    Operand<TFloat32> fakeRaw = lt.stopGradient(fake.raw());
    Operand<TFloat32> dFake = d.score(blur.apply(fakeImages), dual ? fakeRaw : null, cFakeViews);
    // EG3D: the real "raw" image is the real image resized to the neural rendering resolution,
    // a separate leaf for R1 (gradients w.r.t. the image do not flow through it).
    int rr = cfg.getRender().getResolution();
    Operand<TFloat32> rawReal =
        dual
            ? lt.stopGradient(
                lt.image.resizeBilinear(
                    real,
                    lt.constant(new int[] {rr, rr}),
                    org.tensorflow.op.image.ResizeBilinear.halfPixelCenters(true)))
            : null;
    Operand<TFloat32> dReal = d.score(blur.apply(real), rawReal, cReal);
    lossDFake = GanLosses.discriminatorFakeLoss(lt, dFake);
    lossDReal = GanLosses.discriminatorRealLoss(lt, dReal);

    // ---- D reg: R1 on reals ----------------------------------------------------------------------
    List<Operand<TFloat32>> r1Inputs = new ArrayList<>();
    r1Inputs.add(real);
    if (dual) {
      r1Inputs.add(rawReal);
    }
    r1Penalty = t.getR1Gamma() > 0 ? GanLosses.r1Penalty(lt, dReal, r1Inputs) : lt.constant(0f);

    // ---- optimisers ---------------------------------------------------------------------------
    Ops ot = tf.withSubScope("opt");
    int gInterval = t.getDensityReg() > 0 ? t.getDensityRegInterval() : 0;
    int dInterval = t.getR1Gamma() > 0 ? t.getR1Interval() : 0;
    double gRatio = lazyRatio(gInterval);
    double dRatio = lazyRatio(dInterval);
    Adam adamG = new Adam(ot, "adam_G", g.trainables(), adamSpec(t, gRatio));
    Adam adamD = new Adam(ot, "adam_D", d.trainables(), adamSpec(t, dRatio));
    optimizers.add(adamG);
    optimizers.add(adamD);
    Operand<TFloat32> gLr = ot.constant((float) (t.getGLr() * gRatio));
    Operand<TFloat32> dLr = ot.constant((float) (t.getDLr() * dRatio));

    Op gStep = adamG.minimize(lossGMain, gLr);
    gMain = tf.withControlDependencies(List.of(gStep, mapped.updateWAvg())).withName("g_main").noOp();
    if (t.getSharedFakes()) {
      // D scores the G step's fakes once; its loss differentiates only w.r.t. D's weights. Every
      // update waits for both gradient sets, since each reads the other network's weights.
      lossDFakeShared = GanLosses.discriminatorFakeLoss(lt, fakeLogits);
      var gGrads = adamG.gradients(lossGMain);
      var dGrads = adamD.gradients(lt.math.add(lossDFakeShared, lossDReal));
      Op gs = adamG.apply(gGrads, gLr, dGrads);
      Op ds = adamD.apply(dGrads, dLr, gGrads);
      gdMain = tf.withControlDependencies(List.of(gs, ds, mapped.updateWAvg())).withName("gd_main")
          .noOp();
    } else {
      lossDFakeShared = null;
      gdMain = null;
    }
    gReg =
        t.getDensityReg() > 0
            ? adamG.minimize(lt.math.mul(lossDensity, lt.constant(t.getDensityReg() * gInterval)), gLr)
            : null;
    dMain = adamD.minimize(lt.math.add(lossDFake, lossDReal), dLr);
    dReg =
        t.getR1Gamma() > 0
            ? adamD.minimize(
                lt.math.mul(r1Penalty, lt.constant(t.getR1Gamma() / 2f * dInterval)),
                dLr)
            : null;

    // ---- EMA -----------------------------------------------------------------------------------
    updateEma = emaUpdate(tf.withSubScope("ema"), gParams, gEmaParams, emaBeta);

    // ---- samples from G_ema (deterministic) ------------------------------------------------------
    sample = SampleGraph.build(tf.withSubScope("sample"), gEma, zDim, cfg.getModel().getNumClasses());
  }

  /** StyleGAN2's lazy-regularisation factor {@code interval/(interval+1)}; 1 when not lazy. */
  static double lazyRatio(int interval) {
    return interval > 0 ? interval / (interval + 1.0) : 1.0;
  }

  private static Adam.Spec adamSpec(Train t, double ratio) {
    return Adam.Spec.defaults()
        .withBeta1((float) Math.pow(t.getBeta1(), ratio))
        .withBeta2((float) Math.pow(t.getBeta2(), ratio))
        .withEpsilon(t.getAdamEpsilon());
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
