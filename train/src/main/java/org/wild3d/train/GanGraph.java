package org.wild3d.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
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
import org.wild3d.scale.Collectives;
import org.wild3d.scale.DevicePlacement;
import org.wild3d.scale.Placement;
import org.wild3d.scale.Rows;
import org.wild3d.scale.TowerSplit;
import org.wild3d.scale.Towers;
import org.wild3d.tf.Grads;
import org.wild3d.tf.Seed;

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
  public Generator3D g;
  public Generator3D gEma;
  public Discriminator d;

  public Placeholder<TFloat32> z;
  public Placeholder<TInt32> cFake;
  public Placeholder<TFloat32> cam2world;
  public Placeholder<TFloat32> intrinsics;
  public Placeholder<TFloat32> real;
  public Placeholder<TInt32> cReal;
  public Placeholder<TInt64> seed;
  public Placeholder<TFloat32> emaBeta;
  /** σ of the blur of D's image inputs (train.blur_fade_kimg), fed per step; null when off. */
  public Operand<TFloat32> blurSigma;

  public Operand<TFloat32> lossGMain;
  public Operand<TFloat32> lossDensity;
  public Operand<TFloat32> lossDFake;
  public Operand<TFloat32> lossDReal;
  public Operand<TFloat32> r1Penalty;
  /** D's scores of the fakes of the G step, {@code [N·V,1]} (per view) or {@code [N,1]}. */
  public Operand<TFloat32> fakeLogits;
  /** The fakes fed to D in the D step (detached), {@code [N·V,H,W,3]}. */
  public Operand<TFloat32> fakeImages;

  public Op gMain;
  /** G and D main steps from one generator pass (train.shared_fakes); null when off. */
  public Op gdMain;
  /** D's loss on the fakes of the G step (shared_fakes), {@code lossDFake}'s counterpart. */
  public Operand<TFloat32> lossDFakeShared;
  /**
   * The shared step's G and D_real losses (train.shared_fakes): fetch these with {@link #gdMain},
   * not {@link #lossGMain}/{@link #lossDReal}, which belong to other phases' all-reduces.
   */
  public Operand<TFloat32> lossGMainShared;
  public Operand<TFloat32> lossDRealShared;
  public Op gReg; // null when the density regulariser is off
  public Op dMain;
  public Op dReg; // null when R1 is off
  public Op updateEma;

  /** The EMA generator's deterministic sampling path (constant noise, no jitter). */
  public SampleGraph sample;

  /**
   * Where the step runs; with more than one tower or worker the fields above are those of
   * tower 0 and the losses are the means over every part of the global batch.
   */
  public final Placement placement;
  /** Every local tower's inputs, tower 0 first (the fields {@link #z} … are tower 0's). */
  private final List<Tower> towers = new ArrayList<>();
  /** Float32 bytes each step's all-reduces exchange per member, by phase (0 on one device). */
  private final java.util.Map<String, Long> allReduceBytes = new java.util.LinkedHashMap<>();

  private Params gParams;
  private Params gEmaParams;
  private Params dParams;
  private final List<Adam> optimizers = new ArrayList<>();

  /**
   * One batch's share of a training step: its inputs, the generator pass on them and every loss,
   * reading the shared networks' variables (creating none).
   *
   * @param seed the step's seed with this tower's rows
   * @param wMean the batch mean of the mapped latents {@code [Wd]} (what w_avg follows)
   * @param wAvgUpdate the mapping network's {@code w_avg} update from this batch's latents
   * @param lossDFakeShared D's loss on the G pass's fakes (train.shared_fakes), else null
   * @param lossDensity EG3D's density regulariser, a constant 0 when it is off
   * @param r1Penalty R1 on the reals, a constant 0 when it is off
   */
  record Tower(
      Seed seed,
      Operand<TFloat32> wMean,
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
      Operand<TFloat32> r1Penalty) {
    /** This tower's inputs found again in {@code placed} (its losses are not used after building). */
    Tower rebind(Graph placed) {
      return new Tower(seed, wMean, DevicePlacement.placeholder(placed, z),
          DevicePlacement.placeholder(placed, cFake), DevicePlacement.placeholder(placed, cam2world),
          DevicePlacement.placeholder(placed, intrinsics), DevicePlacement.placeholder(placed, real),
          DevicePlacement.placeholder(placed, cReal), null, null, null, null, null, null, null, null,
          null);
    }
  }

  /**
   * Whether {@code spec}'s batch splits over {@code placement}'s parts so that every part's
   * minibatch-std groups are whole ({@link TowerSplit}), as a config error naming the fields.
   *
   * @throws Wild3dException exit 3 otherwise
   */
  public static void checkSplit(GanSpec spec, Placement placement) {
    if (!placement.distributed()) {
      return;
    }
    int parts = placement.parts();
    int group = spec.model().discriminator().mbstdGroupSize();
    var rb = spec.model().multiview().realBatch(spec.scenes());
    for (int n : new int[] {spec.scenes(), rb.groups()}) {
      if (n % parts != 0 || (group > 0 && (n / parts) % group != 0)) {
        throw new org.wild3d.Wild3dException(org.wild3d.Wild3dException.EXIT_CONFIG,
            String.format(java.util.Locale.ROOT, "train.batch_size: expected a multiple of %d"
                + " (%d parts of the batch: %d tower%s x %d process%s, times"
                + " model.discriminator.mbstd_group_size %d, so that every part's minibatch-std"
                + " groups are whole), found %d (%s; raise train.batch_size, use fewer devices or"
                + " a smaller mbstd_group_size)", parts * Math.max(1, group), parts,
                placement.towers(), placement.towers() == 1 ? "" : "s", placement.tasks(),
                placement.tasks() == 1 ? "" : "es", group, spec.train().batchSize(),
                n == spec.scenes() ? spec.scenes() + " scenes per step"
                    : rb.groups() + " real groups per step"));
      }
    }
  }

  /** Builds everything in {@code graph} for one device. */
  public GanGraph(Graph graph, GanSpec spec) {
    this(graph, spec, Placement.single());
  }

  /**
   * Builds everything in {@code graph} (which must be empty) for {@code placement}: one tower per
   * device of this process, every tower computing its part of the global batch ({@link
   * TowerSplit}) with the shared variables; per phase one all-reduce of the flattened gradients
   * (plus the batch mean of w and the losses) over every tower of every worker; one optimiser
   * update from tower 0's copy. A split step is built in a scratch graph and copied into {@code
   * graph} by {@link DevicePlacement}, which puts each tower's gradient ops on its device.
   */
  public GanGraph(Graph graph, GanSpec spec, Placement placement) {
    this.spec = spec;
    this.placement = placement;
    if (!placement.distributed() && placement.devices().isEmpty()) {
      build(graph);
      return;
    }
    try (Graph scratch = new Graph()) {
      build(scratch);
      List<DevicePlacement.Rule> rules = new ArrayList<>();
      for (int t = placement.towers() - 1; t >= 1; t--) {
        rules.add(new DevicePlacement.Rule(Towers.prefix(t) + "/", placement.deviceName(t)));
        rules.add(new DevicePlacement.Rule(Towers.prefix(t) + "_", placement.deviceName(t)));
      }
      graph.importGraphDef(DevicePlacement.place(scratch.toGraphDef(), rules,
          placement.deviceName(0)));
      rebind(graph);
    }
  }

  private void build(Graph graph) {
    Ops root = Ops.create(graph);
    Ops tf = placement.on(root, 0);
    TrainSpec t = spec.train();

    // ---- networks: every variable (on tower 0's device) -----------------------------------------
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

    // ---- towers: tower 0 under the single-device names, the others under towerK/ ---------------
    int parts = placement.parts();
    TowerSplit scenes = new TowerSplit(spec.scenes(), parts, spec.model().discriminator().mbstdGroupSize());
    List<Generator3D> gs = new ArrayList<>();
    List<Discriminator> ds = new ArrayList<>();
    for (int k = 0; k < placement.towers(); k++) {
      Ops tt = k == 0 ? tf : placement.on(root.withSubScope(Towers.prefix(k)), k);
      Generator3D gk = k == 0 ? g : new Generator3D(tt, Params.replica(gParams), spec.model(), "G");
      Discriminator dk = k == 0 ? d
          : new Discriminator(tt, Params.replica(dParams), "D", spec.model().discriminator());
      Seed sk = parts == 1 ? Seed.of(seed)
          : new Seed(seed, new Seed.Rows(spec.scenes(), scenes.rows(placement.part(k))));
      Ops bt = tt.withSubScope("blur");
      UnaryOperator<Operand<TFloat32>> blur = x -> blurRadius > 0
          ? Fir.gaussianBlur(bt, x, blurSigma, blurRadius) : x;
      towers.add(tower(tt, spec, gk, dk, scenes.perTower(), sk, blur));
      gs.add(gk);
      ds.add(dk);
    }
    Tower tower = towers.get(0);
    z = tower.z();
    cFake = tower.cFake();
    cam2world = tower.cam2world();
    intrinsics = tower.intrinsics();
    real = tower.real();
    cReal = tower.cReal();
    fakeLogits = tower.fakeLogits();
    fakeImages = tower.fakeImages();

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
    Phases ph = new Phases(root, adamG, adamD);

    // G main: G's gradients, the batch mean of w (w_avg) and the G loss, reduced together.
    Reduced gm = ph.reduce("g_main", 1, k -> List.of(towers.get(k).lossGMain()),
        k -> towers.get(k).wMean(), k -> ph.gradsG(k, towers.get(k).lossGMain()), null);
    lossGMain = gm.losses().get(0);
    Op updateWAvg = g.mapping().updateWAvgTo(gm.wMean());
    Op gStep = adamG.apply(gm.grads(), gLr, gm.others());
    gMain = tf.withControlDependencies(List.of(gStep, updateWAvg)).withName("g_main").noOp();
    if (t.sharedFakes()) {
      // D scores the G step's fakes once; its loss differentiates only w.r.t. D's weights. Every
      // update waits for both gradient sets, since each reads the other network's weights.
      Reduced gd = ph.reduce("gd_main", 2,
          k -> List.of(towers.get(k).lossGMain(), towers.get(k).lossDFakeShared(),
              towers.get(k).lossDReal()),
          k -> towers.get(k).wMean(), k -> ph.gradsG(k, towers.get(k).lossGMain()),
          k -> ph.gradsD(k, ph.lt(k).math.add(towers.get(k).lossDFakeShared(),
              towers.get(k).lossDReal())));
      lossDFakeShared = gd.losses().get(1);
      lossDRealShared = gd.losses().get(2);
      lossGMainShared = gd.losses().get(0);
      List<Operand<TFloat32>> gAfter = new ArrayList<>(gd.gradsD());
      gAfter.addAll(gd.others());
      List<Operand<TFloat32>> dAfter = new ArrayList<>(gd.grads());
      dAfter.addAll(gd.others());
      Op gsOp = adamG.apply(gd.grads(), gLr, gAfter);
      Op dsOp = adamD.apply(gd.gradsD(), dLr, dAfter);
      gdMain = tf.withControlDependencies(List.of(gsOp, dsOp, g.mapping().updateWAvgTo(gd.wMean())))
          .withName("gd_main").noOp();
    } else {
      gdMain = null;
      lossDFakeShared = null;
      lossDRealShared = null;
      lossGMainShared = null;
    }
    if (t.densityRegOn()) {
      float scale = t.densityReg() * og.lazyInterval();
      Reduced gr = ph.penalty("g_reg", 3, k -> towers.get(k).lossDensity(), scale, true);
      lossDensity = gr.losses().get(0);
      gReg = adamG.apply(gr.grads(), gLr, gr.others());
    } else {
      lossDensity = lt.constant(0f);
      gReg = null;
    }
    Reduced dm = ph.reduce("d_main", 4,
        k -> List.of(towers.get(k).lossDFake(), towers.get(k).lossDReal()), null,
        k -> ph.gradsD(k, ph.lt(k).math.add(towers.get(k).lossDFake(), towers.get(k).lossDReal())),
        null);
    lossDFake = dm.losses().get(0);
    lossDReal = dm.losses().get(1);
    dMain = adamD.apply(dm.grads(), dLr, dm.others());
    if (t.r1()) {
      float scale = t.r1Gamma() / 2f * od.lazyInterval();
      Reduced dr = ph.penalty("d_reg", 5, k -> towers.get(k).r1Penalty(), scale, false);
      r1Penalty = dr.losses().get(0);
      dReg = adamD.apply(dr.grads(), dLr, dr.others());
    } else {
      r1Penalty = lt.constant(0f);
      dReg = null;
    }

    // ---- EMA -----------------------------------------------------------------------------------
    updateEma = emaUpdate(tf.withSubScope("ema"), gParams, gEmaParams, emaBeta);

    // ---- samples from G_ema (deterministic) ------------------------------------------------------
    sample = SampleGraph.build(tf.withSubScope("sample"), gEma);
    sample.fromZ(); // the whole training graph exists before its session
    sample.fromW(1); // (both paths the loop uses: grids, and metrics through map + synthesize)
  }

  /** One phase's combined result: tower 0's copy of the means over every part. */
  private record Reduced(List<Operand<TFloat32>> grads, List<Operand<TFloat32>> gradsD,
      Operand<TFloat32> wMean, List<Operand<TFloat32>> losses, List<Operand<TFloat32>> others) {}

  /** Builds each phase's per-tower gradients and their one all-reduce. */
  private final class Phases {
    final Ops root;
    final Adam adamG;
    final Adam adamD;

    Phases(Ops root, Adam adamG, Adam adamD) {
      this.root = root;
      this.adamG = adamG;
      this.adamD = adamD;
    }

    /** Tower {@code k}'s loss scope. */
    Ops lt(int k) {
      return scope(k, "loss");
    }

    Ops scope(int k, String name) {
      return k == 0 ? placement.on(root, 0).withSubScope(name)
          : placement.on(root.withSubScope(Towers.prefix(k) + "_" + name), k);
    }

    /** G's gradients of tower {@code k}'s {@code loss} (tower 0: exactly the one-device ones). */
    List<Operand<TFloat32>> gradsG(int k, Operand<TFloat32> loss) {
      return k == 0 ? adamG.gradients(loss) : Grads.of(scope(k, "grad"), loss, values(gs()));
    }

    List<Operand<TFloat32>> gradsD(int k, Operand<TFloat32> loss) {
      return k == 0 ? adamD.gradients(loss) : Grads.of(scope(k, "grad"), loss, values(ds()));
    }

    /**
     * A lazy regulariser's phase: every tower's {@code penalty} times {@code scale} differentiated
     * for G ({@code generator}) or D, reduced with the penalty itself.
     */
    Reduced penalty(String phase, int instanceKey,
        java.util.function.IntFunction<Operand<TFloat32>> penalty, float scale, boolean generator) {
      return reduce(phase, instanceKey, k -> List.of(penalty.apply(k)), null, k -> {
        Operand<TFloat32> loss = lt(k).math.mul(penalty.apply(k), lt(k).constant(scale));
        return generator ? gradsG(k, loss) : gradsD(k, loss);
      }, null);
    }

    private List<Param> gs() {
      return g.trainables();
    }

    private List<Param> ds() {
      return d.trainables();
    }

    /**
     * The phase's means over every part of the global batch: per tower its losses, optionally
     * its w mean and one or two gradient lists, flattened into one vector, all-reduced (one
     * collective per phase), cut back from tower 0's copy. On one device nothing is reduced and
     * tower 0's values are the result.
     */
    Reduced reduce(String phase, int instanceKey,
        java.util.function.IntFunction<List<Operand<TFloat32>>> losses,
        java.util.function.IntFunction<Operand<TFloat32>> wMean,
        java.util.function.IntFunction<List<Operand<TFloat32>>> grads,
        java.util.function.IntFunction<List<Operand<TFloat32>>> grads2) {
      List<List<Operand<TFloat32>>> parts = new ArrayList<>();
      int nGrads = -1;
      int nGrads2 = 0;
      for (int k = 0; k < towers.size(); k++) {
        List<Operand<TFloat32>> xs = new ArrayList<>(grads.apply(k));
        nGrads = xs.size();
        if (grads2 != null) {
          List<Operand<TFloat32>> x2 = grads2.apply(k);
          nGrads2 = x2.size();
          xs.addAll(x2);
        }
        if (wMean != null) {
          xs.add(wMean.apply(k));
        }
        xs.addAll(losses.apply(k));
        parts.add(xs);
      }
      List<Operand<TFloat32>> mine = parts.get(0);
      List<Operand<TFloat32>> others = new ArrayList<>();
      if (placement.distributed()) {
        Collectives.Group group = placement.group();
        allReduceBytes.put(phase, Collectives.bytes(mine));
        List<Operand<TFloat32>> reduced0 = null;
        for (int k = 0; k < towers.size(); k++) {
          Ops rt = scope(k, "allreduce_" + phase);
          List<Operand<TFloat32>> r = Collectives.meanAll(rt, parts.get(k), group, instanceKey,
              placement.deviceName(k));
          if (k == 0) {
            reduced0 = r;
          } else {
            others.add(r.get(0)); // every member must run for tower 0's to complete
          }
        }
        mine = reduced0;
      }
      int i = 0;
      List<Operand<TFloat32>> g1 = mine.subList(i, i += nGrads);
      List<Operand<TFloat32>> g2 = mine.subList(i, i += nGrads2);
      Operand<TFloat32> w = wMean != null ? mine.get(i++) : null;
      return new Reduced(List.copyOf(g1), List.copyOf(g2), w, List.copyOf(mine.subList(i, mine.size())),
          others);
    }
  }

  private static List<Operand<TFloat32>> values(List<Param> ps) {
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (Param p : ps) {
      out.add(p.value());
    }
    return out;
  }

  /** Resolves every handle of the scratch graph again in {@code placed} (see the constructor). */
  private void rebind(Graph placed) {
    z = DevicePlacement.placeholder(placed, z);
    cFake = DevicePlacement.placeholder(placed, cFake);
    cam2world = DevicePlacement.placeholder(placed, cam2world);
    intrinsics = DevicePlacement.placeholder(placed, intrinsics);
    real = DevicePlacement.placeholder(placed, real);
    cReal = DevicePlacement.placeholder(placed, cReal);
    seed = DevicePlacement.placeholder(placed, seed);
    emaBeta = DevicePlacement.placeholder(placed, emaBeta);
    blurSigma = blurSigma == null ? null : DevicePlacement.output(placed, blurSigma);
    lossGMain = DevicePlacement.output(placed, lossGMain);
    lossDensity = DevicePlacement.output(placed, lossDensity);
    lossDFake = DevicePlacement.output(placed, lossDFake);
    lossDReal = DevicePlacement.output(placed, lossDReal);
    r1Penalty = DevicePlacement.output(placed, r1Penalty);
    fakeLogits = DevicePlacement.output(placed, fakeLogits);
    fakeImages = DevicePlacement.output(placed, fakeImages);
    lossDFakeShared = lossDFakeShared == null ? null : DevicePlacement.output(placed, lossDFakeShared);
    lossDRealShared = lossDRealShared == null ? null : DevicePlacement.output(placed, lossDRealShared);
    lossGMainShared = lossGMainShared == null ? null : DevicePlacement.output(placed, lossGMainShared);
    gMain = DevicePlacement.op(placed, gMain);
    gdMain = gdMain == null ? null : DevicePlacement.op(placed, gdMain);
    gReg = gReg == null ? null : DevicePlacement.op(placed, gReg);
    dMain = DevicePlacement.op(placed, dMain);
    dReg = dReg == null ? null : DevicePlacement.op(placed, dReg);
    updateEma = DevicePlacement.op(placed, updateEma);
    sample = sample.rebind(placed);
    gParams = gParams.rebind(placed);
    gEmaParams = gEmaParams.rebind(placed);
    dParams = dParams.rebind(placed);
    optimizers.clear(); // their ops are the scratch graph's; nothing reads them after building
    for (int k = 0; k < towers.size(); k++) {
      towers.set(k, towers.get(k).rebind(placed));
    }
  }

  /**
   * The real groups ({@link org.wild3d.config.MultiViewSpec#realBatch}) this worker reads of each
   * global batch, in its towers' order (tower t's block is the t-th of equal size); null on one
   * device (the whole batch in reader order). Give them to the batch reader.
   */
  public int[] realRows() {
    if (!placement.distributed()) {
      return null;
    }
    TowerSplit split = realSplit();
    int[] out = new int[split.perTower() * placement.towers()];
    for (int k = 0; k < placement.towers(); k++) {
      System.arraycopy(split.rows(placement.part(k)), 0, out, k * split.perTower(), split.perTower());
    }
    return out;
  }

  private TowerSplit realSplit() {
    var rb = spec.model().multiview().realBatch(spec.scenes());
    return new TowerSplit(rb.groups(), placement.parts(), spec.model().discriminator().mbstdGroupSize());
  }

  private TowerSplit sceneSplit() {
    return new TowerSplit(spec.scenes(), placement.parts(),
        spec.model().discriminator().mbstdGroupSize());
  }

  /**
   * Feeds every local tower its scenes of the global fake inputs: {@code z [N,Z]}, {@code c [N]},
   * {@code cam2world [N·V,4,4]}, {@code intrinsics [N·V,3,3]} (N = the global batch), and the
   * seed. Tensors made for the towers are added to {@code owned}, which the caller closes after
   * the run; on one device the given tensors are fed as they are.
   */
  public Session.Runner feedFakes(Session.Runner r, TFloat32 z, TInt32 c, TFloat32 c2w,
      TFloat32 k, TInt64 seedValue, List<Tensor> owned) {
    r.feed(this.seed, seedValue);
    if (!placement.distributed()) {
      return r.feed(this.z, z).feed(cFake, c).feed(cam2world, c2w).feed(intrinsics, k);
    }
    TowerSplit split = sceneSplit();
    int views = spec.model().multiview().views();
    for (int t = 0; t < towers.size(); t++) {
      Tower tw = towers.get(t);
      int[] rows = split.rows(placement.part(t));
      int[] viewRows = split.rows(placement.part(t), views);
      r.feed(tw.z(), own(owned, Rows.select(z, rows)))
          .feed(tw.cFake(), own(owned, Rows.select(c, rows)))
          .feed(tw.cam2world(), own(owned, Rows.select(c2w, viewRows)))
          .feed(tw.intrinsics(), own(owned, Rows.select(k, viewRows)));
    }
    return r;
  }

  /**
   * Feeds every local tower its block of this worker's real batch ({@link #realRows} order):
   * {@code x [B,H,W,3]}, {@code c [B]}. Tensors made for the towers are added to {@code owned}.
   */
  public Session.Runner feedReals(Session.Runner r, TFloat32 x, TInt32 c, List<Tensor> owned) {
    if (!placement.distributed()) {
      return r.feed(real, x).feed(cReal, c);
    }
    int per = (int) (x.shape().size(0) / towers.size());
    for (int t = 0; t < towers.size(); t++) {
      int[] rows = new int[per];
      for (int i = 0; i < per; i++) {
        rows[i] = t * per + i;
      }
      r.feed(towers.get(t).real(), own(owned, Rows.select(x, rows)))
          .feed(towers.get(t).cReal(), own(owned, Rows.select(c, rows)));
    }
    return r;
  }

  private static <T extends Tensor> T own(List<Tensor> owned, T t) {
    owned.add(t);
    return t;
  }

  /** Every local tower's inputs, tower 0 first. */
  List<Tower> towers() {
    return List.copyOf(towers);
  }

  /** Bytes each all-reduce of a step exchanges per member, by phase; empty on one device. */
  public java.util.Map<String, Long> allReduceBytes() {
    return java.util.Collections.unmodifiableMap(allReduceBytes);
  }

  /**
   * The inputs of {@code scenes} scenes (their fakes and as many reals), the generator pass on
   * them and every loss, in {@code tf}'s scope; reads {@code g}'s and {@code d}'s variables and
   * creates none. The real batch follows {@link GanSpec#realBatch}'s rule for that many scenes.
   */
  static Tower tower(Ops tf, GanSpec spec, Generator3D g, Discriminator d, int scenes,
      Seed seed, UnaryOperator<Operand<TFloat32>> blur) {
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
                  seed.plus(lt, 101).uniform(lt, lt.constant(new int[] {scenes, 1000, 3}),
                      Shape.of(scenes, 1000, 3)),
                  lt.constant(0.5f)),
              lt.constant(box)); // [N,1000,3] uniform in the box
      Operand<TFloat32> perturbed =
          lt.math.add(
              pts,
              lt.math.mul(
                  seed.plus(lt, 102).normal(lt, lt.constant(new int[] {scenes, 1000, 3}),
                      Shape.of(scenes, 1000, 3)),
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
    Operand<TFloat32> wMean = gt.math.mean(mapped.w(), gt.constant(0)); // [Wd]
    return new Tower(seed, wMean, z, cFake, cam2world, intrinsics, real, cReal, mapped.updateWAvg(),
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
