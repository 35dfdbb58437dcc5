package org.wild3d.checkpoint;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.tensorflow.Session;
import org.wild3d.DataException;

/**
 * Atomic TF checkpoints in a run directory's {@code checkpoints/} folder.
 *
 * <p>Layout: {@code checkpoints/step-000001234/} holding {@code variables.index},
 * {@code variables.data-00000-of-00001} and {@code manifest.json}. A checkpoint is written into a
 * temporary directory {@code .tmp-step-…} and renamed into place only after the variables and the
 * manifest are on disk, so a crash at any moment never leaves a half checkpoint listed as complete.
 * The newest {@code keep} checkpoints are kept.
 */
public final class CheckpointManager {
  private static final Pattern DIR = Pattern.compile("step-(\\d{9})");
  static final String VARIABLES = "variables";
  static final String MANIFEST = "manifest.json";

  /** A complete checkpoint on disk. */
  public record Checkpoint(Path dir, Manifest manifest) {
    /** The TF checkpoint prefix to pass to {@link Session#restore(String)}. */
    public String prefix() {
      return dir.resolve(VARIABLES).toString();
    }
  }

  private final Path root;
  private final int keep;

  /**
   * @param root the checkpoints directory (created if missing)
   * @param keep how many newest checkpoints to keep (≥ 1)
   */
  public CheckpointManager(Path root, int keep) {
    checkArgument(keep >= 1, "keep_checkpoints: expected >= 1, found %s", keep);
    this.root = root;
    this.keep = keep;
  }

  /** Saves all variables of {@code session}'s graph with {@code manifest}; returns the checkpoint. */
  public Checkpoint save(Session session, Manifest manifest) {
    String name = String.format("step-%09d", manifest.step());
    Path tmp = root.resolve(".tmp-" + name);
    Path dst = root.resolve(name);
    try {
      Files.createDirectories(root);
      deleteRecursively(tmp);
      Files.createDirectories(tmp);
      session.save(tmp.resolve(VARIABLES).toString());
      Files.writeString(tmp.resolve(MANIFEST), manifest.toJson(), StandardCharsets.UTF_8);
      deleteRecursively(dst); // same step saved twice (e.g. final save after a snapshot)
      try {
        Files.move(tmp, dst, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, dst);
      }
      prune();
      return new Checkpoint(dst, manifest);
    } catch (IOException e) {
      throw new UncheckedIOException("writing checkpoint " + dst, e);
    }
  }

  /** Complete checkpoints, oldest first. Temporary and manifest-less directories are ignored. */
  public List<Checkpoint> list() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<Checkpoint> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(root)) {
      for (Path d : (Iterable<Path>) s::iterator) {
        Matcher m = DIR.matcher(d.getFileName().toString());
        Path mf = d.resolve(MANIFEST);
        if (m.matches() && Files.isRegularFile(mf) && Files.isRegularFile(d.resolve(VARIABLES + ".index"))) {
          out.add(new Checkpoint(d, Manifest.fromJson(Files.readString(mf), mf.toString())));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("listing checkpoints in " + root, e);
    }
    out.sort(Comparator.comparingLong(c -> c.manifest().step()));
    return out;
  }

  /** The newest complete checkpoint, if any. */
  public Optional<Checkpoint> latest() {
    List<Checkpoint> all = list();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /**
   * Restores {@code ckpt} into {@code session}, after checking that it was written for the same
   * architecture ({@link org.wild3d.config.Configs#architectureHash}).
   */
  public static void restore(Session session, Checkpoint ckpt, String expectedArchitectureHash) {
    if (!ckpt.manifest().architectureHash().equals(expectedArchitectureHash)) {
      throw new DataException(
          "checkpoint: expected architecture hash "
              + expectedArchitectureHash
              + ", found "
              + ckpt.manifest().architectureHash()
              + " ("
              + ckpt.dir()
              + "; the checkpoint belongs to a different architecture/config: build the graph from the"
              + " run directory's config.resolved.pbtxt)");
    }
    session.restore(ckpt.prefix());
  }

  private void prune() throws IOException {
    List<Checkpoint> all = list();
    for (int i = 0; i < all.size() - keep; i++) {
      deleteRecursively(all.get(i).dir());
    }
  }

  private static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
