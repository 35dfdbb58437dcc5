package org.wild3d.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.wild3d.DataException;
import org.wild3d.TextFiles;

/**
 * Real photographs of objects grouped by kind, from Debian's {@code tuxpaint-stamps-default}
 * (GPL-2, 161 MB): Tux Paint's stamps are PNG photographs cut out on a transparent background
 * (composited over black on import, like the synthetic datasets), filed by kind. Five kinds with
 * enough photos are used: birds ({@code animals/birds}, 35), flowers ({@code plants/flowers},
 * 24), fruit ({@code food/fruit}, 26), mammals ({@code animals/mammals} and its sub-folders,
 * about 65) and vegetables ({@code food/vegetables}, 18). Drawings are left out: the package
 * keeps them in {@code cartoon} sub-folders or as SVG files; {@code toys} (stuffed animals) too.
 *
 * <p>{@link #linkTree} makes the class-folder tree the importer reads, of symbolic links to the
 * installed photos.
 */
public final class TuxPaintStamps {
  /** Where Debian installs the stamps. */
  public static final String DEBIAN_DIR = "/usr/share/tuxpaint/stamps";
  /** Class name → stamp folder (searched recursively). */
  static final Map<String, String> CLASSES = classes();
  private static final List<String> SKIPPED_FOLDERS = List.of("cartoon", "toys");

  private TuxPaintStamps() {}

  private static Map<String, String> classes() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("birds", "animals/birds");
    m.put("flowers", "plants/flowers");
    m.put("fruit", "food/fruit");
    m.put("mammals", "animals/mammals");
    m.put("vegetables", "food/vegetables");
    return m;
  }

  /**
   * Links the photos of each class of {@code stamps} into {@code out/<class>/} (an existing
   * {@code out} is emptied first); returns photos per class.
   *
   * @throws DataException when {@code stamps} is not a Tux Paint stamps folder
   */
  public static Map<String, Integer> linkTree(Path stamps, Path out) {
    if (!Files.isDirectory(stamps.resolve("animals/birds"))) {
      throw new DataException(stamps + ": expected Tux Paint's stamps folder (with animals/birds"
          + "/), found " + (Files.exists(stamps) ? "another folder" : "nothing")
          + " (install them with 'apt-get install tuxpaint-stamps-default', or pass --stamps DIR)");
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    try {
      DatasetWriter.deleteRecursively(out);
      for (Map.Entry<String, String> c : CLASSES.entrySet()) {
        Path dir = Files.createDirectories(out.resolve(c.getKey()));
        List<Path> photos;
        try (Stream<Path> s = Files.walk(stamps.resolve(c.getValue()))) {
          photos = s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT)
                  .endsWith(".png"))
              .filter(p -> SKIPPED_FOLDERS.stream().noneMatch(f -> stamps.relativize(p)
                  .getParent().toString().replace('\\', '/').contains("/" + f)))
              .sorted().toList();
        }
        int i = 0;
        for (Path p : photos) {
          Path rel = stamps.resolve(c.getValue()).relativize(p);
          String name = rel.toString().replace('/', '_').replace('\\', '_');
          Files.createSymbolicLink(dir.resolve(name), p.toAbsolutePath());
          i++;
        }
        counts.put(c.getKey(), i);
      }
    } catch (IOException e) {
      throw new DataException(out + ": cannot link the stamp photos (" + TextFiles.reason(e)
          + ")", e);
    }
    return counts;
  }
}
