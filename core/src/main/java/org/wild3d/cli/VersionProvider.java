package org.wild3d.cli;

import org.wild3d.Version;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code --version} of every executable: the command name, the toolkit version and the JVM. */
public final class VersionProvider implements IVersionProvider {
  @Spec CommandSpec spec;

  @Override
  public String[] getVersion() {
    String name = spec == null ? "wild3d" : spec.root().name();
    return new String[] {
      name + " " + Version.get(),
      "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name")
          + ")"
    };
  }
}
