package org.wild3d.tf;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TFJ_GradFuncAdapter;
import org.tensorflow.op.Ops;
import org.tensorflow.op.RawCustomGradient;
import org.tensorflow.op.core.StridedSlice;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.op.image.ResizeNearestNeighbor;
import org.tensorflow.op.math.Cumprod;
import org.tensorflow.op.math.Cumsum;
import org.tensorflow.op.nn.AvgPool;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.Conv2dBackpropInput;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * Gradients that TensorFlow's C++ registry lacks and that second-order differentiation (R1) or the
 * renderer can hit, registered once per JVM.
 *
 * <p>The formulas follow TF's Python gradient registry. Every one is dtype-generic (constants are
 * cast to the input's type) so it can be checked in float64, and every one emits only ops that
 * have gradients themselves (possibly these ones), so it can be differentiated again. A gradient
 * function must not query static shapes ({@code Output.shape()}): that takes the graph's lock,
 * which the native gradient builder already holds, and the JVM hangs.
 *
 * <p>Covered: forward ops without a C++ gradient ({@code OnesLike}, {@code Cumprod},
 * {@code Conv2DBackpropFilter}) and first-order gradient ops whose own gradient is missing
 * ({@code BiasAddGrad}, {@code StridedSliceGrad}, {@code AvgPoolGrad}, {@code SoftplusGrad},
 * {@code SigmoidGrad}, {@code TanhGrad}, {@code SqrtGrad}, {@code RsqrtGrad},
 * {@code ReciprocalGrad}, {@code ReluGrad}, {@code ResizeBilinearGrad},
 * {@code ResizeNearestNeighborGrad}).
 */
public final class CustomGradients {
  private CustomGradients() {}

  /** Op types handled here, in registration order. */
  public static final List<String> OP_TYPES =
      List.of(
          "OnesLike",
          "Cumprod",
          "Conv2DBackpropFilter",
          "BiasAddGrad",
          "StridedSliceGrad",
          "AvgPoolGrad",
          "SoftplusGrad",
          "SigmoidGrad",
          "TanhGrad",
          "SqrtGrad",
          "RsqrtGrad",
          "ReciprocalGrad",
          "ReluGrad",
          "ResizeBilinearGrad",
          "ResizeNearestNeighborGrad");

  private static boolean installed;
  private static final Map<String, RawCustomGradient> TABLE = new ConcurrentHashMap<>();
  /** The one native callback that dispatches every type of {@link #TABLE}; kept reachable here. */
  private static TFJ_GradFuncAdapter adapter;

  /**
   * Registers the gradients of {@link #OP_TYPES}; safe to call any number of times. Op types that
   * already had a gradient (from TF or an earlier registration in this JVM) keep it.
   *
   * @throws UnsupportedOperationException where TF Java has no custom gradients (Windows)
   */
  public static synchronized void install() {
    if (installed) {
      return;
    }
    register("OnesLike", (tf, op, g) -> List.of(tf.zerosLike((Operand) op.input(0))));
    register("Cumprod", CustomGradients::cumprod);
    register("Conv2DBackpropFilter", CustomGradients::conv2dBackpropFilter);
    register("BiasAddGrad", CustomGradients::biasAddGrad);
    register("StridedSliceGrad", CustomGradients::stridedSliceGrad);
    register("AvgPoolGrad", CustomGradients::avgPoolGrad);
    register("SoftplusGrad", CustomGradients::softplusGrad);
    register("SigmoidGrad", CustomGradients::sigmoidGrad);
    register("TanhGrad", CustomGradients::tanhGrad);
    register("SqrtGrad", CustomGradients::sqrtGrad);
    register("RsqrtGrad", CustomGradients::rsqrtGrad);
    register("ReciprocalGrad", CustomGradients::reciprocalGrad);
    register("ReluGrad", CustomGradients::reluGrad);
    register("ResizeBilinearGrad", CustomGradients::resizeBilinearGrad);
    register("ResizeNearestNeighborGrad", CustomGradients::resizeNearestNeighborGrad);
    installed = true;
  }

  /** Op types whose gradient this class registered (a type missing here already had one). */
  public static synchronized Set<String> registered() {
    return Set.copyOf(TABLE.keySet());
  }

  /**
   * Registers a custom gradient for {@code opType}, for other packages too: use this instead of
   * {@code TensorFlow.registerCustomGradient}.
   *
   * <p>Why: TF Java allocates one JavaCPP callback ({@code TFJ_GradFuncAdapter}) per registration,
   * and JavaCPP has only 10 callback slots per callback class; the 11th registration gets a null
   * function pointer and the JVM dies with SIGSEGV in {@code CustomGradFunc} the first time that
   * gradient is built. Here a single callback dispatches on the op type, so any number of types
   * cost one slot.
   *
   * @return false if {@code opType} already has a gradient (TF's, or an earlier registration)
   * @throws UnsupportedOperationException on Windows, where TF Java has no custom gradients
   */
  public static synchronized boolean register(String opType, RawCustomGradient gradient) {
    if (System.getProperty("os.name", "").startsWith("Windows")) {
      throw new UnsupportedOperationException(
          "custom gradients are not supported by TensorFlow Java on Windows (needed for R1)");
    }
    if (TABLE.containsKey(opType)) {
      return false;
    }
    TensorFlow.version(); // loads the native library before its C API is called
    if (adapter == null) {
      adapter = RawCustomGradient.adapter(CustomGradients::dispatch);
    }
    TABLE.put(opType, gradient);
    if (!org.tensorflow.internal.c_api.global.tensorflow.TFJ_RegisterCustomGradient(opType, adapter)) {
      TABLE.remove(opType);
      return false;
    }
    return true;
  }

  private static List<Operand<?>> dispatch(Ops tf, GraphOperation op, List<Output<?>> grads) {
    RawCustomGradient g = TABLE.get(op.type());
    try {
      if (g == null) {
        throw new IllegalStateException("no custom gradient registered for " + op.type());
      }
      return g.call(tf, op, grads);
    } catch (RuntimeException | Error e) {
      // An exception cannot cross TF's native gradient builder (the JVM dies there): say which op
      // failed before it does.
      System.err.println("wild3d: custom gradient of " + op.type() + " (" + op.name() + ") failed: " + e);
      e.printStackTrace();
      throw e;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers. TF Java's generics cannot express "same dtype as that input", hence raw types.

  @SuppressWarnings("rawtypes")
  private static Operand in(GraphOperation op, int i) {
    return op.input(i);
  }

  @SuppressWarnings("rawtypes")
  private static Operand grad(List<Output<?>> g) {
    return g.get(0);
  }

  /** A scalar constant of {@code like}'s dtype. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static Operand scalar(Ops tf, Operand like, double v) {
    return tf.dtypes.cast(tf.constant(v), (Class<? extends TType>) like.type());
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static Operand mul(Ops tf, Operand... xs) {
    Operand y = xs[0];
    for (int i = 1; i < xs.length; i++) {
      y = tf.math.mul(y, xs[i]);
    }
    return y;
  }

  private static List<Long> longs(long[] v) {
    List<Long> out = new ArrayList<>(v.length);
    for (long x : v) {
      out.add(x);
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Forward ops.

  /** d cumprod(x)/dx · g = cumsum(prod·g, reverse flipped) / x (needs x ≠ 0, as TF's formula). */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static List<Operand<?>> cumprod(Ops tf, GraphOperation op, List<Output<?>> g) {
    boolean exclusive = op.attributes().getAttrBool("exclusive");
    boolean reverse = op.attributes().getAttrBool("reverse");
    Operand x = in(op, 0);
    Operand axis = in(op, 1);
    Operand prod = tf.math.cumprod(x, axis, Cumprod.exclusive(exclusive), Cumprod.reverse(reverse));
    Operand s =
        tf.math.cumsum(
            tf.math.mul(prod, grad(g)), axis, Cumsum.exclusive(exclusive), Cumsum.reverse(!reverse));
    return List.of(tf.math.div(s, x), tf.zerosLike(axis));
  }

  /**
   * Conv2DBackpropFilter(input, filter_sizes, dy) is bilinear in (input, dy): its gradient is a
   * transposed conv for {@code input} and a forward conv for {@code dy}.
   */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static List<Operand<?>> conv2dBackpropFilter(Ops tf, GraphOperation op, List<Output<?>> g) {
    var a = op.attributes();
    List<Long> strides = longs(a.getAttrIntList("strides"));
    List<Long> dil = longs(a.getAttrIntList("dilations"));
    List<Long> explicit = longs(a.getAttrIntList("explicit_paddings"));
    String padding = a.getAttrString("padding");
    String format = a.getAttrString("data_format");
    Operand x = in(op, 0);
    Operand dy = in(op, 2);
    Operand dw = grad(g);
    Operand dx =
        tf.nn.conv2dBackpropInput(
            tf.shape(x),
            dw,
            dy,
            strides,
            padding,
            Conv2dBackpropInput.dilations(dil),
            Conv2dBackpropInput.explicitPaddings(explicit),
            Conv2dBackpropInput.dataFormat(format));
    Operand ddy =
        tf.nn.conv2d(
            x,
            dw,
            strides,
            padding,
            Conv2d.dilations(dil),
            Conv2d.explicitPaddings(explicit),
            Conv2d.dataFormat(format));
    return List.of(dx, tf.zerosLike(in(op, 1)), ddy);
  }

  // ---------------------------------------------------------------------------------------------
  // First-order gradient ops (linear in their upstream-gradient input).

  /**
   * BiasAddGrad sums over all but the channel axis; its gradient broadcasts back. (No static
   * shapes here: querying a shape inside a gradient function deadlocks on the graph's lock.)
   */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static List<Operand<?>> biasAddGrad(Ops tf, GraphOperation op, List<Output<?>> g) {
    Operand dy = in(op, 0);
    Operand b = grad(g); // [C]
    if ("NCHW".equals(op.attributes().getAttrString("data_format"))) {
      Operand<TInt32> trailing = tf.fill(tf.reshape(tf.math.sub(tf.rank(dy), tf.constant(2)), tf.constant(new int[] {1})), tf.constant(1));
      b = tf.reshape(b, tf.concat(List.of(tf.constant(new int[] {-1}), trailing), tf.constant(0))); // [C,1,..,1]
    }
    return List.of(tf.broadcastTo(b, tf.shape(dy)));
  }

  /** StridedSliceGrad scatters dy into a zero tensor; its gradient slices the same way. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static List<Operand<?>> stridedSliceGrad(Ops tf, GraphOperation op, List<Output<?>> g) {
    var a = op.attributes();
    Operand slice =
        tf.stridedSlice(
            grad(g),
            in(op, 1),
            in(op, 2),
            in(op, 3),
            StridedSlice.beginMask(a.getAttrInt("begin_mask")),
            StridedSlice.endMask(a.getAttrInt("end_mask")),
            StridedSlice.ellipsisMask(a.getAttrInt("ellipsis_mask")),
            StridedSlice.newAxisMask(a.getAttrInt("new_axis_mask")),
            StridedSlice.shrinkAxisMask(a.getAttrInt("shrink_axis_mask")));
    return List.of(
        tf.zerosLike(in(op, 0)),
        tf.zerosLike(in(op, 1)),
        tf.zerosLike(in(op, 2)),
        tf.zerosLike(in(op, 3)),
        slice);
  }

  /** AvgPoolGrad is the transpose of AvgPool; its gradient is AvgPool. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static List<Operand<?>> avgPoolGrad(Ops tf, GraphOperation op, List<Output<?>> g) {
    var a = op.attributes();
    Operand pooled =
        tf.nn.avgPool(
            grad(g),
            longs(a.getAttrIntList("ksize")),
            longs(a.getAttrIntList("strides")),
            a.getAttrString("padding"),
            AvgPool.dataFormat(a.getAttrString("data_format")));
    return List.of(tf.zerosLike(in(op, 0)), pooled);
  }

  /** SoftplusGrad(dy, x) = dy·sigmoid(x). */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static List<Operand<?>> softplusGrad(Ops tf, GraphOperation op, List<Output<?>> g) {
    Operand dy = in(op, 0);
    Operand x = in(op, 1);
    Operand gr = grad(g);
    Operand ddy = tf.math.softplusGrad(gr, x);
    // sigmoid'(x) = 1/(e^-x + 2 + e^x); overflow to inf gives the correct limit 0.
    Operand denom =
        tf.math.add(tf.math.add(tf.math.exp(tf.math.neg(x)), scalar(tf, x, 2.0)), tf.math.exp(x));
    Operand dx = tf.math.div(mul(tf, gr, dy), denom);
    return List.of(ddy, dx);
  }

  /** SigmoidGrad(y, dy) = dy·y·(1−y). */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static List<Operand<?>> sigmoidGrad(Ops tf, GraphOperation op, List<Output<?>> g) {
    Operand y = in(op, 0);
    Operand dy = in(op, 1);
    Operand gb = tf.math.mul(grad(g), dy);
    Operand dyy = tf.math.sub(gb, mul(tf, scalar(tf, y, 2.0), gb, y));
    return List.of(dyy, tf.math.sigmoidGrad(y, grad(g)));
  }

  /** TanhGrad(y, dy) = dy·(1−y²). */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static List<Operand<?>> tanhGrad(Ops tf, GraphOperation op, List<Output<?>> g) {
    Operand y = in(op, 0);
    Operand dy = in(op, 1);
    Operand dyy = mul(tf, scalar(tf, y, -2.0), grad(g), dy, y);
    return List.of(dyy, tf.math.tanhGrad(y, grad(g)));
  }

  /** SqrtGrad(y, dy) = 0.5·dy/y. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static List<Operand<?>> sqrtGrad(Ops tf, GraphOperation op, List<Output<?>> g) {
    Operand y = in(op, 0);
    Operand out = op.output(0);
    Operand ga = tf.math.div(grad(g), y);
    return List.of(tf.math.neg(tf.math.mul(ga, out)), tf.math.mul(scalar(tf, y, 0.5), ga));
  }

  /** RsqrtGrad(y, dy) = −0.5·dy·y³. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static List<Operand<?>> rsqrtGrad(Ops tf, GraphOperation op, List<Output<?>> g) {
    Operand y = in(op, 0);
    Operand dy = in(op, 1);
    Operand dyy = mul(tf, scalar(tf, y, -1.5), grad(g), dy, tf.math.square(y));
    return List.of(dyy, tf.math.rsqrtGrad(y, grad(g)));
  }

  /** ReciprocalGrad(y, dy) = −dy·y². */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static List<Operand<?>> reciprocalGrad(Ops tf, GraphOperation op, List<Output<?>> g) {
    Operand y = in(op, 0);
    Operand dy = in(op, 1);
    Operand dyy = mul(tf, scalar(tf, y, -2.0), grad(g), dy, y);
    return List.of(dyy, tf.math.reciprocalGrad(y, grad(g)));
  }

  /** ReluGrad(dy, x) = dy·[x > 0]: linear in dy, piecewise constant in x. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static List<Operand<?>> reluGrad(Ops tf, GraphOperation op, List<Output<?>> g) {
    Operand x = in(op, 1);
    return List.of(tf.nn.reluGrad(grad(g), x), tf.zerosLike(x));
  }

  /** ResizeBilinearGrad is the transpose of ResizeBilinear (to the gradient's size). */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static List<Operand<?>> resizeBilinearGrad(Ops tf, GraphOperation op, List<Output<?>> g) {
    var a = op.attributes();
    Operand grads = in(op, 0); // float32, at the resized resolution
    Operand<TInt32> size = spatialSize(tf, grads);
    Operand up =
        tf.image.resizeBilinear(
            grad(g),
            size,
            ResizeBilinear.alignCorners(a.getAttrBool("align_corners")),
            ResizeBilinear.halfPixelCenters(a.getAttrBool("half_pixel_centers")));
    return List.of(up, tf.zerosLike(in(op, 1)));
  }

  /** ResizeNearestNeighborGrad is the transpose of ResizeNearestNeighbor. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static List<Operand<?>> resizeNearestNeighborGrad(
      Ops tf, GraphOperation op, List<Output<?>> g) {
    var a = op.attributes();
    Operand grads = in(op, 0);
    Operand up =
        tf.image.resizeNearestNeighbor(
            grad(g),
            spatialSize(tf, grads),
            ResizeNearestNeighbor.alignCorners(a.getAttrBool("align_corners")),
            ResizeNearestNeighbor.halfPixelCenters(a.getAttrBool("half_pixel_centers")));
    return List.of(up, tf.zerosLike(in(op, 1)));
  }

  /** {@code [H, W]} of an NHWC tensor, as an int32 vector. */
  private static Operand<TInt32> spatialSize(Ops tf, Operand<?> x) {
    return tf.slice(tf.shape(x), tf.constant(new int[] {1}), tf.constant(new int[] {2}));
  }
}
