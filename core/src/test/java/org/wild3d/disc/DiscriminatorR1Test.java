package org.wild3d.disc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.wild3d.config.DiscriminatorSpec;
import org.wild3d.config.MultiView;
import org.wild3d.config.MultiViewSpec;
import org.wild3d.loss.GanLosses;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.tf.Grads;

/**
 * R1's gradient with respect to D's variables (a second-order gradient) against central finite
 * differences of R1 itself, on a tiny D (8², 4 channels, 2 classes, mbstd on, class mapping).
 *
 * <p>D's graph is float32 (Params creates float32 variables), so the check uses a relative step
 * h = 1e-2·rms(variable) and a tolerance of 2e-2 relative plus a float32 rounding floor. R1 is
 * piecewise smooth in θ: it jumps where a LeakyRelu input changes sign. Each sampled coordinate's
 * ±h runs are therefore compared with the base run's activation signs, and coordinates whose
 * pattern changes are skipped (and counted: most must survive). Biases are set to random values
 * (fed through the variables' read outputs) so their gradients are not all at the zero-bias point.
 *
 * <p>This test found a TensorFlow bug: under oneDNN, the input gradient of a stride-2 Conv2D with
 * one input and one output channel is wrong (see {@link org.wild3d.nn.Conv2d}); before the fix the
 * analytic gradients of every layer after a downsampling block were off by 5-150%.
 */
class DiscriminatorR1Test {

  private static final float H_REL = 1e-2f;
  private static final double RTOL = 2e-2;

  @Test
  void r1GradientMatchesFiniteDifferencesPerView() {
    check(false, 1, MultiView.Fusion.PER_VIEW);
  }

  @Test
  void r1GradientMatchesFiniteDifferencesDualStacked() {
    check(true, 2, MultiView.Fusion.STACKED);
  }

  private static void check(boolean dual, int views, MultiView.Fusion fusion) {
    int scenes = 4;
    int rows = scenes * views;
    Random r = new Random(11);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Discriminator d =
          new Discriminator(
              tf, new Params(7), "D", new DiscriminatorSpec(8, 3, dual,
                  new MultiViewSpec(views, fusion), 2, 32, 4, 2, 1, 8, 2, 0f));
      var img = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(rows, 8, 8, 3)));
      var raw = dual ? tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(rows, 4, 4, 3))) : null;
      var cls = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(rows)));
      Operand<TFloat32> logits = d.score(img, raw, cls);
      Operand<TFloat32> r1 = GanLosses.r1Penalty(tf, logits, dual ? List.of(img, raw) : List.of(img));
      List<Param> params = d.trainables();
      List<Operand<TFloat32>> values = params.stream().map(Param::value).toList();
      List<Operand<TFloat32>> grads = Grads.of(tf, r1, values);
      List<Operand<?>> lreluInputs = new ArrayList<>();
      for (var it = g.operations(); it.hasNext(); ) {
        Operation op = it.next();
        if (op.type().equals("LeakyRelu")) {
          lreluInputs.add(((GraphOperation) op).input(0));
        }
      }
      assertThat(lreluInputs).hasSize(7); // fromrgb, conv0, conv1, b4/conv, b4/fc, mapping fc0, fc1

      int[] labels = new int[rows];
      for (int i = 0; i < rows; i++) {
        labels[i] = (i / views) % 2; // a stacked scene's views share a class
      }
      try (Session s = new Session(g);
          TFloat32 it = DiscriminatorTest.randomTensor(r, rows, 8, 8, 3);
          TFloat32 rt = DiscriminatorTest.randomTensor(r, rows, 4, 4, 3);
          TInt32 ct = DiscriminatorTest.labelTensor(labels)) {
        // θ: the initial weights, random biases
        float[][] theta = new float[params.size()][];
        List<Operand<?>> vars = new ArrayList<>();
        params.forEach(p -> vars.add(p.variable()));
        try (Result res = fetchAll(s.runner(), vars)) {
          for (int j = 0; j < params.size(); j++) {
            theta[j] = DiscriminatorTest.flat((TFloat32) res.get(j));
            if (params.get(j).name().endsWith("/bias")) {
              float lrMul = params.get(j).name().contains("/mapping/fc") ? 0.01f : 1f;
              for (int i = 0; i < theta[j].length; i++) {
                theta[j][i] = (float) (0.3 * r.nextGaussian() / lrMul);
              }
            }
          }
        }
        Evaluator ev = new Evaluator(s, params, img, it, raw, rt, cls, ct, r1, lreluInputs);
        double r1Base = ev.r1(theta);
        boolean[] signs = ev.signs;
        assertThat(r1Base).isGreaterThan(0);
        float[][] analytic = ev.fetch(theta, grads);

        int checked = 0;
        int skipped = 0;
        StringBuilder report = new StringBuilder();
        for (int j = 0; j < params.size(); j++) {
          String name = params.get(j).name();
          double rms = rms(analytic[j]);
          if (name.endsWith("/weight")) {
            assertThat(rms).as("R1 gradient of %s", name).isGreaterThan(0);
          }
          if (name.equals("D/b4/out/bias") || name.equals("D/b4/fc/bias")) {
            // after mbstd, biases change ∂D/∂x only through LeakyRelu's piecewise-constant slope
            assertThat(rms).as("R1 gradient of %s", name).isZero();
          }
          float h = (float) Math.max(1e-3, H_REL * rms(theta[j]));
          int want = Math.min(3, theta[j].length);
          int done = 0;
          double worst = 0;
          for (int attempt = 0; attempt < 12 && done < want; attempt++) {
            int i = r.nextInt(theta[j].length);
            float keep = theta[j][i];
            theta[j][i] = keep + h;
            double plus = ev.r1(theta);
            boolean samePlus = java.util.Arrays.equals(signs, ev.signs);
            theta[j][i] = keep - h;
            double minus = ev.r1(theta);
            boolean sameMinus = java.util.Arrays.equals(signs, ev.signs);
            theta[j][i] = keep;
            if (!samePlus || !sameMinus) {
              skipped++;
              continue;
            }
            double fd = (plus - minus) / (2 * h);
            double an = analytic[j][i];
            double floor = 2e-6 * r1Base / h; // float32 rounding of R1, amplified by 1/(2h)
            double err = Math.abs(fd - an);
            assertThat(err)
                .as("dR1/d%s[%d]: analytic %s, finite difference %s (h %s)", name, i, an, fd, h)
                .isLessThanOrEqualTo(RTOL * Math.abs(an) + 1e-2 * rms + floor);
            worst = Math.max(worst, err / (Math.abs(an) + 1e-2 * rms + floor));
            done++;
            checked++;
          }
          assertThat(done).as("coordinates of %s checked", name).isGreaterThan(0);
          report.append(String.format("%s %.2e; ", name, worst));
        }
        System.out.printf(
            "R1 FD check (dual=%s, %s): %d coordinates checked, %d skipped (activation pattern changed); "
                + "worst error/(|an|+1e-2·rms+floor) per variable: %s%n",
            dual, fusion, checked, skipped, report);
        assertThat(skipped).isLessThan(checked);
      }
    }
  }

  private static double rms(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s / v.length);
  }

  private static Result fetchAll(Session.Runner runner, List<Operand<?>> fetches) {
    fetches.forEach(runner::fetch);
    return runner.run();
  }

  /** Runs the graph at given variable values, fed through the variables' read outputs. */
  private static final class Evaluator {
    final Session s;
    final List<Param> params;
    final Placeholder<TFloat32> img;
    final TFloat32 imgT;
    final Placeholder<TFloat32> raw;
    final TFloat32 rawT;
    final Placeholder<TInt32> cls;
    final TInt32 clsT;
    final Operand<TFloat32> r1;
    final List<Operand<?>> lreluInputs;
    boolean[] signs;

    Evaluator(
        Session s,
        List<Param> params,
        Placeholder<TFloat32> img,
        TFloat32 imgT,
        Placeholder<TFloat32> raw,
        TFloat32 rawT,
        Placeholder<TInt32> cls,
        TInt32 clsT,
        Operand<TFloat32> r1,
        List<Operand<?>> lreluInputs) {
      this.s = s;
      this.params = params;
      this.img = img;
      this.imgT = imgT;
      this.raw = raw;
      this.rawT = rawT;
      this.cls = cls;
      this.clsT = clsT;
      this.r1 = r1;
      this.lreluInputs = lreluInputs;
    }

    /** R1 at θ; also records the signs of every LeakyRelu input in {@link #signs}. */
    double r1(float[][] theta) {
      List<Operand<?>> fetches = new ArrayList<>();
      fetches.add(r1);
      fetches.addAll(lreluInputs);
      List<TFloat32> feeds = new ArrayList<>();
      try {
        Session.Runner run = runner(theta, feeds);
        try (Result res = fetchAll(run, fetches)) {
          List<Boolean> sg = new ArrayList<>();
          for (int k = 1; k < fetches.size(); k++) {
            for (float x : DiscriminatorTest.flat((TFloat32) res.get(k))) {
              sg.add(x > 0);
            }
          }
          signs = new boolean[sg.size()];
          for (int k = 0; k < signs.length; k++) {
            signs[k] = sg.get(k);
          }
          return ((TFloat32) res.get(0)).getFloat();
        }
      } finally {
        feeds.forEach(TFloat32::close);
      }
    }

    float[][] fetch(float[][] theta, List<Operand<TFloat32>> outs) {
      List<TFloat32> feeds = new ArrayList<>();
      try {
        Session.Runner run = runner(theta, feeds);
        try (Result res = fetchAll(run, new ArrayList<>(outs))) {
          float[][] out = new float[outs.size()][];
          for (int k = 0; k < outs.size(); k++) {
            out[k] = DiscriminatorTest.flat((TFloat32) res.get(k));
          }
          return out;
        }
      } finally {
        feeds.forEach(TFloat32::close);
      }
    }

    private Session.Runner runner(float[][] theta, List<TFloat32> feeds) {
      Session.Runner run = s.runner().feed(img, imgT).feed(cls, clsT);
      if (raw != null) {
        run.feed(raw, rawT);
      }
      for (int j = 0; j < params.size(); j++) {
        TFloat32 t = TFloat32.tensorOf(params.get(j).shape(), DataBuffers.of(theta[j].clone()));
        feeds.add(t);
        run.feed(params.get(j).value(), t);
      }
      return run;
    }
  }
}
