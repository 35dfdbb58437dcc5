package org.wild3d.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.wild3d.DataException;
import org.wild3d.TextFiles;

/**
 * Image decoding (JPEG, PNG and whatever else ImageIO has a plugin for, including CMYK JPEGs via
 * TwelveMonkeys) into {@link RgbImage}, and a small deterministic RGB PNG encoder.
 *
 * <p>Decoding rules: grayscale is replicated to RGB without colour-space conversion (Java's gray
 * space is linear, converting it through sRGB would brighten it); 16-bit (and 1/2/4-bit) samples
 * are scaled to 8 bits, rounded; palette colours are looked up; alpha is composited over black
 * (the synthetic datasets' background). Every failure is a {@link DataException} naming the file and the reason.
 */
public final class Images {
  private static final byte[] PNG_SIGNATURE = {
    (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
  };

  /** Bytes at the start of a PNG that hold its signature and whole IHDR chunk. */
  public static final int PNG_HEADER_BYTES = 29;

  private Images() {}

  /**
   * The facts of a PNG's IHDR chunk.
   *
   * @param colourType 0 grayscale, 2 RGB, 3 palette, 4 grayscale+alpha, 6 RGBA
   * @param bitDepth bits per sample (per palette index for type 3): 1, 2, 4, 8 or 16
   */
  public record PngHeader(int width, int height, int bitDepth, int colourType, boolean interlaced) {
    /** Whether colour type and bit depth form a combination the PNG specification allows. */
    public boolean valid() {
      return switch (colourType) {
        case 0 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8
            || bitDepth == 16;
        case 3 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
        case 2, 4, 6 -> bitDepth == 8 || bitDepth == 16;
        default -> false;
      };
    }

    /** 8-bit RGB: read as it is, everything else is converted on read. */
    public boolean isRgb8() {
      return colourType == 2 && bitDepth == 8;
    }

    /** E.g. {@code "RGB"}, {@code "grayscale"}, {@code "RGBA 16-bit"}, {@code "palette 4-bit"}. */
    public String colour() {
      return colour(colourType, bitDepth);
    }

    /** As {@link #colour()} for a colour type and bit depth. */
    public static String colour(int colourType, int bitDepth) {
      String name = switch (colourType) {
        case 0 -> "grayscale";
        case 2 -> "RGB";
        case 3 -> "palette";
        case 4 -> "grayscale+alpha";
        case 6 -> "RGBA";
        default -> "colour type " + colourType;
      };
      return bitDepth == 8 ? name : name + " " + bitDepth + "-bit";
    }

    /**
     * How {@link #decode} turns this kind into 8-bit RGB, in words ({@code ""} for 8-bit RGB),
     * e.g. {@code "grey replicated to RGB, 16-bit samples scaled to 8 bits"}.
     */
    public static String conversion(int colourType, int bitDepth) {
      List<String> steps = new ArrayList<>();
      if (colourType == 0 || colourType == 4) {
        steps.add("grey replicated to RGB");
      }
      if (colourType == 3) {
        steps.add("palette looked up");
      }
      if (bitDepth == 16) {
        steps.add("16-bit samples scaled to 8 bits");
      } else if (bitDepth < 8 && colourType != 3) {
        steps.add(bitDepth + "-bit samples scaled to 8 bits");
      }
      if (colourType == 4 || colourType == 6) {
        steps.add("alpha composited over black");
      }
      return String.join(", ", steps);
    }
  }

  /**
   * The IHDR facts from the first {@value #PNG_HEADER_BYTES} bytes of a PNG without decoding, or
   * null when {@code head} is not (the start of) a PNG with its whole IHDR chunk.
   */
  public static PngHeader pngHeader(byte[] head) {
    int[] wh = pngSize(head);
    if (wh == null || head.length < PNG_HEADER_BYTES) {
      return null;
    }
    return new PngHeader(wh[0], wh[1], head[24] & 0xff, head[25] & 0xff, head[28] != 0);
  }

  /** Reads and decodes an image file. */
  public static RgbImage read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new DataException(file + ": cannot read file (" + TextFiles.reason(e) + ")", e);
    }
    return decode(bytes, file.toString());
  }

  /**
   * Decodes encoded image bytes; {@code name} is used in error messages only.
   *
   * @throws DataException if the bytes are not a complete image in a supported format
   */
  public static RgbImage decode(byte[] bytes, String name) {
    RgbImage fast = decodeRgbPng(bytes, name);
    if (fast != null) {
      return fast;
    }
    BufferedImage image;
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new DataException(name + ": not a supported image (unknown format, "
            + bytes.length + " bytes; expected JPEG or PNG)");
      }
      ImageReader reader = readers.next();
      StringBuilder truncated = new StringBuilder();
      try {
        reader.setInput(in, true, true);
        // libjpeg reports a truncated file only as a warning and returns a partly grey image.
        reader.addIIOReadWarningListener(
            (source, warning) -> {
              if (warning != null && (warning.toLowerCase().contains("premature end")
                  || warning.toLowerCase().contains("truncated"))) {
                truncated.append(warning);
              }
            });
        image = reader.read(0);
      } finally {
        reader.dispose();
      }
      if (truncated.length() > 0) {
        throw new DataException(name + ": corrupt or truncated image (" + truncated + ")");
      }
    } catch (DataException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new DataException(name + ": corrupt or truncated image (" + describe(e) + ")", e);
    }
    if (image == null) {
      throw new DataException(name + ": decoder returned no image (corrupt file?)");
    }
    return toRgb(image, name);
  }

  /**
   * Fast path for the PNGs our writers produce (8-bit RGB, not interlaced); null for any other
   * PNG flavour or format, which then goes through ImageIO.
   */
  private static RgbImage decodeRgbPng(byte[] bytes, String name) {
    int[] wh = pngSize(bytes);
    if (wh == null || bytes.length < 33 || bytes[24] != 8 || bytes[25] != 2 || bytes[28] != 0) {
      return null;
    }
    int w = wh[0];
    int h = wh[1];
    if (w <= 0 || h <= 0 || (long) w * h > (1L << 28)) {
      return null;
    }
    int stride = w * 3;
    byte[] raw = new byte[h * (stride + 1)];
    Inflater inflater = new Inflater();
    try {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      int pos = 8;
      int produced = 0;
      boolean ended = false;
      while (pos + 8 <= bytes.length) {
        int len = buf.getInt(pos);
        int type = buf.getInt(pos + 4);
        if (len < 0 || pos + 12L + len > bytes.length) {
          throw new DataException(name + ": corrupt or truncated image (PNG chunk runs past the end "
              + "of the file)");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, pos + 4, len + 4);
        if ((int) crc.getValue() != buf.getInt(pos + 8 + len)) {
          throw new DataException(name + ": corrupt or truncated image (PNG chunk CRC mismatch)");
        }
        if (type == 0x49444154) { // IDAT
          inflater.setInput(bytes, pos + 8, len);
          while (!inflater.needsInput() && !inflater.finished() && produced < raw.length) {
            produced += inflater.inflate(raw, produced, raw.length - produced);
          }
        } else if (type == 0x49454e44) { // IEND
          ended = true;
          break;
        }
        pos += 12 + len;
      }
      if (!ended || produced < raw.length) {
        throw new DataException(name + ": corrupt or truncated image (PNG data ends after "
            + produced + " of " + raw.length + " bytes)");
      }
    } catch (DataFormatException e) {
      throw new DataException(name + ": corrupt or truncated image (bad PNG deflate data: "
          + e.getMessage() + ")", e);
    } finally {
      inflater.end();
    }
    byte[] out = new byte[h * stride];
    for (int y = 0; y < h; y++) {
      int filter = raw[y * (stride + 1)];
      int in = y * (stride + 1) + 1;
      int cur = y * stride;
      int prev = cur - stride;
      for (int i = 0; i < stride; i++) {
        int x = raw[in + i] & 0xff;
        int a = i >= 3 ? out[cur + i - 3] & 0xff : 0;
        int b = y > 0 ? out[prev + i] & 0xff : 0;
        int c = (i >= 3 && y > 0) ? out[prev + i - 3] & 0xff : 0;
        int pred =
            switch (filter) {
              case 0 -> 0;
              case 1 -> a;
              case 2 -> b;
              case 3 -> (a + b) >>> 1;
              case 4 -> paeth(a, b, c);
              default -> throw new DataException(
                  name + ": corrupt image (PNG filter type " + filter + " in row " + y + ")");
            };
        out[cur + i] = (byte) (x + pred);
      }
    }
    return new RgbImage(w, h, out);
  }

  /** A decoder's failure in words (no exception class names). */
  private static String describe(Exception e) {
    if (e instanceof IOException io) {
      return TextFiles.reason(io);
    }
    String msg = e.getMessage();
    return "the decoder failed" + (msg == null || msg.isBlank() ? "" : ": " + msg);
  }

  /** Converts any decoded image to 8-bit RGB (see the class comment for the rules). */
  public static RgbImage toRgb(BufferedImage image, String name) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] rgb = new byte[w * h * 3];
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
      int bits = cm.getComponentSize(0);
      boolean alpha = cm.hasAlpha();
      int[] samples = new int[w];
      int[] alphas = alpha ? new int[w] : null;
      int alphaBits = alpha ? cm.getComponentSize(1) : 8;
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, samples);
        if (alpha) {
          raster.getSamples(0, y, w, 1, 1, alphas);
        }
        for (int x = 0; x < w; x++) {
          int g = to8(samples[x], bits);
          if (alpha) {
            g = (g * to8(alphas[x], alphaBits) + 127) / 255;
          }
          int o = (y * w + x) * 3;
          rgb[o] = rgb[o + 1] = rgb[o + 2] = (byte) g;
        }
      }
      return new RgbImage(w, h, rgb);
    }
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int argb = row[x];
        int a = argb >>> 24;
        int r = (argb >> 16) & 0xff;
        int g = (argb >> 8) & 0xff;
        int b = argb & 0xff;
        if (a != 255) {
          r = (r * a + 127) / 255;
          g = (g * a + 127) / 255;
          b = (b * a + 127) / 255;
        }
        int o = (y * w + x) * 3;
        rgb[o] = (byte) r;
        rgb[o + 1] = (byte) g;
        rgb[o + 2] = (byte) b;
      }
    }
    return new RgbImage(w, h, rgb);
  }

  /** A sample of {@code bits} bits scaled to 0..255, rounded (as ImageIO does for 16-bit RGB). */
  private static int to8(int sample, int bits) {
    if (bits == 8) {
      return sample;
    }
    long max = (1L << bits) - 1;
    return (int) ((sample * 255L + max / 2) / max);
  }

  /**
   * Width and height from a PNG header without decoding, or null when {@code head} (at least the
   * first 24 bytes) is not a PNG header.
   */
  public static int[] pngSize(byte[] head) {
    if (head.length < 24) {
      return null;
    }
    for (int i = 0; i < 8; i++) {
      if (head[i] != PNG_SIGNATURE[i]) {
        return null;
      }
    }
    if (head[12] != 'I' || head[13] != 'H' || head[14] != 'D' || head[15] != 'R') {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(head);
    return new int[] {b.getInt(16), b.getInt(20)};
  }

  /**
   * Encodes an 8-bit RGB PNG. Deterministic (same pixels → same bytes): no timestamps or text
   * chunks, fixed deflate level, per-row filter chosen by the minimum-sum-of-absolute-differences
   * heuristic of the PNG specification.
   */
  public static byte[] encodePng(RgbImage image) {
    int w = image.width();
    int h = image.height();
    byte[] px = image.rgb();
    int stride = w * 3;
    byte[] filtered = new byte[h * (stride + 1)];
    byte[] candidate = new byte[stride];
    byte[] best = new byte[stride];
    for (int y = 0; y < h; y++) {
      int cur = y * stride;
      int prev = (y - 1) * stride;
      long bestSum = Long.MAX_VALUE;
      int bestType = 0;
      for (int type = 0; type < 5; type++) {
        long sum = 0;
        for (int i = 0; i < stride; i++) {
          int x = px[cur + i] & 0xff;
          int a = i >= 3 ? px[cur + i - 3] & 0xff : 0;
          int b = y > 0 ? px[prev + i] & 0xff : 0;
          int c = (i >= 3 && y > 0) ? px[prev + i - 3] & 0xff : 0;
          int pred =
              switch (type) {
                case 0 -> 0;
                case 1 -> a;
                case 2 -> b;
                case 3 -> (a + b) >>> 1;
                default -> paeth(a, b, c);
              };
          byte v = (byte) (x - pred);
          candidate[i] = v;
          sum += Math.abs((int) v);
        }
        if (sum < bestSum) {
          bestSum = sum;
          bestType = type;
          System.arraycopy(candidate, 0, best, 0, stride);
        }
      }
      filtered[y * (stride + 1)] = (byte) bestType;
      System.arraycopy(best, 0, filtered, y * (stride + 1) + 1, stride);
    }
    Deflater deflater = new Deflater(6);
    deflater.setInput(filtered);
    deflater.finish();
    ByteArrayOutputStream idat = new ByteArrayOutputStream(filtered.length / 2 + 64);
    byte[] buf = new byte[8192];
    while (!deflater.finished()) {
      int n = deflater.deflate(buf);
      idat.write(buf, 0, n);
    }
    deflater.end();

    ByteArrayOutputStream out = new ByteArrayOutputStream(idat.size() + 64);
    out.writeBytes(PNG_SIGNATURE);
    ByteBuffer ihdr = ByteBuffer.allocate(13);
    ihdr.putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IDAT", idat.toByteArray());
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  /**
   * Encodes an 8-bit RGB PNG fast, for bulk writers (the importer): level 0 stores the rows
   * unfiltered and uncompressed (EG3D's dataset tool writes level 0), levels 1-9 filter every row
   * with "Up" (the best single filter on photos) and deflate at that zlib level. Deterministic.
   * At 128² on this project's 2-core machine: level 0 about 0.1 ms and 49 KB, level 1 about
   * 0.6 ms and two thirds of that size, {@link #encodePng(RgbImage)} 2 ms.
   */
  public static byte[] encodePng(RgbImage image, int level) {
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("PNG compression level: expected 0-9, found " + level);
    }
    int w = image.width();
    int h = image.height();
    byte[] px = image.rgb();
    int stride = w * 3;
    byte[] filtered = new byte[h * (stride + 1)];
    for (int y = 0; y < h; y++) {
      int o = y * (stride + 1);
      int cur = y * stride;
      if (level == 0 || y == 0) {
        filtered[o] = 0; // None
        System.arraycopy(px, cur, filtered, o + 1, stride);
      } else {
        filtered[o] = 2; // Up
        int prev = cur - stride;
        for (int i = 0; i < stride; i++) {
          filtered[o + 1 + i] = (byte) (px[cur + i] - px[prev + i]);
        }
      }
    }
    Deflater deflater = new Deflater(level);
    deflater.setInput(filtered);
    deflater.finish();
    byte[] idat = new byte[filtered.length + filtered.length / 1000 * 5 + 64];
    int n = 0;
    while (!deflater.finished()) {
      if (n == idat.length) {
        idat = java.util.Arrays.copyOf(idat, idat.length * 2);
      }
      n += deflater.deflate(idat, n, idat.length - n);
    }
    deflater.end();
    ByteArrayOutputStream out = new ByteArrayOutputStream(n + 64);
    out.writeBytes(PNG_SIGNATURE);
    ByteBuffer ihdr = ByteBuffer.allocate(13);
    ihdr.putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IDAT", java.util.Arrays.copyOf(idat, n));
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static int paeth(int a, int b, int c) {
    int p = a + b - c;
    int pa = Math.abs(p - a);
    int pb = Math.abs(p - b);
    int pc = Math.abs(p - c);
    if (pa <= pb && pa <= pc) {
      return a;
    }
    return pb <= pc ? b : c;
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer len = ByteBuffer.allocate(4).putInt(data.length);
    out.writeBytes(len.array());
    out.writeBytes(typeBytes);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
