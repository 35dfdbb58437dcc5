package org.wild3d.image;

import static com.google.common.base.Preconditions.checkArgument;

import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * An 8-bit RGB image in row-major interleaved layout (HWC), the on-disk form of every dataset
 * image.
 *
 * <p>Shapes: {@code rgb} is {@code [H, W, 3]} uint8 (stored as Java bytes, read with {@code & 0xff}).
 */
public final class RgbImage {
  private final int width;
  private final int height;
  private final byte[] rgb;

  /** Wraps (does not copy) {@code rgb}, which must hold {@code height * width * 3} bytes. */
  public RgbImage(int width, int height, byte[] rgb) {
    checkArgument(width > 0 && height > 0, "image size: expected > 0, found %sx%s", width, height);
    checkArgument(
        rgb.length == width * height * 3,
        "image buffer: expected %s bytes (%sx%sx3), found %s",
        width * height * 3, width, height, rgb.length);
    this.width = width;
    this.height = height;
    this.rgb = rgb;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** The backing HWC bytes (not a copy). */
  public byte[] rgb() {
    return rgb;
  }

  /** Channel {@code c} of pixel (row, col) as 0..255. */
  public int get(int row, int col, int c) {
    return rgb[(row * width + col) * 3 + c] & 0xff;
  }

  /** Copies this image into a {@link BufferedImage#TYPE_INT_RGB} image. */
  public BufferedImage toBufferedImage() {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int[] row = new int[width];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int o = (y * width + x) * 3;
        row[x] = ((rgb[o] & 0xff) << 16) | ((rgb[o + 1] & 0xff) << 8) | (rgb[o + 2] & 0xff);
      }
      out.setRGB(0, y, width, 1, row, 0, width);
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RgbImage other
        && other.width == width
        && other.height == height
        && Arrays.equals(other.rgb, rgb);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(rgb);
  }

  @Override
  public String toString() {
    return "RgbImage[" + width + "x" + height + "]";
  }
}
