package org.wild3d.render;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.wild3d.camera.Rays;
import org.wild3d.config.RenderSpec;
import org.wild3d.tf.Shapes;
import org.wild3d.tf.Slices;

/**
 * EG3D's volume renderer: rays per pixel, S stratified samples (jittered with a seed, bin centres
 * without), optionally S_imp importance samples from the coarse weights, the field re-evaluated at
 * the fine samples, coarse and fine samples merged by depth and composited again ({@link
 * RayMarcher}).
 *
 * <p>RGB: the composited features' first 3 channels {@code f} (in [0, 1]) are mapped to [−1, 1] and
 * the background {@code bg} is composited where the ray is not opaque: {@code rgb = (2f − a) + (1 −
 * a)·bg} with opacity {@code a}. With the default black background ({@code bg = −1}) this is EG3D's
 * {@code 2f − 1}.
 *
 * <p>Multi-view: planes {@code [N,…]} with cameras {@code [N·V,…]} in scene-major order (camera
 * {@code n·V + v} sees scene n); pass {@code views = V}. The planes are not copied.
 */
public final class Renderer {
  private final RenderSpec spec;
  private final float boxSize;
  private final Decoder decoder;
  private final float[] background;

  /**
   * @param boxSize edge of the cube the triplanes cover ({@code TriplaneSpec#boxSize})
   * @param decoder the model's decoder, or null for a renderer of {@link DensityField}s only
   */
  public Renderer(RenderSpec spec, float boxSize, Decoder decoder) {
    checkArgument(boxSize > 0, "triplane box size: expected > 0, found %s", boxSize);
    this.spec = spec;
    this.boxSize = boxSize;
    this.decoder = decoder;
    this.background = spec.background();
  }

  /**
   * Renders triplanes through the decoder.
   *
   * <p>Shapes: {@code planes [N,Rp,Rp,3F]}, {@code cam2world [N·V,4,4]}, {@code intrinsics
   * [N·V,3,3]} → {@link RenderOutput} with batch N·V.
   *
   * @param views V, cameras per scene (scene-major)
   * @param seed stateless-random seed {@code [2]} for jitter, random importance samples and density
   *     noise (training), or null (deterministic evaluation)
   */
  public RenderOutput render(
      Ops tf,
      Operand<TFloat32> planes,
      Operand<TFloat32> cam2world,
      Operand<TFloat32> intrinsics,
      int views,
      Operand<TInt64> seed) {
    return render(tf, field(planes, views), cam2world, intrinsics, seed);
  }

  /** The model's field on {@code planes} ({@code [N,Rp,Rp,3F]}), queried with N·V point sets. */
  public TriplaneField field(Operand<TFloat32> planes, int views) {
    checkState(decoder != null, "this renderer has no decoder: render a DensityField instead");
    return new TriplaneField(planes, decoder, boxSize, views, spec.densityNoise());
  }

  /**
   * Activated density {@code softplus(raw − 1)} at points, without noise (EG3D's density
   * regulariser). Shapes: {@code planes [N,Rp,Rp,3F]}, {@code points [N,M,3]} → {@code [N,M,1]}.
   */
  public Operand<TFloat32> density(Ops tf, Operand<TFloat32> planes, Operand<TFloat32> points) {
    return field(planes, 1).query(tf, points, null).sigma();
  }

  /**
   * Raw decoder density (before {@code softplus(· − 1)}), what EG3D's density regulariser compares
   * (its {@code sample_mixed} returns the raw σ). Shapes: {@code planes [N,Rp,Rp,3F]}, {@code
   * points [N,M,3]} → {@code [N,M,1]}.
   */
  public Operand<TFloat32> rawDensity(Ops tf, Operand<TFloat32> planes, Operand<TFloat32> points) {
    checkState(decoder != null, "this renderer has no decoder: render a DensityField instead");
    return decoder.apply(TriplaneSampler.sample(tf, planes, points, boxSize)).sigmaRaw();
  }

  /**
   * Renders any field.
   *
   * <p>Shapes: {@code cam2world [N,4,4]}, {@code intrinsics [N,3,3]} → {@link RenderOutput}.
   */
  public RenderOutput render(
      Ops tf,
      DensityField field,
      Operand<TFloat32> cam2world,
      Operand<TFloat32> intrinsics,
      Operand<TInt64> seed) {
    NonDifferentiable.ensureRegistered();
    Ops rt = tf.withSubScope("render");
    int res = spec.resolution();
    int c = field.featureChannels();
    checkArgument(c >= 3, "field features: expected >= 3 channels (RGB first), found %s", c);
    float near = spec.rayStart();
    float far = spec.rayEnd();
    Rays rays = Rays.generate(rt, cam2world, intrinsics, res);

    Operand<TFloat32> depths =
        RaySamples.stratified(
            rt, rays.origins(), spec.samplesStratified(), near, far, subSeed(rt, seed, 1));
    Samples coarse = evaluate(rt, field, rays, depths, subSeed(rt, seed, 3));
    RayMarcher.Composite out;
    if (spec.samplesImportance() > 0) {
      RayMarcher.Composite pass1 =
          RayMarcher.march(rt, coarse.depths, coarse.sigma, coarse.features, near, far);
      Operand<TFloat32> fineDepths =
          ImportanceSampler.sample(
              rt,
              coarse.depths,
              pass1.weights(),
              spec.samplesImportance(),
              ImportanceSampler.DEFAULT_EPSILON,
              true,
              subSeed(rt, seed, 2));
      Samples fine = evaluate(rt, field, rays, fineDepths, subSeed(rt, seed, 4));
      ImportanceSampler.Merged all =
          ImportanceSampler.merge(
              rt,
              coarse.depths,
              coarse.sigma,
              coarse.features,
              fine.depths,
              fine.sigma,
              fine.features);
      out = RayMarcher.march(rt, all.depths(), all.sigma(), all.features(), near, far);
    } else {
      out = RayMarcher.march(rt, coarse.depths, coarse.sigma, coarse.features, near, far);
    }
    Operand<TFloat32> features = image(rt, out.features(), res, c);
    Operand<TFloat32> opacity = image(rt, out.opacity(), res, 1);
    Operand<TFloat32> depth = image(rt, out.depth(), res, 1);
    Operand<TFloat32> f3 = Slices.along(rt, features, 3, 0, 3);
    Operand<TFloat32> transparency = rt.math.sub(rt.constant(1f), opacity);
    Operand<TFloat32> rgb =
        rt.math.add(
            rt.math.sub(rt.math.mul(f3, rt.constant(2f)), opacity),
            rt.math.mul(transparency, rt.constant(new float[][][][] {{{background}}})));
    Shapes.check("rendered rgb [N,H,W,3]", rgb, -1, res, res, 3);
    return new RenderOutput(features, rgb, depth, opacity);
  }

  private record Samples(
      Operand<TFloat32> depths, Operand<TFloat32> sigma, Operand<TFloat32> features) {}

  /** Queries the field at the points of {@code depths [N,R,S,1]}. */
  private static Samples evaluate(
      Ops tf, DensityField field, Rays rays, Operand<TFloat32> depths, Operand<TInt64> noiseSeed) {
    int r = Shapes.dim(depths, 1);
    int s = Shapes.dim(depths, 2);
    Operand<TFloat32> points = RaySamples.points(tf, rays.origins(), rays.directions(), depths);
    DensityField.Output out = field.query(tf, points, noiseSeed); // [N,R·S,·]
    Shapes.check("field sigma [N,M,1]", out.sigma(), -1, (long) r * s, 1);
    int c = field.featureChannels();
    Shapes.check("field features [N,M,C]", out.features(), -1, (long) r * s, c);
    return new Samples(
        depths,
        tf.reshape(out.sigma(), tf.constant(new int[] {-1, r, s, 1})), // [N,R,S,1]
        tf.reshape(out.features(), tf.constant(new int[] {-1, r, s, c}))); // [N,R,S,C]
  }

  private static Operand<TFloat32> image(Ops tf, Operand<TFloat32> x, int res, int c) {
    return tf.reshape(x, tf.constant(new int[] {-1, res, res, c})); // [N,H,W,C]
  }

  private static Operand<TInt64> subSeed(Ops tf, Operand<TInt64> seed, long k) {
    return seed == null ? null : tf.math.add(seed, tf.constant(new long[] {0, k}));
  }

  public RenderSpec spec() {
    return spec;
  }
}
