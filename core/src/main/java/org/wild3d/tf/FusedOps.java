package org.wild3d.tf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * wild3d's fused CPU kernels ({@code libwild3d_ops.so}, built from {@code core/src/main/c} with
 * the core module on Linux x86-64): triplane sampling with its gradient, and a vectorised
 * softplus with its gradient. They compute what the graph versions compute (tests hold them to
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
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, "libwild3d_ops", ".tmp");
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static void registerGradients() {
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
