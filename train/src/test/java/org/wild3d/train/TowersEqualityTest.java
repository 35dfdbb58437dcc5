package org.wild3d.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
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
import org.wild3d.scale.Placement;
import org.wild3d.scale.Rows;
import org.wild3d.tf.Sessions;

/**
 * Data-parallel towers compute what one device computes at the same total batch: two towers on
 * two CPU devices of one process, fed the same global inputs, give the same losses and the same
 * updated variables (G, D, both Adams' moments, w_avg) as one tower, for every phase — G main,
 * the density regulariser, D main, R1, and the shared G+D step — with one and two views per
 * scene, per-view and stacked fusion.
 *
 * <p>Tolerance: a tower's loss is the mean over its half of the batch and the towers' values are
 * averaged, where one device takes the mean over the whole batch; the gradients are sums in
 * another order. float32 sums of this size differ by a few ulps (~1e-7 relative), so losses
 * must agree to 1e-5 relative. The gradients (Adam's first-moment slots: with beta1 0 they are
 * the step's gradients) and second moments must agree to 1e-4 of the step's largest (summation
 * rounding is relative to the summands, not to one element's result); the other variables after
 * one Adam step to 1e-5 absolute + 1e-4 of their tensor's largest |value|, with one exception:
 * Adam's update is lr·g/(|g|+ε), so
 * an element whose gradient is float noise (below 1e-4 of the step's largest gradient: the
 * summands of a gradient have about that scale, e.g. a bias R1 hardly depends on, whose gradient
 * of 1e-10 is what is left of larger terms that cancel) moves by a noise-signed amount up to lr. Those elements are compared
 * by their gradient, which beta1 = 0 makes Adam's first-moment slot, itself compared like every
 * variable. Measured differences and the number of such elements are printed.
 */
class TowersEqualityTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "views {0}, {1}")
  @CsvSource({"1, PER_VIEW", "2, PER_VIEW", "2, STACKED"})
  @Timeout(300)
  void twoTowersEqualOneDeviceInEveryPhase(int views, String fusion) {
    Experiment cfg = TinyTraining.load(dir, String.format(
        "model { multiview { views: %d fusion: %s } } train { batch_size: 4 r1_gamma: 1"
            + " density_reg: 0.25 }", views, fusion)).resolved();
    GanSpec spec = GanSpec.from(cfg);
    Placement two = new Placement(Placement.devices("CPU", 2), 0, 1, 60f);
    List<String> phases = List.of("g_main", "g_reg", "d_main", "d_reg");
    Map<String, Run> one = run(spec, Placement.single(), phases);
    Map<String, Run> split = run(spec, two, phases);
    for (String phase : phases) {
      compare(phase, one.get(phase), split.get(phase));
    }
    Experiment shared = TinyTraining.load(dir, String.format(
        "model { multiview { views: %d fusion: %s } } train { batch_size: 4 shared_fakes: true }",
        views, fusion)).resolved();
    GanSpec sharedSpec = GanSpec.from(shared);
    compare("gd_main", run(sharedSpec, Placement.single(), List.of("gd_main")).get("gd_main"),
        run(sharedSpec, two, List.of("gd_main")).get("gd_main"));
  }

  /** One phase's fetched losses and every variable after it. */
  record Run(Map<String, Float> losses, List<String> names, List<float[]> variables) {}

  private static void compare(String phase, Run one, Run split) {
    double maxLoss = 0;
    for (var e : one.losses().entrySet()) {
      float a = e.getValue();
      float b = split.losses().get(e.getKey());
      maxLoss = Math.max(maxLoss, Math.abs(a - b) / Math.max(1e-6, Math.abs(a)));
      assertThat(b).as("%s %s", phase, e.getKey())
          .isCloseTo(a, org.assertj.core.data.Offset.offset(1e-5f * Math.max(1f, Math.abs(a))));
    }
    assertThat(split.variables()).hasSameSizeAs(one.variables());
    // The step's largest gradient and second moment over every variable (Adam's slots).
    float gradScale = 0;
    float momentScale = 0;
    for (int k = 0; k < one.names().size(); k++) {
      if (one.names().get(k).endsWith("_m")) {
        gradScale = Math.max(gradScale, maxAbs(one.variables().get(k)));
      } else if (one.names().get(k).endsWith("_v")) {
        momentScale = Math.max(momentScale, maxAbs(one.variables().get(k)));
      }
    }
    assertThat(gradScale).as("%s: some gradient", phase).isPositive();
    double maxVar = 0;
    double maxGrad = 0;
    int noise = 0;
    for (int i = 0; i < one.variables().size(); i++) {
      String name = one.names().get(i);
      float[] a = one.variables().get(i);
      float[] b = split.variables().get(i);
      boolean m = name.endsWith("_m");
      boolean v = name.endsWith("_v");
      // Adam's first moment of this variable: with beta1 = 0 it is the step's gradient.
      String slot = "/" + name.replace('/', '_') + "_m";
      float[] grad = null;
      for (int k = 0; !m && !v && k < one.names().size(); k++) {
        if (one.names().get(k).endsWith(slot)) {
          grad = one.variables().get(k);
        }
      }
      float tolerance = m ? 1e-4f * gradScale : v ? 1e-4f * momentScale
          : 1e-5f + 1e-4f * maxAbs(a);
      for (int j = 0; j < a.length; j++) {
        if (grad != null && Math.abs(grad[j]) < 1e-4f * gradScale) {
          noise++; // a gradient at float noise: its slot is compared instead
          continue;
        }
        if (m) {
          maxGrad = Math.max(maxGrad, Math.abs(a[j] - b[j]) / gradScale);
        } else if (!v) {
          maxVar = Math.max(maxVar, Math.abs(a[j] - b[j]));
        }
        assertThat(b[j]).as("%s variable %s[%s] (gradient %s, the step's largest %s)", phase,
                name, j, grad == null ? "-" : grad[j], gradScale)
            .isCloseTo(a[j], org.assertj.core.data.Offset.offset(tolerance));
      }
    }
    System.out.printf(java.util.Locale.ROOT, "%s: losses %s vs %s (max rel. diff %.2g); gradients"
        + " max diff %.2g of the largest; other variables max abs. diff %.2g (%d updated values"
        + " with gradients at float noise compared by their gradient)%n", phase, one.losses(),
        split.losses(), maxLoss, maxGrad, maxVar, noise);
  }

  /**
   * Builds the graph for {@code placement} once and runs each phase once on fixed global inputs,
   * every phase from the initial variables.
   */
  private static Map<String, Run> run(GanSpec spec, Placement placement, List<String> phases) {
    int n = spec.scenes();
    int v = spec.model().multiview().views();
    int zDim = spec.model().zDim();
    int res = spec.model().imageResolution();
    var rb = spec.model().multiview().realBatch(n);
    SplittableRandom r = new SplittableRandom(17);
    float[] z = new float[n * zDim];
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) org.wild3d.model.Latents.gaussian(r);
    }
    int[] c = new int[n];
    for (int i = 0; i < n; i++) {
      c[i] = i % spec.model().numClasses();
    }
    Camera[] cams = new CameraSampler(spec.camera(), 5).sample(n * v);
    float[] x = new float[rb.images() * res * res * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextDouble() * 2 - 1);
    }
    int[] cr = new int[rb.images()];
    for (int i = 0; i < cr.length; i++) {
      cr[i] = (i / rb.imagesPerGroup()) % spec.model().numClasses();
    }
    List<Tensor> owned = new ArrayList<>();
    try (Graph g = new Graph()) {
      long t0 = System.nanoTime();
      GanGraph gg = new GanGraph(g, spec, placement);
      System.out.printf("built %s in %.1f s%n", placement.devices(), (System.nanoTime() - t0) / 1e9);
      try (Session s = Sessions.create(g, 2, placement);
          TFloat32 zt = TFloat32.tensorOf(Shape.of(n, zDim), DataBuffers.of(z, true, false));
          TInt32 ct = TInt32.vectorOf(c);
          Cameras.Batch cb = Cameras.toTensors(cams);
          TInt64 seed = TInt64.vectorOf(3, 4);
          TFloat32 xt = TFloat32.tensorOf(Shape.of(rb.images(), res, res, 3),
              DataBuffers.of(x, true, false));
          TInt32 crt = TInt32.vectorOf(cr)) {
        int[] rows = gg.realRows();
        TFloat32 xw = xt;
        TInt32 cw = crt;
        if (rows != null) { // this worker's real batch, in its towers' order
          int[] images = new int[rows.length * rb.imagesPerGroup()];
          for (int i = 0; i < rows.length; i++) {
            for (int k = 0; k < rb.imagesPerGroup(); k++) {
              images[i * rb.imagesPerGroup() + k] = rows[i] * rb.imagesPerGroup() + k;
            }
          }
          xw = Rows.select(xt, images);
          cw = Rows.select(crt, images);
          owned.add(xw);
          owned.add(cw);
        }
        Map<String, Run> runs = new LinkedHashMap<>();
        for (String phase : phases) {
        long tp = System.nanoTime();
        s.forceInitialize();
        Session.Runner runner = gg.feedReals(gg.feedFakes(s.runner(), zt, ct, cb.cam2world(),
            cb.intrinsics(), seed, owned), xw, cw, owned);
        Map<String, Operand<TFloat32>> fetch = new LinkedHashMap<>();
        Op target = switch (phase) {
          case "g_main" -> {
            fetch.put("G", gg.lossGMain);
            yield gg.gMain;
          }
          case "g_reg" -> {
            fetch.put("G_density", gg.lossDensity);
            yield gg.gReg;
          }
          case "d_main" -> {
            fetch.put("D_fake", gg.lossDFake);
            fetch.put("D_real", gg.lossDReal);
            yield gg.dMain;
          }
          case "d_reg" -> {
            fetch.put("R1", gg.r1Penalty);
            yield gg.dReg;
          }
          case "gd_main" -> {
            fetch.put("G", gg.lossGMainShared);
            fetch.put("D_fake", gg.lossDFakeShared);
            fetch.put("D_real", gg.lossDRealShared);
            yield gg.gdMain;
          }
          default -> throw new IllegalArgumentException(phase);
        };
        runner.addTarget(target);
        fetch.values().forEach(runner::fetch);
        Map<String, Float> losses = new LinkedHashMap<>();
        try (Result res2 = runner.run()) {
          int i = 0;
          for (String k : fetch.keySet()) {
            losses.put(k, ((TFloat32) res2.get(i++)).getFloat());
          }
        }
        long tv = System.nanoTime();
        runs.put(phase, new Run(losses, names(g), variables(s, g)));
        System.out.printf("%s %s: init+run %.1f s, variables %.1f s%n", placement.devices(), phase,
            (tv - tp) / 1e9, (System.nanoTime() - tv) / 1e9);
        }
        return runs;
      } finally {
        owned.forEach(Tensor::close);
      }
    }
  }

  private static float maxAbs(float[] a) {
    float m = 0;
    for (float x : a) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }

  /** The names of the graph's variables, sorted. */
  private static List<String> names(Graph g) {
    List<String> names = new ArrayList<>();
    for (var it = g.operations(); it.hasNext(); ) {
      var op = it.next();
      if (op.type().equals("VariableV2")) {
        names.add(op.name());
      }
    }
    java.util.Collections.sort(names);
    return names;
  }

  /** Every float variable of the graph (sorted by name), as values, in one session call. */
  private static List<float[]> variables(Session s, Graph g) {
    Session.Runner r = s.runner();
    names(g).forEach(r::fetch);
    List<float[]> out = new ArrayList<>();
    try (Result res = r.run()) {
      for (int i = 0; i < res.size(); i++) {
        TFloat32 t = (TFloat32) res.get(i);
        float[] a = new float[(int) t.size()];
        t.copyTo(DataBuffers.of(a, false, false));
        out.add(a);
      }
    }
    return out;
  }
}
