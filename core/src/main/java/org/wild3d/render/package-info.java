/**
 * EG3D-style volume rendering of triplanes, as TensorFlow graph code.
 *
 * <p>Pipeline ({@link org.wild3d.render.Renderer}): rays per pixel → S stratified depths in {@code
 * [ray_start, ray_end]} (jittered inside equal bins with a seed, bin centres without) → field query
 * ({@link org.wild3d.render.DensityField}; for the model {@link org.wild3d.render.TriplaneField} =
 * {@link org.wild3d.render.TriplaneSampler} + {@link org.wild3d.render.Decoder} + {@code
 * softplus(raw − 1)}) → {@link org.wild3d.render.RayMarcher} (midpoint intervals, {@code T =
 * exp(−exclusive_cumsum(σδ))}) → optionally {@link org.wild3d.render.ImportanceSampler} samples
 * from the coarse weights, re-queried, merged with the coarse samples by depth and composited again
 * → {@link org.wild3d.render.RenderOutput}.
 *
 * <p>Decisions: the last interval convention is EG3D's (S samples give S−1 intervals, none open);
 * the expected depth is {@code Σwt/Σw} clamped to the ray range ({@code ray_end} for empty rays);
 * multi-view batches are scene-major (camera {@code n·V+v} sees planes n) and planes are not
 * copied; the stateless random ops and UpperBound are declared non-differentiable (see {@code
 * NonDifferentiable}) so seeded renders can be differentiated with respect to planes, decoder and
 * cameras.
 */
package org.wild3d.render;
