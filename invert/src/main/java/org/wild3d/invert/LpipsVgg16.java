package org.wild3d.invert;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.DataException;

/**
 * LPIPS (Zhang et al. 2018, {@code net='vgg'}, version 0.1) from its standard weights, in the
 * graph.
 *
 * <p>File format: a NumPy {@code .npz} (zip of {@code .npy}, stored or deflated) holding the
 * {@code state_dict} of the Python package's {@code lpips.LPIPS(net='vgg')}, written with
 * <pre>{@code
 * import lpips, numpy as np
 * np.savez('lpips_vgg.npz', **{k: v.cpu().numpy() for k, v in
 *                              lpips.LPIPS(net='vgg').state_dict().items()})
 * }</pre>
 * Arrays read (float32 little-endian, C order): {@code scaling_layer.shift} and {@code
 * scaling_layer.scale} {@code [1,3,1,1]}; the VGG16 convolutions {@code net.slice1.0},
 * {@code net.slice1.2}, {@code net.slice2.5}, {@code net.slice2.7}, {@code net.slice3.10|12|14},
 * {@code net.slice4.17|19|21}, {@code net.slice5.24|26|28}, each {@code .weight [O,I,3,3]} and
 * {@code .bias [O]} (torchvision's layout); and the linear heads {@code lin0..lin4.model.1.weight
 * [1,C,1,1]}. Other arrays are ignored.
 *
 * <p>Forward: {@code (x − shift)/scale}; the five VGG slices (3×3 convs, stride 1, padding 1, ReLU;
 * 2×2 max-pool before slices 2–5); at each slice's output, channel-unit-normalise both images,
 * square the difference, weight channels by {@code lin_k}, average over space, sum over slices.
 *
 * <p>Shapes: {@code [N,H,W,3]} ×2 in [−1,1] → {@code [N]}.
 */
public final class LpipsVgg16 implements PerceptualDistance {
  /** Torchvision feature indices of the convolutions of each slice. */
  static final int[][] SLICES = {{0, 2}, {5, 7}, {10, 12, 14}, {17, 19, 21}, {24, 26, 28}};

  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
  private static final Pattern ORDER = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  /** An array read from the file: shape and values. */
  record Array(long[] shape, float[] values) {}

  private final Map<String, Array> arrays;
  private final String source;

  private LpipsVgg16(Map<String, Array> arrays, String source) {
    this.arrays = arrays;
    this.source = source;
    for (String k : requiredKeys()) {
      if (!arrays.containsKey(k)) {
        throw new DataException("LPIPS weights " + source + ": expected the array " + k
            + ", found none (write the file from lpips.LPIPS(net='vgg').state_dict(); see"
            + " invert.lpips_path)");
      }
    }
  }

  /** The arrays the network reads, in order. */
  static List<String> requiredKeys() {
    List<String> k = new ArrayList<>(List.of("scaling_layer.shift", "scaling_layer.scale"));
    for (int s = 0; s < SLICES.length; s++) {
      for (int i : SLICES[s]) {
        k.add(convKey(s, i) + ".weight");
        k.add(convKey(s, i) + ".bias");
      }
      k.add("lin" + s + ".model.1.weight");
    }
    return k;
  }

  static String convKey(int slice, int index) {
    return "net.slice" + (slice + 1) + "." + index;
  }

  /**
   * Reads the weights file.
   *
   * @throws DataException (exit 4) naming the file when it is not such an npz
   */
  public static LpipsVgg16 load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DataException("invert.lpips_path: expected an .npz of LPIPS VGG16 weights, found"
          + " nothing at " + file + " (fix the path, or set lpips_path to \"\" to use the run"
          + " dataset's classifier)");
    }
    Map<String, Array> arrays = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
      ZipEntry e;
      while ((e = zip.getNextEntry()) != null) {
        String name = e.getName();
        if (!name.endsWith(".npy")) {
          continue;
        }
        arrays.put(name.substring(0, name.length() - 4), readNpy(zip.readAllBytes(),
            file + ":" + name));
      }
    } catch (IOException e) {
      throw new DataException("LPIPS weights " + file + ": expected a NumPy .npz (zip), found"
          + " unreadable content (" + e.getMessage() + ")", e);
    }
    if (arrays.isEmpty()) {
      throw new DataException("LPIPS weights " + file + ": expected a NumPy .npz (zip of .npy"
          + " arrays), found no arrays");
    }
    return new LpipsVgg16(arrays, file.toString());
  }

  /** Parses one {@code .npy} (versions 1–3) of little-endian float32 in C order. */
  static Array readNpy(byte[] b, String name) {
    if (b.length < 10 || (b[0] & 0xff) != 0x93 || !new String(b, 1, 5, StandardCharsets.US_ASCII)
        .equals("NUMPY")) {
      throw new DataException("LPIPS weights " + name + ": expected a .npy array, found other"
          + " content");
    }
    int major = b[6];
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    int headerLen = major == 1 ? bb.getShort(8) & 0xffff : bb.getInt(8);
    int start = major == 1 ? 10 : 12;
    String header = new String(b, start, headerLen, StandardCharsets.ISO_8859_1);
    Matcher d = DESCR.matcher(header);
    Matcher o = ORDER.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !o.find() || !s.find()) {
      throw new DataException("LPIPS weights " + name + ": expected a .npy header with descr,"
          + " fortran_order and shape, found " + header.strip());
    }
    if (!d.group(1).equals("<f4") || o.group(1).equals("True")) {
      throw new DataException("LPIPS weights " + name + ": expected little-endian float32 in C"
          + " order ('<f4', fortran_order False), found " + d.group(1) + ", fortran_order "
          + o.group(1) + " (save with .astype('float32'))");
    }
    List<Long> dims = new ArrayList<>();
    for (String p : s.group(1).split(",")) {
      if (!p.isBlank()) {
        dims.add(Long.parseLong(p.strip()));
      }
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    long n = 1;
    for (long x : shape) {
      n *= x;
    }
    int off = start + headerLen;
    if (b.length - off != n * 4) {
      throw new DataException("LPIPS weights " + name + ": expected " + n * 4 + " data bytes"
          + " for shape " + dims + ", found " + (b.length - off));
    }
    float[] v = new float[(int) n];
    bb.position(off);
    bb.asFloatBuffer().get(v);
    return new Array(shape, v);
  }

  /** Writes one float32 {@code .npy} (version 1), the inverse of {@link #readNpy}. */
  static byte[] npy(long[] shape, float[] values) {
    StringBuilder sh = new StringBuilder();
    for (long d : shape) {
      sh.append(d).append(", ");
    }
    String h = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + sh.toString().strip()
        + "), }";
    int pad = 64 - (10 + h.length() + 1) % 64;
    h = h + " ".repeat(pad % 64) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x93);
    out.writeBytes("NUMPY".getBytes(StandardCharsets.US_ASCII));
    out.write(1);
    out.write(0);
    out.write(h.length() & 0xff);
    out.write(h.length() >> 8);
    out.writeBytes(h.getBytes(StandardCharsets.US_ASCII));
    ByteBuffer bb = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bb.asFloatBuffer().put(values);
    out.writeBytes(bb.array());
    return out.toByteArray();
  }

  @Override
  public String name() {
    return "lpips-vgg16";
  }

  /** Where the weights came from. */
  public String source() {
    return source;
  }

  @Override
  public Operand<TFloat32> distance(Ops tf, Operand<TFloat32> x, Operand<TFloat32> y) {
    Ops p = tf.withSubScope("lpips");
    List<Operand<TFloat32>> fx = features(p, x);
    List<Operand<TFloat32>> fy = features(p, y);
    Operand<TFloat32> d = null;
    for (int s = 0; s < SLICES.length; s++) {
      Array lin = arrays.get("lin" + s + ".model.1.weight");
      Operand<TFloat32> w = p.constant(Shape.of(lin.values().length),
          DataBuffers.of(lin.values(), true, false)); // [C]
      Operand<TFloat32> a = unit(p, fx.get(s));
      Operand<TFloat32> b = unit(p, fy.get(s));
      Operand<TFloat32> sq = p.math.mul(p.math.square(p.math.sub(a, b)), w); // [N,h,w,C]
      Operand<TFloat32> ds = p.math.mean(p.reduceSum(sq, p.constant(3)),
          p.constant(new int[] {1, 2})); // [N]
      d = d == null ? ds : p.math.add(d, ds);
    }
    return d;
  }

  private static Operand<TFloat32> unit(Ops tf, Operand<TFloat32> a) {
    Operand<TFloat32> n = tf.math.sqrt(tf.reduceSum(tf.math.square(a), tf.constant(3),
        org.tensorflow.op.core.ReduceSum.keepDims(true))); // [N,h,w,1]
    return tf.math.div(a, tf.math.add(n, tf.constant(1e-10f)));
  }

  private List<Operand<TFloat32>> features(Ops tf, Operand<TFloat32> x) {
    Array shift = arrays.get("scaling_layer.shift");
    Array scale = arrays.get("scaling_layer.scale");
    Operand<TFloat32> h = tf.math.div(
        tf.math.sub(x, tf.constant(Shape.of(3), DataBuffers.of(shift.values(), true, false))),
        tf.constant(Shape.of(3), DataBuffers.of(scale.values(), true, false)));
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (int s = 0; s < SLICES.length; s++) {
      if (s > 0) {
        h = tf.nn.maxPool(h, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2,
            1}), "VALID");
      }
      for (int i : SLICES[s]) {
        h = tf.nn.relu(tf.math.add(tf.nn.conv2d(h, hwio(tf, convKey(s, i) + ".weight"),
            List.of(1L, 1L, 1L, 1L), "SAME"), vector(tf, convKey(s, i) + ".bias")));
      }
      out.add(h);
    }
    return out;
  }

  /** A torchvision {@code [O,I,kh,kw]} kernel as TF's {@code [kh,kw,I,O]}. */
  private Operand<TFloat32> hwio(Ops tf, String key) {
    Array a = arrays.get(key);
    long[] s = a.shape();
    if (s.length != 4) {
      throw new DataException("LPIPS weights " + source + ": expected " + key + " of rank 4"
          + " [O,I,3,3], found shape " + java.util.Arrays.toString(s));
    }
    Operand<TFloat32> k = tf.constant(Shape.of(s), DataBuffers.of(a.values(), true, false));
    return tf.linalg.transpose(k, tf.constant(new int[] {2, 3, 1, 0}));
  }

  private Operand<TFloat32> vector(Ops tf, String key) {
    Array a = arrays.get(key);
    return tf.constant(Shape.of(a.values().length), DataBuffers.of(a.values(), true, false));
  }
}
