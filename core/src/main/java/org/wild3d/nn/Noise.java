package org.wild3d.nn;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.wild3d.tf.Seed;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.wild3d.tf.Shapes;

/**
 * StyleGAN2's per-pixel noise input: {@code x + noise·strength} with one noise value per pixel
 * shared by all channels and a learned scalar strength (initialised to 0).
 *
 * <p>Where the noise comes from is chosen when the graph is built, by a {@link Source}:
 *
 * <ul>
 *   <li>{@link #random(Operand)}: N(0,1) noise {@code [N,H,W,1]} from TF's stateless generator,
 *       seeded by the fed seed XOR a hash of the layer's name (so every layer draws different
 *       noise from one seed). Training feeds a new seed each step.
 *   <li>{@link #constant()}: a fixed noise image {@code [1,H,W,1]} per layer, shared by the batch
 *       (StyleGAN's {@code noise_const}). It is a stateless function of the layer's name, so it is
 *       the same in every run and needs no checkpoint entry.
 *   <li>{@link #none()}: no noise (the layer is the identity).
 * </ul>
 *
 * <p>Shapes: {@code x [N,H,W,C] → [N,H,W,C]}.
 */
public final class Noise {
  /** Seed word mixed into the constant-noise seed so it never equals a random-mode seed. */
  private static final long CONST_NOISE_SEED = 0x5EED_C0DE_0015EL;

  /** Where a layer's noise comes from; see {@link Noise}. */
  public sealed interface Source permits Random, Constant, None {}

  /** Per-sample random noise seeded by {@code seed} (a {@code TInt64 [2]} key and the tower's rows). */
  public record Random(Seed seed) implements Source {
    public Random {
      Objects.requireNonNull(seed, "noise seed");
      Shapes.check("noise seed [2]", seed.key(), 2);
    }
  }

  /** The layer's fixed noise image. */
  public record Constant() implements Source {}

  /** No noise. */
  public record None() implements Source {}

  /** Random noise from a {@code TInt64 [2]} seed operand. */
  public static Source random(Seed seed) {
    return new Random(seed);
  }

  /** The fixed per-layer noise image (StyleGAN's {@code noise_mode='const'}). */
  public static Source constant() {
    return new Constant();
  }

  /** No noise (StyleGAN's {@code noise_mode='none'}). */
  public static Source none() {
    return new None();
  }

  private final Ops tf;
  private final Param strength; // [] scalar
  private final long nameHash;

  /** Creates the strength variable {@code noise_strength} (init 0) in the scope of {@code tf}. */
  public Noise(Ops tf, Params params) {
    this.tf = tf;
    this.strength = params.constant(tf, "noise_strength", Shape.scalar(), 0f);
    this.nameHash =
        Hashing.murmur3_128().hashString(strength.name(), StandardCharsets.UTF_8).asLong();
  }

  /** The learned noise strength (a scalar). */
  public Param strength() {
    return strength;
  }

  /** Adds {@code source}'s noise times the strength. Shapes: {@code [N,H,W,C] → [N,H,W,C]}. */
  public Operand<TFloat32> apply(Operand<TFloat32> x, Source source) {
    Shapes.check("Noise input [N,H,W,C]", x, -1, -1, -1, -1);
    int h = Shapes.dim(x, 1);
    int w = Shapes.dim(x, 2);
    Operand<TFloat32> noise;
    if (source instanceof Random r) {
      Operand<TInt32> n = tf.stridedSlice(tf.shape(x), tf.constant(new int[] {0}),
          tf.constant(new int[] {1}), tf.constant(new int[] {1})); // [1] = N
      Operand<TInt32> shape = tf.concat(
          List.of(n, tf.constant(new int[] {h, w, 1})), tf.constant(0));
      Seed seed = r.seed().xor(tf, nameHash);
      // StopGradient: the shape comes from x, so without it backprop would enter
      // StatelessRandomNormal, which has no gradient function.
      noise = tf.stopGradient(seed.normal(tf, shape, Shape.of(x.shape().size(0), h, w, 1))); // [N,H,W,1]
    } else if (source instanceof Constant) {
      noise =
          tf.random.statelessRandomNormal(
              tf.constant(new int[] {1, h, w, 1}),
              tf.constant(new long[] {CONST_NOISE_SEED, nameHash})); // [1,H,W,1]
    } else {
      return x;
    }
    return tf.math.add(x, tf.math.mul(noise, strength.value()));
  }
}
