package org.wild3d.eval;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.wild3d.cli.RunOptions;
import org.wild3d.model.Latents;
import org.wild3d.model.Snapshot;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine;

/**
 * Options shared by the commands that look at chosen scenes of a run ({@code render}, {@code
 * mesh}): which run and checkpoint, which seeds and classes, truncation, output folder, threads.
 *
 * <p>A scene is a (seed, class) pair; its latent {@code z} depends on the seed only ({@link
 * #latent}), so one seed shows the same latent in every class.
 */
final class SceneOptions {
  /** Most seeds one command accepts (guards against "0-9999999" typos). */
  static final int MAX_SEEDS = 10_000;

  @Mixin RunOptions run;

  @Option(names = "--seeds", paramLabel = "LIST", required = true,
      description = "Latent seeds: numbers and ranges, e.g. 0-7 or 0,3,10-12.")
  String seeds;

  @Option(names = "--classes", paramLabel = "LIST", defaultValue = "all",
      description = "Class indices, e.g. 0,2 or 1-3, or 'all' (default: ${DEFAULT-VALUE}).")
  String classes;

  @Option(names = "--truncation", paramLabel = "PSI", defaultValue = "0.7",
      description = "Truncation psi; 1 = none (default: ${DEFAULT-VALUE}).")
  float truncation;

  @Option(names = "--out", paramLabel = "DIR", required = true,
      description = "Output folder (created if missing).")
  Path out;

  /** The checked seeds, in the order given; a usage error (exit 2) when malformed. */
  long[] seeds(CommandLine cl) {
    List<Long> list = parseList(cl, "--seeds", seeds, Long.MAX_VALUE);
    if (list.size() > MAX_SEEDS) {
      throw new ParameterException(cl, "--seeds: expected at most " + MAX_SEEDS + " seeds, found "
          + list.size() + " in '" + seeds + "'");
    }
    return list.stream().mapToLong(Long::longValue).toArray();
  }

  /** The checked class indices of a model with {@code k} classes. */
  int[] classes(CommandLine cl, int k) {
    if (classes.strip().equalsIgnoreCase("all")) {
      int[] all = new int[k];
      for (int i = 0; i < k; i++) {
        all[i] = i;
      }
      return all;
    }
    List<Long> list = parseList(cl, "--classes", classes, k);
    return list.stream().mapToInt(Long::intValue).toArray();
  }

  /** Usage checks that need no run: the seeds parse, psi is sane. */
  void checkUsage(CommandLine cl) {
    seeds(cl);
    if (!(truncation >= 0 && truncation <= 2)) {
      throw new ParameterException(cl, "--truncation: expected a psi in [0, 2], found "
          + truncation);
    }
    run.threads();
    run.run();
  }

  /**
   * Opens the run's snapshot (exit 4 naming the path when there is none, or no checkpoint that
   * verifies); the {@code checkpoint: DIR (step N, verified)} line and notes go to {@code log}.
   */
  Snapshot open(PrintWriter log) {
    return Snapshot.open(run.run(), run.checkpoint(), run.threads(), log);
  }

  /**
   * Comma-separated non-negative numbers and ascending ranges {@code a-b}, each below {@code
   * limit}; duplicates dropped, order kept.
   */
  static List<Long> parseList(CommandLine cl, String option, String text, long limit) {
    List<Long> out = new ArrayList<>();
    TreeSet<Long> seen = new TreeSet<>();
    String[] parts = text.split(",", -1);
    for (String raw : parts) {
      String p = raw.strip();
      try {
        int dash = p.indexOf('-', 1);
        long a = Long.parseLong(dash < 0 ? p : p.substring(0, dash).strip());
        long b = dash < 0 ? a : Long.parseLong(p.substring(dash + 1).strip());
        if (a < 0 || b < a) {
          throw new NumberFormatException();
        }
        if (b >= limit) {
          throw new ParameterException(cl, option + ": expected values below " + limit
              + " (model.num_classes), found " + b + " in '" + text + "'");
        }
        if (b - a >= MAX_SEEDS) {
          throw new ParameterException(cl, option + ": expected at most " + MAX_SEEDS
              + " values, found the range '" + p + "'");
        }
        for (long x = a; x <= b; x++) {
          if (seen.add(x)) {
            out.add(x);
          }
        }
      } catch (NumberFormatException e) {
        throw new ParameterException(cl, option + ": expected non-negative numbers and ascending"
            + " ranges like 0-7 or 0,3,10-12, found '" + p + "' in '" + text + "'");
      }
    }
    return out;
  }

  /** The latent of {@code seed}: Z standard normal values (Box–Muller on a SplittableRandom). */
  static float[] latent(long seed, int zDim) {
    return Latents.gaussian(new SplittableRandom(seed), zDim);
  }

  /** File-name stem of a scene: {@code seed0007-class02}. */
  static String stem(long seed, int cls) {
    return String.format("seed%04d-class%02d", seed, cls);
  }
}
