package org.wild3d.disc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
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
import org.wild3d.config.DiscriminatorSpec;
import org.wild3d.config.MultiViewSpec;
import org.wild3d.loss.GanLosses;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.tf.Grads;
import org.wild3d.tf.Sessions;

/** Times a D step with R1 at bench-tiny size (B=8, 32², 128 channels, 6 classes). */
@Tag("slow")
class DiscriminatorBenchTest {

  @Test
  void discriminatorStepWithR1() {
    int b = 8;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Discriminator d =
          new Discriminator(
              tf,
              new Params(0),
              "D",
              new DiscriminatorSpec(32, 3, false, MultiViewSpec.single(), 6, 4096, 128, 4, 1, 128, 8,
                  0f));
      var fake = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(b, 32, 32, 3)));
      var real = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(b, 32, 32, 3)));
      var cls = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(b)));
      Operand<TFloat32> logitsReal = d.score(real, null, cls);
      Operand<TFloat32> loss =
          tf.math.add(
              GanLosses.discriminatorLoss(tf, d.score(fake, null, cls), logitsReal),
              tf.math.mul(tf.constant(0.5f), GanLosses.r1Penalty(tf, logitsReal, real)));
      List<Operand<TFloat32>> grads = Grads.of(tf, loss, d.trainables().stream().map(Param::value).toList());
      Random r = new Random(0);
      int[] labels = new int[b];
      for (int i = 0; i < b; i++) {
        labels[i] = i % 6;
      }
      try (Session s = Sessions.create(g, 0);
          TFloat32 ft = DiscriminatorTest.randomTensor(r, b, 32, 32, 3);
          TFloat32 rt = DiscriminatorTest.randomTensor(r, b, 32, 32, 3);
          TInt32 ct = DiscriminatorTest.labelTensor(labels)) {
        List<Long> times = new ArrayList<>();
        for (int it = 0; it < 8; it++) {
          long t0 = System.nanoTime();
          Session.Runner run = s.runner().feed(fake, ft).feed(real, rt).feed(cls, ct).fetch(loss);
          grads.forEach(run::fetch);
          try (Result res = run.run()) {
            assertThat(Float.isFinite(((TFloat32) res.get(0)).getFloat())).isTrue();
          }
          times.add(System.nanoTime() - t0);
        }
        List<Long> warm = new ArrayList<>(times.subList(2, times.size()));
        warm.sort(null);
        System.out.printf(
            "D forward+backward with R1 (B=%d, 32², 128 ch, 6 classes, %d params): first %.1f ms, median %.1f ms%n",
            b, d.trainables().stream().mapToLong(p -> p.shape().size()).sum(), times.get(0) / 1e6, warm.get(warm.size() / 2) / 1e6);
      }
    }
  }
}
