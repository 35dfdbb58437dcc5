package org.wild3d.scale;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** New tensors holding chosen rows (leading-dimension entries) of a tensor, in the given order. */
public final class Rows {
  private Rows() {}

  /** Rows {@code rows} of {@code t}; the caller closes the result. Shapes: {@code [N,…] → [R,…]}. */
  public static TFloat32 select(TFloat32 t, int[] rows) {
    long[] dims = t.shape().asArray();
    dims[0] = rows.length;
    TFloat32 out = TFloat32.tensorOf(Shape.of(dims));
    for (int i = 0; i < rows.length; i++) {
      out.set(t.get(rows[i]), i);
    }
    return out;
  }

  /** Entries {@code rows} of a vector {@code t}; the caller closes the result. */
  public static TInt32 select(TInt32 t, int[] rows) {
    int[] v = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      v[i] = t.getInt(rows[i]);
    }
    return TInt32.vectorOf(v);
  }
}
