package org.wild3d.checkpoint;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;

/**
 * The fields of the architecture ({@code model} and {@code render}, what {@link
 * Configs#architectureHash} covers) in which two configs differ, by protobuf reflection over the
 * resolved messages: one line per field, {@code path: A in the checkpoint, B in the config};
 * repeated fields by index.
 */
final class ArchitectureDiff {
  /** Lines shown before "and N more". */
  static final int MAX_LINES = 10;

  private ArchitectureDiff() {}

  /** Every differing field of the architecture, in schema order. */
  static List<String> of(Experiment checkpoint, Experiment config) {
    Experiment a = Configs.resolved(checkpoint);
    Experiment b = Configs.resolved(config);
    List<String> out = new ArrayList<>();
    walk("model", a.getModel(), b.getModel(), out);
    walk("render", a.getRender(), b.getRender(), out);
    return out;
  }

  /** {@code lines} capped at {@value #MAX_LINES}, indented, one per line. */
  static String format(List<String> lines) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(MAX_LINES, lines.size()); i++) {
      s.append("\n  ").append(lines.get(i));
    }
    if (lines.size() > MAX_LINES) {
      s.append("\n  and ").append(lines.size() - MAX_LINES).append(" more");
    }
    return s.toString();
  }

  private static void walk(String path, Message a, Message b, List<String> out) {
    for (FieldDescriptor fd : a.getDescriptorForType().getFields()) {
      String p = path + "." + fd.getName();
      boolean msg = fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE;
      if (fd.isRepeated()) {
        int na = a.getRepeatedFieldCount(fd);
        int nb = b.getRepeatedFieldCount(fd);
        for (int i = 0; i < Math.max(na, nb); i++) {
          String pi = p + "[" + i + "]";
          Object va = i < na ? a.getRepeatedField(fd, i) : null;
          Object vb = i < nb ? b.getRepeatedField(fd, i) : null;
          if (va != null && vb != null && msg) {
            walk(pi, (Message) va, (Message) vb, out);
          } else if (!Objects.equals(va, vb)) {
            out.add(line(pi, va, vb));
          }
        }
        continue;
      }
      boolean ha = a.hasField(fd);
      boolean hb = b.hasField(fd);
      if (!ha && !hb) {
        continue; // an unselected oneof member on both sides
      }
      Object va = ha ? a.getField(fd) : null;
      Object vb = hb ? b.getField(fd) : null;
      if (ha && hb && msg) {
        walk(p, (Message) va, (Message) vb, out);
      } else if (!Objects.equals(va, vb)) {
        out.add(line(p, va, vb));
      }
    }
  }

  private static String line(String path, Object inCheckpoint, Object inConfig) {
    return path + ": " + value(inCheckpoint) + " in the checkpoint, " + value(inConfig)
        + " in the config";
  }

  private static String value(Object v) {
    if (v == null) {
      return "not set";
    }
    if (v instanceof String s) {
      return "\"" + TextFormat.escapeDoubleQuotesAndBackslashes(s) + "\"";
    }
    if (v instanceof ByteString b) {
      return "\"" + TextFormat.escapeBytes(b) + "\"";
    }
    if (v instanceof EnumValueDescriptor e) {
      return e.getName();
    }
    if (v instanceof Message m) {
      String t = TextFormat.printer().emittingSingleLine(true).printToString(m).strip();
      return "{ " + t + " }";
    }
    return String.valueOf(v);
  }
}
