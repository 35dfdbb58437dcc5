package org.wild3d.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.DataException;
import org.wild3d.Wild3dException;
import org.wild3d.image.Images;
import org.wild3d.image.RgbImage;

/**
 * The rules of what a dataset may be: paths stay inside it (folder, ZIP, symbolic links), class
 * labels are dense or declared, dataset.json is UTF-8, and which PNG colour kinds are read how.
 */
class DatasetRulesTest {
  @TempDir Path tmp;

  private static byte[] png(long seed) {
    return Images.encodePng(TestData.randomImage(8, 8, seed));
  }

  /** {@code dataset.json} text for {@code [path, label]} pairs, with optional extras. */
  private static String json(String extras, Object... pairs) {
    StringBuilder sb = new StringBuilder("{\"labels\": [");
    for (int i = 0; i < pairs.length; i += 2) {
      sb.append(i > 0 ? ", " : "").append("[").append(quote((String) pairs[i])).append(", ")
          .append(pairs[i + 1]).append("]");
    }
    sb.append("]");
    if (extras != null) {
      sb.append(", \"wild3d\": ").append(extras);
    }
    return sb.append("}").toString();
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  /** A folder dataset, or a ZIP when {@code name} ends in .zip; {@code json} null = none. */
  private Path dataset(String name, Map<String, byte[]> files, String json) throws IOException {
    Path dest = tmp.resolve(name);
    Map<String, byte[]> all = new LinkedHashMap<>(files);
    if (json != null) {
      all.put("dataset.json", json.getBytes(StandardCharsets.UTF_8));
    }
    if (name.endsWith(".zip")) {
      try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(dest))) {
        for (Map.Entry<String, byte[]> e : all.entrySet()) {
          z.putNextEntry(new ZipEntry(e.getKey()));
          z.write(e.getValue());
          z.closeEntry();
        }
      }
    } else {
      for (Map.Entry<String, byte[]> e : all.entrySet()) {
        Path f = dest.resolve(e.getKey());
        Files.createDirectories(f.getParent());
        Files.write(f, e.getValue());
      }
      Files.createDirectories(dest);
    }
    return dest;
  }

  private static String messageOf(Path location) {
    try (Dataset ds = Dataset.open(location)) {
      throw new AssertionError("expected " + location + " to be refused, opened " + ds);
    } catch (DataException e) {
      assertThat(e.exitCode()).isEqualTo(Wild3dException.EXIT_DATA);
      return e.getMessage();
    }
  }

  /**
   * A label that leads out of the dataset is refused naming the label and the rule, before any
   * file is read: the outside file is a valid PNG of the right size (so it would be accepted if it
   * were read), and a label of a missing file is not reported (no header was read yet).
   */
  @Test
  void labelsLeadingOutOfTheDatasetAreRefusedBeforeAnythingIsRead() throws IOException {
    Path outside = tmp.resolve("outside.png");
    Files.write(outside, png(9));
    String[][] cases = {
      {"../outside.png", "a '..' segment"},
      {outside.toAbsolutePath().toString(), "an absolute path"},
      {"../../../../../../../../etc/passwd", "a '..' segment"},
      {"00000/../../outside.png", "a '..' segment"},
      {"C:\\data\\x.png", "a backslash"},
      {"C:/data/x.png", "a Windows drive (C:)"},
      {"00000\\img.png", "a backslash"},
      {"00000//img.png", "an empty path segment"},
      {"00000/", "an empty path segment"},
      {"./00000/img.png", "a '.' segment"},
      {"", "an empty path"},
      {"img\0.png", "a NUL character"},
    };
    for (boolean zip : List.of(false, true)) {
      int n = 0;
      for (String[] c : cases) {
        Path ds = dataset(zip ? "z" + n + ".zip" : "f" + n, Map.of("00000/a.png", png(1)),
            json(null, "00000/a.png", 0, c[0], 0, "00000/missing.png", 0));
        n++;
        String m = messageOf(ds);
        assertThat(m).as(c[0])
            .contains("1 problem")
            .contains(" (labels[1]): expected a relative path inside the dataset, found " + c[1])
            .contains("dataset.json labels; move or copy the file into the dataset")
            .doesNotContain("missing.png");
      }
    }
  }

  @Test
  void zipEntriesNamedOutOfTheArchiveAreNeverListedOrOpened() throws IOException {
    // No dataset.json: every PNG entry would be an image; zip-slip names are refused instead.
    Path unlabelled = dataset("slip.zip", Map.of("a.png", png(1), "../evil.png", png(2),
        "/abs.png", png(3)), null);
    assertThat(messageOf(unlabelled))
        .contains("2 problems")
        .contains("\"../evil.png\": expected a relative path inside the dataset, found a '..' "
            + "segment (an entry of " + unlabelled + "; rebuild the archive with relative entry "
            + "names)")
        .contains("\"/abs.png\": expected a relative path inside the dataset, found an absolute "
            + "path");
    // Labelled: the entry exists under that very name, and is still not read.
    Path labelled = dataset("slip2.zip", Map.of("a.png", png(1), "../evil.png", png(2)),
        json(null, "a.png", 0, "../evil.png", 0));
    assertThat(messageOf(labelled)).contains("\"../evil.png\" (labels[1]): expected a relative "
        + "path inside the dataset, found a '..' segment");
  }

  @Test
  void symbolicLinksLeadingOutOfAFolderAreRefusedAndLinksInsideItAreFine() throws IOException {
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Files.write(elsewhere.resolve("x.png"), png(5));
    Files.writeString(elsewhere.resolve("other.json"), json(null, "a.png", 0));

    Path ds = dataset("links", Map.of("00000/a.png", png(1)),
        json(null, "00000/a.png", 0, "00000/link.png", 0, "linked/x.png", 0, "00000/in.png", 0));
    Files.createSymbolicLink(ds.resolve("00000/link.png"), elsewhere.resolve("x.png"));
    Files.createSymbolicLink(ds.resolve("linked"), elsewhere);
    Files.createSymbolicLink(ds.resolve("00000/in.png"), ds.resolve("00000/a.png"));
    String real = elsewhere.toRealPath().toString();
    assertThat(messageOf(ds))
        .contains("2 problems")
        .contains("00000/link.png (labels[1]): expected a relative path inside the dataset, found "
            + "a symbolic link leading to " + real + "/x.png, outside ")
        .contains("linked/x.png (labels[2]): expected a relative path inside the dataset, found a "
            + "folder on the way (linked) that goes through a symbolic link leading to " + real)
        .doesNotContain("in.png");

    // Without labels every PNG of the folder is an image: the same rule.
    Path plain = dataset("plain", Map.of("a.png", png(1)), null);
    Files.createSymbolicLink(plain.resolve("b.png"), elsewhere.resolve("x.png"));
    assertThat(messageOf(plain)).contains("b.png: expected a relative path inside the dataset, "
        + "found a symbolic link leading to " + real + "/x.png");

    // dataset.json itself may not be a link out.
    Path linkedJson = dataset("json-link", Map.of("a.png", png(1)), null);
    Files.createSymbolicLink(linkedJson.resolve("dataset.json"), elsewhere.resolve("other.json"));
    assertThat(messageOf(linkedJson)).contains("dataset.json: expected a file inside the dataset, "
        + "found a symbolic link leading to " + real + "/other.json");

    // A link inside the dataset to a file inside it is read like the file.
    Path fine = dataset("fine", Map.of("00000/a.png", png(1)),
        json(null, "00000/a.png", 0, "00000/in.png", 0));
    Files.createSymbolicLink(fine.resolve("00000/in.png"), fine.resolve("00000/a.png"));
    try (Dataset d = Dataset.open(fine)) {
      assertThat(d.image(1)).isEqualTo(TestData.randomImage(8, 8, 1));
    }
  }

  @Test
  void trueViewPathsMustStayInsideTheDataset() throws IOException {
    Path ds = dataset("views", Map.of("a.png", png(1)), json("{\"views\": [{\"path\": \"a.png\", "
        + "\"object\": 0, \"cam2world\": [1,0,0,0, 0,1,0,0, 0,0,1,0, 0,0,0,1], \"fov_degrees\": "
        + "13}, {\"path\": \"../x.png\", \"object\": 0, \"cam2world\": [], \"fov_degrees\": 13}]}",
        "a.png", 0));
    assertThat(messageOf(ds)).contains("\"../x.png\" (wild3d.views[1].path): expected a relative "
        + "path inside the dataset, found a '..' segment");
    Path bad = dataset("views2", Map.of("a.png", png(1)),
        json("{\"views\": [{\"path\": \"a.png\", \"object\": \"x\"}]}", "a.png", 0));
    assertThat(messageOf(bad)).contains("dataset.json wild3d.views[0]: expected {\"path\": ...")
        .doesNotContain("Exception");
  }

  /** One stray label must not make a bigger dataset: indices are dense or declared. */
  @Test
  void classIndicesAreDenseOrDeclaredByTheClassList() throws IOException {
    Map<String, byte[]> files = Map.of("a.png", png(1), "b.png", png(2), "c.png", png(3));
    Path stray = dataset("stray", files, json(null, "a.png", 0, "b.png", 1, "c.png", 99));
    assertThat(messageOf(stray))
        .contains("dataset.json labels: class indices must be dense: expected images for every "
            + "class 0..99 (the largest label is 99), found none for classes 2-98 (renumber the "
            + "labels 0..K-1, or declare the classes in \"wild3d\": {\"class_names\": [...]}")
        .contains("c.png (labels[2]): label 99 is beyond class 2, which has no images");

    Path oneBased = dataset("one-based", files, json(null, "a.png", 1, "b.png", 2, "c.png", 2));
    assertThat(messageOf(oneBased)).contains("found none for class 0 (")
        .contains("a.png (labels[0]): label 1 is beyond class 0");

    Path huge = dataset("huge", files, json(null, "a.png", 0, "b.png", 1, "c.png", 2000000000));
    assertThat(messageOf(huge)).contains("found none for classes 2-1999999999");

    Path negative = dataset("negative", files, json(null, "a.png", 0, "b.png", -1, "c.png", 0));
    assertThat(messageOf(negative)).contains("b.png (labels[1]): label out of range: expected a "
        + "class index >= 0, found -1");

    // Declared: as many classes as names, labels in range, a class may have no images.
    Path declared = dataset("declared", files,
        json("{\"class_names\": [\"cat\", \"dog\", \"cow\"]}", "a.png", 0, "b.png", 1, "c.png", 0));
    try (Dataset ds = Dataset.open(declared)) {
      assertThat(ds.numClasses()).isEqualTo(3);
      assertThat(ds.classCounts()).containsExactly(2, 1, 0);
    }
    Path outOfRange = dataset("range", files,
        json("{\"class_names\": [\"cat\", \"dog\"]}", "a.png", 0, "b.png", 1, "c.png", 99));
    assertThat(messageOf(outOfRange)).contains("c.png (labels[2]): label out of range: expected "
        + "class index in [0, 1] (2 class names in wild3d.class_names), found 99");
    Path badNames = dataset("names", files,
        json("{\"class_names\": \"cat\"}", "a.png", 0, "b.png", 0, "c.png", 0));
    assertThat(messageOf(badNames)).contains("dataset.json wild3d.class_names: expected a list of "
        + "class names, found the value \"cat\"");
  }

  @Test
  void datasetJsonThatIsNotUtf8IsSaidInWords() throws IOException {
    Path ds = dataset("latin1", Map.of("a.png", png(1)), null);
    Files.write(ds.resolve("dataset.json"),
        "{\"labels\": [[\"caf\u00e9.png\", 0]]}".getBytes(StandardCharsets.ISO_8859_1));
    assertThat(messageOf(ds))
        .isEqualTo(ds + "/dataset.json: cannot read (not UTF-8 text (byte 0xE9 at line 1, column "
            + "18; save the file as UTF-8))");
    Files.writeString(ds.resolve("dataset.json"), "{\"labels\": [[\"a.png\", 0]");
    assertThat(messageOf(ds)).startsWith(ds + "/dataset.json: unreadable JSON (")
        .doesNotContain("Exception");
  }

  @Test
  void aFileThatIsNotAZipIsSaidInWords() throws IOException {
    Path notZip = Files.writeString(tmp.resolve("x.zip"), "hello");
    assertThat(messageOf(notZip)).isEqualTo(notZip + ": expected a dataset folder or a ZIP "
        + "archive, found a file that is not a readable ZIP (re-create it, e.g. with 'wild3d-train "
        + "dataset import', or unpack it into a folder)");
  }

  /**
   * Every PNG colour kind is read as 8-bit RGB with a known rule, and the dataset says which
   * kinds it holds.
   */
  @Test
  void everyPngColourKindIsConvertedToRgbOnReadAndCounted() throws IOException {
    int w = 2;
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("0_rgb.png", TestData.png(2, 8, w, 1, new int[] {10, 20, 30, 200, 100, 0}, null));
    files.put("1_gray.png", TestData.png(0, 8, w, 1, new int[] {77, 250}, null));
    files.put("2_gray16.png", TestData.png(0, 16, w, 1, new int[] {65280, 257 * 100}, null));
    files.put("3_gray4.png", TestData.png(0, 4, w, 1, new int[] {4, 15}, null));
    files.put("4_graya.png", TestData.png(4, 8, w, 1, new int[] {200, 255, 200, 128}, null));
    files.put("5_rgba.png", TestData.png(6, 8, w, 1,
        new int[] {255, 0, 0, 128, 0, 255, 0, 255}, null));
    files.put("6_rgb16.png", TestData.png(2, 16, w, 1,
        new int[] {65280, 257 * 100, 128, 0, 65535, 257}, null));
    files.put("7_palette.png", TestData.png(3, 8, w, 1, new int[] {1, 0},
        new int[] {9, 8, 7, 60, 70, 80}));
    files.put("8_rgba16.png", TestData.png(6, 16, w, 1,
        new int[] {65535, 0, 0, 65535, 65535, 65535, 65535, 0}, null));
    int[][][] expected = {
      {{10, 20, 30}, {200, 100, 0}},
      {{77, 77, 77}, {250, 250, 250}},
      {{254, 254, 254}, {100, 100, 100}},
      {{68, 68, 68}, {255, 255, 255}},
      {{200, 200, 200}, {100, 100, 100}},
      {{128, 0, 0}, {0, 255, 0}},
      {{254, 100, 0}, {0, 255, 1}},
      {{60, 70, 80}, {9, 8, 7}},
      {{255, 0, 0}, {0, 0, 0}},
    };
    int i = 0;
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      RgbImage img = Images.decode(e.getValue(), e.getKey());
      for (int x = 0; x < w; x++) {
        assertThat(new int[] {img.get(0, x, 0), img.get(0, x, 1), img.get(0, x, 2)})
            .as(e.getKey() + " pixel " + x).containsExactly(expected[i][x]);
      }
      i++;
    }

    // Square 2x2 versions of some kinds make a dataset that opens and says what it holds.
    Map<String, byte[]> square = new LinkedHashMap<>();
    square.put("a.png", TestData.png(2, 8, 2, 2, new int[12], null));
    square.put("b.png", TestData.png(2, 8, 2, 2, new int[12], null));
    square.put("c.png", TestData.png(0, 16, 2, 2, new int[4], null));
    square.put("d.png", TestData.png(6, 8, 2, 2, new int[16], null));
    try (Dataset d = Dataset.open(dataset("square", square, null))) {
      assertThat(d.colourCounts()).containsExactly(Map.entry("RGB", 2),
          Map.entry("grayscale 16-bit", 1), Map.entry("RGBA", 1));
      assertThat(d.colourSummary()).isEqualTo("2 RGB, 1 grayscale 16-bit, 1 RGBA (converted to "
          + "RGB on read: grey replicated to RGB, 16-bit samples scaled to 8 bits, alpha "
          + "composited over black)");
      assertThat(d.check()).isEmpty();
    }
    try (Dataset d = Dataset.open(TestData.write(tmp.resolve("plain-rgb"), 3, 4, 1))) {
      assertThat(d.colourSummary()).isEqualTo("3 RGB");
    }
    // A colour type / bit depth pair the PNG specification does not have is refused at open.
    byte[] odd = TestData.png(2, 8, 2, 2, new int[12], null);
    odd[24] = 4; // RGB at 4 bits
    Path oddDs = dataset("odd", Map.of("a.png", odd), null);
    assertThat(messageOf(oddDs)).contains("a.png: not a valid PNG: expected a colour type and bit "
        + "depth of the PNG specification, found RGB 4-bit");
  }
}
