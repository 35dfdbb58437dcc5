package org.wild3d.train;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Server;
import org.tensorflow.Session;
import org.tensorflow.TargetSessions;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.wild3d.DataException;
import org.wild3d.Version;
import org.wild3d.Wild3dException;
import org.wild3d.camera.Camera;
import org.wild3d.camera.CameraSampler;
import org.wild3d.camera.Cameras;
import org.wild3d.checkpoint.CheckpointManager;
import org.wild3d.checkpoint.CheckpointRestore;
import org.wild3d.checkpoint.Manifest;
import org.wild3d.config.ConfigError;
import org.wild3d.config.ConfigException;
import org.wild3d.config.Configs;
import org.wild3d.config.Data;
import org.wild3d.config.Experiment;
import org.wild3d.config.GanSpec;
import org.wild3d.config.MultiViewSpec;
import org.wild3d.config.TrainSpec;
import org.wild3d.data.Batch;
import org.wild3d.data.BatchReader;
import org.wild3d.data.Dataset;
import org.wild3d.data.Datasets;
import org.wild3d.log.EventLog;
import org.wild3d.log.Progress;
import org.wild3d.metrics.MetricJobs;
import org.wild3d.metrics.MetricRegistry;
import org.wild3d.metrics.MetricResult;
import org.wild3d.metrics.MetricSpec;
import org.wild3d.model.GeneratedImages;
import org.wild3d.model.ImageGenerator;
import org.wild3d.model.Latents;
import org.wild3d.scale.ClusterSpec;
import org.wild3d.scale.Placement;
import org.wild3d.scale.WorkerSync;
import org.wild3d.tf.Sessions;
import org.wild3d.viz.DatasetGrid;
import org.wild3d.viz.Grid;

/**
 * {@code wild3d-train}'s main job: the StyleGAN2/EG3D training loop with multi-view
 * discrimination, over a {@link GanGraph}.
 *
 * <p>Everything random in a step derives from {@code (Experiment.seed, step)} — latents, classes,
 * cameras, noise and ray jitter — and the data reader's position is checkpointed, so {@code
 * --resume} continues exactly where the last checkpoint left off.
 *
 * <p>Checkpoints: every {@code train.snapshot_ticks} ticks (with the metrics), at the end of the
 * first tick (so a run that dies early can resume; no metrics), and when the run ends: at {@code
 * train.total_kimg}, at {@code train.max_minutes}, or on SIGINT/SIGTERM ({@link GracefulStop}:
 * after the step in flight, without the remaining metrics and samples; exit code 5).
 */
public final class TrainLoop implements TrainJob {
  /** Views of each scene in the sample grid (azimuths around a 60° polar ring). */
  static final int GRID_VIEWS = 4;
  /** Scenes per class in the sample grid. */
  static final int GRID_SCENES = 2;
  /** At most this many classes (rows) in the sample grid. */
  static final int GRID_CLASSES = 8;

  /** Called after every training step with the step count and the job's stop control. */
  @FunctionalInterface
  interface AfterStep {
    void accept(long step, GracefulStop stop);
  }

  private final AfterStep afterStep;

  public TrainLoop() {
    this((step, stop) -> {});
  }

  /** A loop that calls {@code afterStep} after every step (tests stop a run at a step with it). */
  TrainLoop(AfterStep afterStep) {
    this.afterStep = afterStep;
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    Experiment cfg = ctx.resolved();
    GanSpec spec = GanSpec.from(cfg);
    PrintWriter out = ctx.out();
    // Parsed before anything is built, so a bad name fails fast (exit 2, naming it).
    List<MetricSpec> metricSpecs;
    try {
      metricSpecs = MetricRegistry.parseConfigured(cfg.getTrain().getMetricsList());
    } catch (Wild3dException e) {
      throw new ConfigException(new ConfigError("train.metrics", e.getMessage()));
    }
    String beforeFirstStep = ctx.resumed()
        ? "the newest checkpoint of " + ctx.runDir() + " is unchanged; continue with: "
            + resumeCommand(ctx)
        : ctx.runDir() + " holds only its configs; start the run again";
    RunContext.Scale scale = ctx.scale();
    Placement placement = scale.placement();
    if (!scale.chief()) {
      beforeFirstStep = "this worker wrote nothing; start it again with the others";
    }
    try (GracefulStop stop = GracefulStop.install(ctx.err(), Main.NAME, beforeFirstStep);
        Graph graph = new Graph()) {
      Server server = scale.cluster() == null ? null : startServer(ctx, spec, scale);
      long t0 = System.nanoTime();
      GanGraph gg = new GanGraph(graph, spec, placement);
      WorkerSync sync = placement.tasks() > 1
          ? new WorkerSync(graph, placement, Run.STATE_LENGTH) : null;
      int res = gg.g.imageResolution();
      out.printf(
          Locale.ROOT,
          "graph built in %.1f s: G %,d parameters, D %,d parameters; %s%n",
          (System.nanoTime() - t0) / 1e9,
          gg.gParams().trainableCount(),
          gg.dParams().trainableCount(),
          org.wild3d.tf.FusedOps.status());
      if (placement.distributed()) {
        out.printf(Locale.ROOT, "data parallel: %s%n", describe(placement, gg));
      }
      try (Dataset ds = Datasets.open(cfg.getData(), cfg.getCamera(), res, out)) {
        checkDataset(ds, cfg, res);
        try (Session s = server == null
                ? Sessions.create(graph, spec.train().threads(), placement)
                : TargetSessions.create(graph, scale.cluster().target(), sessionConfig(spec, scale));
            EventLog log = scale.chief() ? new EventLog(ctx.runDir()) : null) {
          new Run(ctx, gg, sync, ds, s, log, metricSpecs, stop, afterStep).loop();
        } catch (TensorFlowException e) {
          if (!placement.distributed()) {
            throw e;
          }
          throw new Wild3dException(Wild3dException.EXIT_FAILURE, String.format(Locale.ROOT,
              "the run stopped: %s (with several devices or processes this is usually a worker"
                  + " that died or cannot be reached: a broken connection is noticed at once, a"
                  + " silent one after --collective-timeout %.0f s; the chief's newest complete"
                  + " checkpoint is kept: start every process again with %s)",
              summary(e.getMessage()), placement.timeoutSeconds(),
              scale.chief() ? resumeCommand(ctx) : Main.NAME + " --resume RUN"), e);
        }
      }
    }
  }

  /** The options of this process's sessions (threads, CPU towers, the collective leader). */
  static ConfigProto sessionConfig(GanSpec spec, RunContext.Scale scale) {
    ConfigProto c = scale.placement().sessionConfig(Sessions.config(spec.train().threads()));
    return scale.cluster() == null ? c : scale.cluster().withCollectiveLeader(c);
  }

  /** Starts this process's TensorFlow server of the cluster ({@link ClusterSpec#startServer}). */
  static Server startServer(RunContext ctx, GanSpec spec, RunContext.Scale scale) {
    ClusterSpec cl = scale.cluster();
    Server server = cl.startServer(sessionConfig(spec, scale));
    ctx.out().printf(Locale.ROOT, "worker %d of %d (%s)%s; TensorFlow server started%n",
        cl.task(), cl.size(), cl.addresses().get(cl.task()),
        cl.isChief() ? ", the chief: it writes the run directory" : ": writes nothing (the chief"
            + " at " + cl.addresses().get(0) + " writes the run directory)");
    ctx.out().flush();
    return server;
  }

  static String describe(Placement p, GanGraph gg) {
    long bytes = 0;
    for (long b : gg.allReduceBytes().values()) {
      bytes += b;
    }
    return String.format(Locale.ROOT, "%d part%s of each batch (%d tower%s x %d process%s: %s),"
        + " %d scenes each; all-reduces of %.1f MB per step at most (%s)", p.parts(),
        p.parts() == 1 ? "" : "s", p.towers(), p.towers() == 1 ? "" : "s", p.tasks(),
        p.tasks() == 1 ? "" : "es", p.deviceName(0).isEmpty() ? "default device"
            : p.deviceName(0) + (p.towers() > 1 ? " .. " + p.deviceName(p.towers() - 1) : ""),
        gg.spec.scenes() / p.parts(), bytes / 1e6, gg.allReduceBytes().keySet());
  }

  /** TensorFlow's multi-line message in one line: its lines joined, at most 400 characters. */
  static String summary(String s) {
    if (s == null || s.isBlank()) {
      return "no detail";
    }
    StringBuilder b = new StringBuilder();
    for (String line : s.split("\n")) {
      String t = line.strip();
      if (!t.isEmpty() && !t.startsWith("[[") && !t.startsWith("Additional GRPC")) {
        b.append(b.length() == 0 ? "" : " ").append(t);
      }
    }
    String one = b.toString();
    return one.length() <= 400 ? one : one.substring(0, 397) + "...";
  }

  /** The command that continues the run of {@code ctx}. */
  static String resumeCommand(RunContext ctx) {
    return Main.NAME + " --resume " + ctx.runDir();
  }

  /** Thrown by the metrics' generator when a stop is requested: the remaining metrics are skipped. */
  private static final class MetricsStopped extends RuntimeException {
    MetricsStopped() {
      super("stop requested", null, false, false);
    }
  }

  /** The per-(seed, step, phase) random stream of a step's phase: resume reproduces it exactly. */
  static SplittableRandom rng(long seed, long stepIndex, int phase) {
    long mix = seed * 0x9E3779B97F4A7C15L ^ (stepIndex * 31 + phase) * 0xC2B2AE3D27D4EB4FL;
    return new SplittableRandom(mix);
  }

  /**
   * The generator inputs of one phase: N latents, classes drawn like the dataset's labels, N·V
   * cameras from the whole-sphere prior (scene-major) and the TF seed {@code (seed, tfSeed)}.
   */
  static Inputs inputs(GanSpec spec, Dataset ds, SplittableRandom r, long tfSeed) {
    int n = spec.scenes();
    int zDim = spec.model().zDim();
    TFloat32 z = TFloat32.tensorOf(Shape.of(n, zDim));
    int[] cls = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < zDim; j++) {
        z.setFloat((float) Latents.gaussian(r), i, j);
      }
      cls[i] = ds.classOf(r.nextInt(ds.size()));
    }
    Camera[] cams = new CameraSampler(spec.camera(), r.nextLong()).sample(spec.fakeImages());
    return new Inputs(z, TInt32.vectorOf(cls), Cameras.toTensors(cams),
        TInt64.vectorOf(spec.seed(), tfSeed));
  }

  /** The fed generator inputs of one phase; see {@link #inputs}. */
  static final class Inputs implements AutoCloseable {
    final TFloat32 z;
    final TInt32 c;
    final Cameras.Batch cams;
    final TInt64 seed;
    /** The towers' rows of these inputs (a split step), closed with them. */
    final List<Tensor> slices = new ArrayList<>();

    Inputs(TFloat32 z, TInt32 c, Cameras.Batch cams, TInt64 seed) {
      this.z = z;
      this.c = c;
      this.cams = cams;
      this.seed = seed;
    }

    Session.Runner feed(Session.Runner r, GanGraph gg) {
      return gg.feedFakes(r, z, c, cams.cam2world(), cams.intrinsics(), seed, slices);
    }

    @Override
    public void close() {
      z.close();
      c.close();
      cams.close();
      seed.close();
      slices.forEach(Tensor::close);
    }
  }

  /**
   * The dataset fits the model: same resolution, and no class beyond {@code model.num_classes}.
   * When it has more classes, says which labels are used beyond the model's range and which of
   * the dataset's declared classes have no images, so the fix is clear.
   */
  static void checkDataset(Dataset ds, Experiment cfg, int res) {
    if (ds.resolution() != res) {
      throw new DataException(
          String.format(
              "dataset resolution: expected %d, found %d (%s; set data.resolution and the model's"
                  + " image resolution to the dataset's, or re-import the dataset at %d)",
              res, ds.resolution(), ds.location(), res));
    }
    int k = cfg.getModel().getNumClasses();
    if (ds.numClasses() > k) {
      int[] counts = ds.classCounts();
      List<Integer> beyond = new ArrayList<>();
      List<Integer> empty = new ArrayList<>();
      int images = 0;
      for (int c = 0; c < counts.length; c++) {
        if (counts[c] == 0) {
          empty.add(c);
        } else if (c >= k) {
          beyond.add(c);
          images += counts[c];
        }
      }
      String range = k == 1 ? "0" : "0-" + (k - 1);
      StringBuilder why = new StringBuilder();
      if (!beyond.isEmpty()) {
        why.append("labels used beyond the model's classes ").append(range).append(": ")
            .append(Dataset.ranges(beyond)).append(" (").append(images)
            .append(images == 1 ? " image)" : " images)");
      }
      if (!empty.isEmpty()) {
        why.append(why.length() > 0 ? "; " : "").append("classes declared in")
            .append(" wild3d.class_names without images: ").append(Dataset.ranges(empty));
      }
      String fix = empty.isEmpty()
          ? "set model.num_classes to " + ds.numClasses()
          : beyond.isEmpty()
              ? "shorten wild3d.class_names of dataset.json to the classes used, or set"
                  + " model.num_classes to " + ds.numClasses()
              : "relabel or remove those images and shorten wild3d.class_names of dataset.json,"
                  + " or set model.num_classes to " + ds.numClasses()
                  + " if the dataset really has that many classes";
      throw new DataException(
          String.format(
              "dataset classes: expected at most model.num_classes = %d, found %d (%s; %s; %s)",
              k, ds.numClasses(), ds.location(), why, fix));
    }
  }

  /** One training run's mutable state. */
  private static final class Run {
    final RunContext ctx;
    final Experiment cfg;
    final TrainSpec t;
    /** Int64 values of the run's state the chief broadcasts: step, kimg bits, tick, data position. */
    static final int STATE_LENGTH = 5;

    final GanGraph gg;
    /** The other worker processes (null with one process). */
    final WorkerSync sync;
    /** Whether this process writes the run directory. */
    final boolean chief;
    final Dataset ds;
    final Session s;
    final EventLog log;
    final CheckpointManager ckpts;
    final int zDim;
    long step;
    double kimg;
    BatchReader.Position position = BatchReader.Position.ZERO;
    int tick;
    final List<MetricSpec> metricSpecs;
    final GracefulStop stopper;
    final AfterStep afterStep;
    Progress progress;

    Run(RunContext ctx, GanGraph gg, WorkerSync sync, Dataset ds, Session s, EventLog log,
        List<MetricSpec> metricSpecs, GracefulStop stopper, AfterStep afterStep) {
      this.sync = sync;
      this.chief = ctx.scale().chief();
      this.metricSpecs = metricSpecs;
      this.stopper = stopper;
      this.afterStep = afterStep;
      this.ctx = ctx;
      this.cfg = ctx.resolved();
      this.t = gg.spec.train();
      this.gg = gg;
      this.ds = ds;
      this.s = s;
      this.log = log;
      this.ckpts = new CheckpointManager(ctx.runDir().resolve("checkpoints"), t.keepCheckpoints());
      this.zDim = gg.spec.model().zDim();
    }

    void loop() throws IOException {
      PrintWriter out = ctx.out();
      if (sync != null && !(chief && ctx.resumed())) {
        s.initialize(); // a session on a server does not initialise by itself
      }
      if (ctx.resumed() && chief) {
        CheckpointManager.Checkpoint c = CheckpointRestore.choose(ctx.runDir(), null, out,
            "start a new run instead of --resume");
        CheckpointRestore.restore(s, c, cfg, "the training graph (G, G_ema, D, optimisers)");
        step = c.manifest().step();
        kimg = c.manifest().kimg();
        tick = Integer.parseInt(c.manifest().extra().getOrDefault("tick", "0"));
        position =
            new BatchReader.Position(
                Long.parseLong(c.manifest().extra().get("data_epoch")),
                Long.parseLong(c.manifest().extra().get("data_index")));
        out.printf(Locale.ROOT, "resumed from %s: step %d, %.3f kimg%n", c.dir(), step, kimg);
      } else if (chief) {
        writeReals();
      }
      if (sync != null) {
        // Every process continues from the chief's variables and state (only it reads checkpoints).
        long[] st = sync.broadcast(s, new long[] {step, Double.doubleToRawLongBits(kimg), tick,
            position.epoch(), position.index()});
        step = st[0];
        kimg = Double.longBitsToDouble(st[1]);
        tick = (int) st[2];
        position = new BatchReader.Position(st[3], st[4]);
        if (!chief) {
          out.printf(Locale.ROOT, "variables and state from the chief (%.1f MB): step %d, %.3f kimg%n",
              sync.variableBytes() / 1e6, step, kimg);
        }
      }
      double totalKimg = t.totalKimg();
      double tickKimg = t.kimgPerTick();
      double nextTick = (tick + 1) * tickKimg;
      double maxSeconds = t.maxMinutes() * 60;
      progress = new Progress(out, "train", totalKimg, Progress.Unit.KIMG, kimg).timeCap(maxSeconds);
      if (!ctx.resumed()) {
        measure("initialisation (step 0)");
      }
      if (sync != null) {
        sync.barrier(s); // the others wait for the chief's step-0 metrics
      }
      Map<String, Double> sums = new LinkedHashMap<>();
      Map<String, Integer> counts = new LinkedHashMap<>();
      long firstStep = step;
      CheckpointManager.Checkpoint saved = null; // the checkpoint of the current step, once written
      boolean stoppedByOther = false; // another process of the run received a signal
      MultiViewSpec.RealBatch reals = gg.spec.realBatch();
      try (BatchReader reader =
          BatchReader.open(
              ds,
              BatchReader.Options.of(reals.groups())
                  .withSeed(cfg.getSeed())
                  .withXflip(cfg.getData().getXflip())
                  .withViewsPerScene(reals.imagesPerGroup())
                  .withRows(gg.realRows())
                  .withStart(position))) {
        stopper.arm(); // from here on a signal waits for the step in flight and a checkpoint
        boolean stop = kimg >= totalKimg;
        // A signal during the samples or metrics of a tick is seen at the top of the next turn.
        // With several processes only an agreed stop ends the loop (all stop after one step).
        while (!stop && (sync != null || !stopper.requested())) {
          Batch real = reader.next();
          Map<String, Float> losses = step(real);
          for (var e : losses.entrySet()) {
            sums.merge(e.getKey(), (double) e.getValue(), Double::sum);
            counts.merge(e.getKey(), 1, Integer::sum);
          }
          step++;
          kimg += reals.images() / 1000.0; // the global batch, whatever this worker read
          position = real.end();
          afterStep.accept(step, stopper);
          boolean signalled = stopper.requested();
          boolean done = kimg >= totalKimg;
          boolean outOfTime = maxSeconds > 0 && progress.elapsedSeconds() >= maxSeconds;
          if (sync != null) { // all processes stop after the same step
            boolean[] any = sync.agree(s, signalled, outOfTime);
            signalled = any[0];
            outOfTime = any[1];
            stoppedByOther |= signalled && !stopper.requested();
          }
          stop = done || outOfTime || signalled;
          boolean tickDone = kimg >= nextTick;
          if (tickDone || stop) {
            if (tickDone) {
              // A stop part-way through a tick (time limit, signal) reports and saves without
              // counting the tick, so a resumed run keeps the uninterrupted run's tick schedule.
              tick++;
              nextTick = (tick + 1) * tickKimg;
            }
            StringBuilder f = new StringBuilder();
            for (var e : sums.entrySet()) {
              double mean = e.getValue() / counts.get(e.getKey());
              f.append(String.format(Locale.ROOT, "%s %.4f  ", e.getKey(), mean));
              if (chief) {
                log.scalar("Loss/" + e.getKey(), step, (float) mean);
              }
            }
            if (chief) {
              log.scalar("Progress/kimg", step, (float) kimg);
              if (gg.blurSigma != null) {
                log.scalar("Progress/blur_sigma", step, blurSigma());
              }
              log.scalar("Timing/sec_per_kimg", step, (float) (progress.workSeconds()
                  / Math.max(1e-9, kimg - progress.startDone())));
            }
            sums.clear();
            counts.clear();
            progress.report(kimg, String.format(Locale.ROOT, "step %d  tick %d  %s", step, tick, f));
            if (chief) {
              if (!signalled) {
                writeSamples();
              }
              log.flush();
              boolean snapshot = tickDone && tick % t.snapshotTicks() == 0;
              if (snapshot || (tickDone && tick == 1) || stop) {
                saved = save();
                if ((snapshot || stop) && !signalled) {
                  measure(saved.dir().toAbsolutePath().normalize().toString());
                }
              }
            }
            if (sync != null) {
              sync.barrier(s); // the others wait while the chief writes
            }
          }
        }
        if (!chief && (stopper.requested() || stoppedByOther)) {
          throw new Wild3dException(Wild3dException.EXIT_INTERRUPTED, String.format(Locale.ROOT,
              "stopped after step %d (%.3f kimg): %s; the chief wrote its checkpoint (continue by"
                  + " starting every process again with --resume RUN)", step, kimg,
              stopper.requested() ? stopper.signal().label() + " received"
                  : "another process of the run received a signal"));
        }
        if (stopper.requested() || stoppedByOther) {
          if (step == firstStep) {
            throw new Wild3dException(Wild3dException.EXIT_INTERRUPTED,
                stopper.beforeFirstStepMessage());
          }
          if (saved == null || saved.manifest().step() != step) {
            saved = save(); // the signal came during the samples or metrics of a tick
          }
          String why = stopper.requested() ? stopper.signal().label()
              : "a signal to another process of the run";
          if (kimg >= totalKimg) {
            ctx.err().printf("%s: %s during the final metrics: they were skipped; the run is"
                + " complete (%s; compute them with wild3d-eval metrics --run %s)%n", Main.NAME,
                why, saved.dir(), ctx.runDir());
            ctx.err().flush();
            return;
          }
          throw new Wild3dException(Wild3dException.EXIT_INTERRUPTED, stopper.stoppedMessage(
              why, step, kimg, saved.dir().toString(), resumeCommand(ctx)));
        }
        if (kimg < totalKimg) {
          out.printf(Locale.ROOT, "stopped at the time limit (train.max_minutes = %.1f)%n", t.maxMinutes());
        }
      }
    }

    /**
     * Runs the phases of one step (G main, density regulariser, D main, R1; with
     * train.shared_fakes the two main steps are one session call) and returns their losses.
     */
    Map<String, Float> step(Batch real) {
      Map<String, Float> losses = new LinkedHashMap<>();
      List<Tensor> slices = new ArrayList<>(); // the towers' blocks of the real batch
      try (TFloat32 x = real.imagesTensor();
          TInt32 c = real.classesTensor();
          TFloat32 sigma = TFloat32.scalarOf(blurSigma())) {
        java.util.function.UnaryOperator<Session.Runner> blur =
            r -> gg.blurSigma != null ? r.feed(gg.blurSigma, sigma) : r;
        // G phase: its own latents, classes and cameras.
        SplittableRandom rg = rng(step, 0);
        try (Inputs in = inputs(rg, step * 4)) {
          if (gg.gdMain != null) {
            var r = gg.feedReals(blur.apply(in.feed(s.runner(), gg)), x, c, slices)
                .addTarget(gg.gdMain).fetch(gg.lossGMainShared).fetch(gg.lossDFakeShared)
                .fetch(gg.lossDRealShared);
            try (Result res = r.run()) {
              losses.put("G", scalar(res, 0));
              losses.put("D_fake", scalar(res, 1));
              losses.put("D_real", scalar(res, 2));
            }
          } else {
            try (Result res = blur.apply(in.feed(s.runner(), gg)).addTarget(gg.gMain)
                .fetch(gg.lossGMain).run()) {
              losses.put("G", scalar(res, 0));
            }
          }
          if (gg.gReg != null && step % t.densityRegInterval() == 0) {
            try (Result res = in.feed(s.runner(), gg).addTarget(gg.gReg).fetch(gg.lossDensity).run()) {
              losses.put("G_density", scalar(res, 0));
            }
          }
        }
        // D phase: fresh fakes (unless shared) and the real batch.
        if (gg.gdMain == null) {
          SplittableRandom rd = rng(step, 1);
          try (Inputs in = inputs(rd, step * 4 + 1)) {
            var r =
                gg.feedReals(blur.apply(in.feed(s.runner(), gg)), x, c, slices)
                    .addTarget(gg.dMain)
                    .fetch(gg.lossDFake)
                    .fetch(gg.lossDReal);
            try (Result res = r.run()) {
              losses.put("D_fake", scalar(res, 0));
              losses.put("D_real", scalar(res, 1));
            }
          }
        }
        if (gg.dReg != null && step % t.r1Interval() == 0) {
          try (Result res =
              gg.feedReals(blur.apply(s.runner()), x, c, slices).addTarget(gg.dReg)
                  .fetch(gg.r1Penalty).run()) {
            losses.put("R1", scalar(res, 0));
          }
        }
      } finally {
        slices.forEach(Tensor::close);
      }
      // EMA with StyleGAN2's half-life and ramp-up.
      try (TFloat32 b = TFloat32.scalarOf(t.emaBeta(kimg, gg.spec.fakeImages()))) {
        s.runner().feed(gg.emaBeta, b).addTarget(gg.updateEma).run();
      }
      for (var e : losses.entrySet()) {
        if (!Float.isFinite(e.getValue())) {
          throw new Wild3dException(
              Wild3dException.EXIT_FAILURE,
              String.format(
                  Locale.ROOT,
                  "non-finite loss: %s = %s at step %d (%.3f kimg); training stopped, nothing was saved"
                      + " after the last good checkpoint (%s). Lower the learning rates or raise"
                      + " train.r1_gamma, then --resume",
                  e.getKey(),
                  e.getValue(),
                  step,
                  kimg,
                  ckpts.latest().map(cp -> cp.dir().toString()).orElse("none yet")));
        }
      }
      return losses;
    }

    /** EG3D's blur σ of D's inputs now: train.blur_sigma fading linearly to 0 by blur_fade_kimg. */
    float blurSigma() {
      return t.blurSigmaAt(kimg);
    }

    SplittableRandom rng(long stepIndex, int phase) {
      return TrainLoop.rng(cfg.getSeed(), stepIndex, phase);
    }

    Inputs inputs(SplittableRandom r, long tfSeed) {
      return TrainLoop.inputs(gg.spec, ds, r, tfSeed);
    }

    /**
     * Computes {@code train.metrics} on the EMA generator as it is now (the training session's
     * sampling path, so nothing is reloaded), appends them to {@code metrics.jsonl} with their
     * provenance and logs them to TensorBoard. The time it takes is left out of sec/kimg.
     *
     * @param checkpoint the checkpoint holding this generator (or what it is, at step 0)
     */
    void measure(String checkpoint) throws IOException {
      if (metricSpecs.isEmpty()) {
        return;
      }
      long t0 = System.nanoTime();
      Map<String, String> prov = new LinkedHashMap<>();
      prov.put("checkpoint", checkpoint);
      prov.put("step", Long.toString(step));
      prov.put("kimg", Double.toString(kimg));
      prov.put("config_hash", ctx.configHash());
      prov.put("source", "wild3d-train (G_ema of the training session)");
      Data data = cfg.getData();
      String inception = cfg.getEval().getInceptionPath();
      MetricJobs.Settings settings = new MetricJobs.Settings(
          Datasets.cacheDir(data).resolve("metrics"), inception.isEmpty() ? null : Path.of(inception),
          cfg.getEval().getBatchSize(), 0, cfg.getEval().getClassifierSteps(), t.threads());
      ImageGenerator live = new ImageGenerator() {
        @Override
        public GeneratedImages generate(float[] z, int[] classes, Camera[] cameras, float psi) {
          if (stopper.requested()) {
            throw new MetricsStopped();
          }
          return gg.sample.generate(s, z, classes, cameras, psi);
        }

        @Override
        public Experiment config() {
          return cfg;
        }

        @Override
        public int imageResolution() {
          return gg.g.imageResolution();
        }
      };
      List<MetricResult> results;
      try {
        results = MetricJobs.ofGenerator(live, ds, metricSpecs, settings, prov, ctx.out());
      } catch (MetricsStopped e) {
        progress.exclude((System.nanoTime() - t0) / 1e9);
        ctx.out().printf(Locale.ROOT, "metrics at step %d skipped: %s received%n", step,
            stopper.signal().label());
        ctx.out().flush();
        return;
      }
      Path jsonl = ctx.runDir().resolve(MetricJobs.METRICS_FILE);
      StringBuilder line = new StringBuilder();
      for (MetricResult r : results) {
        r.appendTo(jsonl);
        log.scalar("Metrics/" + r.name(), step, (float) r.value());
        for (int k = 0; r.perClass() != null && k < r.perClass().size(); k++) {
          String label = k < ds.classNames().size() ? ds.classNames().get(k) : "class" + k;
          log.scalar("Metrics/" + r.name() + "/" + label, step, r.perClass().get(k).floatValue());
        }
        line.append(String.format(Locale.ROOT, "  %s %.4f", r.name(), r.value()));
      }
      log.flush();
      double secs = (System.nanoTime() - t0) / 1e9;
      if (progress != null) {
        progress.exclude(secs);
      }
      ctx.out().printf(Locale.ROOT, "metrics at step %d (%.3f kimg):%s  (%.0f s, in %s)%n", step,
          kimg, line, secs, jsonl);
      for (MetricResult r : results) {
        if (r.perClass() != null) {
          ctx.out().printf(Locale.ROOT, "  %s by class: %s%n", r.name(),
              r.perClassLine(ds.classNames()));
          String mistakes = r.confusionLine(ds.classNames());
          if (!mistakes.isEmpty()) {
            ctx.out().printf(Locale.ROOT, "  %s mistaken: %s%n", r.name(), mistakes);
          }
        }
      }
      ctx.out().flush();
    }

    CheckpointManager.Checkpoint save() {
      Map<String, String> extra = new LinkedHashMap<>();
      extra.put("data_epoch", Long.toString(position.epoch()));
      extra.put("data_index", Long.toString(position.index()));
      extra.put("tick", Integer.toString(tick));
      CheckpointManager.Checkpoint c =
          ckpts.save(s, new Manifest(step, kimg, cfg.getSeed(), ctx.configHash(), Configs.architectureHash(cfg), Version.get(), extra), cfg);
      ctx.out().printf("checkpoint %s%n", c.dir());
      return c;
    }

    /** A grid of real images, one row per class, for comparison with the fakes. */
    void writeReals() {
      DatasetGrid.write(
          ds, GRID_CLASSES, GRID_SCENES * GRID_VIEWS, ctx.runDir().resolve("samples").resolve("reals.png"));
    }

    /**
     * EMA samples: one row per class, {@link #GRID_SCENES} scenes per class each seen from {@link
     * #GRID_VIEWS} cameras around the object, fixed seeds — the same scenes every tick.
     */
    void writeSamples() throws IOException {
      int classes = Math.min(GRID_CLASSES, cfg.getModel().getNumClasses());
      int scenes = classes * GRID_SCENES;
      int views = GRID_VIEWS;
      SplittableRandom r = new SplittableRandom(cfg.getSeed() + 12345);
      float[] zs = new float[scenes * views * zDim];
      int[] cls = new int[scenes * views];
      Camera[] cams = new Camera[scenes * views];
      double radius = cfg.getCamera().getRadius();
      double fov = cfg.getCamera().getFovDegrees();
      for (int sc = 0; sc < scenes; sc++) {
        float[] z = new float[zDim];
        for (int j = 0; j < zDim; j++) {
          z[j] = (float) Latents.gaussian(r);
        }
        for (int vi = 0; vi < views; vi++) {
          int row = sc * views + vi;
          System.arraycopy(z, 0, zs, row * zDim, zDim);
          cls[row] = sc / GRID_SCENES;
          cams[row] = Camera.fromSpherical(2 * Math.PI * vi / views + 0.3, Math.toRadians(60),
              radius, fov);
        }
      }
      int res = gg.g.imageResolution();
      int rr = cfg.getRender().getResolution();
      GeneratedImages out = gg.sample.generate(s, zs, cls, cams, 1f);
      float near = cfg.getRender().getRayStart();
      float far = cfg.getRender().getRayEnd();
      float[][] tiles = new float[scenes * views][];
      float[][] depthTiles = new float[scenes * views][];
      for (int i = 0; i < tiles.length; i++) {
        tiles[i] = java.util.Arrays.copyOfRange(out.images(), i * res * res * 3,
            (i + 1) * res * res * 3);
        float[] d = java.util.Arrays.copyOfRange(out.depth(), i * rr * rr, (i + 1) * rr * rr);
        for (int k = 0; k < d.length; k++) {
          d[k] = 1f - 2f * (d[k] - near) / (far - near); // near = white, far = black
        }
        depthTiles[i] = d;
      }
      int cols = GRID_SCENES * views;
      BufferedImage grid = Grid.assemble(tiles, classes, cols, res, res, 3, 1);
      Path dir = ctx.runDir().resolve("samples");
      Grid.writePng(grid, dir.resolve(String.format(Locale.ROOT, "fakes-step%07d.png", step)));
      Grid.writePng(grid, dir.resolve("fakes-latest.png"));
      Grid.writePng(
          Grid.assemble(depthTiles, classes, cols, rr, rr, 1, 1), dir.resolve("depth-latest.png"));
      byte[] rgb = new byte[grid.getWidth() * grid.getHeight() * 3];
      for (int y = 0, k = 0; y < grid.getHeight(); y++) {
        for (int x = 0; x < grid.getWidth(); x++) {
          int p = grid.getRGB(x, y);
          rgb[k++] = (byte) (p >> 16);
          rgb[k++] = (byte) (p >> 8);
          rgb[k++] = (byte) p;
        }
      }
      log.image("samples", step, rgb, grid.getHeight(), grid.getWidth());
    }

    static float scalar(Result r, int i) {
      return ((TFloat32) r.get(i)).getFloat();
    }
  }
}
