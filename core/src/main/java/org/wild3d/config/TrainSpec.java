package org.wild3d.config;

/**
 * What {@code train} means: the StyleGAN2/EG3D schedule, optimisers and regularisers, and what
 * follows from them (lazy intervals, the Adam settings of each network, the EMA decay and the
 * blur of D's inputs at a given kimg). Field meanings as in the schema.
 */
public record TrainSpec(
    int batchSize,
    float gLr,
    float dLr,
    float beta1,
    float beta2,
    float adamEpsilon,
    float r1Gamma,
    int r1Interval,
    float densityReg,
    int densityRegInterval,
    float densityRegPDist,
    float emaKimg,
    float emaRampup,
    float blurFadeKimg,
    float blurSigma,
    double totalKimg,
    double maxMinutes,
    double kimgPerTick,
    int snapshotTicks,
    int keepCheckpoints,
    int threads,
    boolean sharedFakes) {
  public TrainSpec {
    FieldRules r = new FieldRules();
    r.atLeast("train.batch_size", batchSize, 1, "EG3D uses 32");
    r.positive("train.g_lr", gLr, "EG3D uses 0.0025");
    r.positive("train.d_lr", dLr, "EG3D uses 0.002");
    r.check(beta1 >= 0 && beta1 < 1, "train.beta1", "a value in [0, 1)", beta1, "EG3D uses 0");
    r.check(beta2 >= 0 && beta2 < 1, "train.beta2", "a value in [0, 1)", beta2, "EG3D uses 0.99");
    r.positive("train.adam_epsilon", adamEpsilon, "EG3D uses 1e-8");
    r.atLeast("train.r1_gamma", r1Gamma, 0, "0 = off");
    r.atLeast("train.r1_interval", r1Interval, 1, "1 = every step; EG3D uses 16");
    r.atLeast("train.density_reg", densityReg, 0, "0 = off; EG3D uses 0.25");
    r.atLeast("train.density_reg_interval", densityRegInterval, 1, "1 = every step; EG3D uses 4");
    if (densityReg > 0) {
      r.positive("train.density_reg_p_dist", densityRegPDist, "EG3D uses 0.004");
    }
    r.atLeast("train.ema_kimg", emaKimg, 0, "0 = no EMA");
    r.atLeast("train.ema_rampup", emaRampup, 0, "0 = off");
    r.atLeast("train.blur_fade_kimg", blurFadeKimg, 0, "0 = off");
    r.atLeast("train.blur_sigma", blurSigma, 0, "in pixels");
    r.positive("train.total_kimg", totalKimg, "training length in thousands of images");
    r.atLeast("train.max_minutes", maxMinutes, 0, "0 = no limit");
    r.positive("train.kimg_per_tick", kimgPerTick, "e.g. 4");
    r.atLeast("train.snapshot_ticks", snapshotTicks, 1, "1 = a checkpoint every tick");
    r.atLeast("train.keep_checkpoints", keepCheckpoints, 1, "the newest are kept");
    r.atLeast("train.threads", threads, 0, "0 = TF's default");
    r.throwIfFailed();
  }

  public static TrainSpec from(Train t) {
    return new TrainSpec(t.getBatchSize(), t.getGLr(), t.getDLr(), t.getBeta1(), t.getBeta2(),
        t.getAdamEpsilon(), t.getR1Gamma(), t.getR1Interval(), t.getDensityReg(),
        t.getDensityRegInterval(), t.getDensityRegPDist(), t.getEmaKimg(), t.getEmaRampup(),
        t.getBlurFadeKimg(), t.getBlurSigma(), t.getTotalKimg(), t.getMaxMinutes(),
        t.getKimgPerTick(), t.getSnapshotTicks(), t.getKeepCheckpoints(), t.getThreads(),
        t.getSharedFakes());
  }

  /**
   * One network's Adam as StyleGAN2 runs it with lazy regularisation: learning rate and betas
   * rescaled by {@link #lazyRatio} of its regulariser's interval.
   *
   * @param lr learning rate per main step
   * @param beta1 decay of the first moment
   * @param beta2 decay of the second moment
   * @param epsilon added to √v
   * @param lazyInterval steps between the network's lazy regulariser runs; 0 = none
   */
  public record Optimiser(float lr, float beta1, float beta2, float epsilon, int lazyInterval) {}

  /** Whether R1 on reals is on. */
  public boolean r1() {
    return r1Gamma > 0;
  }

  /** Whether EG3D's density regulariser is on. */
  public boolean densityRegOn() {
    return densityReg > 0;
  }

  /** G's lazy-regularisation interval (the density regulariser's), 0 when it is off. */
  public int gLazyInterval() {
    return densityRegOn() ? densityRegInterval : 0;
  }

  /** D's lazy-regularisation interval (R1's), 0 when it is off. */
  public int dLazyInterval() {
    return r1() ? r1Interval : 0;
  }

  /** StyleGAN2's lazy-regularisation factor {@code interval/(interval+1)}; 1 when not lazy. */
  public static double lazyRatio(int interval) {
    return interval > 0 ? interval / (interval + 1.0) : 1.0;
  }

  /** G's Adam. */
  public Optimiser g() {
    return optimiser(gLr, gLazyInterval());
  }

  /** D's Adam. */
  public Optimiser d() {
    return optimiser(dLr, dLazyInterval());
  }

  private Optimiser optimiser(float lr, int interval) {
    double ratio = lazyRatio(interval);
    return new Optimiser((float) (lr * ratio), (float) Math.pow(beta1, ratio),
        (float) Math.pow(beta2, ratio), adamEpsilon, interval);
  }

  /** Radius in pixels of the blur of D's inputs ({@code ⌊3σ⌋}), 0 when the fade-in is off. */
  public int blurRadius() {
    return blurFadeKimg > 0 ? (int) Math.floor(3 * blurSigma) : 0;
  }

  /** EG3D's blur σ of D's inputs at {@code kimg}: blur_sigma fading linearly to 0. */
  public float blurSigmaAt(double kimg) {
    return blurFadeKimg > 0 ? (float) (blurSigma * Math.max(1 - kimg / blurFadeKimg, 0)) : 0f;
  }

  /**
   * The EMA decay β of a step at {@code kimg} that showed {@code images} fake images: StyleGAN2's
   * half-life of ema_kimg, at most ema_rampup × the kimg so far; 0 (G_ema = G) without EMA.
   */
  public float emaBeta(double kimg, int images) {
    double emaNimg = emaKimg * 1000;
    if (emaRampup > 0) {
      emaNimg = Math.min(emaNimg, kimg * 1000 * emaRampup);
    }
    return emaNimg > 0 ? (float) Math.pow(0.5, images / Math.max(emaNimg, 1e-8)) : 0f;
  }
}
