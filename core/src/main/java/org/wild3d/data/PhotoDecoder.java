package org.wild3d.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.image.DecodeJpeg;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;
import org.wild3d.DataException;
import org.wild3d.image.Images;
import org.wild3d.image.RgbImage;

/**
 * Decodes source photos for the importer, as small as the target allows and the right way up.
 *
 * <p>JPEGs with 1 or 3 components (grayscale, YCbCr; baseline or progressive) go through
 * TensorFlow's {@code DecodeJpeg} (libjpeg-turbo, SIMD) with its {@code ratio} attribute, i.e.
 * libjpeg's DCT-domain scaling by 1/2, 1/4 or 1/8: the largest ratio whose short side still has
 * at least {@code target} pixels. Grayscale is replicated to RGB; embedded ICC profiles are
 * ignored (as PIL, which StyleGAN's and EG3D's dataset tools use, ignores them). Everything else
 * (CMYK/YCCK JPEGs, PNG, BMP, GIF) and any JPEG that libjpeg-turbo refuses goes through {@link
 * Images#decode} (ImageIO with the TwelveMonkeys plugins) at full size, so a corrupt file is
 * reported with that decoder's reason.
 *
 * <p>EXIF orientation (tag 0x0112 of a JPEG's APP1 segment) is applied after decoding, so a phone
 * photo stored sideways is imported upright. Other formats carry no orientation here.
 *
 * <p>Thread-safe: concurrent calls run in their callers' threads (the session has no inter-op
 * pool). Deterministic: libjpeg-turbo's integer IDCT gives the same pixels on every x86 CPU.
 */
final class PhotoDecoder implements AutoCloseable {
  /** Which decoder produced an image (reported by the benchmark). */
  enum Route {
    /** TensorFlow DecodeJpeg at a reduced size. */
    TF_REDUCED,
    /** TensorFlow DecodeJpeg at full size (the target needs every pixel). */
    TF_FULL,
    /** ImageIO at full size. */
    JAVA
  }

  /** A decoded, upright image and how it was decoded. */
  record Decoded(RgbImage image, Route route, int ratio) {}

  /**
   * What a JPEG's headers say, read without decoding.
   *
   * @param components 1 grayscale, 3 YCbCr/RGB, 4 CMYK/YCCK
   * @param orientation EXIF orientation 1-8 (1 when absent or unreadable)
   */
  record JpegInfo(int width, int height, int components, int precision, int orientation) {}

  private static final int[] RATIOS = {8, 4, 2, 1};

  private final Graph graph;
  private final Session session;
  private final Placeholder<TString> input;
  private final Map<Integer, Output<TUint8>> decodes = new java.util.HashMap<>();
  private final Map<Route, java.util.concurrent.atomic.LongAdder> counts = new EnumMap<>(Route.class);

  /** Builds the decoding graph (one DecodeJpeg per ratio). */
  PhotoDecoder() {
    graph = new Graph();
    try {
      Ops tf = Ops.create(graph).withSubScope("import");
      input = tf.withName("jpeg").placeholder(TString.class);
      for (int r : RATIOS) {
        decodes.put(r, tf.withName("decode_ratio" + r).image.decodeJpeg(input,
            DecodeJpeg.channels(3L), DecodeJpeg.ratio((long) r)).image());
      }
      // Negative inter-op threads: every run executes in its caller's thread, so the importer's
      // worker threads are the only threads decoding. Nothing else is set on purpose: TF sizes
      // its process-wide thread pools (intra-op: the CPU device's; inter-op: the global one)
      // from the first session of the process, so a session asking for 1 intra-op thread here
      // would give every later session of the JVM one thread, and training sessions' floats
      // (their reductions) would differ from a fresh process's (KillAndResumeTest after
      // DatasetCommandTest caught it). Per-session inter-op threads keep the global pool out.
      session = new Session(graph, ConfigProto.newBuilder().setInterOpParallelismThreads(-1)
          .setUsePerSessionThreads(true).build());
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
    for (Route p : Route.values()) {
      counts.put(p, new java.util.concurrent.atomic.LongAdder());
    }
  }

  /** How many images each path decoded so far. */
  Map<Route, Long> counts() {
    Map<Route, Long> out = new EnumMap<>(Route.class);
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /**
   * Decodes {@code bytes} upright, reduced by DCT scaling when the short side stays at least
   * {@code target}; {@code name} is used in error messages only.
   *
   * @param target the side length the image will be resized to (0 = never reduce)
   * @throws DataException naming {@code name} when the file does not decode
   */
  Decoded decode(byte[] bytes, String name, int target) {
    JpegInfo info = jpegInfo(bytes);
    if (info != null && (info.components() == 1 || info.components() == 3)
        && info.precision() == 8 && info.width() > 0 && info.height() > 0 && hasEnd(bytes)) {
      int ratio = ratio(Math.min(info.width(), info.height()), target);
      RgbImage img = tfDecode(bytes, ratio);
      if (img != null) {
        Route p = ratio > 1 ? Route.TF_REDUCED : Route.TF_FULL;
        counts.get(p).increment();
        return new Decoded(orient(img, info.orientation()), p, ratio);
      }
    }
    RgbImage img = Images.decode(bytes, name);
    counts.get(Route.JAVA).increment();
    return new Decoded(orient(img, info == null ? 1 : info.orientation()), Route.JAVA, 1);
  }

  /**
   * Whether an end-of-image marker is among the last bytes: a truncated JPEG (the common kind of
   * damage) goes to ImageIO, which names the damage, instead of libjpeg-turbo's console message.
   */
  static boolean hasEnd(byte[] b) {
    for (int i = b.length - 2; i >= Math.max(0, b.length - 4096); i--) {
      if ((b[i] & 0xff) == 0xFF && (b[i + 1] & 0xff) == 0xD9) {
        return true;
      }
    }
    return false;
  }

  /** The largest of 8, 4, 2, 1 with {@code shortSide / r >= target}. */
  static int ratio(int shortSide, int target) {
    if (target <= 0) {
      return 1;
    }
    for (int r : RATIOS) {
      if (shortSide / r >= target) {
        return r;
      }
    }
    return 1;
  }

  /** libjpeg-turbo's decode at 1/ratio, or null when it refuses the file. */
  private RgbImage tfDecode(byte[] bytes, int ratio) {
    try (TString in = TString.tensorOfBytes(NdArrays.scalarOfObject(bytes));
        Result r = session.runner().feed(input, in).fetch(decodes.get(ratio)).run()) {
      TUint8 img = (TUint8) r.get(0);
      int h = (int) img.shape().get(0);
      int w = (int) img.shape().get(1);
      byte[] px = new byte[h * w * 3];
      img.copyTo(DataBuffers.of(px, false, false));
      return new RgbImage(w, h, px);
    } catch (RuntimeException e) {
      return null; // truncated, corrupt or exotic: ImageIO decodes it or says why not
    }
  }

  /**
   * The size, components, precision and EXIF orientation of a JPEG from its markers before the
   * first scan, or null when {@code b} is not a JPEG with a frame header.
   */
  static JpegInfo jpegInfo(byte[] b) {
    if (b.length < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) {
      return null;
    }
    int orientation = 1;
    int pos = 2;
    while (pos + 4 <= b.length) {
      if ((b[pos] & 0xff) != 0xFF) {
        return null;
      }
      int marker = b[pos + 1] & 0xff;
      if (marker == 0xFF) { // fill byte
        pos++;
        continue;
      }
      if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
        pos += 2;
        continue;
      }
      if (marker == 0xD9 || marker == 0xDA) { // end of image, start of scan: no frame seen
        return null;
      }
      int len = ((b[pos + 2] & 0xff) << 8) | (b[pos + 3] & 0xff);
      int body = pos + 4;
      if (len < 2 || body + len - 2 > b.length) {
        return null;
      }
      if (marker == 0xE1 && len >= 8 && b[body] == 'E' && b[body + 1] == 'x'
          && b[body + 2] == 'i' && b[body + 3] == 'f' && b[body + 4] == 0 && b[body + 5] == 0) {
        orientation = exifOrientation(b, body + 6, len - 8);
      }
      boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
          && marker != 0xCC;
      if (sof && len >= 8) {
        int precision = b[body] & 0xff;
        int h = ((b[body + 1] & 0xff) << 8) | (b[body + 2] & 0xff);
        int w = ((b[body + 3] & 0xff) << 8) | (b[body + 4] & 0xff);
        int comps = b[body + 5] & 0xff;
        return new JpegInfo(w, h, comps, precision, orientation);
      }
      pos = body + len - 2;
    }
    return null;
  }

  /** Tag 0x0112 of IFD0 of the TIFF structure at {@code b[off, off + len)}; 1 if absent/bad. */
  static int exifOrientation(byte[] b, int off, int len) {
    if (len < 8) {
      return 1;
    }
    ByteBuffer t = ByteBuffer.wrap(b, off, len).slice();
    if (b[off] == 'I' && b[off + 1] == 'I') {
      t.order(ByteOrder.LITTLE_ENDIAN);
    } else if (b[off] == 'M' && b[off + 1] == 'M') {
      t.order(ByteOrder.BIG_ENDIAN);
    } else {
      return 1;
    }
    if ((t.getShort(2) & 0xffff) != 42) {
      return 1;
    }
    long ifd = t.getInt(4) & 0xffffffffL;
    if (ifd + 2 > len) {
      return 1;
    }
    int n = t.getShort((int) ifd) & 0xffff;
    for (int i = 0; i < n; i++) {
      int e = (int) ifd + 2 + 12 * i;
      if (e + 12 > len) {
        return 1;
      }
      if ((t.getShort(e) & 0xffff) == 0x0112) {
        int type = t.getShort(e + 2) & 0xffff;
        int v = type == 3 ? t.getShort(e + 8) & 0xffff : type == 4 ? t.getInt(e + 8) : 1;
        return v >= 1 && v <= 8 ? v : 1;
      }
    }
    return 1;
  }

  /**
   * {@code img} turned as EXIF orientation {@code o} says to display it: 2 mirror, 3 rotate 180°,
   * 4 flip, 5 transpose, 6 rotate 90° clockwise, 7 transverse, 8 rotate 90° counter-clockwise.
   */
  static RgbImage orient(RgbImage img, int o) {
    if (o <= 1 || o > 8) {
      return img;
    }
    int w = img.width();
    int h = img.height();
    boolean swap = o >= 5;
    int ow = swap ? h : w;
    int oh = swap ? w : h;
    byte[] src = img.rgb();
    byte[] out = new byte[src.length];
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        int sx;
        int sy;
        switch (o) {
          case 2 -> { sx = w - 1 - x; sy = y; }
          case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
          case 4 -> { sx = x; sy = h - 1 - y; }
          case 5 -> { sx = y; sy = x; }
          case 6 -> { sx = y; sy = h - 1 - x; }
          case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
          default -> { sx = w - 1 - y; sy = x; } // 8
        }
        int s = (sy * w + sx) * 3;
        int d = (y * ow + x) * 3;
        out[d] = src[s];
        out[d + 1] = src[s + 1];
        out[d + 2] = src[s + 2];
      }
    }
    return new RgbImage(ow, oh, out);
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
