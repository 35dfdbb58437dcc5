package org.wild3d.tf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.scale.TowerSplit;

/** A tower's draws are its scenes' rows of the one-device draw, whatever the split. */
class SeedTest {
  @Test
  void towerDrawsAreTheirRowsOfTheWholeBatchDraw() {
    int scenes = 8;
    int perScene = 3; // e.g. views per scene
    TowerSplit split = new TowerSplit(scenes, 2, 2);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<org.tensorflow.types.TInt64> key = tf.constant(new long[] {5, 9});
      Shape whole = Shape.of(scenes * perScene, 4);
      Operand<TFloat32> all = Seed.of(key).plus(tf, 3).uniform(tf, tf.constant(new int[] {scenes * perScene, 4}), whole);
      Operand<TFloat32> allN = Seed.of(key).normal(tf, tf.constant(new int[] {scenes * perScene, 4}), whole);
      Operand<TFloat32>[] parts = new Operand[4];
      for (int t = 0; t < 2; t++) {
        Seed s = new Seed(key, new Seed.Rows(scenes, split.rows(t)));
        Shape local = Shape.of(scenes / 2 * perScene, 4);
        parts[t] = s.plus(tf, 3).uniform(tf, tf.constant(new int[] {scenes / 2 * perScene, 4}), local);
        parts[2 + t] = s.normal(tf, tf.constant(new int[] {scenes / 2 * perScene, 4}), local);
      }
      try (Session sess = new Session(g);
          Result r = sess.runner().fetch(all).fetch(allN).fetch(parts[0]).fetch(parts[1])
              .fetch(parts[2]).fetch(parts[3]).run()) {
        float[] a = values((TFloat32) r.get(0));
        float[] an = values((TFloat32) r.get(1));
        for (int t = 0; t < 2; t++) {
          float[] p = values((TFloat32) r.get(2 + t));
          float[] pn = values((TFloat32) r.get(4 + t));
          int[] rows = split.rows(t, perScene);
          for (int i = 0; i < rows.length; i++) {
            assertThat(Arrays.copyOfRange(p, i * 4, i * 4 + 4))
                .containsExactly(Arrays.copyOfRange(a, rows[i] * 4, rows[i] * 4 + 4));
            assertThat(Arrays.copyOfRange(pn, i * 4, i * 4 + 4))
                .containsExactly(Arrays.copyOfRange(an, rows[i] * 4, rows[i] * 4 + 4));
          }
        }
      }
    }
  }

  private static float[] values(TFloat32 t) {
    float[] out = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }
}
