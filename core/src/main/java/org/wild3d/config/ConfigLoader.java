package org.wild3d.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.wild3d.TextFiles;

/**
 * Loads {@link Experiment} configs from protobuf text format, strictly: unknown fields, syntax
 * errors, out-of-range values and inconsistent combinations are all errors, and every error of a
 * file and its overrides is reported in one {@link ConfigException} (exit code 3).
 *
 * <p>Protobuf's parser stops at the first error, so the loader records it, cuts the offending
 * field out of the text (keeping line numbers) and parses again until the text parses; then it
 * runs {@link ConfigValidator} on the result. Overrides are text-format snippets merged on top of
 * the file in order, later wins; a repeated field set in an override replaces the whole list.
 */
public final class ConfigLoader {
  /** The embedded default experiment, used when no {@code --config} is given. */
  public static final String DEFAULT_CONFIG = "shapes-tiny";

  private static final String DEFAULT_RESOURCE = DEFAULT_CONFIG + ".pbtxt";
  private static final int MAX_ERRORS = 100;
  private static final Pattern UNKNOWN_ENTRY = Pattern.compile("^(\\d+):(\\d+):\\s*(\\S+)\\s*$");
  private static final Pattern DETAIL_PREFIX = Pattern.compile("^\\d+:\\d+: ");
  private static final Pattern NAME_CHARS = Pattern.compile("[^A-Za-z0-9._-]+");

  private ConfigLoader() {}

  /** Loads, merges overrides into and validates the config file {@code file}. */
  public static LoadedConfig load(Path file, List<String> overrides) {
    String text;
    try {
      text = TextFiles.readUtf8(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(new ConfigError("",
          "expected a config file, found nothing at " + file
              + " (check the path; shipped configs are in configs/*.pbtxt)").at(file.toString(), 0));
    } catch (IOException e) {
      throw new ConfigException(new ConfigError("",
          "expected a readable UTF-8 text file, found " + TextFiles.reason(e))
          .at(file.toString(), 0));
    }
    return loadText(file.toString(), text, overrides);
  }

  /** Loads the embedded default experiment ({@value #DEFAULT_CONFIG}) with overrides. */
  public static LoadedConfig loadDefault(List<String> overrides) {
    return loadText("<embedded " + DEFAULT_CONFIG + ">", defaultText(), overrides);
  }

  /** The text of the embedded default experiment. */
  public static String defaultText() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + DEFAULT_RESOURCE + " missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read resource " + DEFAULT_RESOURCE, e);
    }
  }

  /**
   * Loads config text: parses it and each override strictly, merges, fills defaults and validates.
   *
   * @param source a name for messages and for the default experiment name (file path or label)
   */
  public static LoadedConfig loadText(String source, String text, List<String> overrides) {
    List<ConfigError> errors = new ArrayList<>();
    List<Parsed> parts = new ArrayList<>();
    parts.add(parsePart(source, text));
    for (int i = 0; i < overrides.size(); i++) {
      parts.add(parsePart(overrideLabel(i, overrides.get(i)), overrides.get(i)));
    }
    Experiment.Builder merged = Experiment.newBuilder();
    Set<String> dropped = new HashSet<>();
    for (Parsed p : parts) {
      errors.addAll(p.errors());
      dropped.addAll(p.dropped());
      overlay(merged, p.message());
    }
    Experiment input = merged.build();
    Experiment.Builder named = input.toBuilder();
    if (named.getName().isEmpty()) {
      named.setName(defaultName(source));
    }
    Experiment resolved = Configs.resolved(named.build());
    for (ConfigError v : ConfigValidator.validate(resolved)) {
      if (dropped.stream().noneMatch(p -> covers(p, v.fieldPath()))) {
        errors.add(locate(v, parts));
      }
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return new LoadedConfig(source, text, overrides, input, resolved);
  }

  /**
   * Parses text strictly without validating it; every parse error is collected.
   *
   * @throws ConfigException listing every parse error
   */
  public static Experiment parse(String source, CharSequence text) {
    Parsed p = parsePart(source, text.toString());
    if (!p.errors().isEmpty()) {
      throw new ConfigException(p.errors());
    }
    return p.message();
  }

  /** How an override is named in messages: {@code --override #2 'model { ... }'}. */
  public static String overrideLabel(int index, String snippet) {
    String s = snippet.strip().replaceAll("\\s+", " ");
    if (s.length() > 60) {
      s = s.substring(0, 57) + "...";
    }
    return "--override #" + (index + 1) + " '" + s + "'";
  }

  // -- parsing with recovery ----------------------------------------------------------------

  /** A parsed part: the message, its errors, and where each field path was set (line). */
  private record Parsed(String source, Experiment message, List<ConfigError> errors,
      Set<String> dropped, Map<String, Integer> lines) {}

  /**
   * Protobuf's parser, allowing a message block to appear twice (its fields merge, as protobuf's
   * text format means); a scalar set twice and two members of a oneof are caught by {@link
   * #repeats}, since the parser's strict policy would also reject repeated blocks.
   */
  private static final TextFormat.Parser PARSER = TextFormat.Parser.newBuilder().build();

  private static Parsed parsePart(String source, String text) {
    List<ConfigError> errors = new ArrayList<>();
    Set<String> dropped = new HashSet<>();
    StringBuilder work = new StringBuilder(text);
    Experiment result = null;
    while (result == null) {
      Experiment.Builder b = Experiment.newBuilder();
      try {
        PARSER.merge(work, b);
        result = b.build();
        repeats(TextScan.scan(work.toString()), errors, dropped, source);
      } catch (TextFormat.ParseException e) {
        String before = work.toString();
        recover(e, TextScan.scan(before), work, errors, dropped, source);
        if (work.toString().equals(before) || errors.size() >= MAX_ERRORS) {
          if (work.toString().equals(before)) {
            errors.add(new ConfigError("", "expected protobuf text format, found text that "
                + "cannot be parsed (" + detail(e) + ")").at(source, e.getLine()));
          }
          result = Experiment.getDefaultInstance();
        }
      }
    }
    Map<String, Integer> lines = new HashMap<>();
    for (TextScan.Entry en : TextScan.scan(work.toString()).entries) {
      lines.putIfAbsent(en.path(), en.line());
    }
    return new Parsed(source, result, errors, dropped, lines);
  }

  /**
   * Reports singular scalar fields set more than once and oneof members set next to another
   * member of the same oneof in the same block; the parser itself lets the last one win.
   */
  private static void repeats(TextScan scan, List<ConfigError> errors, Set<String> dropped,
      String source) {
    Set<String> seen = new HashSet<>();
    Map<String, String> oneofMember = new HashMap<>();
    for (TextScan.Entry en : scan.entries) {
      FieldDescriptor fd = fieldAt(en.path());
      if (fd == null || fd.isRepeated()) {
        continue;
      }
      if (fd.getRealContainingOneof() != null) {
        String key = en.parentPath() + "#" + fd.getRealContainingOneof().getName();
        String first = oneofMember.putIfAbsent(key, fd.getName());
        if (first != null && !first.equals(fd.getName())) {
          String members = fd.getRealContainingOneof().getFields().stream()
              .map(FieldDescriptor::getName).collect(Collectors.joining(", "));
          errors.add(new ConfigError(en.path(), "expected only one of " + members + " (oneof "
              + fd.getRealContainingOneof().getName() + "), found " + fd.getName() + " after "
              + first + " (keep only one)").at(source, en.line()));
          dropped.add(en.path());
          continue;
        }
      }
      if (fd.getJavaType() != FieldDescriptor.JavaType.MESSAGE && !seen.add(en.path())) {
        errors.add(new ConfigError(en.path(), "expected \"" + en.name()
            + "\" at most once, found it again (delete one of them)").at(source, en.line()));
        dropped.add(en.path());
      }
    }
  }

  /** Records the error {@code e} and cuts what caused it out of {@code work}. */
  private static void recover(TextFormat.ParseException e, TextScan scan, StringBuilder work,
      List<ConfigError> errors, Set<String> dropped, String source) {
    String detail = detail(e);
    int offset = offsetOf(work, e.getLine(), e.getColumn());
    if (detail.startsWith("Input contains unknown fields")) {
      String[] lines = detail.split("\n");
      for (int i = 1; i < lines.length; i++) {
        Matcher m = UNKNOWN_ENTRY.matcher(lines[i].strip());
        if (!m.matches()) {
          continue;
        }
        int at = offsetOf(work, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        TextScan.Entry en = scan.entryAt(at);
        if (en == null || en.start() != at) {
          continue;
        }
        errors.add(unknownField(en).at(source, en.line()));
        dropped.add(en.path());
        blank(work, en.start(), en.end());
      }
      return;
    }
    if (!scan.unclosed.isEmpty() && offset >= scan.endOfTokens()) {
      TextScan.Unclosed inner = scan.unclosed.get(0);
      TextScan.Entry stranded = firstStranded(scan, inner.path());
      if (stranded != null) {
        // The block most likely ends before the first field that belongs to an enclosing one.
        errors.add(new ConfigError(inner.path(), "expected \"" + inner.closer()
            + "\" closing the block opened on line " + inner.openLine() + " before \""
            + stranded.name() + "\" on line " + stranded.line() + ", found none (add the missing \""
            + inner.closer() + "\")").at(source, inner.openLine()));
        work.insert(stranded.start(), inner.closer() + " ");
        return;
      }
      for (TextScan.Unclosed u : scan.unclosed) {
        errors.add(new ConfigError(u.path(), "expected \"" + u.closer()
            + "\" closing the block opened on line " + u.openLine()
            + ", found the end of the text (add the missing \"" + u.closer() + "\")")
            .at(source, u.openLine()));
        work.append('\n').append(u.closer());
      }
      return;
    }
    TextScan.Stray stray = scan.strayAt(offset);
    if (stray != null) {
      errors.add(new ConfigError(stray.parentPath(), "expected a field name, found \""
          + stray.text() + "\" (" + strayFix(stray.text()) + ")").at(source, stray.line()));
      blank(work, stray.start(), stray.end());
      return;
    }
    TextScan.Entry en = scan.entryFor(offset);
    if (en == null) {
      int[] token = scan.tokenAt(offset);
      String found = token == null ? "text that cannot be parsed"
          : "\"" + work.substring(token[0], token[1]) + "\"";
      errors.add(new ConfigError(enclosingPath(scan, offset), "expected a field, found " + found
          + " (" + detail + ")").at(source, e.getLine()));
      if (token != null) {
        blank(work, token[0], token[1]);
      } else {
        blankLine(work, e.getLine());
      }
      return;
    }
    errors.add(badValue(en, work, detail).at(source, e.getLine()));
    dropped.add(en.path());
    blank(work, en.start(), en.end());
  }

  /** Path of the innermost block entry around {@code offset}; "" at the top level. */
  private static String enclosingPath(TextScan scan, int offset) {
    String best = "";
    int bestStart = -1;
    for (TextScan.Entry en : scan.entries) {
      if (en.start() < offset && offset < en.end() && en.start() > bestStart) {
        best = en.path();
        bestStart = en.start();
      }
    }
    return best;
  }

  /**
   * The path of some field called {@code name} below the top level (fields of a message before
   * those of its sub-messages), or null if the schema has none.
   */
  private static String pathOf(Descriptor d, String prefix, String name, int depth) {
    if (depth > 8) {
      return null;
    }
    for (FieldDescriptor fd : d.getFields()) {
      if (fd.getName().equals(name) && !prefix.isEmpty()) {
        return prefix + name;
      }
    }
    for (FieldDescriptor fd : d.getFields()) {
      if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        String p = pathOf(fd.getMessageType(), prefix + fd.getName() + ".", name, depth + 1);
        if (p != null) {
          return p;
        }
      }
    }
    return null;
  }

  /** The first direct child of {@code path} that is no field there but one of an ancestor. */
  private static TextScan.Entry firstStranded(TextScan scan, String path) {
    Descriptor d = messageAt(path);
    if (d == null) {
      return null;
    }
    for (TextScan.Entry en : scan.entries) {
      if (en.parentPath().equals(path) && d.findFieldByName(en.name()) == null
          && ancestorOwning(path, en.name()) != null) {
        return en;
      }
    }
    return null;
  }

  private static ConfigError unknownField(TextScan.Entry en) {
    String name = en.name();
    Descriptor parent = messageAt(en.parentPath());
    if (parent == null) {
      return new ConfigError(en.path(), "expected a known field, found unknown field \"" + name
          + "\" (remove it)");
    }
    List<String> known = parent.getFields().stream().map(FieldDescriptor::getName).toList();
    String closest = DidYouMean.closest(name, known);
    String fix;
    if (closest != null) {
      fix = "did you mean \"" + closest + "\"?";
    } else {
      String owner = ancestorOwning(en.parentPath(), name);
      String elsewhere = owner == null ? pathOf(Experiment.getDescriptor(), "", name, 0) : null;
      if (owner != null) {
        fix = "\"" + name + "\" is a field of " + (owner.isEmpty() ? "the top level" : owner)
            + ": is a closing \"}\" missing before it?";
      } else if (elsewhere != null) {
        fix = "it is a field of " + elsewhere.substring(0, elsewhere.lastIndexOf('.'))
            + ": is it in the wrong block, or is a \"}\" before it one too many?";
      } else {
        fix = "fix the spelling or remove it; fields here: " + String.join(", ", known);
      }
    }
    return new ConfigError(en.path(), "expected a field of " + parent.getName()
        + ", found unknown field \"" + name + "\" (" + fix + ")");
  }

  private static ConfigError badValue(TextScan.Entry en, CharSequence work, String detail) {
    FieldDescriptor fd = fieldAt(en.path());
    String found = en.valueEnd() > en.valueStart()
        ? work.subSequence(en.valueStart(), en.valueEnd()).toString().strip()
        : "nothing";
    if (found.length() > 40) {
      found = found.substring(0, 37) + "...";
    }
    if (fd == null) {
      return new ConfigError(en.path(), "expected valid text format, found " + found + " ("
          + detail + ")");
    }
    return new ConfigError(en.path(), "expected " + describeType(fd) + ", found " + found + " ("
        + fixFor(fd, detail) + ")");
  }

  private static String describeType(FieldDescriptor fd) {
    return switch (fd.getType()) {
      case INT32, SINT32, SFIXED32 -> "an integer in [-2147483648, 2147483647]";
      case UINT32, FIXED32 -> "an integer in [0, 4294967295]";
      case INT64, SINT64, SFIXED64 -> "a 64-bit integer";
      case UINT64, FIXED64 -> "a non-negative 64-bit integer";
      case FLOAT, DOUBLE -> "a number";
      case BOOL -> "true or false";
      case STRING, BYTES -> "a quoted string";
      case ENUM -> "one of " + fd.getEnumType().getValues().stream()
          .map(EnumValueDescriptor::getName).collect(Collectors.joining(", "));
      case MESSAGE, GROUP -> "a block { ... } of " + fd.getMessageType().getName() + " fields";
    };
  }

  private static String fixFor(FieldDescriptor fd, String detail) {
    return switch (fd.getJavaType()) {
      case INT, LONG -> detail.contains("out of range") || detail.contains("must be positive")
          ? "the value is out of range: " + detail
          : "write a whole number without quotes";
      case ENUM -> "use one of the names listed, without quotes";
      case STRING -> "put the text in double quotes";
      case BOOLEAN -> "write true or false";
      case MESSAGE -> "write " + fd.getName() + " { ... } with the fields inside the braces";
      default -> detail;
    };
  }

  private static String strayFix(String token) {
    return switch (token) {
      case "}", ">" -> "remove it or add the missing opening brace";
      case "{", "<" -> "put a field name before the block";
      default -> "remove it; fields are written name: value or name { ... }";
    };
  }

  // -- merging and locating -----------------------------------------------------------------

  /**
   * Merges {@code top} into {@code base}: every field set in {@code top} wins; nested messages merge
   * field by field; a repeated field set in {@code top} replaces the one in {@code base}.
   */
  public static void overlay(Message.Builder base, Message top) {
    for (Map.Entry<FieldDescriptor, Object> f : top.getAllFields().entrySet()) {
      FieldDescriptor fd = f.getKey();
      if (fd.isRepeated()) {
        base.clearField(fd);
        for (Object v : (List<?>) f.getValue()) {
          base.addRepeatedField(fd, v);
        }
      } else if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        Message.Builder sub = ((Message) base.getField(fd)).toBuilder();
        overlay(sub, (Message) f.getValue());
        base.setField(fd, sub.build());
      } else {
        base.setField(fd, f.getValue());
      }
    }
  }

  /** Puts a validation error at the last source that set its field (or nearest set parent). */
  private static ConfigError locate(ConfigError v, List<Parsed> parts) {
    for (String path = v.fieldPath(); !path.isEmpty(); path = parentOf(path)) {
      for (int i = parts.size() - 1; i >= 0; i--) {
        Integer line = parts.get(i).lines().get(path);
        if (line != null) {
          return v.at(parts.get(i).source(), line);
        }
      }
    }
    return v.at(parts.get(0).source(), 0);
  }

  /** Whether dropping {@code droppedPath} explains an error on {@code path} (same or inside). */
  private static boolean covers(String droppedPath, String path) {
    return path.equals(droppedPath) || path.startsWith(droppedPath + ".");
  }

  private static String parentOf(String path) {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? "" : path.substring(0, dot);
  }

  /** The field at a dotted path from Experiment, or null if some part is unknown. */
  static FieldDescriptor fieldAt(String path) {
    Descriptor d = Experiment.getDescriptor();
    FieldDescriptor fd = null;
    for (String part : path.split("\\.")) {
      if (d == null) {
        return null;
      }
      fd = d.findFieldByName(part);
      if (fd == null) {
        return null;
      }
      d = fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE ? fd.getMessageType() : null;
    }
    return fd;
  }

  private static Descriptor messageAt(String path) {
    if (path.isEmpty()) {
      return Experiment.getDescriptor();
    }
    FieldDescriptor fd = fieldAt(path);
    return fd != null && fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE
        ? fd.getMessageType()
        : null;
  }

  /** The nearest enclosing path (strictly above {@code parent}) whose message has {@code name}. */
  private static String ancestorOwning(String parent, String name) {
    for (String p = parent; !p.isEmpty(); ) {
      p = parentOf(p);
      Descriptor d = messageAt(p);
      if (d != null && d.findFieldByName(name) != null) {
        return p;
      }
    }
    return null;
  }

  // -- text helpers ---------------------------------------------------------------------------

  private static String detail(TextFormat.ParseException e) {
    return DETAIL_PREFIX.matcher(e.getMessage()).replaceFirst("");
  }

  /** Offset of 1-based (line, column) in text; past the end if beyond it. */
  private static int offsetOf(CharSequence text, int line, int column) {
    int l = 1;
    int i = 0;
    while (l < line && i < text.length()) {
      if (text.charAt(i++) == '\n') {
        l++;
      }
    }
    return Math.min(text.length(), i + Math.max(0, column - 1));
  }

  /** Replaces [start, end) by spaces, keeping newlines so that line numbers stay. */
  private static void blank(StringBuilder work, int start, int end) {
    for (int i = start; i < end; i++) {
      if (work.charAt(i) != '\n') {
        work.setCharAt(i, ' ');
      }
    }
  }

  private static void blankLine(StringBuilder work, int line) {
    int start = offsetOf(work, line, 1);
    int end = start;
    while (end < work.length() && work.charAt(end) != '\n') {
      end++;
    }
    blank(work, start, end);
  }

  private static String defaultName(String source) {
    String base = source;
    int slash = Math.max(base.lastIndexOf('/'), base.lastIndexOf('\\'));
    base = base.substring(slash + 1);
    if (base.startsWith("<embedded ") && base.endsWith(">")) {
      base = base.substring("<embedded ".length(), base.length() - 1);
    }
    if (base.endsWith(".pbtxt")) {
      base = base.substring(0, base.length() - ".pbtxt".length());
    }
    base = NAME_CHARS.matcher(base).replaceAll("-").replaceAll("^[-.]+", "");
    return base.isEmpty() ? "experiment" : base;
  }
}
