package org.wild3d.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.wild3d.DataException;
import org.wild3d.TextFiles;
import org.wild3d.Wild3dException;

/**
 * The destination of an import while it runs: everything goes into a hidden sibling folder
 * {@code .<DEST>.import/} (settings in {@code import.json}, a journal of finished items, and the
 * images: a folder {@code images/} or an uncompressed ZIP {@code images.zip.part}), and only
 * {@link #finish} makes {@code DEST} appear, by renaming, after its {@code dataset.json} is
 * written. So a killed import never leaves a {@code DEST} that looks complete, and a rerun with
 * the same settings continues after the last item the journal records.
 *
 * <p>Journal: one line per source item in order, {@code w <item> <index> <class> <bytes>
 * <crc32>} for a written image or {@code s <item> <reason>} for a skipped file. Lines are
 * buffered and appended every {@value #FLUSH_ITEMS} items or {@value #FLUSH_SECONDS} s, after
 * the image data is forced to disk (ZIP), so the journal never names data that a crash could
 * lose. On resume, a torn last line is dropped, the ZIP is truncated to the end of the last
 * journaled entry (a killed process may have written more), and for a folder every journaled
 * file must exist with its size, else the journal is cut before it. Images are therefore
 * re-done, never duplicated, and a resumed import writes the same bytes as an uninterrupted one.
 *
 * <p>The ZIP is written here (STORED entries, fixed timestamps, ZIP64 records past 65535 entries
 * or 4 GiB) because a {@link java.util.zip.ZipOutputStream} cannot continue a file. Used by the
 * writer thread only.
 */
final class ImportOutput implements AutoCloseable {
  static final String STATE = "import.json";
  static final String JOURNAL = "journal";
  static final String ZIP_PART = "images.zip.part";
  static final String FOLDER_PART = "images";
  static final int FLUSH_ITEMS = 256;
  static final double FLUSH_SECONDS = 2;
  private static final int DOS_TIME = 0; // 00:00:00
  private static final int DOS_DATE = (1 << 5) | 1; // 1980-01-01, as DatasetWriter's entries
  private static final int NAME_LENGTH = DatasetWriter.pathOf(0).length();
  private static final int LOCAL_HEADER = 30;

  private final Path dest;
  private final Path partial;
  private final boolean zip;
  private final FileChannel journal;
  private final FileChannel data; // ZIP only
  private final StringBuilder pending = new StringBuilder();
  private int pendingItems;
  private long lastFlush = System.nanoTime();
  private int items; // journaled or pending
  private final List<String> skipped = new ArrayList<>();
  private int resumedItems;
  private int count; // images written
  private int[] classes = new int[1024];
  private int[] sizes = new int[1024];
  private int[] crcs = new int[1024];
  private long[] offsets = new long[1024];
  private long end; // ZIP: bytes of entries so far
  private boolean finished;

  private ImportOutput(Path dest, Path partial, boolean zip, FileChannel journal,
      FileChannel data, int resumedItems) {
    this.dest = dest;
    this.partial = partial;
    this.zip = zip;
    this.journal = journal;
    this.data = data;
    this.resumedItems = resumedItems;
  }

  /** {@code .<name>.import} next to {@code dest}. */
  static Path partialDir(Path dest) {
    Path abs = dest.toAbsolutePath().normalize();
    return abs.resolveSibling("." + abs.getFileName() + ".import");
  }

  static boolean isZip(Path dest) {
    return dest.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".zip");
  }

  /**
   * Starts or resumes the import of {@code state} into {@code dest}.
   *
   * @param force replace an existing {@code dest} (when the import finishes) and discard an
   *     unfinished import with other settings
   * @param notes where "resuming ..." and "discarding ..." lines go (may be null)
   * @throws Wild3dException exit 2 when {@code dest} exists or an unfinished import with other
   *     settings is in the way, and {@code force} is not given
   */
  static ImportOutput open(Path dest, JsonObject state, boolean force, java.io.PrintWriter notes) {
    Path abs = dest.toAbsolutePath().normalize();
    if (Files.exists(abs) && !force) {
      throw new Wild3dException(Wild3dException.EXIT_USAGE, dest + ": expected a new dataset "
          + "path, found an existing " + (Files.isDirectory(abs) ? "folder" : "file")
          + " (pass --force to replace it once the new import is complete, or choose another "
          + "destination)");
    }
    Path partial = partialDir(abs);
    boolean zip = isZip(abs);
    try {
      if (Files.exists(partial)) {
        JsonObject old = readState(partial);
        if (old != null && old.equals(state)) {
          return resume(abs, partial, zip, notes);
        }
        if (old != null && !force) {
          throw new Wild3dException(Wild3dException.EXIT_USAGE, dest + ": expected to continue"
              + " the unfinished import in " + partial + " or start a new one, found that it was"
              + " started with other settings (" + differences(old, state) + ") (rerun that "
              + "command to continue it, or pass --force to discard it and start over)");
        }
        if (notes != null) {
          notes.println(old == null
              ? "discarding " + partial + ": an unfinished import that had not recorded its settings"
              : "discarding " + partial + ": an unfinished import with other settings (--force)");
        }
        DatasetWriter.deleteRecursively(partial);
      }
      Files.createDirectories(partial);
      // The settings first, atomically: a partial folder without them is discarded on rerun.
      Path tmp = partial.resolve(STATE + ".tmp");
      Files.writeString(tmp, state.toString(), StandardCharsets.UTF_8);
      try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        c.force(true);
      }
      Files.move(tmp, partial.resolve(STATE), StandardCopyOption.ATOMIC_MOVE);
      FileChannel j = FileChannel.open(partial.resolve(JOURNAL), StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
      FileChannel d = zip ? FileChannel.open(partial.resolve(ZIP_PART),
          StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE) : null;
      if (!zip) {
        Files.createDirectories(partial.resolve(FOLDER_PART));
      }
      return new ImportOutput(abs, partial, zip, j, d, 0);
    } catch (IOException e) {
      throw new DataException(dest + ": cannot write the import (" + TextFiles.reason(e) + ")",
          e);
    }
  }

  private static JsonObject readState(Path partial) {
    try {
      JsonElement e = JsonParser.parseString(Files.readString(partial.resolve(STATE),
          StandardCharsets.UTF_8));
      return e.isJsonObject() ? e.getAsJsonObject() : null;
    } catch (IOException | JsonParseException e) {
      return null;
    }
  }

  /** The settings that differ, e.g. {@code resolution 64 there, 128 now}. */
  static String differences(JsonObject old, JsonObject now) {
    List<String> out = new ArrayList<>();
    java.util.Set<String> keys = new java.util.LinkedHashSet<>(now.keySet());
    keys.addAll(old.keySet());
    for (String k : keys) {
      JsonElement a = old.get(k);
      JsonElement b = now.get(k);
      if (a == null ? b != null : !a.equals(b)) {
        out.add(k + " " + shortValue(a) + " there, " + shortValue(b) + " now");
      }
    }
    return out.isEmpty() ? "none" : String.join("; ", out);
  }

  private static String shortValue(JsonElement e) {
    if (e == null) {
      return "none";
    }
    String s = e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString()
        : e.toString();
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }

  private static ImportOutput resume(Path dest, Path partial, boolean zip,
      java.io.PrintWriter notes) throws IOException {
    Path jp = partial.resolve(JOURNAL);
    byte[] text = Files.exists(jp) ? Files.readAllBytes(jp) : new byte[0];
    FileChannel j = FileChannel.open(jp, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileChannel d = null;
    if (zip) {
      d = FileChannel.open(partial.resolve(ZIP_PART), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
    } else {
      Files.createDirectories(partial.resolve(FOLDER_PART));
    }
    ImportOutput o = new ImportOutput(dest, partial, zip, j, d, 0);
    long dataLength = zip ? d.size() : 0;
    int pos = 0;
    long goodBytes = 0;
    while (pos < text.length) {
      int nl = pos;
      while (nl < text.length && text[nl] != '\n') {
        nl++;
      }
      if (nl == text.length) {
        break; // torn last line
      }
      String line = new String(text, pos, nl - pos, StandardCharsets.UTF_8);
      if (!o.replay(line, dataLength)) {
        break;
      }
      pos = nl + 1;
      goodBytes = pos;
    }
    j.truncate(goodBytes);
    j.position(goodBytes);
    if (zip) {
      d.truncate(o.end);
      d.position(o.end);
    } else {
      o.removeUnjournaled();
    }
    j.force(true);
    o.resumedItems = o.items;
    if (notes != null && o.items > 0) {
      notes.printf("resuming the unfinished import in %s: %d source files done (%d images, %d "
          + "skipped)%n", partial, o.items, o.count, o.skipped.size());
    }
    return o;
  }

  /** Applies one journal line; false when it is not the next valid line. */
  private boolean replay(String line, long dataLength) {
    String[] f = line.split(" ", 3);
    try {
      if (f.length < 3 || Integer.parseInt(f[1]) != items) {
        return false;
      }
      if (f[0].equals("s")) {
        skipped.add(unescape(f[2]));
        items++;
        return true;
      }
      String[] w = f[2].split(" ");
      if (!f[0].equals("w") || w.length != 4 || Integer.parseInt(w[0]) != count) {
        return false;
      }
      int cls = Integer.parseInt(w[1]);
      int size = Integer.parseInt(w[2]);
      int crc = (int) Long.parseLong(w[3], 16);
      if (zip) {
        if (end + LOCAL_HEADER + NAME_LENGTH + size > dataLength) {
          return false; // the data did not reach the disk
        }
      } else {
        Path file = partial.resolve(FOLDER_PART).resolve(DatasetWriter.pathOf(count));
        if (!Files.isRegularFile(file) || Files.size(file) != size) {
          return false;
        }
      }
      record(cls, size, crc);
      items++;
      return true;
    } catch (NumberFormatException | IOException e) {
      return false;
    }
  }

  /** Folder: deletes image files a killed run wrote past the journal (they are redone). */
  private void removeUnjournaled() throws IOException {
    Path images = partial.resolve(FOLDER_PART);
    try (java.util.stream.Stream<Path> shards = Files.list(images)) {
      for (Path shard : shards.toList()) {
        if (!Files.isDirectory(shard)) {
          continue;
        }
        try (java.util.stream.Stream<Path> files = Files.list(shard)) {
          for (Path f : files.toList()) {
            String n = f.getFileName().toString();
            if (n.matches("img\\d{8}\\.png") && Integer.parseInt(n.substring(3, 11)) >= count) {
              Files.delete(f);
            }
          }
        }
      }
    }
  }

  private void record(int cls, int size, int crc) {
    if (count == classes.length) {
      int n = count * 2;
      classes = Arrays.copyOf(classes, n);
      sizes = Arrays.copyOf(sizes, n);
      crcs = Arrays.copyOf(crcs, n);
      offsets = Arrays.copyOf(offsets, n);
    }
    classes[count] = cls;
    sizes[count] = size;
    crcs[count] = crc;
    offsets[count] = end;
    if (zip) {
      end += LOCAL_HEADER + NAME_LENGTH + size;
    }
    count++;
  }

  /** Source items already done when this import was opened (0 for a new one). */
  int resumedItems() {
    return resumedItems;
  }

  /** Source items done (written or skipped). */
  int items() {
    return items;
  }

  /** Images written. */
  int count() {
    return count;
  }

  /** Reasons of the skipped files, in item order (including those of a resumed run). */
  List<String> skipped() {
    return List.copyOf(skipped);
  }

  /** Writes item {@code item}'s image (the next dataset index) of class {@code cls}. */
  void write(int item, byte[] png, int cls) {
    check(item);
    CRC32 crc = new CRC32();
    crc.update(png);
    int c = (int) crc.getValue();
    String path = DatasetWriter.pathOf(count);
    try {
      if (zip) {
        ByteBuffer b = ByteBuffer.allocate(LOCAL_HEADER + NAME_LENGTH + png.length)
            .order(ByteOrder.LITTLE_ENDIAN);
        localHeader(b, path, c, png.length);
        b.put(png).flip();
        while (b.hasRemaining()) {
          data.write(b);
        }
      } else {
        Path file = partial.resolve(FOLDER_PART).resolve(path);
        if (count % 1000 == 0) {
          Files.createDirectories(file.getParent());
        }
        Files.write(file, png);
      }
    } catch (IOException e) {
      throw new DataException(dest + ": cannot write " + path + " (" + TextFiles.reason(e) + ")",
          e);
    }
    pending.append("w ").append(item).append(' ').append(count).append(' ').append(cls)
        .append(' ').append(png.length).append(' ').append(Integer.toHexString(c)).append('\n');
    record(cls, png.length, c);
    done();
  }

  /** Records that item {@code item} was skipped for {@code reason}. */
  void skip(int item, String reason) {
    check(item);
    skipped.add(reason);
    pending.append("s ").append(item).append(' ').append(escape(reason)).append('\n');
    done();
  }

  private void check(int item) {
    if (item != items || finished) {
      throw new IllegalStateException("import journal: expected item " + items + ", found "
          + item);
    }
  }

  private void done() {
    items++;
    pendingItems++;
    if (pendingItems >= FLUSH_ITEMS || (System.nanoTime() - lastFlush) / 1e9 >= FLUSH_SECONDS) {
      flush();
    }
  }

  /** Forces the image data to disk, then appends and forces the pending journal lines. */
  void flush() {
    if (pending.isEmpty()) {
      return;
    }
    try {
      if (zip) {
        data.force(false);
      }
      ByteBuffer b = ByteBuffer.wrap(pending.toString().getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) {
        journal.write(b);
      }
      journal.force(false);
    } catch (IOException e) {
      throw new DataException(dest + ": cannot write the import journal (" + TextFiles.reason(e)
          + ")", e);
    }
    pending.setLength(0);
    pendingItems = 0;
    lastFlush = System.nanoTime();
  }

  private static void localHeader(ByteBuffer b, String name, int crc, int size) {
    b.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0)
        .putShort((short) DOS_TIME).putShort((short) DOS_DATE).putInt(crc).putInt(size)
        .putInt(size).putShort((short) name.length()).putShort((short) 0)
        .put(name.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Writes {@code dataset.json} (the labels of every written image, then {@code wild3d} =
   * {@code extras}), moves the dataset onto {@code DEST} (replacing an existing one) and removes
   * the import folder.
   */
  Path finish(JsonObject extras) {
    flush();
    StringBuilder json = new StringBuilder(count * 32 + 256);
    json.append("{\"").append(DatasetJson.LABELS).append("\":[");
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        json.append(',');
      }
      json.append("[\"").append(DatasetWriter.pathOf(i)).append("\",").append(classes[i])
          .append(']');
    }
    json.append("],\"").append(DatasetJson.EXTRAS).append("\":").append(extras.toString())
        .append('}');
    byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
    try {
      Path built;
      if (zip) {
        writeZipEnd(bytes);
        data.force(true);
        data.close();
        built = partial.resolve(ZIP_PART);
      } else {
        built = partial.resolve(FOLDER_PART);
        Files.write(built.resolve(DatasetJson.FILE), bytes);
      }
      journal.close();
      Path old = null;
      if (Files.exists(dest)) {
        old = partial.resolveSibling("." + dest.getFileName() + ".replaced");
        DatasetWriter.deleteRecursively(old);
        Files.move(dest, old);
      }
      try {
        Files.move(built, dest, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(built, dest);
      }
      finished = true;
      if (old != null) {
        DatasetWriter.deleteRecursively(old);
      }
      DatasetWriter.deleteRecursively(partial);
      return dest;
    } catch (IOException e) {
      throw new DataException(dest + ": cannot finish dataset (" + TextFiles.reason(e) + ")", e);
    }
  }

  private void writeZipEnd(byte[] json) throws IOException {
    CRC32 crc = new CRC32();
    crc.update(json);
    ByteBuffer h = ByteBuffer.allocate(LOCAL_HEADER + DatasetJson.FILE.length() + json.length)
        .order(ByteOrder.LITTLE_ENDIAN);
    long jsonOffset = end;
    localHeader(h, DatasetJson.FILE, (int) crc.getValue(), json.length);
    h.put(json).flip();
    writeAll(h);
    long cdStart = jsonOffset + LOCAL_HEADER + DatasetJson.FILE.length() + json.length;
    long entries = count + 1L;
    ByteBuffer cd = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    long cdSize = 0;
    for (int i = 0; i <= count; i++) {
      String name = i < count ? DatasetWriter.pathOf(i) : DatasetJson.FILE;
      long off = i < count ? offsets[i] : jsonOffset;
      int size = i < count ? sizes[i] : json.length;
      int c = i < count ? crcs[i] : (int) crc.getValue();
      boolean z64 = off >= 0xFFFFFFFFL;
      int need = 46 + name.length() + (z64 ? 12 : 0);
      if (cd.remaining() < need) {
        cd.flip();
        writeAll(cd);
        cd.clear();
      }
      cd.putInt(0x02014b50).putShort((short) (z64 ? 45 : 20)).putShort((short) (z64 ? 45 : 20))
          .putShort((short) 0).putShort((short) 0).putShort((short) DOS_TIME)
          .putShort((short) DOS_DATE).putInt(c).putInt(size).putInt(size)
          .putShort((short) name.length()).putShort((short) (z64 ? 12 : 0)).putShort((short) 0)
          .putShort((short) 0).putShort((short) 0).putInt(0)
          .putInt(z64 ? 0xFFFFFFFF : (int) off).put(name.getBytes(StandardCharsets.US_ASCII));
      if (z64) {
        cd.putShort((short) 1).putShort((short) 8).putLong(off);
      }
      cdSize += need;
    }
    boolean z64 = entries >= 0xFFFF || cdStart >= 0xFFFFFFFFL || cdSize >= 0xFFFFFFFFL;
    if (cd.remaining() < 56 + 20 + 22) {
      cd.flip();
      writeAll(cd);
      cd.clear();
    }
    if (z64) {
      long z64End = cdStart + cdSize;
      cd.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0)
          .putInt(0).putLong(entries).putLong(entries).putLong(cdSize).putLong(cdStart);
      cd.putInt(0x07064b50).putInt(0).putLong(z64End).putInt(1);
    }
    cd.putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
        .putShort((short) (z64 ? 0xFFFF : entries)).putShort((short) (z64 ? 0xFFFF : entries))
        .putInt(z64 ? 0xFFFFFFFF : (int) cdSize).putInt(z64 ? 0xFFFFFFFF : (int) cdStart)
        .putShort((short) 0);
    cd.flip();
    writeAll(cd);
  }

  private void writeAll(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      data.write(b);
    }
  }

  /** Removes the import folder (a strict import that found problems writes nothing). */
  void discard() {
    closeQuietly();
    finished = true;
    DatasetWriter.deleteRecursively(partial);
  }

  /** Appends the pending journal lines (unless finished or discarded) and closes the files. */
  @Override
  public void close() {
    if (!finished) {
      try {
        flush();
      } catch (RuntimeException e) {
        // Closing after a failure: what is not journaled is redone on resume.
      }
    }
    closeQuietly();
  }

  private void closeQuietly() {
    for (FileChannel c : new FileChannel[] {journal, data}) {
      if (c != null && c.isOpen()) {
        try {
          c.close();
        } catch (IOException e) {
          // Nothing more to save.
        }
      }
    }
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
  }

  private static String unescape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        sb.append(n == 'n' ? '\n' : n == 'r' ? '\r' : n);
      } else {
        sb.append(ch);
      }
    }
    return sb.toString();
  }
}
