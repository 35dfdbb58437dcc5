package org.wild3d.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.util.List;
import java.util.Map;
import org.wild3d.DataException;

/**
 * What a checkpoint is: written next to the TF variables as {@code manifest.json}. A checkpoint
 * directory without a manifest is incomplete and never listed.
 *
 * <p>Format versions: {@value #FORMAT_BEFORE_CHECKSUMS} (or no {@code format} field: manifests
 * written before checksums) has no file list, so its checkpoint cannot be verified; {@value
 * #FORMAT} adds {@code files}, every other file of the checkpoint directory with its size and
 * CRC32C, recorded by {@link CheckpointManager#save} and checked by {@link CheckpointVerifier}.
 *
 * @param format manifest format version ({@value #FORMAT} when written by this version)
 * @param step training step (generator steps) the variables correspond to
 * @param kimg thousands of real images shown so far
 * @param seed the experiment seed
 * @param configHash SHA-256 of the resolved config the checkpoint was trained with (provenance)
 * @param architectureHash SHA-256 of the config's model and render parts: what must match to load
 * @param codeVersion toolkit version that wrote it
 * @param extra free-form resumable state (data position, tick counters), string → string
 * @param files the checkpoint's files (not the manifest itself), sorted by name; null in format
 *     {@value #FORMAT_BEFORE_CHECKSUMS}
 */
public record Manifest(
    int format,
    long step,
    double kimg,
    long seed,
    String configHash,
    String architectureHash,
    String codeVersion,
    Map<String, String> extra,
    List<FileEntry> files) {

  /** The format this version writes: with a file list. */
  public static final int FORMAT = 2;
  /** Manifests written before checksums: no file list, nothing to verify against. */
  public static final int FORMAT_BEFORE_CHECKSUMS = 1;

  /**
   * One file of a checkpoint directory as written.
   *
   * @param name file name inside the checkpoint directory (no directory part)
   * @param bytes size in bytes
   * @param crc32c CRC32C (Castagnoli) of the content, 8 lowercase hex digits
   */
  public record FileEntry(String name, long bytes, String crc32c) {}

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  /**
   * A manifest before it is saved (no file list yet: {@link CheckpointManager#save} measures the
   * files it writes and records them).
   */
  public Manifest(long step, double kimg, long seed, String configHash, String architectureHash,
      String codeVersion, Map<String, String> extra) {
    this(FORMAT_BEFORE_CHECKSUMS, step, kimg, seed, configHash, architectureHash, codeVersion,
        extra, null);
  }

  /** This manifest in format {@value #FORMAT} with {@code files}. */
  public Manifest withFiles(List<FileEntry> files) {
    return new Manifest(FORMAT, step, kimg, seed, configHash, architectureHash, codeVersion, extra,
        List.copyOf(files));
  }

  /** True when the manifest lists its files (format {@value #FORMAT} or later). */
  public boolean hasFiles() {
    return files != null;
  }

  public String toJson() {
    return GSON.toJson(this);
  }

  /** Parses a manifest; {@code source} names the file in errors. */
  public static Manifest fromJson(String json, String source) {
    Manifest m;
    try {
      m = GSON.fromJson(json, Manifest.class);
    } catch (JsonParseException | IllegalArgumentException | IllegalStateException e) {
      throw new DataException("checkpoint manifest: expected JSON, found unreadable content ("
          + source + "; " + detail(e) + ")", e);
    }
    if (m == null || m.configHash() == null || m.architectureHash() == null) {
      throw new DataException(
          "checkpoint manifest: expected step, kimg, seed, configHash, architectureHash, found an"
              + " incomplete file ("
              + source
              + "; the checkpoint is damaged: resume from an older one)");
    }
    int format = m.format() == 0 ? FORMAT_BEFORE_CHECKSUMS : m.format();
    return new Manifest(format, m.step, m.kimg, m.seed, m.configHash, m.architectureHash,
        m.codeVersion, m.extra() == null ? Map.of() : m.extra(), m.files());
  }

  /** The innermost cause's first line, without a Java exception class name in front. */
  private static String detail(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? "no detail" : t.getMessage();
    int nl = m.indexOf('\n');
    m = nl < 0 ? m : m.substring(0, nl);
    return m.replaceFirst("^([\\w$]+\\.)+[\\w$]*(Exception|Error): ", "");
  }
}
