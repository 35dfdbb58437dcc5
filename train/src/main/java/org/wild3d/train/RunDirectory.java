package org.wild3d.train;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.wild3d.Wild3dException;

/** Numbered run directories, as in StyleGAN: {@code <out>/<NNNNN>-<name>}, next free number. */
public final class RunDirectory {
  private static final Pattern NUMBERED = Pattern.compile("^(\\d+)(-.*)?$");

  private RunDirectory() {}

  /**
   * Creates {@code <out>/<NNNNN>-<name>} with NNNNN one more than the largest number in use under
   * {@code out} (00000 in an empty or new folder); creates {@code out} if needed.
   */
  public static Path create(Path out, String name) {
    try {
      Files.createDirectories(out);
      int next = nextNumber(out);
      while (true) {
        Path dir = out.resolve(String.format("%05d-%s", next, name));
        try {
          return Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
          next++;
        }
      }
    } catch (IOException e) {
      throw new Wild3dException(Wild3dException.EXIT_FAILURE,
          "cannot create a run directory under " + out + ": " + e
              + " (check --out and its permissions)", e);
    }
  }

  /** One more than the largest leading number of an entry of {@code out}; 0 if none. */
  static int nextNumber(Path out) throws IOException {
    int next = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(out)) {
      for (Path p : entries) {
        Matcher m = NUMBERED.matcher(p.getFileName().toString());
        if (m.matches() && m.group(1).length() <= 9) {
          next = Math.max(next, Integer.parseInt(m.group(1)) + 1);
        }
      }
    }
    return next;
  }
}
