package org.wild3d.render;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The neural rendering of a batch of cameras.
 *
 * <p>Shapes: {@code features [N,H,W,C]} (composited field features, first 3 = RGB in [0, 1], no
 * background), {@code rgb [N,H,W,3]} in [−1, 1] with the background composited, {@code depth
 * [N,H,W,1]} (expected depth, in [ray_start, ray_end]), {@code opacity [N,H,W,1]} in [0, 1].
 */
public record RenderOutput(
    Operand<TFloat32> features,
    Operand<TFloat32> rgb,
    Operand<TFloat32> depth,
    Operand<TFloat32> opacity) {}
