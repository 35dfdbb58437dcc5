package org.wild3d.disc;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.wild3d.config.DiscriminatorSpec;
import org.wild3d.config.MultiView;
import org.wild3d.nn.Activation;
import org.wild3d.nn.Conv2d;
import org.wild3d.nn.Dense;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.tf.CustomGradients;
import org.wild3d.tf.Shapes;

/**
 * StyleGAN2 ResNet discriminator with minibatch-std and class projection (StyleGAN2-ADA /
 * EG3D), extended with EG3D's dual input and the paper's multi-view fusion. NHWC float32.
 *
 * <p>Layout (R = image resolution, ch(r) = min(channel_base/r, channel_max)):
 *
 * <pre>
 *   &lt;name&gt;/bR/fromrgb            1×1, Cin → ch(R), lrelu
 *   &lt;name&gt;/b{r}/conv0            3×3, ch(r) → ch(r), lrelu              r = R, R/2, ..., 8
 *   &lt;name&gt;/b{r}/conv1            3×3 down, ch(r) → ch(r/2), lrelu, ·sqrt(0.5)
 *   &lt;name&gt;/b{r}/skip             1×1 down, no bias, linear, ·sqrt(0.5); block out = skip + conv1
 *   &lt;name&gt;/b4/conv               mbstd then 3×3, ch(4)+F → ch(4), lrelu
 *   &lt;name&gt;/b4/fc                 Dense 16·ch(4) → ch(4), lrelu
 *   &lt;name&gt;/b4/out                Dense ch(4) → cmap_dim (K > 1) or 1 (K = 1)
 *   &lt;name&gt;/mapping/embed, fc{i}   class mapping (K > 1), see {@link ClassMapping}
 * </pre>
 *
 * logits = Σ(out·cmap)/sqrt(cmap_dim) for K > 1, else out.
 *
 * <p><b>Inputs.</b> {@link #apply} takes the prepared input {@code [B,R,R,inputChannels()]}; {@link
 * #score} prepares it from images: the dual input ({@link #dualInput}: the image concatenated along
 * channels with the raw neural rendering resized bilinearly to R) when super-resolution is on, and
 * with {@link MultiView.Fusion#STACKED} the {@code V} views of a scene stacked along channels
 * ({@link #stackViews}).
 *
 * <p>The constructor installs {@link CustomGradients} (mbstd's Sqrt and the dual input's
 * ResizeBilinear need them for R1).
 */
public final class Discriminator {

  private final DiscriminatorSpec spec;
  private final Ops tf;
  private final Ops b4; // the epilogue's scope
  private final Conv2d fromRgb;
  private final List<ResBlock> blocks = new ArrayList<>();
  private final Conv2d epilogueConv;
  private final Dense fc;
  private final Dense out;
  private final ClassMapping mapping; // null when K = 1
  private final List<Param> trainables;

  /** Builds D's variables in scope {@code name} (e.g. "D") of {@code tf}. */
  public Discriminator(Ops tf, Params params, String name, DiscriminatorSpec spec) {
    checkArgument(spec.resolution() >= 4 && Integer.bitCount(spec.resolution()) == 1,
        "discriminator resolution: expected a power of two >= 4, found %s", spec.resolution());
    CustomGradients.install();
    this.spec = spec;
    this.tf = tf.withSubScope(name);
    int before = params.trainables().size();
    float clamp = spec.convClamp();
    int r = spec.resolution();
    Ops top = this.tf.withSubScope("b" + r);
    this.fromRgb =
        new Conv2d(
            top,
            params,
            "fromrgb",
            Conv2d.Spec.of(spec.inputChannels(), spec.channels(r), 1, Activation.LRELU).withClamp(clamp));
    for (; r > 4; r /= 2) {
      Ops scope = r == spec.resolution() ? top : this.tf.withSubScope("b" + r);
      blocks.add(new ResBlock(scope, params, spec.channels(r), spec.channels(r / 2), clamp));
    }
    this.b4 = this.tf.withSubScope("b4");
    int c4 = spec.channels(4);
    int mb = spec.mbstdGroupSize() > 0 ? spec.mbstdChannels() : 0;
    this.epilogueConv =
        new Conv2d(
            this.b4, params, "conv", Conv2d.Spec.of(c4 + mb, c4, 3, Activation.LRELU).withClamp(clamp));
    this.fc = new Dense(this.b4, params, "fc", Dense.Spec.of(16 * c4, c4, Activation.LRELU));
    boolean conditional = spec.numClasses() > 1;
    this.out =
        new Dense(this.b4, params, "out", Dense.Spec.of(c4, conditional ? spec.cmapWidth() : 1, Activation.LINEAR));
    this.mapping =
        conditional
            ? new ClassMapping(
                this.tf, params, "mapping", spec.numClasses(), spec.cmapWidth(), spec.mappingLayers())
            : null;
    List<Param> all = params.trainables();
    this.trainables = List.copyOf(all.subList(before, all.size()));
  }

  public DiscriminatorSpec spec() {
    return spec;
  }

  /** D's trainable variables, in creation order (pass these to D's optimiser). */
  public List<Param> trainables() {
    return trainables;
  }

  /**
   * Logits of prepared inputs.
   *
   * <p>Shapes: {@code x [B,R,R,inputChannels()]}, {@code classes [B]} int32 (may be null when K =
   * 1) → {@code [B,1]}.
   */
  public Operand<TFloat32> apply(Operand<TFloat32> x, Operand<TInt32> classes) {
    int res = spec.resolution();
    Shapes.check("discriminator input [B,R,R,C]", x, -1, res, res, spec.inputChannels());
    Operand<TFloat32> h = fromRgb.apply(x); // [B,R,R,ch(R)]
    for (ResBlock b : blocks) {
      h = b.apply(h);
    }
    int c4 = spec.channels(4);
    Shapes.check("discriminator epilogue input [B,4,4,C]", h, -1, 4, 4, c4);
    if (spec.mbstdGroupSize() > 0) {
      h = MinibatchStd.apply(b4, h, spec.mbstdGroupSize(), spec.mbstdChannels()); // [B,4,4,C+F]
    }
    h = epilogueConv.apply(h); // [B,4,4,C]
    h = b4.reshape(h, b4.constant(new int[] {-1, 16 * c4})); // [B,16C]
    h = fc.apply(h); // [B,C]
    h = out.apply(h); // [B,cmap] or [B,1]
    if (mapping == null) {
      return h;
    }
    checkArgument(classes != null, "discriminator: class labels are required for %s classes", spec.numClasses());
    Operand<TFloat32> cmap = mapping.apply(classes); // [B,cmap]
    Operand<TFloat32> proj =
        tf.reduceSum(tf.math.mul(h, cmap), tf.constant(1), ReduceSum.keepDims(true)); // [B,1]
    return tf.math.mul(proj, tf.constant((float) (1 / Math.sqrt(spec.cmapWidth()))));
  }

  /**
   * Logits of images, preparing D's input from them according to the spec.
   *
   * <p>PER_VIEW: every row is scored, {@code [B,...] → [B,1]}. STACKED: rows come in groups of V
   * consecutive views of one scene (for reals: V images of one class), {@code B = N·V}, and each
   * group is scored once with the class of its first row: {@code → [N,1]}.
   *
   * <p>Shapes: {@code image [B,R,R,C]}, {@code raw [B,r,r,C]} (the neural rendering; required iff
   * the spec is dual, else null), {@code classes [B]} int32 (null allowed when K = 1).
   */
  public Operand<TFloat32> score(
      Operand<TFloat32> image, Operand<TFloat32> raw, Operand<TInt32> classes) {
    checkArgument(
        (raw != null) == spec.dual(),
        "discriminator: raw image %s, but the spec's dual input is %s",
        raw == null ? "missing" : "given",
        spec.dual());
    Operand<TFloat32> x = spec.dual() ? dualInput(tf, image, raw) : image; // [B,R,R,C']
    if (!spec.stacked()) {
      return apply(x, classes);
    }
    Operand<TFloat32> stacked = stackViews(tf, x, spec.views()); // [N,R,R,V·C']
    Operand<TInt32> sceneClasses =
        classes == null ? null : firstOfEachGroup(tf, classes, spec.views()); // [N]
    return apply(stacked, sceneClasses);
  }

  /**
   * EG3D's dual-discriminator input: {@code image} concatenated along channels with {@code raw}
   * resized bilinearly (half-pixel centres, i.e. align_corners = false) to the image's size.
   *
   * <p>Shapes: {@code image [N,H,W,C]}, {@code raw [N,h,w,C]} → {@code [N,H,W,2C]} (image first).
   */
  public static Operand<TFloat32> dualInput(Ops tf, Operand<TFloat32> image, Operand<TFloat32> raw) {
    Shapes.check("dual input image [N,H,W,C]", image, -1, -1, -1, -1);
    int h = Shapes.dim(image, 1);
    int w = Shapes.dim(image, 2);
    int c = Shapes.dim(image, 3);
    Shapes.check("dual input raw image [N,h,w,C]", raw, -1, -1, -1, c);
    Operand<TFloat32> resized =
        Shapes.dim(raw, 1) == h && Shapes.dim(raw, 2) == w
            ? raw
            : tf.image.resizeBilinear(
                raw, tf.constant(new int[] {h, w}), ResizeBilinear.halfPixelCenters(true)); // [N,H,W,C]
    return tf.concat(List.of(image, resized), tf.constant(3)); // [N,H,W,2C]
  }

  /**
   * Stacks the V views of each scene along channels.
   *
   * <p>Ordering: input rows are scene-major ({@code row = n·V + v}); output channels are
   * view-major within a scene ({@code channel = v·C + c}), so channels {@code [v·C, (v+1)·C)} of
   * scene n hold view v.
   *
   * <p>Shapes: {@code x [N·V,H,W,C] → [N,H,W,V·C]}.
   */
  public static Operand<TFloat32> stackViews(Ops tf, Operand<TFloat32> x, int views) {
    Shapes.check("views to stack [N·V,H,W,C]", x, -1, -1, -1, -1);
    checkArgument(views >= 1, "views: expected >= 1, found %s", views);
    long rows = x.shape().size(0);
    checkArgument(
        rows < 0 || rows % views == 0,
        "views to stack: batch %s is not a multiple of V = %s",
        rows,
        views);
    int h = Shapes.dim(x, 1);
    int w = Shapes.dim(x, 2);
    int c = Shapes.dim(x, 3);
    Operand<TFloat32> t = tf.reshape(x, tf.constant(new int[] {-1, views, h, w, c})); // [N,V,H,W,C]
    t = tf.linalg.transpose(t, tf.constant(new int[] {0, 2, 3, 1, 4})); // [N,H,W,V,C]
    return tf.reshape(t, tf.constant(new int[] {-1, h, w, views * c})); // [N,H,W,V·C]
  }

  /**
   * Repeats per-scene values for each of its V views, matching {@link #stackViews}'s row order.
   *
   * <p>Shapes: {@code classes [N] → [N·V]} (row n·V + v holds classes[n]).
   */
  public static Operand<TInt32> repeatViews(Ops tf, Operand<TInt32> classes, int views) {
    Shapes.check("per-scene classes [N]", classes, -1);
    Operand<TInt32> t = tf.reshape(classes, tf.constant(new int[] {-1, 1})); // [N,1]
    t = tf.tile(t, tf.constant(new int[] {1, views})); // [N,V]
    return tf.reshape(t, tf.constant(new int[] {-1})); // [N·V]
  }

  /** Shapes: {@code [N·V] → [N]}, the first row of each group of V. */
  private static Operand<TInt32> firstOfEachGroup(Ops tf, Operand<TInt32> classes, int views) {
    Shapes.check("classes [N·V]", classes, -1);
    Operand<TInt32> t = tf.reshape(classes, tf.constant(new int[] {-1, views})); // [N,V]
    return tf.reshape(
        tf.slice(t, tf.constant(new int[] {0, 0}), tf.constant(new int[] {-1, 1})),
        tf.constant(new int[] {-1})); // [N]
  }

  /** One ResNet block: two 3×3 convs (the second downsampling) plus a 1×1 downsampling skip. */
  private static final class ResBlock {
    private static final float SQRT_HALF = (float) Math.sqrt(0.5);
    private final Conv2d conv0;
    private final Conv2d conv1;
    private final Conv2d skip;
    private final Ops tf;

    ResBlock(Ops tf, Params params, int in, int out, float clamp) {
      this.tf = tf;
      conv0 = new Conv2d(tf, params, "conv0", Conv2d.Spec.of(in, in, 3, Activation.LRELU).withClamp(clamp));
      conv1 =
          new Conv2d(
              tf, params, "conv1", Conv2d.Spec.of(in, out, 3, Activation.LRELU).downsampled().withClamp(clamp));
      skip =
          new Conv2d(
              tf, params, "skip", Conv2d.Spec.of(in, out, 1, Activation.LINEAR).downsampled().withoutBias());
    }

    /** Shapes: {@code [N,r,r,in] → [N,r/2,r/2,out]}. */
    Operand<TFloat32> apply(Operand<TFloat32> x) {
      Operand<TFloat32> y = skip.apply(x, SQRT_HALF);
      Operand<TFloat32> h = conv1.apply(conv0.apply(x), SQRT_HALF);
      return tf.math.add(y, h);
    }
  }
}
