package org.wild3d.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.wild3d.camera.Camera;
import org.wild3d.camera.CameraSampler;
import org.wild3d.camera.Cameras;
import org.wild3d.config.CameraPriorSpec;
import org.wild3d.config.Experiment;
import org.wild3d.config.ModelSpec;
import org.wild3d.nn.Noise;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.tf.Grads;

class Generator3DTest {

  private static TFloat32 z(int n, int d) {
    TFloat32 t = TFloat32.tensorOf(Shape.of(n, d));
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        t.setFloat((float) Math.sin(1 + 7 * i + j), i, j);
      }
    }
    return t;
  }

  @Test
  void rendersEveryViewOfEverySceneAndGradientsReachEveryVariable() {
    for (String extra : List.of("", "model { superres { output_resolution: 16 channels: 8 } } data { resolution: 16 }")) {
      Experiment cfg = TinyConfigs.tiny(extra);
      int views = cfg.getModel().getMultiview().getViews();
      try (Graph g = new Graph()) {
        Ops tf = Ops.create(g);
        Generator3D gen = new Generator3D(tf, new Params(cfg.getSeed()), ModelSpec.from(cfg), "G");
        var zIn = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 16)));
        var cIn = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
        var cam = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4, 4)));
        var intr = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3, 3)));
        var mapped = gen.map(zIn, cIn, tf.constant(1f));
        Operand<TInt64> seed = tf.constant(new long[] {1, 2});
        Generator3D.Output out =
            gen.synthesize(mapped.ws(), cam, intr, views, Noise.random(seed), seed);
        int res = gen.imageResolution();
        assertThat(out.image().shape().size(1)).isEqualTo(res);

        Operand<TFloat32> loss = tf.math.mean(tf.math.square(out.image()), tf.constant(new int[] {0, 1, 2, 3}));
        List<Param> vars = gen.trainables();
        List<Operand<TFloat32>> xs = new ArrayList<>();
        vars.forEach(p -> xs.add(p.value()));
        List<Operand<TFloat32>> grads = Grads.of(tf, loss, xs);
        List<Operand<TFloat32>> norms = new ArrayList<>();
        for (Operand<TFloat32> gr : grads) {
          norms.add(tf.reduceSum(tf.math.abs(gr), tf.range(tf.constant(0), tf.rank(gr), tf.constant(1))));
        }
        Camera[] cams = new CameraSampler(CameraPriorSpec.from(cfg.getCamera()), 3).sample(2 * views);
        try (Session s = new Session(g);
            TFloat32 zt = z(2, 16);
            TInt32 ct = TInt32.vectorOf(0, 2);
            Cameras.Batch cb = Cameras.toTensors(cams)) {
          var runner = s.runner().feed(zIn, zt).feed(cIn, ct).feed(cam, cb.cam2world()).feed(intr, cb.intrinsics());
          runner.fetch(out.image()).fetch(out.depth()).fetch(out.planes());
          norms.forEach(runner::fetch);
          try (Result r = runner.run()) {
            assertThat(r.get(0).shape().asArray()).containsExactly(2L * views, res, res, 3);
            assertThat(r.get(1).shape().asArray()).containsExactly(2L * views, 8, 8, 1);
            assertThat(r.get(2).shape().asArray()).containsExactly(2, 16, 16, 24);
            for (int i = 0; i < vars.size(); i++) {
              float n = ((TFloat32) r.get(3 + i)).getFloat();
              assertThat(n).as("gradient of %s (%s)", vars.get(i).name(), extra).isGreaterThan(0f);
            }
          }
        }
      }
    }
  }

  @Test
  void repeatViewsIsSceneMajor() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      var x = tf.constant(new float[][] {{1, 2}, {3, 4}});
      try (TFloat32 t = (TFloat32) s.runner().fetch(Generator3D.repeatViews(tf, x, 3)).run().get(0)) {
        assertThat(t.shape().asArray()).containsExactly(6, 2);
        assertThat(t.getFloat(2, 1)).isEqualTo(2f);
        assertThat(t.getFloat(3, 0)).isEqualTo(3f);
      }
    }
  }
}
