package org.wild3d.train;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import org.wild3d.scale.ClusterSpec;
import org.wild3d.scale.Placement;

/**
 * What a {@link TrainJob} gets: a run directory that already holds {@code config.input.pbtxt} and
 * {@code config.resolved.pbtxt}, the configs, and the command's writers.
 *
 * @param runDir the run directory, e.g. {@code runs/00003-shapes-tiny}
 * @param resolved the validated config with every field explicit; the architecture comes from here
 * @param input the config as given (file plus overrides), without defaults filled in
 * @param resumed true for {@code --resume}: continue from the run's latest checkpoint
 * @param out standard output of the command
 * @param err standard error of the command
 * @param scale the devices and worker processes the run is spread over (one device by default);
 *     only the chief (task 0) writes into {@code runDir}
 */
public record RunContext(
    Path runDir,
    Experiment resolved,
    Experiment input,
    boolean resumed,
    PrintWriter out,
    PrintWriter err,
    Scale scale) {

  /** A run on one device of one process. */
  public RunContext(Path runDir, Experiment resolved, Experiment input, boolean resumed,
      PrintWriter out, PrintWriter err) {
    this(runDir, resolved, input, resumed, out, err, Scale.SINGLE);
  }

  /**
   * Where the run's steps run.
   *
   * @param placement this process's towers and its place among the workers
   * @param cluster the worker processes (TF_CONFIG), or null for one process
   */
  public record Scale(Placement placement, ClusterSpec cluster) {
    public static final Scale SINGLE = new Scale(Placement.single(), null);

    /** Whether this process writes the run directory (task 0, or the only process). */
    public boolean chief() {
      return placement.task() == 0;
    }
  }

  /** {@link Configs#hash} of the resolved config, for checkpoint manifests. */
  public String configHash() {
    return Configs.hash(resolved);
  }
}
