package org.wild3d.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The structure of a text-format message, tolerant of errors: where each field entry starts and
 * ends and what its dotted path is. Protobuf's own parser decides what the text means; this scan
 * only lets the loader name the field at an error position, cut that field out and parse again,
 * and find the line a field was set on.
 */
final class TextScan {

  /** One {@code name: value} or {@code name { ... }} entry; offsets are into the scanned text. */
  record Entry(String path, int start, int end, int valueStart, int valueEnd, int line) {
    String name() {
      int dot = path.lastIndexOf('.');
      return dot < 0 ? path : path.substring(dot + 1);
    }

    String parentPath() {
      int dot = path.lastIndexOf('.');
      return dot < 0 ? "" : path.substring(0, dot);
    }
  }

  /**
   * A token where a field name was expected (e.g. an unmatched {@code }}); for a nameless block
   * the span covers the whole block.
   */
  record Stray(String parentPath, int start, int end, int line, String text) {}

  /** A block still open at the end of the text. */
  record Unclosed(String path, int openLine, char closer) {}

  private enum Kind {
    WORD,
    STRING,
    PUNCT,
    EOF
  }

  private record Token(Kind kind, int start, int end, int line, String text) {
    boolean is(char c) {
      return kind == Kind.PUNCT && text.charAt(0) == c;
    }
  }

  final List<Entry> entries = new ArrayList<>();
  final List<Stray> strays = new ArrayList<>();
  final List<Unclosed> unclosed = new ArrayList<>();
  private final List<Token> tokens;
  private int pos;

  private TextScan(String text) {
    this.tokens = tokenize(text);
  }

  static TextScan scan(String text) {
    TextScan s = new TextScan(text);
    s.fields("", (char) 0, 0);
    return s;
  }

  /** The entry whose text starts last at or before {@code offset}, or null. */
  Entry entryAt(int offset) {
    Entry best = null;
    for (Entry e : entries) {
      if (e.start() <= offset && (best == null || e.start() > best.start())) {
        best = e;
      }
    }
    return best;
  }

  /**
   * The entry an error at {@code offset} belongs to: the latest-starting entry that contains the
   * offset, or that lacks its value and ends right before the token there; null if none.
   */
  Entry entryFor(int offset) {
    Entry e = entryAt(offset);
    if (e == null || offset < e.end()) {
      return e;
    }
    if (e.valueEnd() > e.valueStart()) {
      return null; // a complete entry is not to blame for what follows it
    }
    for (Token t : tokens) {
      if (t.start() >= e.end()) {
        return t.start() >= offset ? e : null;
      }
    }
    return e;
  }

  /** [start, end) of the token covering {@code offset}, or null. */
  int[] tokenAt(int offset) {
    for (Token t : tokens) {
      if (t.kind() != Kind.EOF && t.start() <= offset && offset < t.end()) {
        return new int[] {t.start(), t.end()};
      }
    }
    return null;
  }

  Stray strayAt(int offset) {
    for (Stray s : strays) {
      if (s.start() <= offset && offset < Math.max(s.end(), s.start() + 1)) {
        return s;
      }
    }
    return null;
  }

  /** Offset just past the last token, i.e. where "end of input" errors point. */
  int endOfTokens() {
    return tokens.size() < 2 ? 0 : tokens.get(tokens.size() - 2).end();
  }

  // -- structure ------------------------------------------------------------------------------

  /** Parses entries until {@code closer} (0 = end of text); returns true if the closer was seen. */
  private boolean fields(String parent, char closer, int openLine) {
    while (true) {
      Token t = tokens.get(pos);
      if (t.kind() == Kind.EOF) {
        if (closer != 0) {
          unclosed.add(new Unclosed(parent, openLine, closer));
        }
        return false;
      }
      if (closer != 0 && t.is(closer)) {
        pos++;
        return true;
      }
      if (t.kind() == Kind.WORD || t.is('[')) {
        entry(parent);
      } else if (t.is('{') || t.is('<')) {
        // A block without a field name: the stray spans the whole block, so that cutting it out
        // does not leave its contents behind as fields of the enclosing message.
        skipBalanced();
        Token last = tokens.get(pos - 1);
        strays.add(new Stray(parent, t.start(), last.end(), t.line(), t.text()));
      } else {
        // A value left behind by a broken field (e.g. the "128" of "ch:annel_max: 128") goes
        // with the stray token, unless it looks like the next field's name.
        pos++;
        int end = t.end();
        Token next = tokens.get(pos);
        Token after = tokens.get(Math.min(pos + 1, tokens.size() - 1));
        if (t.is(':') && (next.kind() == Kind.WORD || next.kind() == Kind.STRING)
            && !(after.is(':') || after.is('{') || after.is('<'))) {
          end = next.end();
          pos++;
        }
        strays.add(new Stray(parent, t.start(), end, t.line(), t.text()));
      }
    }
  }

  private void entry(String parent) {
    Token first = tokens.get(pos);
    String name;
    if (first.is('[')) {
      StringBuilder ext = new StringBuilder("[");
      pos++;
      while (tokens.get(pos).kind() != Kind.EOF && !tokens.get(pos).is(']')) {
        ext.append(tokens.get(pos++).text());
      }
      if (tokens.get(pos).is(']')) {
        pos++;
      }
      name = ext.append(']').toString();
    } else {
      name = first.text();
      pos++;
    }
    String path = parent.isEmpty() ? name : parent + "." + name;
    if (tokens.get(pos).is(':')) {
      pos++;
    }
    Token v = tokens.get(pos);
    int valueStart = v.start();
    int end = tokens.get(pos - 1).end();
    if (v.is('{') || v.is('<')) {
      pos++;
      fields(path, v.is('{') ? '}' : '>', v.line());
      end = tokens.get(pos - 1).end();
    } else if (v.is('[')) {
      skipBalanced();
      end = tokens.get(pos - 1).end();
    } else if (v.kind() == Kind.WORD || v.kind() == Kind.STRING) {
      pos++;
      while (v.kind() == Kind.STRING && tokens.get(pos).kind() == Kind.STRING) {
        pos++;
      }
      end = tokens.get(pos - 1).end();
    }
    int valueEnd = end;
    if (tokens.get(pos).is(',') || tokens.get(pos).is(';')) {
      end = tokens.get(pos++).end();
    }
    entries.add(new Entry(path, first.start(), end, valueStart, Math.max(valueStart, valueEnd),
        first.line()));
  }

  /** Skips a bracketed list, including nested blocks, up to and including its closing bracket. */
  private void skipBalanced() {
    int depth = 0;
    do {
      Token t = tokens.get(pos);
      if (t.kind() == Kind.EOF) {
        return;
      }
      if (t.is('[') || t.is('{') || t.is('<')) {
        depth++;
      } else if (t.is(']') || t.is('}') || t.is('>')) {
        depth--;
      }
      pos++;
    } while (depth > 0);
  }

  // -- tokens ---------------------------------------------------------------------------------

  private static boolean isPunct(char c) {
    return "{}<>[]:,;".indexOf(c) >= 0;
  }

  private static List<Token> tokenize(String s) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    int line = 1;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (c == '\n') {
        line++;
        i++;
      } else if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '#') {
        while (i < n && s.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '"' || c == '\'') {
        int start = i++;
        while (i < n && s.charAt(i) != c && s.charAt(i) != '\n') {
          i += s.charAt(i) == '\\' && i + 1 < n && s.charAt(i + 1) != '\n' ? 2 : 1;
        }
        if (i < n && s.charAt(i) == c) {
          i++;
        }
        out.add(new Token(Kind.STRING, start, i, line, s.substring(start, i)));
      } else if (isPunct(c)) {
        out.add(new Token(Kind.PUNCT, i, i + 1, line, String.valueOf(c)));
        i++;
      } else {
        int start = i;
        while (i < n) {
          char d = s.charAt(i);
          if (Character.isWhitespace(d) || isPunct(d) || d == '"' || d == '\'' || d == '#') {
            break;
          }
          i++;
        }
        out.add(new Token(Kind.WORD, start, i, line, s.substring(start, i)));
      }
    }
    out.add(new Token(Kind.EOF, n, n, line, ""));
    return out;
  }
}
