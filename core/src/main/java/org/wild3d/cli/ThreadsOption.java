package org.wild3d.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Mixin for {@code --threads N}: TF intra-op threads of the command's sessions. */
public final class ThreadsOption {
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
      description = "TF intra-op threads; 0 = all cores.")
  int threads;

  /** N, checked: a usage error (exit 2) when negative. */
  public int threads() {
    if (threads < 0) {
      throw new ParameterException(mixee.commandLine(),
          "--threads: expected >= 0, found " + threads);
    }
    return threads;
  }
}
