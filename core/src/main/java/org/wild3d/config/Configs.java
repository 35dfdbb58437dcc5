package org.wild3d.config;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.wild3d.AtomicFiles;
import org.wild3d.DataException;
import org.wild3d.TextFiles;
import org.wild3d.Version;

/**
 * Resolved configs, their text, their hash, and the config files of a run directory.
 *
 * <p>A run directory holds {@value #INPUT_FILE} (the config text as given) and {@value
 * #RESOLVED_FILE} (every field at its effective value, with the overrides applied listed in a
 * comment header). The architecture of a run always comes from its resolved file.
 */
public final class Configs {
  /** The config as given, in a run directory. */
  public static final String INPUT_FILE = "config.input.pbtxt";
  /** The config with defaults and overrides filled in, in a run directory. */
  public static final String RESOLVED_FILE = "config.resolved.pbtxt";

  /** How each override is recorded in the resolved file's header (then the snippet and "'"). */
  private static final String OVERRIDE_PREFIX = "#   --override '";

  private Configs() {}

  /**
   * A copy of {@code e} with every singular field explicitly set to its effective value: proto2
   * defaults become explicit and every sub-message is present, recursively. Unselected members of a
   * oneof stay unset; repeated fields are kept as they are. Idempotent.
   */
  public static Experiment resolved(Experiment e) {
    return (Experiment) resolve(e);
  }

  private static Message resolve(Message m) {
    Message.Builder b = m.toBuilder();
    for (FieldDescriptor fd : m.getDescriptorForType().getFields()) {
      boolean isMessage = fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE;
      if (fd.isRepeated()) {
        if (isMessage) {
          for (int i = 0; i < m.getRepeatedFieldCount(fd); i++) {
            b.setRepeatedField(fd, i, resolve((Message) m.getRepeatedField(fd, i)));
          }
        }
      } else if (fd.getRealContainingOneof() == null || m.hasField(fd)) {
        b.setField(fd, isMessage ? resolve((Message) m.getField(fd)) : m.getField(fd));
      }
    }
    return b.build();
  }

  /** {@code m} with every singular field whose value is its default, and every empty message, cleared. */
  private static Message withoutDefaults(Message m) {
    Message.Builder b = m.toBuilder();
    for (var entry : m.getAllFields().entrySet()) {
      FieldDescriptor fd = entry.getKey();
      if (fd.isRepeated()) {
        if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
          for (int i = 0; i < m.getRepeatedFieldCount(fd); i++) {
            b.setRepeatedField(fd, i, withoutDefaults((Message) m.getRepeatedField(fd, i)));
          }
        }
      } else if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        Message sub = withoutDefaults((Message) entry.getValue());
        if (sub.getAllFields().isEmpty() && fd.getRealContainingOneof() == null) {
          b.clearField(fd);
        } else {
          b.setField(fd, sub);
        }
      } else if (fd.getRealContainingOneof() == null && entry.getValue().equals(fd.getDefaultValue())) {
        b.clearField(fd);
      }
    }
    return b.build();
  }

  /** Protobuf text format of {@code e}, as written to config files. */
  public static String toText(Experiment e) {
    return TextFormat.printer().printToString(e);
  }

  /**
   * SHA-256 of the parts of a config that decide the graph's variables and shapes ({@code model}
   * and {@code render}): two configs with the same architecture hash can share checkpoints, even
   * if their training schedules differ (e.g. a longer {@code total_kimg} on resume). Like {@link
   * #hash}, it sees only values that differ from the schema's defaults, so a field added to the
   * schema later (with a default) leaves every existing hash, and checkpoint, valid.
   */
  public static String architectureHash(Experiment e) {
    Experiment r = resolved(e);
    return hash(Experiment.newBuilder().setModel(r.getModel()).setRender(r.getRender()).build());
  }

  /**
   * SHA-256 (64 lowercase hex digits) of the canonical text of {@code e}: every value equal to
   * its field's default left out. Equal for configs that mean the same, whatever defaults were
   * written out, and unchanged when the schema gains fields. Recorded in checkpoint manifests.
   */
  public static String hash(Experiment e) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(
          d.digest(toText((Experiment) withoutDefaults(e)).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException ex) {
      throw new IllegalStateException("the JVM lacks SHA-256", ex);
    }
  }

  /** The text of {@value #INPUT_FILE}: a comment naming the source, then the text as given. */
  public static String inputText(LoadedConfig c) {
    return "# wild3d config as given, from " + oneLine(c.source()) + "\n"
        + "# (defaults and the overrides applied are in " + RESOLVED_FILE + ")\n"
        + c.text() + (c.text().endsWith("\n") || c.text().isEmpty() ? "" : "\n");
  }

  /**
   * The text of {@value #RESOLVED_FILE}: a comment header (source, overrides applied in order,
   * config hash, toolkit version), then {@link #toText} of the resolved config.
   */
  public static String resolvedText(LoadedConfig c) {
    StringBuilder s = new StringBuilder();
    s.append("# wild3d resolved config: every field at its effective value.\n");
    s.append("# source: ").append(oneLine(c.source())).append('\n');
    List<String> overrides = c.overrides();
    if (overrides.isEmpty()) {
      s.append("# overrides: none\n");
    } else {
      s.append("# overrides applied in order (later wins):\n");
      for (String o : overrides) {
        s.append(OVERRIDE_PREFIX).append(oneLine(o)).append("'\n");
      }
    }
    s.append("# config hash: sha256:").append(c.hash()).append('\n');
    s.append("# wild3d version: ").append(Version.get()).append('\n');
    return s.append(toText(c.resolved())).toString();
  }

  /**
   * Writes {@value #INPUT_FILE} and {@value #RESOLVED_FILE} into {@code runDir} (which must
   * exist), each through a temporary file and a rename.
   */
  public static void writeRunConfigs(Path runDir, LoadedConfig c) {
    writeAtomically(runDir.resolve(INPUT_FILE), inputText(c));
    writeAtomically(runDir.resolve(RESOLVED_FILE), resolvedText(c));
  }

  /**
   * Reads a run directory's {@value #RESOLVED_FILE}.
   *
   * @throws DataException (exit 4) naming the file when it is missing or does not parse
   */
  public static Experiment readResolved(Path runDir) {
    if (!Files.isDirectory(runDir)) {
      throw new DataException("run directory: expected a directory written by wild3d-train, found "
          + (Files.exists(runDir) ? "a file" : "nothing") + " at " + runDir
          + " (pass --run runs/NNNNN-name)");
    }
    Path file = runDir.resolve(RESOLVED_FILE);
    String text;
    try {
      text = TextFiles.readUtf8(file);
    } catch (NoSuchFileException e) {
      throw new DataException("run directory " + runDir + ": expected " + RESOLVED_FILE
          + ", found no such file at " + file
          + " (pass a directory written by wild3d-train, e.g. runs/00000-shapes-tiny)");
    } catch (IOException e) {
      throw new DataException("cannot read " + file + ": " + TextFiles.reason(e), e);
    }
    try {
      return ConfigLoader.parse(file.toString(), text);
    } catch (ConfigException e) {
      throw new DataException(file + ": the run's recorded config does not parse with this "
          + "version of wild3d:\n" + e.getMessage(), e);
    }
  }

  /**
   * Reads a run directory's config as given: {@value #INPUT_FILE} with the overrides listed in
   * {@value #RESOLVED_FILE}'s header merged on top, i.e. {@link LoadedConfig#input()} of the run.
   *
   * @throws DataException (exit 4) naming the file when one is missing or does not parse
   */
  public static Experiment readInput(Path runDir) {
    readResolved(runDir);
    Path file = runDir.resolve(INPUT_FILE);
    try {
      Experiment.Builder b = ConfigLoader.parse(file.toString(), TextFiles.readUtf8(file))
          .toBuilder();
      Path resolved = runDir.resolve(RESOLVED_FILE);
      for (String line : TextFiles.readUtf8(resolved).lines().toList()) {
        if (!line.startsWith("#")) {
          break;
        }
        if (line.startsWith(OVERRIDE_PREFIX) && line.endsWith("'")) {
          String snippet = unOneLine(
              line.substring(OVERRIDE_PREFIX.length(), line.length() - 1));
          ConfigLoader.overlay(b, ConfigLoader.parse(resolved + " (override)", snippet));
        }
      }
      return b.build();
    } catch (NoSuchFileException e) {
      throw new DataException("run directory " + runDir + ": expected " + INPUT_FILE
          + ", found no such file at " + file + " (the run directory is incomplete)");
    } catch (IOException e) {
      throw new DataException("cannot read " + file + ": " + TextFiles.reason(e), e);
    } catch (ConfigException e) {
      throw new DataException(file + ": the run's recorded config does not parse with this "
          + "version of wild3d:\n" + e.getMessage(), e);
    }
  }

  private static void writeAtomically(Path file, String text) {
    try {
      AtomicFiles.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Escapes backslashes and line breaks, so that a snippet fits on one comment line. */
  private static String oneLine(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
  }

  private static String unOneLine(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        out.append(n == 'n' ? '\n' : n == 'r' ? '\r' : n);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
