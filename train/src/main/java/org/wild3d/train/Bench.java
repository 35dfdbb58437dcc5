package org.wild3d.train;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.wild3d.camera.Camera;
import org.wild3d.camera.CameraSampler;
import org.wild3d.camera.Cameras;
import org.wild3d.config.Experiment;
import org.wild3d.config.GanSpec;
import org.wild3d.config.RenderSpec;
import org.wild3d.config.TrainSpec;
import org.wild3d.model.Latents;
import org.wild3d.model.SampleGraph;
import org.wild3d.tf.FlopCounter;
import org.wild3d.tf.MatMulPeak;
import org.wild3d.tf.OpProfile;
import org.wild3d.tf.Sessions;

/**
 * The training-step benchmark behind {@code wild3d-train bench}: times the phases of a real
 * {@link GanGraph} step (on synthetic inputs, so no dataset is needed) and reports per-item costs,
 * rays·samples per second and achieved conv+matmul GFLOP/s next to a measured MatMul peak on the
 * same machine — the figures the performance notes compare with EG3D.
 */
public final class Bench {
  /** Median seconds of one phase. */
  public record Timing(String phase, double seconds, double gflop) {}

  /** Everything measured, also printed. */
  public record Report(
      double buildSeconds,
      double matmulPeakGflops,
      List<Timing> timings,
      double imagesPerSecondMainStep,
      double mainStepSeconds,
      double mainStepGflop) {}

  private Bench() {}

  /**
   * Runs the benchmark.
   *
   * @param warmup untimed runs of each phase first (graph optimisation, allocations)
   * @param repeats timed runs; the median is reported
   * @param peakSize n of the n×n MatMul peak measurement; 0 skips it
   */
  public static Report run(Experiment cfg, int warmup, int repeats, int peakSize, PrintWriter out) {
    return run(cfg, warmup, repeats, peakSize, 0, out);
  }

  /**
   * As {@link #run(Experiment, int, int, int, PrintWriter)}, and with {@code profileTop > 0} also
   * prints where the G and D main steps spend their time (top op types and modules).
   */
  public static Report run(
      Experiment cfg, int warmup, int repeats, int peakSize, int profileTop, PrintWriter out) {
    int threads = cfg.getTrain().getThreads();
    out.printf(
        Locale.ROOT,
        "machine: %d cores (%s, %s); session threads %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.arch"),
        System.getProperty("os.name"),
        threads > 0 ? Integer.toString(threads) : "TF default");
    out.println("kernels: " + org.wild3d.tf.FusedOps.status());
    double peak = 0;
    if (peakSize > 0) {
      peak = MatMulPeak.measure(peakSize, 5, threads);
      out.printf(Locale.ROOT, "matmul peak: %.0f GFLOP/s (float32 %d², median of 5)%n", peak, peakSize);
    }
    try (Graph graph = new Graph()) {
      long t0 = System.nanoTime();
      GanSpec spec = GanSpec.from(cfg);
      GanGraph gg = new GanGraph(graph, spec);
      double build = (System.nanoTime() - t0) / 1e9;
      int n = spec.scenes();
      int v = spec.model().multiview().views();
      int nv = spec.fakeImages();
      int reals = spec.realBatch().images();
      int res = spec.model().imageResolution();
      RenderSpec render = spec.model().render();
      int rr = render.resolution();
      long samples = render.samplesStratified() + render.samplesImportance();
      out.printf(
          Locale.ROOT,
          "graph: built in %.2f s, %d ops; G %,d parameters, D %,d parameters%n",
          build,
          countOps(graph),
          gg.gParams().trainableCount(),
          gg.dParams().trainableCount());
      out.printf(
          Locale.ROOT,
          "batch: %d scenes × %d views = %d fake images of %d² (neural rendering %d², %d samples/ray), %d reals%n",
          n,
          v,
          nv,
          res,
          rr,
          samples,
          reals);
      SplittableRandom r = new SplittableRandom(cfg.getSeed());
      int zDim = spec.model().zDim();
      int k = spec.model().numClasses();
      Camera[] cams = new CameraSampler(spec.camera(), 1).sample(nv);
      float[] zs = normals(r, n * zDim);
      float[] sz = normals(r, nv * zDim);
      int[] cs = classes(r, n, k);
      int[] sc = classes(r, nv, k);
      int[] crs = classes(r, reals, k);
      try (Session s = Sessions.create(graph, threads);
          TFloat32 z = TFloat32.tensorOf(Shape.of(n, zDim), DataBuffers.of(zs, true, false));
          TInt32 c = TInt32.vectorOf(cs);
          // G_ema's sampling inputs: one camera per scene, ψ = 1.
          SampleGraph.Feed sampleIn = gg.sample.feed(sz, sc, cams, 1f);
          TInt32 cr = TInt32.vectorOf(crs);
          TFloat32 real = randomImages(r, reals, res);
          Cameras.Batch cb = Cameras.toTensors(cams);
          TInt64 seed = TInt64.vectorOf(1, 2);
          TFloat32 beta = TFloat32.scalarOf(0.99f)) {
        List<Timing> timings = new ArrayList<>();
        Supplier<Session.Runner> fakes =
            () ->
                s.runner()
                    .feed(gg.z, z)
                    .feed(gg.cFake, c)
                    .feed(gg.cam2world, cb.cam2world())
                    .feed(gg.intrinsics, cb.intrinsics())
                    .feed(gg.seed, seed);
        // Fetches nothing: each use adds its own fetch, so the triplane timing prunes rendering.
        Supplier<Session.Runner> sampleFeeds = () -> sampleIn.runner(s);
        Supplier<Session.Runner> sample = () -> sampleFeeds.get().fetch(gg.sample.fromZ().image());
        Timing fwd = time("G forward (EMA, mapping+synthesis+rendering)", sample, List.of(gg.sample.fromZ().image()), warmup, repeats);
        timings.add(fwd);
        Timing planes = time("G forward to triplanes (mapping+synthesis)",
            () -> sampleFeeds.get().fetch(gg.sample.fromZ().planes()),
            List.of(gg.sample.fromZ().planes()), warmup, repeats);
        timings.add(planes);
        Timing gMain =
            time("G main step (fwd+bwd+Adam)", () -> fakes.get().addTarget(gg.gMain).fetch(gg.lossGMain), List.of(gg.gMain), warmup, repeats);
        timings.add(gMain);
        Timing dMain =
            time(
                "D main step (fakes+reals, fwd+bwd+Adam)",
                () -> fakes.get().feed(gg.real, real).feed(gg.cReal, cr).addTarget(gg.dMain).fetch(gg.lossDReal),
                List.of(gg.dMain),
                warmup,
                repeats);
        timings.add(dMain);
        Timing shared = null;
        if (gg.gdMain != null) {
          shared = time(
              "G+D main step, shared fakes (one G pass)",
              () -> fakes.get().feed(gg.real, real).feed(gg.cReal, cr).addTarget(gg.gdMain)
                  .fetch(gg.lossDReal),
              List.of(gg.gdMain),
              warmup,
              repeats);
          timings.add(shared);
        }
        Timing dReg = null;
        Timing gReg = null;
        if (gg.dReg != null) {
          dReg =
              time(
                  "D reg step (R1)",
                  () -> s.runner().feed(gg.real, real).feed(gg.cReal, cr).addTarget(gg.dReg).fetch(gg.r1Penalty),
                  List.of(gg.dReg),
                  warmup,
                  repeats);
          timings.add(dReg);
        }
        if (gg.gReg != null) {
          gReg = time("G reg step (density)", () -> fakes.get().addTarget(gg.gReg).fetch(gg.lossDensity), List.of(gg.gReg), warmup, repeats);
          timings.add(gReg);
        }
        Timing ema =
            time(
                "EMA update",
                () -> s.runner().feed(gg.emaBeta, beta).addTarget(gg.updateEma),
                List.of(gg.updateEma),
                warmup,
                repeats);
        timings.add(ema);
        for (Timing t : timings) {
          out.printf(
              Locale.ROOT,
              "  %-45s %9.1f ms  %8.2f GFLOP  %7.1f GFLOP/s%s%n",
              t.phase(),
              t.seconds() * 1e3,
              t.gflop(),
              t.gflop() / t.seconds(),
              peak > 0 ? String.format(Locale.ROOT, " (%.0f%% of peak)", 100 * t.gflop() / t.seconds() / peak) : "");
        }
        double perImage = fwd.seconds() / nv;
        double raySamples = (double) nv * rr * rr * samples / fwd.seconds();
        out.printf(
            Locale.ROOT,
            "G forward: %.2f ms/image; %.2f M ray-samples/s%n",
            perImage * 1e3,
            raySamples / 1e6);
        double main = shared != null ? shared.seconds() : gMain.seconds() + dMain.seconds();
        double gflop = shared != null ? shared.gflop() : gMain.gflop() + dMain.gflop();
        // Two separately timed runs: their difference is the rendering's cost, within timing noise.
        out.printf(Locale.ROOT, "G forward split: mapping+synthesis %.1f ms, neural rendering"
                + " (triplane sampling, decoder, ray marching) %.1f ms of %.1f ms%n",
            planes.seconds() * 1e3, Math.max(0, fwd.seconds() - planes.seconds()) * 1e3,
            fwd.seconds() * 1e3);
        TrainSpec tc = spec.train();
        double r1 = dReg != null ? dReg.seconds() / tc.r1Interval() : 0;
        double dens = gReg != null ? gReg.seconds() / tc.densityRegInterval() : 0;
        double stepSecs = main + r1 + dens + ema.seconds();
        out.printf(Locale.ROOT, "training step (amortised lazy regularisers): %.3f s = %.1f"
                + " sec/kimg (%d fake images/step): main %.0f%%, R1 %.0f%%, density %.0f%%, EMA"
                + " %.0f%%%s%n",
            stepSecs, stepSecs * 1000 / nv, nv, 100 * main / stepSecs, 100 * r1 / stepSecs,
            100 * dens / stepSecs, 100 * ema.seconds() / stepSecs,
            shared != null ? " (shared fakes)" : "");
        out.printf(
            Locale.ROOT,
            "G+D main step: %.3f s/batch = %.1f fake img/s; %.1f GFLOP → %.1f GFLOP/s%s%n",
            main,
            nv / main,
            gflop,
            gflop / main,
            peak > 0 ? String.format(Locale.ROOT, " (%.0f%% of MatMul peak)", 100 * gflop / main / peak) : "");
        if (profileTop > 0) {
          OpProfile.run(sample.get()).print(out, "profile of the G forward (EMA)", profileTop);
          OpProfile.run(fakes.get().addTarget(gg.gMain)).print(out, "profile of the G main step", profileTop);
          OpProfile.run(fakes.get().feed(gg.real, real).feed(gg.cReal, cr).addTarget(gg.dMain))
              .print(out, "profile of the D main step", profileTop);
        }
        return new Report(build, peak, timings, nv / main, main, gflop);
      }
    }
  }

  private static Timing time(
      String phase, Supplier<Session.Runner> runner, List<? extends Op> roots, int warmup, int repeats) {
    for (int i = 0; i < warmup; i++) {
      runner.get().run().close();
    }
    double[] t = new double[Math.max(1, repeats)];
    for (int i = 0; i < t.length; i++) {
      long t0 = System.nanoTime();
      runner.get().run().close();
      t[i] = (System.nanoTime() - t0) / 1e9;
    }
    Arrays.sort(t);
    return new Timing(phase, t[t.length / 2], FlopCounter.count(roots).gflop());
  }

  private static long countOps(Graph g) {
    long n = 0;
    var it = g.operations();
    while (it.hasNext()) {
      it.next();
      n++;
    }
    return n;
  }

  /** {@code n} standard normal draws, in order. */
  private static float[] normals(SplittableRandom r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) Latents.gaussian(r);
    }
    return x;
  }

  private static int[] classes(SplittableRandom r, int n, int k) {
    int[] c = new int[n];
    for (int i = 0; i < n; i++) {
      c[i] = r.nextInt(k);
    }
    return c;
  }

  private static TFloat32 randomImages(SplittableRandom r, int n, int res) {
    float[] x = new float[n * res * res * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return TFloat32.tensorOf(Shape.of(n, res, res, 3), org.tensorflow.ndarray.buffer.DataBuffers.of(x, true, false));
  }
}
