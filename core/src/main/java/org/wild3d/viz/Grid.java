package org.wild3d.viz;

import static com.google.common.base.Preconditions.checkArgument;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.wild3d.AtomicFiles;

/**
 * Image grids for people to look at: rows × columns of equally sized RGB tiles, written as PNG.
 * Tiles are float images in [−1, 1] (the graphs' range), row-major {@code [h][w][c]} flattened;
 * single-channel tiles (depth, opacity) are shown grey.
 */
public final class Grid {
  private Grid() {}

  /** Converts a value in [−1, 1] to a byte 0..255 ({@code (x+1)·127.5}, rounded, clamped). */
  public static int toByte(float x) {
    int v = Math.round((x + 1f) * 127.5f);
    return Math.max(0, Math.min(255, v));
  }

  /**
   * Assembles {@code tiles} (length rows·cols, each {@code h·w·channels} floats in [−1,1], NHWC
   * order) into one image with {@code pad} black pixels between tiles.
   */
  public static BufferedImage assemble(float[][] tiles, int rows, int cols, int h, int w, int channels, int pad) {
    checkArgument(tiles.length == rows * cols, "grid: expected %s tiles, found %s", rows * cols, tiles.length);
    checkArgument(channels == 1 || channels == 3, "grid: expected 1 or 3 channels, found %s", channels);
    int width = cols * w + (cols - 1) * pad;
    int height = rows * h + (rows - 1) * pad;
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int t = 0; t < tiles.length; t++) {
      float[] tile = tiles[t];
      checkArgument(tile.length == h * w * channels, "grid tile %s: expected %s values, found %s", t, h * w * channels, tile.length);
      int ox = (t % cols) * (w + pad);
      int oy = (t / cols) * (h + pad);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int i = (y * w + x) * channels;
          int r = toByte(tile[i]);
          int g = channels == 3 ? toByte(tile[i + 1]) : r;
          int b = channels == 3 ? toByte(tile[i + 2]) : r;
          img.setRGB(ox + x, oy + y, (r << 16) | (g << 8) | b);
        }
      }
    }
    return img;
  }

  /** Writes {@code img} as PNG atomically (temporary file, then rename). */
  public static void writePng(BufferedImage img, Path file) {
    try {
      AtomicFiles.write(file, out -> {
        if (!ImageIO.write(img, "png", out)) {
          throw new IOException("no PNG writer");
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + file, e);
    }
  }
}
