package org.wild3d;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The one rule for every path that a dataset or a mesh file names: it stays inside its root (the
 * dataset's folder or ZIP; the folder of class folders of meshes), so that a broken or hostile
 * dataset cannot make the toolkit read any other file: no {@code ../../etc/passwd}, no absolute
 * path, no ZIP entry named {@code ../x.png} ("zip-slip"), no symbolic link to a file elsewhere. A
 * symbolic link inside the root to a file inside the root is fine. The checks open no file: they
 * look at the text of the path, and follow symbolic links with {@code stat}/{@code readlink} only.
 *
 * <p>Two strengths: {@link #relative} for the paths of {@code dataset.json} (labels, extras) and of
 * ZIP entries, which must be plain relative paths ('/'-separated, no '.' or '..' segments, as the
 * StyleGAN2-ADA tools write them); {@link #reference} for a file that another file names relative
 * to its own folder (an OBJ's {@code mtllib}, an MTL's {@code map_Kd}), where '..' is allowed as
 * long as the result stays inside the root (ShapeNet's {@code ../images/texture0.jpg}).
 *
 * <p>Each method returns null when the path is allowed, else the rule it breaks in words for the
 * "found" part of a message, e.g. {@code "a '..' segment"}.
 */
public final class PathRule {
  /** What every refusal message says is expected. */
  public static final String EXPECTED = "a relative path inside the dataset";

  private PathRule() {}

  /**
   * Why {@code path}, written in {@code dataset.json} or as a ZIP entry name, is not a plain
   * relative path inside the dataset: empty, a NUL character, a backslash, an absolute or
   * Windows-drive path, an empty, '.' or '..' segment; null when it is one.
   */
  public static String relative(String path) {
    if (path.isEmpty()) {
      return "an empty path";
    }
    if (path.indexOf('\0') >= 0) {
      return "a NUL character";
    }
    if (path.indexOf('\\') >= 0) {
      return "a backslash (dataset paths are '/'-separated)";
    }
    if (path.startsWith("/")) {
      return "an absolute path";
    }
    if (path.length() >= 2 && path.charAt(1) == ':' && Character.isLetter(path.charAt(0))) {
      return "a Windows drive (" + path.substring(0, 2) + ")";
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty()) {
        return "an empty path segment ('//' or a trailing '/')";
      }
      if (segment.equals("..")) {
        return "a '..' segment";
      }
      if (segment.equals(".")) {
        return "a '.' segment";
      }
    }
    return null;
  }

  /**
   * Why {@code file}, a path under {@code realRoot}, leads out of it through symbolic links: null
   * when {@code file}'s real path is inside {@code realRoot} or {@code file} does not exist (a
   * missing file is reported as missing by the reader).
   *
   * @param realRoot the root's real path ({@link Path#toRealPath})
   */
  public static String linkOutside(Path realRoot, Path file) {
    Path real;
    try {
      real = file.toRealPath();
    } catch (NoSuchFileException e) {
      return null;
    } catch (FileSystemException e) {
      return "a symbolic link that does not resolve (" + (e.getReason() == null ? "unreadable"
          : e.getReason().toLowerCase(java.util.Locale.ROOT)) + ")";
    } catch (IOException e) {
      return "a symbolic link that does not resolve";
    }
    if (real.startsWith(realRoot)) {
      return null;
    }
    return "a symbolic link leading to " + real + ", outside " + realRoot;
  }

  /** {@link #linkOutside} for a file only when it is itself a symbolic link (one lstat). */
  public static String fileLinkOutside(Path realRoot, Path file) {
    return Files.isSymbolicLink(file) ? linkOutside(realRoot, file) : null;
  }

  /**
   * Why {@code ref}, a file named by a file in folder {@code dir} (relative to {@code dir}),
   * leads out of {@code realRoot}: null when it stays inside (also through symbolic links) or
   * does not exist inside it.
   *
   * @param realRoot the root's real path
   * @param dir the naming file's folder, a real path inside {@code realRoot}
   */
  public static String reference(Path realRoot, Path dir, String ref) {
    if (ref.isEmpty()) {
      return "an empty path";
    }
    Path target;
    try {
      target = dir.resolve(ref).normalize();
    } catch (InvalidPathException e) {
      return "not a valid path";
    }
    if (!target.startsWith(realRoot)) {
      return Path.of(ref).isAbsolute() ? "an absolute path outside " + realRoot
          : "a path that leads outside " + realRoot;
    }
    return linkOutside(realRoot, target);
  }
}
