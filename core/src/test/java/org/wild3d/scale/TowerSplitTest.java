package org.wild3d.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.disc.MinibatchStd;

class TowerSplitTest {
  @Test
  void oneTowerIsTheIdentity() {
    assertThat(new TowerSplit(8, 1, 4).order()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    assertThat(new TowerSplit(6, 1, 0).order()).containsExactly(0, 1, 2, 3, 4, 5);
  }

  @Test
  void knownSplitOfEightIntoTwoTowersWithGroupsOfTwo() {
    // Global groups (i mod 4): {0,4} {1,5} {2,6} {3,7}; tower 0 takes groups 0 and 1 in the
    // order its own minibatch-std expects (local group = l mod 2): 0 1 4 5.
    TowerSplit s = new TowerSplit(8, 2, 2);
    assertThat(s.rows(0)).containsExactly(0, 1, 4, 5);
    assertThat(s.rows(1)).containsExactly(2, 3, 6, 7);
    assertThat(s.rows(1, 2)).containsExactly(4, 5, 6, 7, 12, 13, 14, 15);
  }

  @Test
  void everySplitIsAPermutationThatKeepsEveryGroupWholeInOneTower() {
    for (int n = 1; n <= 48; n++) {
      for (int towers = 1; towers <= n; towers++) {
        for (int group = 0; group <= n; group++) {
          if (n % towers != 0 || (group > 0 && (n / towers) % group != 0)) {
            continue;
          }
          TowerSplit s = new TowerSplit(n, towers, group);
          int[] order = s.order();
          assertThat(Arrays.stream(order).sorted().toArray()).isEqualTo(IntStream.range(0, n).toArray());
          if (group == 0) {
            continue;
          }
          int b = n / towers;
          for (int t = 0; t < towers; t++) {
            int[] rows = s.rows(t);
            for (int l = 0; l < b; l++) {
              for (int m = 0; m < b; m++) {
                boolean sameLocal = l % (b / group) == m % (b / group);
                boolean sameGlobal = rows[l] % (n / group) == rows[m] % (n / group);
                assertThat(sameLocal).as("n=%s towers=%s group=%s", n, towers, group).isEqualTo(sameGlobal);
              }
            }
          }
        }
      }
    }
  }

  @Test
  void rejectsSplitsThatWouldCutAGroup() {
    assertThatThrownBy(() -> new TowerSplit(8, 3, 0)).hasMessageContaining("multiple of the 3 towers");
    assertThatThrownBy(() -> new TowerSplit(8, 4, 4))
        .hasMessageContaining("expected a multiple of the minibatch-std group size 4, found 2");
  }

  /** The claim itself: minibatch-std per tower on the split batch equals it on the whole batch. */
  @Test
  void minibatchStdPerTowerEqualsTheWholeBatch() {
    int n = 8;
    int h = 2;
    int c = 4;
    float[] x = new float[n * h * h * c];
    java.util.Random r = new java.util.Random(3);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    TowerSplit split = new TowerSplit(n, 2, 2);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> whole = tf.constant(Shape.of(n, h, h, c), DataBuffers.of(x));
      Operand<TFloat32> all = MinibatchStd.apply(tf, whole, 2, 1);
      Operand<TFloat32>[] towers = new Operand[2];
      for (int t = 0; t < 2; t++) {
        Operand<TFloat32> part = tf.gather(whole, tf.constant(split.rows(t)), tf.constant(0));
        towers[t] = MinibatchStd.apply(tf, part, 2, 1);
      }
      try (Session s = new Session(g);
          Result res = s.runner().fetch(all).fetch(towers[0]).fetch(towers[1]).run()) {
        float[] a = values((TFloat32) res.get(0));
        int row = h * h * (c + 1);
        for (int t = 0; t < 2; t++) {
          float[] p = values((TFloat32) res.get(1 + t));
          int[] rows = split.rows(t);
          for (int l = 0; l < rows.length; l++) {
            float[] want = Arrays.copyOfRange(a, rows[l] * row, (rows[l] + 1) * row);
            float[] got = Arrays.copyOfRange(p, l * row, (l + 1) * row);
            assertThat(got).as("tower %s sample %s", t, l).containsExactly(want);
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
