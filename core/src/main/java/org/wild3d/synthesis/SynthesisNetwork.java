package org.wild3d.synthesis;

import static com.google.common.base.Preconditions.checkState;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.types.TFloat32;
import org.wild3d.config.SynthesisSpec;
import org.wild3d.nn.Noise;
import org.wild3d.nn.Params;
import org.wild3d.tf.Shapes;

/**
 * StyleGAN2 synthesis network (skip architecture) producing the triplane image, plus the paper's
 * extra blocks at the final resolution.
 *
 * <p>Blocks {@code b4, b8, …, bR} (scope {@code synthesis/b<res>}): {@code b4} starts from a
 * learned 4×4 constant and has one conv, every other block an upsampling conv and a conv; each
 * has a ToRGB whose output is added to the image skip, which is upsampled 2× with the [1,3,3,1]
 * FIR between blocks. Then {@code extra_blocks} blocks {@code extra0, extra1, …} at resolution R,
 * each two 3×3 convs and a ToRGB added to the skip (no upsampling). Channels at resolution r are
 * {@code min(channel_base / r, channel_max)}.
 *
 * <p>Latents: block i uses {@code ws[k .. k+numConv]} where k is the sum of the earlier blocks'
 * conv counts; {@link #numWs()} = total convs + 1 (= 2·log2(R) − 2 + 2·extra_blocks).
 *
 * <p>Shapes: {@code ws [N,num_ws,Wd] → [N,R,R,C]} with C = 3F for triplanes.
 */
public final class SynthesisNetwork {
  private final SynthesisSpec spec;
  private final Ops tf;
  private final List<SynthesisBlock> blocks = new ArrayList<>();
  private final int numWs;

  /** Builds the variables in scope {@code synthesis} of {@code tf} (e.g. {@code G/synthesis}). */
  public SynthesisNetwork(Ops tf, Params params, SynthesisSpec spec) {
    this.spec = spec;
    this.tf = tf.withSubScope("synthesis");
    int r = spec.resolution();
    int prev = 0;
    for (int res = 4; res <= r; res *= 2) {
      int ch = spec.channels(res);
      blocks.add(new SynthesisBlock(this.tf, params, "b" + res,
          new SynthesisBlock.Spec(prev, ch, spec.wDim(), res > 4, spec.outChannels(),
              spec.useNoise(), spec.convClamp(), res)));
      prev = ch;
    }
    for (int i = 0; i < spec.extraBlocks(); i++) {
      blocks.add(new SynthesisBlock(this.tf, params, "extra" + i,
          new SynthesisBlock.Spec(prev, prev, spec.wDim(), false, spec.outChannels(),
              spec.useNoise(), spec.convClamp(), r)));
    }
    int n = 1;
    for (SynthesisBlock b : blocks) {
      n += b.spec().numConv();
    }
    this.numWs = n;
    checkState(n == spec.numWs(), "synthesis num_ws: %s layers, the spec says %s", n,
        spec.numWs());
  }

  public SynthesisSpec spec() {
    return spec;
  }

  /** Number of latents the network consumes (the mapping network's num_ws). */
  public int numWs() {
    return numWs;
  }

  /**
   * @param ws latents {@code [N,num_ws,Wd]}
   * @param noise where the per-pixel noise comes from (ignored when use_noise is false)
   * @return the image {@code [N,R,R,C]}
   */
  public Operand<TFloat32> apply(Operand<TFloat32> ws, Noise.Source noise) {
    Shapes.check("synthesis input ws [N,num_ws,Wd]", ws, -1, numWs, spec.wDim());
    List<Operand<TFloat32>> w = new ArrayList<>();
    Unstack<TFloat32> u = tf.unstack(ws, (long) numWs, Unstack.axis(1L)); // num_ws × [N,Wd]
    u.forEach(w::add);
    Operand<TFloat32> x = null;
    Operand<TFloat32> img = null;
    int k = 0;
    for (SynthesisBlock b : blocks) {
      int nc = b.spec().numConv();
      SynthesisBlock.Out out = b.apply(x, img, w.subList(k, k + nc + 1), noise);
      x = out.x();
      img = out.img();
      k += nc;
    }
    int r = spec.resolution();
    return Shapes.check("synthesis output [N,R,R,C]", img, -1, r, r, spec.outChannels());
  }
}
