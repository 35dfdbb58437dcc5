package org.wild3d.tf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.AtomicFiles;

/**
 * wild3d's fused CPU kernels ({@code libwild3d_ops.so}, built from {@code core/src/main/c} with
 * the core module on Linux x86-64): triplane sampling with its gradient, a vectorised
 * softplus with its gradient, and FIR resampling (upfirdn2d) whose gradient is itself. They compute what the graph versions compute (tests hold them to
 * 1e-5) in one pass instead of a dozen ops over tensors up to 12× the result's size.
 *
 * <p>Used by graph builders where {@link #enabled(Ops)} says so: the library loaded, the build is
 * not a GPU build (the kernels are CPU-only and would pull the renderer off the GPU), {@code
 * WILD3D_FUSED_KERNELS} is not {@code 0} and the graph was not marked with {@link
 * #disableFor} (SavedModel export does that, so exported graphs hold only standard ops).
 */
public final class FusedOps {
  private FusedOps() {}

  private static final String RESOURCE = "native/linux-x86_64/libwild3d_ops.so";
  private static final Map<ExecutionEnvironment, Boolean> DISABLED =
      Collections.synchronizedMap(new WeakHashMap<>());

  private static boolean attempted;
  private static boolean loaded;
  private static String status = "not loaded yet";

  /**
   * Whether graphs built with {@code tf} use the fused kernels.
   */
  public static boolean enabled(Ops tf) {
    return available() && !DISABLED.containsKey(tf.scope().env());
  }

  /** Graphs of {@code env} are built with the standard ops only (e.g. for SavedModel export). */
  public static void disableFor(ExecutionEnvironment env) {
    DISABLED.put(env, Boolean.TRUE);
  }

  /** Whether the fused kernels are loaded and allowed in this JVM (loads them on first call). */
  public static synchronized boolean available() {
    if (!attempted) {
      attempted = true;
      load();
    }
    return loaded;
  }

  /** One line for logs and benches: which kernels graphs get, and why. */
  public static synchronized String status() {
    available();
    return status;
  }

  private static void load() {
    String env = System.getenv("WILD3D_FUSED_KERNELS");
    if ("0".equals(env)) {
      status = "fused kernels off (WILD3D_FUSED_KERNELS=0): standard TF ops";
      return;
    }
    String classifier = buildProperty("tf.native.classifier");
    if (classifier.contains("gpu") && !"1".equals(env)) {
      status = "fused kernels off in a GPU build (CPU-only kernels): standard TF ops";
      return;
    }
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      status = "fused kernels are built for Linux x86-64 only (" + os + " " + arch
          + "): standard TF ops";
      return;
    }
    try (InputStream in = FusedOps.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        status = "fused kernels not in this build (" + RESOURCE + " missing; built with "
            + "-Dwild3d.native.skip?): standard TF ops";
        return;
      }
      byte[] bytes = in.readAllBytes();
      Path file = extract(bytes);
      TensorFlow.version(); // TF's own natives first: the library binds to them
      TensorFlow.loadLibrary(file.toString());
      registerGradients();
      loaded = true;
      status = "fused CPU kernels (" + file + ")";
    } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
      status = "fused kernels failed to load (" + e.getMessage() + "): standard TF ops";
    }
  }

  /** Extracts the library to a content-addressed file, so concurrent JVMs never see half a file. */
  private static Path extract(byte[] bytes) throws IOException {
    String hash;
    try {
      hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))
          .substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    String cache = System.getenv("XDG_CACHE_HOME");
    Path base = cache != null && !cache.isEmpty() ? Path.of(cache)
        : Path.of(System.getProperty("user.home"), ".cache");
    Path dir = base.resolve("wild3d").resolve("native").resolve(hash);
    Path file = dir.resolve("libwild3d_ops.so");
    if (!Files.isRegularFile(file) || Files.size(file) != bytes.length) {
      AtomicFiles.write(file, bytes);
    }
    return file;
  }

  private static String buildProperty(String key) {
    try (InputStream in = FusedOps.class.getResourceAsStream("/org/wild3d/version.properties")) {
      if (in == null) {
        return "";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty(key, "");
    } catch (IOException e) {
      return "";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Ops.

  /**
   * Bilinear triplane sampling ({@link org.wild3d.render.TriplaneSampler}'s contract). Shapes:
   * {@code planes [N,R,R,3F]}, {@code points [N·V,M,3]} → {@code [N·V,M,F]}.
   */
  public static Operand<TFloat32> triplaneSample(
      Ops tf, Operand<TFloat32> planes, Operand<TFloat32> points, float boxSize) {
    return tf.scope().opBuilder("Wild3dTriplaneSample", "TriplaneSample")
            .addInput(planes.asOutput())
            .addInput(points.asOutput())
            .setAttr("box_size", boxSize)
            .build()
            .<TFloat32>output(0);
  }

  /** {@code log(1 + exp(x))}. Shapes: any → same. */
  public static Operand<TFloat32> softplus(Ops tf, Operand<TFloat32> x) {
    return tf.scope().opBuilder("Wild3dSoftplus", "Softplus").addInput(x.asOutput()).build()
        .<TFloat32>output(0);
  }

  /**
   * StyleGAN2's upfirdn2d on NHWC: zero insertion by {@code up}, zero padding by {@code pads} =
   * (top, bottom, left, right; negative crops), cross-correlation with {@code outer(taps, taps)·gain},
   * then every {@code down}-th row and column from the first. One kernel instead of the pad, slice,
   * multiply and add chains of {@link org.wild3d.nn.Fir}; linear, so its gradient is the same op
   * transposed and it differentiates to any order (R1 needs the second).
   * Shapes: {@code x [N,h,w,c] → [N,Ho,Wo,c]} with {@code Ho = ceil((h·up + top + bottom − k + 1)/down)}.
   *
   * @param h, w, c the input's static size (x's own static shape may be unknown, as in gradients)
   */
  public static Operand<TFloat32> upFirDn(Ops tf, Operand<TFloat32> x, int h, int w, int c,
      float[] taps, float gain, int up, int down, int[] pads) {
    if (taps.length < 1 || taps.length > 64 || up < 1 || down < 1 || pads.length != 4) {
      throw new IllegalArgumentException(String.format(
          "upFirDn: expected 1..64 taps, up, down >= 1 and 4 pads, found %s taps, up %s, down %s, %s pads",
          taps.length, up, down, pads.length));
    }
    int ho = firLength(h, up, down, pads[0], pads[1], taps.length);
    int wo = firLength(w, up, down, pads[2], pads[3], taps.length);
    if (ho < 1 || wo < 1) {
      throw new IllegalArgumentException(String.format(
          "upFirDn: a %s-tap filter leaves nothing of %sx%s with up %s and pads %s",
          taps.length, h, w, up, java.util.Arrays.toString(pads)));
    }
    // the batch is static where the input's is (shape look-ups are for graph building only: they
    // deadlock inside a gradient function, so the gradient passes -1)
    Shape xs = x.shape();
    int n = xs.numDimensions() == 4 && xs.size(0) > 0 ? (int) xs.size(0) : -1;
    return upFirDnOp(tf, x, n, h, w, c, taps, gain, up, down, pads, ho, wo);
  }

  private static Operand<TFloat32> upFirDnOp(Ops tf, Operand<TFloat32> x, int n, int h, int w,
      int c, float[] taps, float gain, int up, int down, int[] pads, int ho, int wo) {
    Operand<TFloat32> y = tf.scope().opBuilder("Wild3dUpFirDn", "UpFirDn")
        .addInput(x.asOutput())
        .setAttr("taps", taps.clone())
        .setAttr("gain", gain)
        .setAttr("up", (long) up)
        .setAttr("down", (long) down)
        .setAttr("pads", new long[] {pads[0], pads[1], pads[2], pads[3]})
        .setAttr("in_hwc", new long[] {h, w, c})
        .build()
        .<TFloat32>output(0);
    // the C API's shape functions cannot read attributes: give the result its static shape here
    return tf.reshape(y, tf.constant(new int[] {n, ho, wo, c}));
  }

  /** Output length of {@link #upFirDn} along an axis of input length {@code n} (0: nothing left). */
  public static int firLength(int n, int up, int down, int pad0, int pad1, int taps) {
    int len = n * up + pad0 + pad1 - taps + 1;
    return len <= 0 ? 0 : (len + down - 1) / down;
  }

  /**
   * The gradient of {@code upFirDn} for an input of {@code h×w}: up and down swapped, taps
   * reversed, and pads such that the result is {@code h×w} again (StyleGAN2's upfirdn2d gradient,
   * for cross-correlation).
   */
  private static Operand<TFloat32> upFirDnTransposed(Ops tf, Operand<TFloat32> dy, int h, int w,
      int c, float[] taps, float gain, int up, int down, int[] pads) {
    int k = taps.length;
    int ho = firLength(h, up, down, pads[0], pads[1], k);
    int wo = firLength(w, up, down, pads[2], pads[3], k);
    float[] reversed = new float[k];
    for (int i = 0; i < k; i++) {
      reversed[i] = taps[k - 1 - i];
    }
    int[] t = {
      k - 1 - pads[0], h * up - ho * down + pads[0] - up + 1,
      k - 1 - pads[2], w * up - wo * down + pads[2] - up + 1
    };
    return upFirDnOp(tf, dy, -1, ho, wo, c, reversed, gain, down, up, t, h, w);
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static void registerGradients() {
    CustomGradients.register(
        "Wild3dUpFirDn",
        (tf, op, g) -> {
          // in_hwc, not op.input(0).shape(): a shape look-up here deadlocks on the graph's lock
          var a = op.attributes();
          long[] hwc = a.getAttrIntList("in_hwc");
          long[] p = a.getAttrIntList("pads");
          int[] pads = {(int) p[0], (int) p[1], (int) p[2], (int) p[3]};
          return List.of(upFirDnTransposed(tf, (Operand<TFloat32>) (Operand) g.get(0),
              (int) hwc[0], (int) hwc[1], (int) hwc[2], a.getAttrFloatList("taps"),
              a.getAttrFloat("gain"), (int) a.getAttrInt("up"), (int) a.getAttrInt("down"),
              pads));
        });
    CustomGradients.register(
        "Wild3dTriplaneSample",
        (tf, op, g) -> {
          var grad =
              tf.scope().opBuilder("Wild3dTriplaneSampleGrad", "TriplaneSampleGrad")
                  .addInput(op.input(0))
                  .addInput(op.input(1))
                  .addInput(g.get(0))
                  .setAttr("box_size", op.attributes().getAttrFloat("box_size"))
                  .build();
          return List.of(grad.output(0), grad.output(1));
        });
    CustomGradients.register(
        "Wild3dSoftplus",
        (tf, op, g) ->
            List.of(
                tf.scope().opBuilder("Wild3dSoftplusGrad", "SoftplusGrad")
                    .addInput(g.get(0))
                    .addInput(op.input(0))
                    .build()
                    .output(0)));
    // d/dg (g·σ(x)) = σ(x); d/dx = g·σ(x)(1 − σ(x)): standard ops, so it differentiates again.
    CustomGradients.register(
        "Wild3dSoftplusGrad",
        (tf, op, g) -> {
          Operand gg = (Operand) g.get(0);
          Operand sig = tf.math.sigmoid((Operand) op.input(1));
          Operand dsig = tf.math.mul(sig, tf.math.sub(tf.constant(1f), sig));
          return List.of(
              tf.math.mul(gg, sig), tf.math.mul(tf.math.mul(gg, (Operand) op.input(0)), dsig));
        });
  }
}
