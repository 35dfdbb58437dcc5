package org.wild3d.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.wild3d.checkpoint.Manifest.FileEntry;

/**
 * Checks a checkpoint directory against its manifest: sane fields, every listed file present
 * with its recorded size and CRC32C, no listed path outside the directory, and every file that
 * TensorFlow reads ({@code variables.*}) listed.
 *
 * <p>Checkpoints are untrusted input: a listed name is a plain file name (no {@code /}, {@code
 * ..} or absolute path) and is opened only when it is a regular file, never through a symbolic
 * link, so a manifest never makes us open a path outside its own directory.
 *
 * <p>CRC32C, not SHA-256: the threat is truncation and damage (a full disk, a copy cut short, a
 * flipped bit), which a 32-bit CRC catches; it is hardware-accelerated in the JDK (SSE4.2) and
 * several times cheaper than SHA-256 on the tens of MB of a checkpoint. It is no defence against
 * someone who forges a checkpoint on purpose (neither is a hash stored next to the data).
 */
public final class CheckpointVerifier {
  private static final Pattern DIR = Pattern.compile("step-(\\d{9})");
  private static final Pattern CRC = Pattern.compile("[0-9a-f]{8}");
  private static final int BUFFER = 1 << 20;

  private CheckpointVerifier() {}

  /**
   * Verifies {@code dir} against {@code manifest} (reads every listed file once).
   *
   * @return {@link Verification.Kind#VERIFIED}, {@link Verification.Kind#UNVERIFIABLE} (format
   *     {@value Manifest#FORMAT_BEFORE_CHECKSUMS}, no file list), or {@link
   *     Verification.Kind#FAILED} with a one-line reason naming the file
   */
  public static Verification verify(Path dir, Manifest manifest) {
    String sane = checkFields(dir, manifest);
    if (sane != null) {
      return Verification.failed(sane);
    }
    if (!manifest.hasFiles()) {
      return new Verification(Verification.Kind.UNVERIFIABLE, "manifest.json (format "
          + manifest.format() + ") lists no files: written before checksums");
    }
    String listed = checkList(dir, manifest.files());
    if (listed != null) {
      return Verification.failed(listed);
    }
    // Sizes first: a truncated file is found without reading anything.
    for (FileEntry f : manifest.files()) {
      Path p = dir.resolve(f.name());
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        return Verification.failed(f.name() + " is listed in manifest.json but missing (the"
            + " checkpoint is incomplete)");
      }
      if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        return Verification.failed(f.name() + ": expected a regular file, found "
            + (Files.isSymbolicLink(p) ? "a symbolic link" : "a directory or special file")
            + " (a checkpoint's files must be plain files in its own directory)");
      }
      long size;
      try {
        size = Files.size(p);
      } catch (IOException e) {
        return Verification.failed(f.name() + ": cannot read its size (" + e.getMessage() + ")");
      }
      if (size != f.bytes()) {
        return Verification.failed(f.name() + " is " + bytes(size) + ", the manifest says "
            + f.bytes() + " (truncated or damaged)");
      }
    }
    for (FileEntry f : manifest.files()) {
      String crc;
      try {
        crc = crc32c(dir.resolve(f.name()));
      } catch (UncheckedIOException e) {
        return Verification.failed(f.name() + ": cannot be read (" + e.getCause().getMessage()
            + ")");
      }
      if (!crc.equals(f.crc32c())) {
        return Verification.failed(f.name() + " has CRC32C " + crc + ", the manifest says "
            + f.crc32c() + " (damaged: same size, different content)");
      }
    }
    return Verification.VERIFIED;
  }

  private static String bytes(long n) {
    return n == 1 ? "1 byte" : n + " bytes";
  }

  /** The manifest's own fields: format, step (also against the directory name), kimg. */
  private static String checkFields(Path dir, Manifest m) {
    if (m.format() < Manifest.FORMAT_BEFORE_CHECKSUMS || m.format() > Manifest.FORMAT) {
      return "manifest.json format " + m.format() + ": expected "
          + Manifest.FORMAT_BEFORE_CHECKSUMS + ".." + Manifest.FORMAT + (m.format() > Manifest.FORMAT
              ? " (written by a newer wild3d: open it with that version)" : " (damaged manifest)");
    }
    if (m.step() < 0) {
      return "manifest.json says step " + m.step() + ": expected a step >= 0 (damaged manifest)";
    }
    Matcher mm = DIR.matcher(dir.getFileName() == null ? "" : dir.getFileName().toString());
    if (mm.matches() && Long.parseLong(mm.group(1)) != m.step()) {
      return "the directory name says step " + Long.parseLong(mm.group(1))
          + ", manifest.json says step " + m.step() + " (renamed or damaged: a checkpoint's"
          + " directory is step-NNNNNNNNN of its own step)";
    }
    if (!(m.kimg() >= 0) || Double.isInfinite(m.kimg())) {
      return "manifest.json says kimg " + m.kimg() + ": expected a finite number >= 0 (damaged"
          + " manifest)";
    }
    return null;
  }

  /** The file list itself: plain unique names, sane sizes and checksums, TF's files covered. */
  private static String checkList(Path dir, List<FileEntry> files) {
    Set<String> names = new HashSet<>();
    for (FileEntry f : files) {
      if (f == null || f.name() == null || f.crc32c() == null) {
        return "manifest.json: expected files with name, bytes and crc32c, found an incomplete"
            + " entry (damaged manifest)";
      }
      String n = f.name();
      if (!isPlainName(n)) {
        return "manifest.json lists the file '" + printable(n) + "': expected a file name inside"
            + " the checkpoint directory, found a path that leads elsewhere (a checkpoint may"
            + " only name its own files; the manifest is damaged or not written by wild3d)";
      }
      if (n.equals(CheckpointManager.MANIFEST)) {
        return "manifest.json lists itself: expected the other files only (damaged manifest)";
      }
      if (!names.add(n)) {
        return "manifest.json lists " + n + " twice (damaged manifest)";
      }
      if (f.bytes() < 0) {
        return "manifest.json says " + n + " is " + f.bytes() + " bytes: expected >= 0"
            + " (damaged manifest)";
      }
      if (!CRC.matcher(f.crc32c()).matches()) {
        return "manifest.json gives " + n + " the checksum '" + printable(f.crc32c())
            + "': expected 8 lowercase hex digits (CRC32C; damaged manifest)";
      }
    }
    String index = CheckpointManager.VARIABLES + ".index";
    if (!names.contains(index)) {
      return "manifest.json does not list " + index + ": expected every file TensorFlow reads"
          + " to be listed (damaged manifest)";
    }
    Set<String> unlisted = new TreeSet<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String n = p.getFileName().toString();
        if (n.startsWith(CheckpointManager.VARIABLES + ".") && !names.contains(n)) {
          unlisted.add(n);
        }
      }
    } catch (IOException e) {
      return "cannot list the directory (" + e.getMessage() + ")";
    }
    if (!unlisted.isEmpty()) {
      return String.join(", ", unlisted) + (unlisted.size() == 1 ? " is" : " are")
          + " not listed in manifest.json: expected every file TensorFlow reads to be listed"
          + " (files were added after the checkpoint was written)";
    }
    return null;
  }

  /** A name without directory parts: not empty, no separators, not "." or "..", no controls. */
  static boolean isPlainName(String n) {
    if (n.isEmpty() || n.equals(".") || n.equals("..") || n.length() > 255) {
      return false;
    }
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f || c == ':') {
        return false;
      }
    }
    return true;
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 120; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? String.format(Locale.ROOT, "\\x%02x", (int) c) : c);
    }
    return b.toString();
  }

  /** Size and CRC32C of every regular file in {@code dir} but the manifest, sorted by name. */
  static List<FileEntry> measure(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .filter(p -> !p.getFileName().toString().equals(CheckpointManager.MANIFEST))
          .sorted().toList();
    }
    List<FileEntry> out = new ArrayList<>();
    for (Path p : files) {
      out.add(new FileEntry(p.getFileName().toString(), Files.size(p), crc32c(p)));
    }
    return out;
  }

  /** CRC32C of a file as 8 lowercase hex digits (never follows a symbolic link). */
  static String crc32c(Path file) {
    CRC32C crc = new CRC32C();
    ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        LinkOption.NOFOLLOW_LINKS)) {
      while (ch.read(buf) >= 0) {
        buf.flip();
        crc.update(buf);
        buf.clear();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file, e);
    }
    return HexFormat.of().toHexDigits((int) crc.getValue());
  }
}
