package org.wild3d.synthesis;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.wild3d.nn.ModulatedConv2d;
import org.wild3d.nn.Noise;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.nn.Fir;
import org.wild3d.tf.Shapes;

/**
 * One StyleGAN2 synthesis block of the skip architecture: {@code conv0} (optionally 2×
 * upsampling), {@code conv1}, and {@code torgb} whose output is added to the (upsampled) image
 * skip. The first block of a network starts from a learned 4×4 constant ({@code const}) and has
 * only {@code conv1}.
 *
 * <p>It consumes {@code numConv() + 1} latents: one per conv and, for ToRGB, the one after them
 * (StyleGAN2's overlapping w indices; they differ only with style mixing).
 *
 * <p>Shapes: {@code x [N,H,W,in], img [N,H,W,C] or none → x [N,H',W',out], img [N,H',W',C]} with
 * {@code H' = H·2} when upsampling, else {@code H}.
 */
final class SynthesisBlock {
  /**
   * @param inChannels input channels; 0 = start from a learned 4×4 constant
   * @param outChannels channels of the block's convolutions
   * @param wDim Wd, the latent size
   * @param up true = conv0 upsamples 2× and the image skip is upsampled with the [1,3,3,1] filter
   *     ({@link Fir#upsample2x})
   * @param imgChannels C, ToRGB output channels
   * @param useNoise per-pixel noise inputs in the convs; false = none
   * @param convClamp clamp of every conv/ToRGB output; 0 = off
   * @param resolution output resolution H' of the block
   */
  record Spec(
      int inChannels,
      int outChannels,
      int wDim,
      boolean up,
      int imgChannels,
      boolean useNoise,
      float convClamp,
      int resolution) {
    Spec {
      checkArgument(inChannels >= 0 && outChannels > 0 && imgChannels > 0,
          "synthesis block: bad channels in=%s out=%s img=%s", inChannels, outChannels, imgChannels);
      checkArgument(inChannels > 0 || (resolution == 4 && !up),
          "synthesis block: a constant-input block is 4x4 without upsampling, found res %s up %s",
          (Object) resolution, up);
    }

    boolean constInput() {
      return inChannels == 0;
    }

    int numConv() {
      return constInput() ? 1 : 2;
    }

    int inResolution() {
      return up ? resolution / 2 : resolution;
    }
  }

  /** Output of a block: features and image skip. */
  record Out(Operand<TFloat32> x, Operand<TFloat32> img) {}

  private final Spec spec;
  private final Ops tf;
  private final Param constant; // [4,4,out] or null
  private final ModulatedConv2d conv0; // null for a constant-input block
  private final ModulatedConv2d conv1;
  private final ModulatedConv2d torgb;

  SynthesisBlock(Ops tf, Params params, String name, Spec spec) {
    this.spec = spec;
    this.tf = tf.withSubScope(name);
    if (spec.constInput()) {
      constant = params.normal(this.tf, "const", Shape.of(4, 4, spec.outChannels()), 1f);
      conv0 = null;
    } else {
      constant = null;
      conv0 = new ModulatedConv2d(this.tf, params, "conv0",
          ModulatedConv2d.Spec.conv(spec.inChannels(), spec.outChannels(), spec.wDim(),
              spec.up() ? 2 : 1, spec.useNoise(), spec.convClamp()));
    }
    conv1 = new ModulatedConv2d(this.tf, params, "conv1",
        ModulatedConv2d.Spec.conv(spec.outChannels(), spec.outChannels(), spec.wDim(), 1,
            spec.useNoise(), spec.convClamp()));
    torgb = new ModulatedConv2d(this.tf, params, "torgb",
        ModulatedConv2d.Spec.toRgb(spec.outChannels(), spec.imgChannels(), spec.wDim(),
            spec.convClamp()));
  }

  Spec spec() {
    return spec;
  }

  /**
   * @param x input features {@code [N,H,W,in]}; ignored (may be null) for a constant-input block
   * @param img image skip {@code [N,H,W,C]}, or null for the first block
   * @param ws {@code numConv()+1} latents {@code [N,Wd]}
   */
  Out apply(Operand<TFloat32> x, Operand<TFloat32> img, List<Operand<TFloat32>> ws, Noise.Source noise) {
    checkArgument(ws.size() == spec.numConv() + 1,
        "synthesis block: expected %s latents, found %s", spec.numConv() + 1, ws.size());
    int rin = spec.inResolution();
    int r = spec.resolution();
    int k = 0;
    if (spec.constInput()) {
      Operand<TInt32> n = tf.stridedSlice(tf.shape(ws.get(0)), tf.constant(new int[] {0}),
          tf.constant(new int[] {1}), tf.constant(new int[] {1})); // [1] = N
      Operand<TInt32> multiples = tf.concat(List.of(n, tf.constant(new int[] {1, 1, 1})), tf.constant(0));
      x = tf.tile(tf.expandDims(constant.value(), tf.constant(0)), multiples); // [N,4,4,out]
    } else {
      Shapes.check("synthesis block input x [N,H,W,in]", x, -1, rin, rin, spec.inChannels());
      x = conv0.apply(x, ws.get(k++), noise); // [N,r,r,out]
    }
    x = conv1.apply(x, ws.get(k++), noise); // [N,r,r,out]
    Operand<TFloat32> rgb = torgb.apply(x, ws.get(k), noise); // [N,r,r,C]
    if (img != null) {
      Shapes.check("synthesis block input img [N,H,W,C]", img, -1, rin, rin, spec.imgChannels());
      if (spec.up()) {
        img = Fir.upsample2x(tf, img); // [N,r,r,C]
      }
      rgb = tf.math.add(img, rgb);
    }
    Shapes.check("synthesis block output x [N,H,W,out]", x, -1, r, r, spec.outChannels());
    Shapes.check("synthesis block output img [N,H,W,C]", rgb, -1, r, r, spec.imgChannels());
    return new Out(x, rgb);
  }

  /** Trainable variables in creation order. */
  List<Param> params() {
    List<Param> ps = new ArrayList<>();
    if (constant != null) {
      ps.add(constant);
    } else {
      ps.addAll(conv0.params());
    }
    ps.addAll(conv1.params());
    ps.addAll(torgb.params());
    return ps;
  }
}
