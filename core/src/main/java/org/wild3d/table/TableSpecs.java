package org.wild3d.table;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.TextFormat;
import com.google.protobuf.TextFormatParseInfoTree;
import com.google.protobuf.TextFormatParseLocation;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.wild3d.TextFiles;
import org.wild3d.Wild3dException;
import org.wild3d.config.ConfigError;
import org.wild3d.config.ConfigException;
import org.wild3d.config.DidYouMean;
import org.wild3d.metrics.MetricRegistry;
import org.wild3d.metrics.MetricSpec;

/**
 * Loads {@link TableSpec}s strictly, like experiment configs: unknown fields, syntax errors, bad
 * values and unknown metric names are {@link ConfigException}s (exit 3) whose errors name
 * {@code file:line: field.path}; every error of a file is reported together (protobuf reports all
 * unknown fields of a file at once; a syntax error stops parsing).
 */
public final class TableSpecs {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  /** One unknown-field entry of protobuf's message: {@code 3:5:\twild3d.TableRow.lable}. */
  private static final Pattern UNKNOWN = Pattern.compile("^(\\d+):(\\d+):\\s*(\\S+)\\s*$");
  private static final Pattern DETAIL_PREFIX = Pattern.compile("^\\d+:\\d+: ");

  private TableSpecs() {}

  /**
   * Loads {@code file}; an empty {@code name} becomes the file's name without {@code .pbtxt}.
   *
   * @throws ConfigException (exit 3) listing every problem with its line
   */
  public static TableSpec load(Path file) {
    String text;
    try {
      text = TextFiles.readUtf8(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(new ConfigError("", "expected a table spec file, found nothing at "
          + file + " (shipped specs are in configs/tables/*.pbtxt)").at(file.toString(), 0));
    } catch (IOException e) {
      throw new ConfigException(new ConfigError("", "expected a readable UTF-8 text file, found "
          + TextFiles.reason(e)).at(file.toString(), 0));
    }
    String stem = file.getFileName().toString().replaceFirst("\\.pbtxt$", "");
    return parse(file.toString(), text, stem);
  }

  /**
   * Parses and checks spec text.
   *
   * @param source file name for messages
   * @param defaultName the name used when the spec sets none
   */
  public static TableSpec parse(String source, String text, String defaultName) {
    TextFormatParseInfoTree.Builder info = TextFormatParseInfoTree.builder();
    // A field written twice is an error (protobuf would let the last one win silently).
    TextFormat.Parser parser = TextFormat.Parser.newBuilder().setParseInfoTreeBuilder(info)
        .setSingularOverwritePolicy(TextFormat.Parser.SingularOverwritePolicy
            .FORBID_SINGULAR_OVERWRITES)
        .build();
    TableSpec.Builder b = TableSpec.newBuilder();
    try {
      parser.merge(text, b);
    } catch (TextFormat.ParseException e) {
      throw new ConfigException(parseErrors(source, e));
    }
    if (b.getName().isEmpty()) {
      b.setName(defaultName);
    }
    TableSpec spec = b.build();
    List<ConfigError> errors = check(spec, new Lines(source, info.build()));
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return spec;
  }

  /** The registry spec of every column, in column order (the spec has been checked). */
  public static List<MetricSpec> metrics(TableSpec spec) {
    return spec.getColumnList().stream().map(c -> MetricRegistry.parse(c.getMetric())).toList();
  }

  /** Which way is better for {@code column}: AUTO resolved from its metric's kind. */
  public static TableColumn.Better better(TableColumn column) {
    if (column.getBetter() != TableColumn.Better.AUTO) {
      return column.getBetter();
    }
    return switch (MetricRegistry.parse(column.getMetric()).kind()) {
      case FID, KID, GEO_DEPTH, MV_DEPTH -> TableColumn.Better.LOWER;
      case IS, ACC, PRECISION, RECALL, GEO_IOU, MV_AGREE -> TableColumn.Better.HIGHER;
    };
  }

  /** The header text of {@code column}: its header, or its metric name when none is given. */
  public static String header(TableColumn column) {
    return column.getHeader().isEmpty() ? column.getMetric() : column.getHeader();
  }

  /** Metric families the registry knows, e.g. {@code fid, kid, is, acc, precision, recall}. */
  public static String knownFamilies() {
    return Arrays.stream(MetricSpec.Kind.values()).map(k -> k.name().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(", "));
  }

  // -- checks ---------------------------------------------------------------------------------

  private static List<ConfigError> check(TableSpec spec, Lines lines) {
    List<ConfigError> errors = new ArrayList<>();
    if (!NAME.matcher(spec.getName()).matches()) {
      errors.add(lines.error("name", -1, "name", "letters, digits, '.', '_' or '-' (starting with"
          + " a letter or digit)", "\"" + spec.getName() + "\"", "it names the output files"));
    }
    if (spec.getRowCount() == 0) {
      errors.add(new ConfigError("row", "expected at least one row { label: \"...\" path: "
          + "\"runs/...\" }, found none (add the rows of the table)").at(lines.source, 0));
    }
    if (spec.getColumnCount() == 0) {
      errors.add(new ConfigError("column", "expected at least one column { metric: \"...\" },"
          + " found none (add e.g. column { metric: \"fid2k_cls\" header: \"FID\" })")
          .at(lines.source, 0));
    }
    if (spec.getClassifierSteps() < 0) {
      errors.add(lines.error("classifier_steps", -1, "classifier_steps", "a count >= 0",
          Integer.toString(spec.getClassifierSteps()), "0 = the metrics command's default"));
    }
    Set<String> labels = new HashSet<>();
    for (int i = 0; i < spec.getRowCount(); i++) {
      TableRow r = spec.getRow(i);
      String at = "row[" + i + "]";
      if (r.getLabel().isEmpty()) {
        errors.add(lines.error("row", i, "label", "a label", "none", "add label: \"...\""));
      } else if (!labels.add(r.getLabel())) {
        errors.add(lines.error("row", i, "label", "a label not used by another row",
            "\"" + r.getLabel() + "\" again", "rows are told apart by their labels"));
      }
      if (r.getPath().isEmpty()) {
        errors.add(lines.error("row", i, "path", "a run directory or checkpoint directory",
            "none", "add path: \"runs/...\" to " + at));
      }
    }
    Set<String> metrics = new HashSet<>();
    for (int j = 0; j < spec.getColumnCount(); j++) {
      TableColumn c = spec.getColumn(j);
      String which = "column \"" + header(c) + "\"";
      try {
        MetricRegistry.parse(c.getMetric());
        if (!metrics.add(c.getMetric())) {
          errors.add(lines.error("column", j, "metric", "a metric not shown by another column",
              "\"" + c.getMetric() + "\" again", "remove one of the two columns"));
        }
      } catch (Wild3dException e) {
        errors.add(lines.error("column", j, "metric", "a registry metric name <family><count>[k]"
                + "[_cls] with family one of " + knownFamilies(),
            c.getMetric().isEmpty() ? "none" : "\"" + c.getMetric() + "\"",
            which + "; e.g. fid2k_cls, kid2k_cls, is2k_cls, acc2k_cls, fid50k"));
      }
      if (c.getDecimals() < 0 || c.getDecimals() > 9) {
        errors.add(lines.error("column", j, "decimals", "an integer in [0, 9]",
            Integer.toString(c.getDecimals()), which));
      }
      if (!(c.getScale() > 0) || Double.isInfinite(c.getScale())) {
        errors.add(lines.error("column", j, "scale", "a finite number > 0",
            Double.toString(c.getScale()), which + "; e.g. 1000 for KID"));
      }
    }
    return errors;
  }

  /** Where fields were set, for messages. */
  private static final class Lines {
    final String source;
    final TextFormatParseInfoTree tree;

    Lines(String source, TextFormatParseInfoTree tree) {
      this.source = source;
      this.tree = tree;
    }

    /**
     * An error on {@code field} of the top level ({@code index < 0}) or of the {@code index}-th
     * {@code list} entry, at the line where the field (else its entry) was written.
     */
    ConfigError error(String list, int index, String field, String expected, String found,
        String fix) {
      String path = index < 0 ? field : list + "[" + index + "]." + field;
      return new ConfigError(path, "expected " + expected + ", found " + found + " (" + fix + ")")
          .at(source, line(list, index, field));
    }

    private int line(String list, int index, String field) {
      Descriptor top = TableSpec.getDescriptor();
      try {
        if (index < 0) {
          return lineOf(tree, top.findFieldByName(field), 0);
        }
        FieldDescriptor lf = top.findFieldByName(list);
        TextFormatParseInfoTree sub = tree.getNestedTree(lf, index);
        int l = lineOf(sub, lf.getMessageType().findFieldByName(field), 0);
        return l > 0 ? l : lineOf(tree, lf, index);
      } catch (IllegalArgumentException e) {
        return 0;
      }
    }

    private static int lineOf(TextFormatParseInfoTree t, FieldDescriptor fd, int index) {
      List<TextFormatParseLocation> locs = t.getLocations(fd);
      return index < locs.size() ? locs.get(index).getLine() + 1 : 0;
    }
  }

  // -- parse errors ---------------------------------------------------------------------------

  private static List<ConfigError> parseErrors(String source, TextFormat.ParseException e) {
    String detail = DETAIL_PREFIX.matcher(e.getMessage()).replaceFirst("");
    List<ConfigError> errors = new ArrayList<>();
    if (detail.startsWith("Input contains unknown fields")) {
      for (String l : detail.split("\n")) {
        Matcher m = UNKNOWN.matcher(l.strip());
        if (m.matches()) {
          errors.add(unknownField(m.group(3)).at(source, Integer.parseInt(m.group(1))));
        }
      }
    }
    if (errors.isEmpty()) {
      errors.add(new ConfigError("", "expected protobuf text format of wild3d.TableSpec, found"
          + " text that cannot be parsed (" + detail + ")").at(source, e.getLine()));
    }
    return errors;
  }

  /** {@code qualified} is protobuf's name of the unknown field, e.g. {@code wild3d.TableRow.x}. */
  private static ConfigError unknownField(String qualified) {
    int dot = qualified.lastIndexOf('.');
    String name = qualified.substring(dot + 1);
    String owner = dot < 0 ? "" : qualified.substring(0, dot);
    Descriptor d = switch (owner) {
      case "wild3d.TableRow" -> TableRow.getDescriptor();
      case "wild3d.TableColumn" -> TableColumn.getDescriptor();
      default -> TableSpec.getDescriptor();
    };
    List<String> known = d.getFields().stream().map(FieldDescriptor::getName).toList();
    String closest = DidYouMean.closest(name, known);
    String fix = closest != null
        ? "did you mean \"" + closest + "\"?"
        : "fields of " + d.getName() + ": " + String.join(", ", known);
    return new ConfigError("", "expected a field of " + d.getName() + ", found unknown field \""
        + name + "\" (" + fix + ")");
  }
}
