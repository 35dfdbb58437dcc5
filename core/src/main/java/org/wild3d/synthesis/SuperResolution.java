package org.wild3d.synthesis;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.wild3d.config.SuperResolutionSpec;
import org.wild3d.nn.Noise;
import org.wild3d.nn.Params;
import org.wild3d.tf.Shapes;

/**
 * EG3D's super-resolution module: two StyleGAN2 synthesis blocks styled by the last {@code w}
 * turn the neural rendering (raw RGB + feature image at r×r) into an R×R RGB image.
 *
 * <p>As EG3D's SuperresolutionHybrid2X/4X/8X: when R > 2r, the feature image and the raw RGB are
 * first bilinearly resized to R/2; block {@code b<R/2>} (two 3×3 convs, no upsampling) adds its
 * ToRGB to the raw RGB, and block {@code b<R>} (upsampling conv + conv) upsamples that RGB skip with
 * the [1,3,3,1] FIR and adds its ToRGB. So the raw RGB, upsampled, is the skip the blocks refine.
 * Both blocks have {@code channels} channels. There are no noise inputs (EG3D runs its
 * super-resolution with {@code noise_mode='none'}).
 *
 * <p>Shapes: {@code rgb [N,r,r,3], features [N,r,r,C], w [N,Wd] or [N,num_ws,Wd] → [N,R,R,3]}.
 */
public final class SuperResolution {
  private final SuperResolutionSpec spec;
  private final Ops tf;
  private final SynthesisBlock block0;
  private final SynthesisBlock block1;

  /** Builds the variables in scope {@code superres} of {@code tf} (e.g. {@code G/superres}). */
  public SuperResolution(Ops tf, Params params, SuperResolutionSpec spec) {
    this.spec = spec;
    this.tf = tf.withSubScope("superres");
    int r = spec.outputResolution();
    block0 = new SynthesisBlock(this.tf, params, "b" + r / 2,
        new SynthesisBlock.Spec(spec.featureChannels(), spec.channels(), spec.wDim(), false, 3,
            false, spec.convClamp(), r / 2));
    block1 = new SynthesisBlock(this.tf, params, "b" + r,
        new SynthesisBlock.Spec(spec.channels(), spec.channels(), spec.wDim(), true, 3,
            false, spec.convClamp(), r));
  }

  public SuperResolutionSpec spec() {
    return spec;
  }

  /**
   * @param rgb raw RGB of the neural rendering {@code [N,r,r,3]}
   * @param features rendered feature image {@code [N,r,r,C]}
   * @param w the latent {@code [N,Wd]}, or all latents {@code [N,num_ws,Wd]} of which the last is
   *     used (as EG3D)
   * @return the super-resolved RGB {@code [N,R,R,3]}
   */
  public Operand<TFloat32> apply(Operand<TFloat32> rgb, Operand<TFloat32> features, Operand<TFloat32> w) {
    int r = spec.inputResolution();
    Shapes.check("super-resolution input rgb [N,r,r,3]", rgb, -1, r, r, 3);
    Shapes.check("super-resolution input features [N,r,r,C]", features, -1, r, r,
        spec.featureChannels());
    if (w.shape().numDimensions() == 3) {
      int k = Shapes.dim(w, 1);
      Shapes.check("super-resolution input ws [N,num_ws,Wd]", w, -1, k, spec.wDim());
      w = tf.gather(w, tf.constant(k - 1), tf.constant(1)); // [N,Wd]
    }
    Shapes.check("super-resolution input w [N,Wd]", w, -1, spec.wDim());
    int mid = spec.outputResolution() / 2;
    Operand<TFloat32> x = features;
    Operand<TFloat32> img = rgb;
    if (mid > r) {
      Operand<TInt32> size = tf.constant(new int[] {mid, mid});
      x = tf.image.resizeBilinear(x, size, ResizeBilinear.halfPixelCenters(true)); // [N,mid,mid,C]
      img = tf.image.resizeBilinear(img, size, ResizeBilinear.halfPixelCenters(true)); // [N,mid,mid,3]
    }
    List<Operand<TFloat32>> ws = List.of(w, w, w);
    SynthesisBlock.Out o = block0.apply(x, img, ws, Noise.none()); // [N,mid,mid,·]
    o = block1.apply(o.x(), o.img(), ws, Noise.none()); // [N,R,R,·]
    int out = spec.outputResolution();
    return Shapes.check("super-resolution output [N,R,R,3]", o.img(), -1, out, out, 3);
  }
}
