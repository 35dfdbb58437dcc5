package org.wild3d.invert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.DataException;

/**
 * LPIPS loader and graph on a stand-in file: the real file's keys and array layouts (torchvision
 * {@code [O,I,3,3]} kernels, {@code [1,C,1,1]} heads, {@code [1,3,1,1]} scaling) with 2–4 channels
 * instead of 64–512, checked against a plain-Java forward pass.
 */
class LpipsVgg16Test {
  private static final int R = 16;
  private static final int[] CHANNELS = {2, 3, 3, 4, 4};

  @TempDir Path dir;

  /** The stand-in weights: key → (shape, values). */
  static Map<String, LpipsVgg16.Array> standIn(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Map<String, LpipsVgg16.Array> m = new LinkedHashMap<>();
    m.put("scaling_layer.shift", arr(new long[] {1, 3, 1, 1}, new float[] {-.030f, -.088f,
        -.188f}));
    m.put("scaling_layer.scale", arr(new long[] {1, 3, 1, 1}, new float[] {.458f, .448f, .450f}));
    int cin = 3;
    for (int s = 0; s < 5; s++) {
      int c = CHANNELS[s];
      for (int i : LpipsVgg16.SLICES[s]) {
        m.put(LpipsVgg16.convKey(s, i) + ".weight", random(new long[] {c, cin, 3, 3}, rng, 0.4));
        m.put(LpipsVgg16.convKey(s, i) + ".bias", random(new long[] {c}, rng, 0.1));
        cin = c;
      }
      LpipsVgg16.Array lin = random(new long[] {1, c, 1, 1}, rng, 1);
      for (int k = 0; k < c; k++) {
        lin.values()[k] = Math.abs(lin.values()[k]);
      }
      m.put("lin" + s + ".model.1.weight", lin);
    }
    return m;
  }

  private static LpipsVgg16.Array arr(long[] shape, float[] v) {
    return new LpipsVgg16.Array(shape, v);
  }

  private static LpipsVgg16.Array random(long[] shape, SplittableRandom rng, double std) {
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) ((rng.nextDouble() * 2 - 1) * std);
    }
    return arr(shape, v);
  }

  static Path writeNpz(Path file, Map<String, LpipsVgg16.Array> arrays) throws Exception {
    try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
      for (var e : arrays.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
        z.write(LpipsVgg16.npy(e.getValue().shape(), e.getValue().values()));
        z.closeEntry();
      }
    }
    return file;
  }

  @Test
  void npyRoundTripsAndBadArraysAreNamed() {
    float[] v = {1.5f, -2f, 3.25f, 0f, 7f, 8f};
    LpipsVgg16.Array a = LpipsVgg16.readNpy(LpipsVgg16.npy(new long[] {2, 3}, v), "x");
    assertThat(a.shape()).containsExactly(2, 3);
    assertThat(a.values()).containsExactly(v);
    byte[] f64 = LpipsVgg16.npy(new long[] {2, 3}, v);
    byte[] bad = new String(f64, java.nio.charset.StandardCharsets.ISO_8859_1)
        .replace("<f4", "<f8").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> LpipsVgg16.readNpy(bad, "w.npz:a.npy"))
        .isInstanceOf(DataException.class).hasMessageContaining("w.npz:a.npy: expected"
            + " little-endian float32 in C order ('<f4', fortran_order False), found <f8");
  }

  @Test
  void missingArraysAndMissingFilesAreNamed() throws Exception {
    Map<String, LpipsVgg16.Array> m = standIn(1);
    m.remove("lin3.model.1.weight");
    Path f = writeNpz(dir.resolve("w.npz"), m);
    assertThatThrownBy(() -> LpipsVgg16.load(f)).isInstanceOf(DataException.class)
        .hasMessageContaining(f + ": expected the array lin3.model.1.weight, found none");
    Path none = dir.resolve("none.npz");
    assertThatThrownBy(() -> LpipsVgg16.load(none)).isInstanceOf(DataException.class)
        .hasMessageContaining("found nothing at " + none);
    Path text = Files.writeString(dir.resolve("t.npz"), "text");
    assertThatThrownBy(() -> LpipsVgg16.load(text)).isInstanceOf(DataException.class)
        .hasMessageContaining(text.toString());
  }

  @Test
  void matchesAPlainJavaLpips() throws Exception {
    Map<String, LpipsVgg16.Array> m = standIn(7);
    LpipsVgg16 lp = LpipsVgg16.load(writeNpz(dir.resolve("lpips_vgg.npz"), m));
    assertThat(lp.name()).isEqualTo("lpips-vgg16");
    SplittableRandom rng = new SplittableRandom(3);
    float[] x = new float[2 * R * R * 3];
    float[] y = new float[R * R * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    System.arraycopy(y, 0, x, 0, y.length);
    float[] got = new float[2];
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> d = lp.distance(tf,
          tf.constant(Shape.of(2, R, R, 3), DataBuffers.of(x, true, false)),
          tf.constant(Shape.of(1, R, R, 3), DataBuffers.of(y, true, false)));
      try (Session s = new Session(g); Result r = s.runner().fetch(d).run()) {
        ((TFloat32) r.get(0)).copyTo(DataBuffers.of(got, false, false));
      }
    }
    float[] x1 = java.util.Arrays.copyOfRange(x, R * R * 3, 2 * R * R * 3);
    double want = java(m, x1, y);
    assertThat((double) got[0]).isCloseTo(0, within(1e-6));
    assertThat(want).isGreaterThan(0.01);
    assertThat((double) got[1]).isCloseTo(want, within(1e-4 * want));
  }

  /** Independent forward pass, HWC doubles. */
  private static double java(Map<String, LpipsVgg16.Array> m, float[] a, float[] b) {
    double[] fa = scale(m, a);
    double[] fb = scale(m, b);
    int size = R;
    int cin = 3;
    double total = 0;
    for (int s = 0; s < 5; s++) {
      if (s > 0) {
        fa = pool(fa, size, cin);
        fb = pool(fb, size, cin);
        size /= 2;
      }
      for (int i : LpipsVgg16.SLICES[s]) {
        LpipsVgg16.Array w = m.get(LpipsVgg16.convKey(s, i) + ".weight");
        LpipsVgg16.Array bias = m.get(LpipsVgg16.convKey(s, i) + ".bias");
        fa = conv(fa, size, cin, w, bias);
        fb = conv(fb, size, cin, w, bias);
        cin = (int) w.shape()[0];
      }
      float[] lin = m.get("lin" + s + ".model.1.weight").values();
      double sum = 0;
      for (int p = 0; p < size * size; p++) {
        double na = 0;
        double nb = 0;
        for (int c = 0; c < cin; c++) {
          na += fa[p * cin + c] * fa[p * cin + c];
          nb += fb[p * cin + c] * fb[p * cin + c];
        }
        na = Math.sqrt(na) + 1e-10;
        nb = Math.sqrt(nb) + 1e-10;
        for (int c = 0; c < cin; c++) {
          double d = fa[p * cin + c] / na - fb[p * cin + c] / nb;
          sum += lin[c] * d * d;
        }
      }
      total += sum / (size * size);
    }
    return total;
  }

  private static double[] scale(Map<String, LpipsVgg16.Array> m, float[] a) {
    float[] sh = m.get("scaling_layer.shift").values();
    float[] sc = m.get("scaling_layer.scale").values();
    double[] o = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      o[i] = (a[i] - sh[i % 3]) / sc[i % 3];
    }
    return o;
  }

  private static double[] pool(double[] in, int size, int c) {
    int h = size / 2;
    double[] o = new double[h * h * c];
    for (int i = 0; i < h; i++) {
      for (int j = 0; j < h; j++) {
        for (int k = 0; k < c; k++) {
          double mx = Double.NEGATIVE_INFINITY;
          for (int di = 0; di < 2; di++) {
            for (int dj = 0; dj < 2; dj++) {
              mx = Math.max(mx, in[((2 * i + di) * size + 2 * j + dj) * c + k]);
            }
          }
          o[(i * h + j) * c + k] = mx;
        }
      }
    }
    return o;
  }

  /** 3×3, stride 1, zero padding 1, ReLU; kernel {@code [O,I,3,3]}. */
  private static double[] conv(double[] in, int size, int cin, LpipsVgg16.Array w,
      LpipsVgg16.Array b) {
    int cout = (int) w.shape()[0];
    double[] o = new double[size * size * cout];
    for (int i = 0; i < size; i++) {
      for (int j = 0; j < size; j++) {
        for (int co = 0; co < cout; co++) {
          double s = b.values()[co];
          for (int di = -1; di <= 1; di++) {
            for (int dj = -1; dj <= 1; dj++) {
              int y = i + di;
              int x = j + dj;
              if (y < 0 || x < 0 || y >= size || x >= size) {
                continue;
              }
              for (int ci = 0; ci < cin; ci++) {
                s += in[(y * size + x) * cin + ci]
                    * w.values()[((co * cin + ci) * 3 + (di + 1)) * 3 + (dj + 1)];
              }
            }
          }
          o[(i * size + j) * cout + co] = Math.max(0, s);
        }
      }
    }
    return o;
  }
}
