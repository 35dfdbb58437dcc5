package org.wild3d.log;

import com.google.common.hash.Hashing;
import com.google.common.io.LittleEndianDataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.proto.Event;
import org.wild3d.DataException;

/** Reads TFRecord event files back (checking both CRCs), for tests and tools. */
public final class EventFiles {
  private EventFiles() {}

  /** All events of one {@code events.out.tfevents.*} file, in order. */
  public static List<Event> read(Path file) throws IOException {
    List<Event> out = new ArrayList<>();
    try (InputStream raw = Files.newInputStream(file);
        LittleEndianDataInputStream in = new LittleEndianDataInputStream(raw)) {
      while (true) {
        byte[] header = new byte[8];
        try {
          in.readFully(header);
        } catch (EOFException e) {
          break;
        }
        int lenCrc = in.readInt();
        check(maskedCrc(header) == lenCrc, file, "length CRC");
        long len = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] data = new byte[Math.toIntExact(len)];
        in.readFully(data);
        int dataCrc = in.readInt();
        check(maskedCrc(data) == dataCrc, file, "data CRC");
        out.add(Event.parseFrom(data));
      }
    }
    return out;
  }

  /** The float value of a scalar summary value, whichever encoding TF used. */
  public static float scalar(org.tensorflow.proto.Summary.Value v) {
    if (v.hasTensor()) {
      var t = v.getTensor();
      if (t.getFloatValCount() > 0) {
        return t.getFloatVal(0);
      }
      return ByteBuffer.wrap(t.getTensorContent().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).getFloat();
    }
    return v.getSimpleValue();
  }

  private static void check(boolean ok, Path file, String what) {
    if (!ok) {
      throw new DataException("event file: " + what + " mismatch (" + file + " is damaged)");
    }
  }

  /** TFRecord's masked CRC-32C. */
  static int maskedCrc(byte[] data) {
    int crc = Hashing.crc32c().hashBytes(data).asInt();
    return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
  }
}
