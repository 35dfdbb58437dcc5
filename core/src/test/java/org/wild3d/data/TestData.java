package org.wild3d.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.wild3d.image.RgbImage;

/** Small datasets and images made by tests themselves. */
final class TestData {
  private TestData() {}

  /** A deterministic random RGB image. */
  static RgbImage randomImage(int w, int h, long seed) {
    byte[] px = new byte[w * h * 3];
    new Random(seed).nextBytes(px);
    return new RgbImage(w, h, px);
  }

  /**
   * A PNG of any colour type and bit depth, encoded here (not by ImageIO), so tests know exactly
   * which kind of file they hand to the reader.
   *
   * @param colourType 0 grayscale, 2 RGB, 3 palette, 4 grayscale+alpha, 6 RGBA
   * @param samples row-major, channel-interleaved sample values (palette indices for type 3)
   * @param palette RGB triples for type 3, else null
   */
  static byte[] png(int colourType, int depth, int w, int h, int[] samples, int[] palette) {
    int channels = switch (colourType) {
      case 0, 3 -> 1;
      case 2 -> 3;
      case 4 -> 2;
      case 6 -> 4;
      default -> throw new IllegalArgumentException("colour type " + colourType);
    };
    int rowBytes = (w * channels * depth + 7) / 8;
    java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
    for (int y = 0; y < h; y++) {
      raw.write(0); // filter: none
      byte[] row = new byte[rowBytes];
      for (int i = 0; i < w * channels; i++) {
        int v = samples[y * w * channels + i];
        if (depth == 16) {
          row[2 * i] = (byte) (v >> 8);
          row[2 * i + 1] = (byte) v;
        } else if (depth == 8) {
          row[i] = (byte) v;
        } else {
          int bit = i * depth;
          row[bit / 8] |= (byte) (v << (8 - depth - bit % 8));
        }
      }
      raw.writeBytes(row);
    }
    java.util.zip.Deflater d = new java.util.zip.Deflater();
    d.setInput(raw.toByteArray());
    d.finish();
    java.io.ByteArrayOutputStream idat = new java.io.ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    while (!d.finished()) {
      idat.write(buf, 0, d.deflate(buf));
    }
    d.end();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(w).putInt(h)
        .put((byte) depth).put((byte) colourType).put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    if (palette != null) {
      byte[] plte = new byte[palette.length];
      for (int i = 0; i < palette.length; i++) {
        plte[i] = (byte) palette[i];
      }
      chunk(out, "PLTE", plte);
    }
    chunk(out, "IDAT", idat.toByteArray());
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(java.io.ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(t);
    out.writeBytes(data);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  /** Writes {@code n} random images of {@code res}², class {@code i % classes}. */
  static Path write(Path dest, int n, int res, int classes) {
    List<String> names = new java.util.ArrayList<>();
    for (int k = 0; k < classes; k++) {
      names.add("c" + k);
    }
    try (DatasetWriter w = DatasetWriter.create(dest, res, names)) {
      for (int i = 0; i < n; i++) {
        w.add(i, randomImage(res, res, i), i % classes);
      }
      return w.commit();
    }
  }
}
