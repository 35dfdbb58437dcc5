package org.wild3d.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.wild3d.camera.CameraSampler;
import org.wild3d.camera.Cameras;
import org.wild3d.config.CameraPriorSpec;
import org.wild3d.config.Experiment;
import org.wild3d.config.GanSpec;
import org.wild3d.model.Latents;
import org.wild3d.nn.Param;
import org.wild3d.tf.Sessions;

/**
 * train.shared_fakes: the one-pass G+D step must update G exactly as the G main step and D
 * exactly as the D main step would, from the same starting weights and the same inputs (D's
 * step regenerates the same fakes because G has not moved yet).
 */
class SharedFakesTest {
  @TempDir Path dir;

  @Test
  void oneSharedStepEqualsTheSeparateGAndDStepsFromTheSameWeights() {
    Experiment cfg = TinyTraining.load(dir, "train { shared_fakes: true }").resolved();
    List<float[]> initial = new ArrayList<>();
    int[] numGs = new int[1];
    List<float[]> shared = after(cfg, gg -> List.of(gg.gdMain), initial, numGs);
    List<float[]> separateG = after(cfg, gg -> List.of(gg.gMain), null, numGs);
    List<float[]> separateD = after(cfg, gg -> List.of(gg.dMain), null, numGs);
    int numG = numGs[0];
    int changedG = 0;
    int changedD = 0;
    for (int i = 0; i < shared.size(); i++) {
      float[] expect = i < numG ? separateG.get(i) : separateD.get(i);
      float[] got = shared.get(i);
      for (int j = 0; j < got.length; j++) {
        assertThat(got[j]).as("variable %s[%s]", i, j).isCloseTo(expect[j],
            org.assertj.core.data.Offset.offset(1e-6f + 1e-5f * Math.abs(expect[j])));
      }
      if (!java.util.Arrays.equals(got, initial.get(i))) {
        if (i < numG) {
          changedG++;
        } else {
          changedD++;
        }
      }
    }
    // Both networks moved: most of G's variables and all of D's.
    assertThat(changedG).isGreaterThan(numG / 2);
    assertThat(changedD).isEqualTo(shared.size() - numG);
  }

  /**
   * G's then D's trainable values after running {@code targets} once on fixed inputs; {@code
   * before} (if not null) receives them before the run, {@code numG[0]} G's variable count.
   */
  private static List<float[]> after(Experiment cfg, Function<GanGraph, List<Op>> targets,
      List<float[]> before, int[] numG) {
    try (Graph graph = new Graph()) {
      GanGraph gg = new GanGraph(graph, GanSpec.from(cfg));
      int n = cfg.getTrain().getBatchSize();
      int nv = gg.spec.fakeImages();
      int zDim = cfg.getModel().getMapping().getZDim();
      int res = gg.g.imageResolution();
      SplittableRandom r = new SplittableRandom(3);
      float[] z = new float[n * zDim];
      for (int i = 0; i < z.length; i++) {
        z[i] = (float) Latents.gaussian(r);
      }
      float[] x = new float[nv * res * res * 3];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (2 * r.nextDouble() - 1);
      }
      int[] cf = new int[n];
      int[] cr = new int[nv];
      for (int i = 0; i < nv; i++) {
        cr[i] = i % cfg.getModel().getNumClasses();
      }
      for (int i = 0; i < n; i++) {
        cf[i] = (i + 1) % cfg.getModel().getNumClasses();
      }
      List<Param> vars = new ArrayList<>(gg.gParams().trainables());
      numG[0] = vars.size();
      vars.addAll(gg.dParams().trainables());
      try (Session s = Sessions.create(graph, 1);
          TFloat32 zt = TFloat32.tensorOf(Shape.of(n, zDim), DataBuffers.of(z, true, false));
          TFloat32 xt = TFloat32.tensorOf(Shape.of(nv, res, res, 3), DataBuffers.of(x, true, false));
          TInt32 cft = TInt32.vectorOf(cf);
          TInt32 crt = TInt32.vectorOf(cr);
          TInt64 seed = TInt64.vectorOf(7, 11);
          Cameras.Batch cams = Cameras.toTensors(new CameraSampler(CameraPriorSpec.from(cfg.getCamera()), 5).sample(nv))) {
        if (before != null) {
          before.addAll(values(s, vars));
        }
        List<Op> ops = targets.apply(gg);
        var runner = s.runner().feed(gg.z, zt).feed(gg.cFake, cft)
            .feed(gg.cam2world, cams.cam2world()).feed(gg.intrinsics, cams.intrinsics())
            .feed(gg.seed, seed).feed(gg.real, xt).feed(gg.cReal, crt);
        ops.forEach(runner::addTarget);
        runner.run();
        return values(s, vars);
      }
    }
  }

  private static List<float[]> values(Session s, List<Param> vars) {
    var fetch = s.runner();
    vars.forEach(p -> fetch.fetch(p.value()));
    List<float[]> out = new ArrayList<>();
    try (Result res = fetch.run()) {
      for (int i = 0; i < vars.size(); i++) {
        TFloat32 t = (TFloat32) res.get(i);
        float[] v = new float[(int) t.size()];
        t.copyTo(DataBuffers.of(v, false, false));
        out.add(v);
      }
    }
    return out;
  }
}
