package org.wild3d.train;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;

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
 */
public record RunContext(
    Path runDir,
    Experiment resolved,
    Experiment input,
    boolean resumed,
    PrintWriter out,
    PrintWriter err) {

  /** {@link Configs#hash} of the resolved config, for checkpoint manifests. */
  public String configHash() {
    return Configs.hash(resolved);
  }
}
