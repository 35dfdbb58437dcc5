package org.wild3d.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Iterator;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.wild3d.config.Experiment;
import org.wild3d.model.Generator3D;
import org.wild3d.model.TinyConfigs;
import org.wild3d.scale.Towers;

/** A replica network (another tower) reads its owner's variables and creates none. */
class ParamsReplicaTest {
  @Test
  void aReplicaGeneratorSharesEveryVariableAndComputesTheSame() {
    Experiment cfg = TinyConfigs.tiny("");
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Params owner = new Params(cfg.getSeed());
      Generator3D g0 = new Generator3D(tf, owner, org.wild3d.config.ModelSpec.from(cfg), "G");
      long variables = count(g);
      Params replica = Params.replica(owner);
      Generator3D g1 = new Generator3D(tf.withSubScope(Towers.prefix(1)), replica, org.wild3d.config.ModelSpec.from(cfg), "G");
      assertThat(count(g)).isEqualTo(variables); // no new VariableV2
      assertThat(replica.trainables()).isEqualTo(owner.trainables());
      assertThat(replica.state()).isEqualTo(owner.state());
      int zDim = cfg.getModel().getMapping().getZDim();
      Operand<TFloat32> z = tf.random.statelessRandomNormal(tf.constant(new int[] {2, zDim}),
          tf.constant(new long[] {1, 2}));
      Operand<TInt32> c = tf.constant(new int[] {0, 1 % cfg.getModel().getNumClasses()});
      Operand<TFloat32> w0 = g0.map(z, c, tf.constant(1f)).ws();
      Operand<TFloat32> w1 = g1.map(z, c, tf.constant(1f)).ws();
      assertThat(w1.op().name()).startsWith("tower1/G/");
      try (Session s = new Session(g); Result r = s.runner().fetch(w0).fetch(w1).run()) {
        float[] a = values((TFloat32) r.get(0));
        float[] b = values((TFloat32) r.get(1));
        assertThat(b).containsExactly(a);
      }
    }
  }

  @Test
  void towerPrefixesAreStrippedAndOnlyThey() {
    assertThat(Towers.unprefixed("tower1/G/mapping/fc0/weight")).isEqualTo("G/mapping/fc0/weight");
    assertThat(Towers.unprefixed("tower12_grad/G/x")).isEqualTo("G/x");
    assertThat(Towers.unprefixed("G/tower1/x")).isEqualTo("G/tower1/x");
    assertThat(Towers.unprefixed("towers/x")).isEqualTo("towers/x");
    assertThat(Towers.prefix(0)).isEmpty();
    assertThat(Towers.prefix(3)).isEqualTo("tower3");
  }

  private static long count(Graph g) {
    long n = 0;
    for (Iterator<GraphOperation> it = g.operations(); it.hasNext(); ) {
      if (it.next().type().equals("VariableV2")) {
        n++;
      }
    }
    return n;
  }

  private static float[] values(TFloat32 t) {
    float[] out = new float[(int) t.size()];
    t.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(out, false, false));
    return out;
  }
}
