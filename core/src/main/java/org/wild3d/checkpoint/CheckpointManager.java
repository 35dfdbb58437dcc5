package org.wild3d.checkpoint;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
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
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;

/**
 * Atomic TF checkpoints in a run directory's {@code checkpoints/} folder.
 *
 * <p>Layout: {@code checkpoints/step-000001234/} holding {@code variables.index},
 * {@code variables.data-00000-of-00001}, {@value #CONFIG} (the resolved config the variables were
 * built from) and {@code manifest.json} (step, hashes, and every other file's size and CRC32C). A
 * checkpoint is written into a temporary directory {@code .tmp-step-…} and renamed into place only
 * after the variables, the config and the manifest are on disk, so a crash at any moment never
 * leaves a half checkpoint listed as complete. The newest {@code keep} checkpoints are kept.
 *
 * <p>Listing is cheap (manifests only); {@link CheckpointRestore} verifies the one it opens.
 */
public final class CheckpointManager {
  static final Pattern DIR = Pattern.compile("step-(\\d{9})");
  static final String VARIABLES = "variables";
  static final String MANIFEST = "manifest.json";
  /** Largest manifest read (a real one is about 1 KB): a checkpoint is untrusted input. */
  static final long MAX_MANIFEST_BYTES = 1 << 20;
  /** Folder of checkpoints inside a run directory. */
  public static final String CHECKPOINTS = "checkpoints";
  /** The resolved config a checkpoint was written with, inside its directory. */
  public static final String CONFIG = "config.pbtxt";

  /**
   * A complete checkpoint on disk.
   *
   * @param verification what {@link CheckpointVerifier} found; {@link Verification#NOT_CHECKED}
   *     when only listed
   */
  public record Checkpoint(Path dir, Manifest manifest, Verification verification) {
    public Checkpoint(Path dir, Manifest manifest) {
      this(dir, manifest, Verification.NOT_CHECKED);
    }

    /** The TF checkpoint prefix to pass to {@link Session#restore(String)}. */
    public String prefix() {
      return dir.resolve(VARIABLES).toString();
    }

    /** The directory name, e.g. {@code step-000001234}. */
    public String name() {
      return dir.getFileName().toString();
    }

    /** This checkpoint, verified now unless it already was (reads every listed file). */
    public Checkpoint verified() {
      return verification.kind() == Verification.Kind.NOT_CHECKED
          ? new Checkpoint(dir, manifest, CheckpointVerifier.verify(dir, manifest)) : this;
    }
  }

  /**
   * A directory named like a checkpoint, complete or not: what {@link CheckpointRestore} walks
   * through when it picks the newest checkpoint that verifies.
   *
   * @param dirStep the step in the directory name
   * @param checkpoint the listed checkpoint; null when its manifest is missing or does not parse
   * @param problem why it is not a checkpoint (null when {@code checkpoint} is set)
   */
  record Candidate(Path dir, long dirStep, Checkpoint checkpoint, String problem) {}

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

  /** The checkpoints directory. */
  public Path root() {
    return root;
  }

  /**
   * Saves all variables of {@code session}'s graph with {@code manifest} and {@code config} (its
   * resolved text as {@value #CONFIG}); returns the checkpoint.
   *
   * <p>The size and CRC32C of every file are computed right after TensorFlow wrote them (still in
   * the page cache) and recorded in the manifest, which is written last; then the directory is
   * renamed into place.
   *
   * @param config the config the graph was built from; its architecture hash must be the
   *     manifest's
   */
  public Checkpoint save(Session session, Manifest manifest, Experiment config) {
    checkArgument(manifest.step() >= 0, "checkpoint step: expected >= 0, found %s",
        manifest.step());
    checkArgument(manifest.architectureHash().equals(Configs.architectureHash(config)),
        "checkpoint manifest: expected the architecture hash of the config, found %s",
        manifest.architectureHash());
    String name = String.format("step-%09d", manifest.step());
    Path tmp = root.resolve(".tmp-" + name);
    Path dst = root.resolve(name);
    try {
      Files.createDirectories(root);
      deleteRecursively(tmp);
      Files.createDirectories(tmp);
      session.save(tmp.resolve(VARIABLES).toString());
      Files.writeString(tmp.resolve(CONFIG), configText(config), StandardCharsets.UTF_8);
      Manifest full = manifest.withFiles(CheckpointVerifier.measure(tmp));
      Files.writeString(tmp.resolve(MANIFEST), full.toJson(), StandardCharsets.UTF_8);
      deleteRecursively(dst); // same step saved twice (e.g. final save after a snapshot)
      try {
        Files.move(tmp, dst, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, dst);
      }
      prune(full.step());
      return new Checkpoint(dst, full, Verification.VERIFIED);
    } catch (IOException e) {
      throw new UncheckedIOException("writing checkpoint " + dst, e);
    }
  }

  /** The text of {@value #CONFIG}: a comment line, then the resolved config. */
  static String configText(Experiment config) {
    return "# wild3d: the resolved config these variables were built from (model and render decide"
        + " the architecture)\n" + Configs.toText(Configs.resolved(config));
  }

  /**
   * Complete checkpoints, oldest first: directories {@code step-NNNNNNNNN} with a manifest that
   * parses and a {@code variables.index}. Temporary, manifest-less and damaged-manifest
   * directories are left out (opening the newest reports them: {@link CheckpointRestore}).
   * Reads the manifests only.
   */
  public List<Checkpoint> list() {
    List<Checkpoint> out = new ArrayList<>();
    for (Candidate c : candidates()) {
      if (c.checkpoint() != null) {
        out.add(c.checkpoint());
      }
    }
    return out;
  }

  /** Every directory named {@code step-NNNNNNNNN}, by step (then name), oldest first. */
  List<Candidate> candidates() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<Candidate> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(root)) {
      for (Path d : (Iterable<Path>) s::iterator) {
        Matcher m = DIR.matcher(d.getFileName().toString());
        if (!m.matches() || !Files.isDirectory(d)) {
          continue;
        }
        long dirStep = Long.parseLong(m.group(1));
        Path mf = d.resolve(MANIFEST);
        if (!Files.isRegularFile(mf)) {
          out.add(new Candidate(d, dirStep, null, "no manifest.json (incomplete: a checkpoint is"
              + " renamed into place only with its manifest)"));
        } else if (!Files.isRegularFile(d.resolve(VARIABLES + ".index"))) {
          out.add(new Candidate(d, dirStep, null, VARIABLES + ".index is missing (the checkpoint"
              + " is incomplete)"));
        } else if (Files.size(mf) > MAX_MANIFEST_BYTES) {
          out.add(new Candidate(d, dirStep, null, "manifest.json is " + Files.size(mf)
              + " bytes: expected a small JSON file (at most " + MAX_MANIFEST_BYTES + " bytes;"
              + " damaged or not written by wild3d)"));
        } else {
          try {
            Manifest man = Manifest.fromJson(Files.readString(mf, StandardCharsets.UTF_8),
                mf.toString());
            out.add(new Candidate(d, dirStep, new Checkpoint(d, man), null));
          } catch (DataException e) {
            out.add(new Candidate(d, dirStep, null, e.getMessage()));
          } catch (CharacterCodingException e) {
            out.add(new Candidate(d, dirStep, null, "manifest.json: expected UTF-8 JSON, found"
                + " bytes that are not UTF-8 text (damaged or not written by wild3d)"));
          } catch (IOException e) {
            out.add(new Candidate(d, dirStep, null, "manifest.json: cannot be read ("
                + e.getMessage() + ")"));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("listing checkpoints in " + root, e);
    }
    out.sort(Comparator.comparingLong(Candidate::dirStep)
        .thenComparing(c -> c.dir().getFileName().toString()));
    return out;
  }

  /**
   * The newest listed checkpoint, if any, not verified ({@link CheckpointRestore#choose} picks
   * the newest that verifies; {@link CheckpointRestore#restore} verifies whatever it restores).
   */
  public Optional<Checkpoint> latest() {
    List<Checkpoint> all = list();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /**
   * Verifies {@code ckpt} (unless it already was), checks that it was written for the same
   * architecture ({@link org.wild3d.config.Configs#architectureHash}) and restores it into
   * {@code session}: {@link CheckpointRestore#restore} for a caller that holds only the hash.
   */
  public static void restore(Session session, Checkpoint ckpt, String expectedArchitectureHash) {
    CheckpointRestore.restore(session, ckpt, expectedArchitectureHash);
  }

  /**
   * Deletes all but the newest {@code keep} checkpoints up to {@code savedStep}. Newer ones (left
   * by a run that was resumed from an older checkpoint because its newest did not verify) are
   * left alone: they never push the checkpoint just written out.
   */
  private void prune(long savedStep) throws IOException {
    List<Checkpoint> all = list().stream().filter(c -> c.manifest().step() <= savedStep).toList();
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
