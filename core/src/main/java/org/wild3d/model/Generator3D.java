package org.wild3d.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.wild3d.config.ModelSpec;
import org.wild3d.mapping.MappingNetwork;
import org.wild3d.nn.Noise;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.render.Decoder;
import org.wild3d.render.RenderOutput;
import org.wild3d.render.Renderer;
import org.wild3d.synthesis.SuperResolution;
import org.wild3d.synthesis.SynthesisNetwork;
import org.wild3d.tf.Shapes;

/**
 * The 3D generator: mapping (z, class → w) → StyleGAN2 synthesis (w → triplanes) → volume
 * rendering from given cameras (triplane decoder) → optional super-resolution.
 *
 * <p>Built once from a {@link ModelSpec} in its own name scope ({@code G}, or {@code G_ema} for
 * the averaged copy, which has identical structure and variable names below the scope).
 *
 * <p>Multi-view: a scene is one row of {@code z}/class ({@code N} scenes); cameras come as {@code
 * N·V} rows in scene-major order (camera {@code n·V+v} sees scene {@code n}).
 */
public final class Generator3D {
  /**
   * Everything a generator pass produces. Shapes: {@code image [N·V,H,W,3]} in [−1,1] (the
   * super-resolved image, or the raw rendering when SR is off), {@code raw [N·V,r,r,3]}, {@code
   * depth [N·V,r,r,1]}, {@code opacity [N·V,r,r,1]}, {@code planes [N,R,R,3F]}, {@code ws
   * [N,num_ws,Wd]}.
   */
  public record Output(
      Operand<TFloat32> image,
      Operand<TFloat32> raw,
      Operand<TFloat32> depth,
      Operand<TFloat32> opacity,
      Operand<TFloat32> planes,
      Operand<TFloat32> ws) {}

  private final Ops tf;
  private final Params params;
  private final ModelSpec spec;
  private final MappingNetwork mapping;
  private final SynthesisNetwork synthesis;
  private final Decoder decoder;
  private final Renderer renderer;
  private final SuperResolution superres; // null when off

  /**
   * @param scope the generator's name scope, {@code G} or {@code G_ema}
   * @param params the variable store of this generator (one per scope)
   */
  public Generator3D(Ops tf, Params params, ModelSpec spec, String scope) {
    this.tf = tf.withSubScope(scope);
    this.params = params;
    this.spec = spec;
    this.synthesis = new SynthesisNetwork(this.tf, params, spec.synthesis());
    this.mapping = new MappingNetwork(this.tf, params, spec.mapping(), synthesis.numWs());
    this.decoder = new Decoder(this.tf, params, spec.decoder());
    this.renderer = new Renderer(spec.render(), spec.triplane().boxSize(), decoder);
    this.superres = spec.hasSuperResolution()
        ? new SuperResolution(this.tf, params, spec.superres()) : null;
  }

  /** Mapping: {@code z [N,Z]}, {@code classes [N]}, ψ scalar → ws (truncated), w, w_avg update. */
  public MappingNetwork.Mapped map(Operand<TFloat32> z, Operand<TInt32> classes, Operand<TFloat32> psi) {
    return mapping.apply(z, classes, psi);
  }

  /** Triplanes of latents. Shapes: {@code ws [N,num_ws,Wd] → [N,R,R,3F]}. */
  public Operand<TFloat32> planes(Operand<TFloat32> ws, Noise.Source noise) {
    return synthesis.apply(ws, noise);
  }

  /**
   * Synthesis, rendering and super-resolution of latents from {@code V} cameras per scene.
   *
   * @param ws {@code [N,num_ws,Wd]}
   * @param cam2world {@code [N·V,4,4]}
   * @param intrinsics {@code [N·V,3,3]}
   * @param noise per-pixel noise source of the synthesis network
   * @param renderSeed stateless seed {@code [2]} for sample jitter (training) or null (evaluation)
   */
  public Output synthesize(
      Operand<TFloat32> ws,
      Operand<TFloat32> cam2world,
      Operand<TFloat32> intrinsics,
      int views,
      Noise.Source noise,
      Operand<TInt64> renderSeed) {
    Operand<TFloat32> planes = planes(ws, noise); // [N,R,R,3F]
    RenderOutput r = renderer.render(tf, planes, cam2world, intrinsics, views, renderSeed);
    Operand<TFloat32> image = r.rgb();
    if (superres != null) {
      Operand<TFloat32> wsV = repeatViews(tf, ws, views); // [N·V,num_ws,Wd]
      image = superres.apply(r.rgb(), r.features(), wsV);
    }
    int res = imageResolution();
    Shapes.check("generated image [N·V,H,W,3]", image, -1, res, res, 3);
    return new Output(image, r.rgb(), r.depth(), r.opacity(), planes, ws);
  }

  /** Repeats each row of {@code x [N,...]} {@code views} times: {@code [N·V,...]}, scene-major. */
  public static Operand<TFloat32> repeatViews(Ops tf, Operand<TFloat32> x, int views) {
    if (views == 1) {
      return x;
    }
    int rank = x.shape().numDimensions();
    long[] rest = new long[rank - 1];
    for (int i = 1; i < rank; i++) {
      rest[i - 1] = Shapes.dim(x, i);
    }
    Operand<TFloat32> e = tf.expandDims(x, tf.constant(1)); // [N,1,...]
    int[] multiples = new int[rank + 1];
    java.util.Arrays.fill(multiples, 1);
    multiples[1] = views;
    Operand<TFloat32> t = tf.tile(e, tf.constant(multiples)); // [N,V,...]
    int[] shape = new int[rank];
    shape[0] = -1;
    for (int i = 1; i < rank; i++) {
      shape[i] = (int) rest[i - 1];
    }
    return tf.reshape(t, tf.constant(shape)); // [N·V,...]
  }

  /** Resolution of the generated image (SR output, or the neural rendering). */
  public int imageResolution() {
    return spec.imageResolution();
  }

  public MappingNetwork mapping() {
    return mapping;
  }

  public SynthesisNetwork synthesis() {
    return synthesis;
  }

  public Renderer renderer() {
    return renderer;
  }

  public Decoder decoder() {
    return decoder;
  }

  /** Whether super-resolution is on. */
  public boolean hasSuperResolution() {
    return superres != null;
  }

  /** The architecture this generator was built from. */
  public ModelSpec spec() {
    return spec;
  }

  public List<Param> trainables() {
    return params.trainables();
  }

  public Params params() {
    return params;
  }

  public Ops ops() {
    return tf;
  }
}
