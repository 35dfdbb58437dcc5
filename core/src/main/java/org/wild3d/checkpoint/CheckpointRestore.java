package org.wild3d.checkpoint;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.wild3d.DataException;
import org.wild3d.checkpoint.CheckpointManager.Candidate;
import org.wild3d.checkpoint.CheckpointManager.Checkpoint;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;

/**
 * The one way a checkpoint is opened: {@link #choose} picks it (the one the user named, or the
 * newest that verifies) and says which; {@link #restore} verifies it (unless {@code choose}
 * already did), checks its architecture against the config (naming the fields that differ) and
 * restores its variables, turning TensorFlow's failures into exit-4 messages. Training's resume,
 * {@code Snapshot} (eval's metrics, render, mesh), the exporter and the inverter all go through
 * here.
 *
 * <p>A checkpoint that fails verification is never restored: named explicitly, the command
 * refuses (exit 4); picked as the newest, the next older one that verifies is used instead, with a
 * line saying so. Checkpoints written before checksums (manifest format {@value
 * Manifest#FORMAT_BEFORE_CHECKSUMS}) are used, with a line saying they could not be verified.
 */
public final class CheckpointRestore {
  /** Largest {@value CheckpointManager#CONFIG} read for an architecture diff. */
  private static final long MAX_CONFIG_BYTES = 1 << 20;

  private CheckpointRestore() {}

  /**
   * {@link #choose(Path, Path, PrintWriter, String)} for commands with a {@code --checkpoint DIR}
   * option.
   */
  public static Checkpoint choose(Path runDir, Path named, PrintWriter notes) {
    return choose(runDir, named, notes,
        "train longer than one snapshot tick, or pass --checkpoint DIR");
  }

  /**
   * The checkpoint to open in {@code runDir}: {@code named} (null = the newest that verifies),
   * verified. Prints to {@code notes} one line per newer checkpoint skipped (with the reason and
   * the one used instead), then {@code checkpoint: DIR (step N, verified)}.
   *
   * @param fixIfNone how to fix a run without any checkpoint (the end of that message)
   * @throws DataException (exit 4) when {@code named} is not a checkpoint of the run or fails
   *     verification, when the run has no checkpoint, or when none verifies (each named with its
   *     reason)
   */
  public static Checkpoint choose(Path runDir, Path named, PrintWriter notes, String fixIfNone) {
    Path root = runDir.resolve(CheckpointManager.CHECKPOINTS);
    List<Candidate> all = new CheckpointManager(root, Integer.MAX_VALUE).candidates();
    if (named != null) {
      Path want = named.toAbsolutePath().normalize();
      for (Candidate c : all) {
        if (c.dir().toAbsolutePath().normalize().equals(want)) {
          if (c.checkpoint() == null) {
            throw new DataException("checkpoint " + c.dir() + ": " + c.problem() + " (pass"
                + " another checkpoint of the run; list them with 'ls " + root + "')");
          }
          Checkpoint v = c.checkpoint().verified();
          if (!v.verification().usable()) {
            throw new DataException("checkpoint " + v.dir() + ": " + v.verification().reason()
                + " (--checkpoint named it, so no other is used: pass an older one, or none for"
                + " the newest that verifies)");
          }
          announce(notes, v);
          return v;
        }
      }
      throw new DataException("checkpoint: expected a complete checkpoint (variables.index and"
          + " manifest.json) in " + root + ", found none at " + named
          + " (list the run's checkpoints with 'ls " + root + "')");
    }
    if (all.isEmpty()) {
      throw new DataException("run directory " + runDir + ": expected at least one complete"
          + " checkpoint, found none in " + root + " (" + fixIfNone + ")");
    }
    List<String> rejected = new ArrayList<>();
    for (int i = all.size() - 1; i >= 0; i--) {
      Candidate c = all.get(i);
      String reason;
      if (c.checkpoint() == null) {
        reason = c.problem();
      } else {
        Checkpoint v = c.checkpoint().verified();
        if (v.verification().usable()) {
          for (String r : rejected) {
            notes.println(r + "; using " + v.name() + " instead");
          }
          announce(notes, v);
          return v;
        }
        reason = v.verification().reason();
      }
      rejected.add("checkpoint " + c.dir() + ": " + reason);
    }
    throw new DataException("run directory " + runDir + ": expected a checkpoint that verifies,"
        + " found none of " + all.size() + " in " + root + ":\n  " + String.join("\n  ", rejected)
        + "\n(a damaged checkpoint is never restored: put back a good copy, or train again)");
  }

  /** The {@code checkpoint: DIR (step N, verified)} line. */
  private static void announce(PrintWriter notes, Checkpoint c) {
    notes.println(describe(c));
    notes.flush();
  }

  /** {@code checkpoint: DIR (step N, verified)}: which checkpoint an output comes from. */
  public static String describe(Checkpoint c) {
    return String.format(Locale.ROOT, "checkpoint: %s (step %d, %s)", c.dir(),
        c.manifest().step(), c.verification().label());
  }

  /**
   * Restores {@code ckpt} into {@code session} for the graph built from {@code config}: verifies
   * it unless that was done, checks the architecture ({@link #checkArchitecture}), restores.
   *
   * @param what the variables being restored, for messages (e.g. "the generator G_ema")
   * @throws DataException (exit 4) naming the checkpoint when it fails verification, belongs to
   *     another architecture, or lacks the graph's variables
   */
  public static void restore(Session session, Checkpoint ckpt, Experiment config, String what) {
    Checkpoint v = usable(ckpt);
    checkArchitecture(v, config);
    tfRestore(session, v, what);
  }

  /** As {@link #restore(Session, Checkpoint, Experiment, String)}, knowing only the hash. */
  static void restore(Session session, Checkpoint ckpt, String expectedArchitectureHash) {
    Checkpoint v = usable(ckpt);
    if (!v.manifest().architectureHash().equals(expectedArchitectureHash)) {
      throw new DataException("checkpoint " + v.dir() + ": expected architecture hash "
          + expectedArchitectureHash + ", found " + v.manifest().architectureHash() + " (the"
          + " checkpoint belongs to a different architecture/config: build the graph from the"
          + " config in " + v.dir().resolve(CheckpointManager.CONFIG) + " or the run directory's "
          + Configs.RESOLVED_FILE + ")");
    }
    tfRestore(session, v, "its variables");
  }

  private static Checkpoint usable(Checkpoint ckpt) {
    Checkpoint v = ckpt.verified();
    if (!v.verification().usable()) {
      throw new DataException("checkpoint " + v.dir() + ": " + v.verification().reason()
          + " (a damaged checkpoint is never restored: pass an older one)");
    }
    return v;
  }

  private static void tfRestore(Session session, Checkpoint v, String what) {
    try {
      session.restore(v.prefix());
    } catch (TensorFlowException e) {
      throw new DataException("checkpoint " + v.dir() + ": cannot restore " + what + " ("
          + firstLine(e.getMessage()) + "; the checkpoint does not hold this config's variables:"
          + " pass a checkpoint written by wild3d-train for this run)", e);
    }
  }

  /**
   * Fails unless {@code ckpt} was written for {@code config}'s architecture (model and render,
   * {@link Configs#architectureHash}). The message lists the fields that differ, from the
   * checkpoint's own {@value CheckpointManager#CONFIG}; a checkpoint without one (written before
   * it was kept) gets the two hashes and a pointer to the run's config.
   *
   * @throws DataException (exit 4) naming the checkpoint
   */
  public static void checkArchitecture(Checkpoint ckpt, Experiment config) {
    String want = Configs.architectureHash(config);
    String found = ckpt.manifest().architectureHash();
    if (want.equals(found)) {
      return;
    }
    Path file = ckpt.dir().resolve(CheckpointManager.CONFIG);
    Path run = runOf(ckpt);
    String runConfig = run == null ? "the run's " + Configs.RESOLVED_FILE
        : run.resolve(Configs.RESOLVED_FILE).toString();
    List<String> diff = readConfig(file).map(c -> ArchitectureDiff.of(c, config))
        .orElse(List.of());
    if (!diff.isEmpty()) {
      throw new DataException("checkpoint " + ckpt.dir() + ": expected the architecture (model"
          + " and render) of the config it is opened with, found " + diff.size()
          + (diff.size() == 1 ? " field that differs:" : " fields that differ:")
          + ArchitectureDiff.format(diff) + "\n(" + file + " against " + runConfig + ": open the"
          + " checkpoint with the config it was trained with, or pass a checkpoint of this run)");
    }
    throw new DataException("checkpoint " + ckpt.dir() + ": expected architecture hash " + want
        + ", found " + found + " (the checkpoint belongs to another model/render config and"
        + " records no readable " + CheckpointManager.CONFIG + " to name the fields: compare the"
        + " model and render parts of " + runConfig + " with the config that trained it, or pass"
        + " a checkpoint of this run)");
  }

  /** The checkpoint's own config, when it has a readable one. */
  private static Optional<Experiment> readConfig(Path file) {
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
          || Files.size(file) > MAX_CONFIG_BYTES) {
        return Optional.empty();
      }
      Experiment.Builder b = Experiment.newBuilder();
      TextFormat.Parser.newBuilder().setAllowUnknownFields(true).build()
          .merge(Files.readString(file, StandardCharsets.UTF_8), b);
      return Optional.of(b.build());
    } catch (IOException | RuntimeException e) { // unreadable: fall back to the hashes
      return Optional.empty();
    }
  }

  /** RUN of RUN/checkpoints/step-N, or null. */
  private static Path runOf(Checkpoint c) {
    Path p = c.dir().toAbsolutePath().normalize().getParent();
    return p == null ? null : p.getParent();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no message";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
