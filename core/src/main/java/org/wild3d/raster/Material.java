package org.wild3d.raster;

import static com.google.common.base.Preconditions.checkArgument;

import org.wild3d.image.RgbImage;

/**
 * Surface colour of a group of triangles: a diffuse colour, optionally replaced by a texture
 * (OBJ's {@code Kd} and {@code map_Kd}).
 *
 * @param diffuse RGB in [0, 1]
 * @param texture sampled bilinearly with wrap-around at the triangle's UVs (v = 0 is the image's
 *     bottom row, as in OBJ); null = plain colour
 */
public record Material(float[] diffuse, RgbImage texture) {
  public Material {
    checkArgument(diffuse.length == 3, "diffuse colour: expected 3 values, found %s", diffuse.length);
    diffuse = diffuse.clone();
  }

  /** A plain colour. */
  public static Material of(float r, float g, float b) {
    return new Material(new float[] {r, g, b}, null);
  }

  @Override
  public float[] diffuse() {
    return diffuse.clone();
  }

  /** Writes the albedo at texture coordinate (u, v) into {@code out[0..2]}. */
  void albedo(float u, float v, float[] out) {
    if (texture == null) {
      out[0] = diffuse[0];
      out[1] = diffuse[1];
      out[2] = diffuse[2];
      return;
    }
    int w = texture.width();
    int h = texture.height();
    float x = (float) ((u - Math.floor(u)) * w - 0.5);
    float y = (float) ((1 - (v - Math.floor(v))) * h - 0.5);
    int x0 = (int) Math.floor(x);
    int y0 = (int) Math.floor(y);
    float fx = x - x0;
    float fy = y - y0;
    int xa = Math.floorMod(x0, w);
    int xb = Math.floorMod(x0 + 1, w);
    int ya = Math.floorMod(y0, h);
    int yb = Math.floorMod(y0 + 1, h);
    byte[] px = texture.rgb();
    for (int c = 0; c < 3; c++) {
      float a = px[(ya * w + xa) * 3 + c] & 0xff;
      float b = px[(ya * w + xb) * 3 + c] & 0xff;
      float d = px[(yb * w + xa) * 3 + c] & 0xff;
      float e = px[(yb * w + xb) * 3 + c] & 0xff;
      float top = a + (b - a) * fx;
      float bottom = d + (e - d) * fx;
      out[c] = (top + (bottom - top) * fy) / 255f;
    }
  }
}
