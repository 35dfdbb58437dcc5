package org.wild3d.raster;

import org.wild3d.image.RgbImage;

/**
 * What {@link MeshRenderer} produces for one camera.
 *
 * <p>Shapes: {@code image} {@code [H, W, 3]} uint8; {@code depth} {@code [H, W]} float, the
 * distance along the pixel-centre ray from the camera centre to the surface (EG3D's ray depth, not
 * the camera z), 0 where the ray misses; {@code silhouette} {@code [H, W]} float in [0, 1], the
 * fraction of the pixel's samples that hit the object.
 */
public record Rendering(RgbImage image, float[] depth, float[] silhouette) {}
