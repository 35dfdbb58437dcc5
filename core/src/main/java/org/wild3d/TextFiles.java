package org.wild3d;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.zip.ZipException;

/**
 * Reading the text files a user hands us (configs, table specs, {@code dataset.json}, class-name
 * lists, run directories' records) as UTF-8, and I/O failures in plain words for messages, so that
 * no user message carries a Java exception name such as {@code MalformedInputException: Input
 * length = 3}. One leading byte-order mark is skipped (Windows editors write one).
 */
public final class TextFiles {
  private static final char BOM = '\uFEFF';

  private TextFiles() {}

  /** Text that is not valid UTF-8: where the first bad byte is, in words. */
  public static final class NotUtf8Exception extends CharacterCodingException {
    private final String detail;

    NotUtf8Exception(String detail) {
      this.detail = detail;
    }

    /** E.g. {@code "not UTF-8 text (byte 0xE9 at line 3, column 7)"}. */
    @Override
    public String getMessage() {
      return "not UTF-8 text (" + detail + ")";
    }
  }

  /**
   * The whole of {@code file} as UTF-8 text.
   *
   * @throws NoSuchFileException when there is no such file (callers usually say what was expected)
   * @throws NotUtf8Exception when the bytes are not UTF-8
   * @throws IOException any other read failure; {@link #reason} says it in words
   */
  public static String readUtf8(Path file) throws IOException {
    return decodeUtf8(Files.readAllBytes(file));
  }

  /**
   * Decodes UTF-8 bytes strictly (no replacement characters).
   *
   * @throws NotUtf8Exception naming the line and column of the first invalid byte
   */
  public static String decodeUtf8(byte[] bytes) throws NotUtf8Exception {
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      CharBuffer chars = d.decode(ByteBuffer.wrap(bytes));
      String s = chars.toString();
      return !s.isEmpty() && s.charAt(0) == BOM ? s.substring(1) : s;
    } catch (CharacterCodingException e) {
      throw new NotUtf8Exception(firstBadByte(bytes));
    }
  }

  /** "byte 0xE9 at line 3, column 7" for the first byte that does not start valid UTF-8. */
  private static String firstBadByte(byte[] bytes) {
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(Math.max(16, bytes.length));
    d.decode(in, out, true);
    int bad = in.position();
    int line = 1;
    int column = 1;
    out.flip();
    while (out.hasRemaining()) {
      if (out.get() == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    String b = bad < bytes.length ? String.format("0x%02X", bytes[bad] & 0xff) : "end of file";
    return (bad < bytes.length ? "byte " + b : "cut-off character at the " + b) + " at line " + line
        + ", column " + column + "; save the file as UTF-8";
  }

  /**
   * A failure to read or write a file in words, for messages: "no such file", "permission
   * denied", "not UTF-8 text (...)", "is a directory", the operating system's reason, ...; never a
   * Java class name.
   */
  public static String reason(IOException e) {
    if (e instanceof NotUtf8Exception) {
      return e.getMessage();
    }
    if (e instanceof CharacterCodingException) {
      return "not UTF-8 text";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NotDirectoryException) {
      return "not a folder";
    }
    if (e instanceof java.nio.file.FileAlreadyExistsException) {
      return "already exists";
    }
    if (e instanceof java.nio.file.DirectoryNotEmptyException) {
      return "folder not empty";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return lowerFirst(f.getReason());
    }
    if (e instanceof ZipException) {
      return "not a readable ZIP archive"
          + (e.getMessage() != null ? " (" + lowerFirst(e.getMessage()) + ")" : "");
    }
    if (e instanceof java.io.EOFException) {
      return "the file ends early (truncated?)";
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? "input/output error" : lowerFirst(m);
  }

  private static String lowerFirst(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }
}
