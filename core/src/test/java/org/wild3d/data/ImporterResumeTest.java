package org.wild3d.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wild3d.DataException;
import org.wild3d.Wild3dException;
import org.wild3d.image.RgbImage;

/**
 * The importer at scale's promises: a killed import rerun gives exactly the dataset of an
 * uninterrupted one, nothing at DEST until it is complete, --force, ImageNet's synset folders
 * with a LOC_synset_mapping.txt file, a class subset and cap, and EXIF orientation.
 */
class ImporterResumeTest {
  @TempDir Path tmp;

  /** A JPEG of {@code img} at quality 0.9. */
  static byte[] jpeg(BufferedImage img) throws IOException {
    ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam p = w.getDefaultWriteParam();
    p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    p.setCompressionQuality(0.9f);
    ByteArrayOutputStream bo = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bo)) {
      w.setOutput(out);
      w.write(null, new IIOImage(img, null, null), p);
    } finally {
      w.dispose();
    }
    return bo.toByteArray();
  }

  /** {@code jpeg} with an EXIF APP1 segment holding only Orientation = {@code o}, after SOI. */
  static byte[] withOrientation(byte[] jpeg, int o) {
    byte[] tiff = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) o,
        0, 0, 0, 0, 0, 0};
    int len = 2 + 6 + tiff.length;
    byte[] out = new byte[jpeg.length + 2 + len];
    out[0] = (byte) 0xFF;
    out[1] = (byte) 0xD8;
    out[2] = (byte) 0xFF;
    out[3] = (byte) 0xE1;
    out[4] = (byte) (len >> 8);
    out[5] = (byte) len;
    System.arraycopy("Exif\0\0".getBytes(StandardCharsets.US_ASCII), 0, out, 6, 6);
    System.arraycopy(tiff, 0, out, 12, tiff.length);
    System.arraycopy(jpeg, 2, out, 12 + tiff.length, jpeg.length - 2);
    return out;
  }

  /** A photo-like picture: a smooth colour field with noise, 48x36. */
  static BufferedImage photo(long seed) {
    Random r = new Random(seed);
    BufferedImage img = new BufferedImage(48, 36, BufferedImage.TYPE_INT_RGB);
    int a = r.nextInt(0xFFFFFF);
    int b = r.nextInt(0xFFFFFF);
    for (int y = 0; y < 36; y++) {
      for (int x = 0; x < 48; x++) {
        double t = (x + y) / 84.0;
        int rgb = 0;
        for (int s = 0; s < 24; s += 8) {
          double v = ((a >> s) & 255) * (1 - t) + ((b >> s) & 255) * t + r.nextGaussian() * 10;
          rgb |= (int) Math.max(0, Math.min(255, v)) << s;
        }
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }

  /** {@code classes} synset folders of {@code per} JPEGs each. */
  private Path tree(String... classes) throws IOException {
    Path root = tmp.resolve("train");
    int k = 0;
    for (String c : classes) {
      Path d = Files.createDirectories(root.resolve(c));
      for (int i = 0; i < 30; i++) {
        Files.write(d.resolve(c + "_" + i + ".JPEG"), jpeg(photo(k * 1000L + i)));
      }
      k++;
    }
    Files.writeString(root.resolve(classes[0]).resolve("zz_broken.JPEG"), "not a jpeg");
    return root;
  }

  private static ImageFolderImporter.Options opts(Path src, Path dest) {
    return ImageFolderImporter.Options.of(src, dest, 16).withThreads(2);
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(dir::relativize).sorted().toList();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ds.zip", "ds"})
  void aKilledImportRerunGivesTheSameDatasetAsAnUninterruptedOne(String name) throws IOException {
    Path src = tree("n01440764", "n01443537", "n01484850");
    Path whole = tmp.resolve("whole").resolve(name);
    ImageFolderImporter.run(opts(src, whole), null);

    Path dest = tmp.resolve("killed").resolve(name);
    // Killed after 70 of 91 files: more than one journal flush (every 256 items or 2 s) may or
    // may not have happened, so the stop is made harsher below by hand.
    assertThatThrownBy(() -> ImageFolderImporter.run(opts(src, dest), null, k -> {
      if (k == 70) {
        throw new IllegalStateException("simulated kill");
      }
    })).hasMessage("simulated kill");
    assertThat(dest).doesNotExist();
    Path partial = ImportOutput.partialDir(dest);
    assertThat(partial.resolve(ImportOutput.STATE)).exists();
    // What a SIGKILL leaves besides: image bytes past the journal and a torn journal line.
    Files.writeString(partial.resolve(ImportOutput.JOURNAL), "w 71 70 2 99", StandardOpenOption.APPEND);
    if (name.endsWith(".zip")) {
      Files.write(partial.resolve(ImportOutput.ZIP_PART), new byte[777], StandardOpenOption.APPEND);
    } else {
      Files.write(partial.resolve(ImportOutput.FOLDER_PART).resolve(DatasetWriter.pathOf(200)),
          new byte[5]);
    }
    StringWriter log = new StringWriter();
    ImageFolderImporter.Result r = ImageFolderImporter.run(opts(src, dest),
        new PrintWriter(log, true));
    assertThat(log.toString()).contains("resuming the unfinished import in " + partial
        + ": 71 source files done (70 images, 1 skipped)");
    assertThat(r.resumedItems()).isEqualTo(71);
    assertThat(r.processedItems()).isEqualTo(20);
    assertThat(r.images()).isEqualTo(90);
    assertThat(r.skipped()).singleElement().asString().startsWith("n01440764/zz_broken.JPEG: ");
    assertThat(partial).doesNotExist();
    if (name.endsWith(".zip")) {
      assertThat(Files.mismatch(whole, dest)).isEqualTo(-1L);
    } else {
      assertThat(files(dest)).isEqualTo(files(whole));
      for (Path f : files(whole)) {
        assertThat(Files.mismatch(whole.resolve(f), dest.resolve(f))).as(f.toString())
            .isEqualTo(-1L);
      }
    }
    try (Dataset ds = Dataset.open(dest)) {
      assertThat(ds.size()).isEqualTo(90);
      assertThat(ds.classCounts()).containsExactly(30, 30, 30);
      assertThat(ds.check()).isEmpty();
    }
  }

  @Test
  void aKillBeforeAnythingIsJournaledStartsOverAndAnotherCommandIsNotContinued()
      throws IOException {
    Path src = tree("n01", "n02");
    Path whole = tmp.resolve("whole.zip");
    ImageFolderImporter.run(opts(src, whole), null);
    Path dest = tmp.resolve("d.zip");
    assertThatThrownBy(() -> ImageFolderImporter.run(opts(src, dest), null, k -> {
      throw new IllegalStateException("simulated kill");
    }));
    Path partial = ImportOutput.partialDir(dest);
    Files.writeString(partial.resolve(ImportOutput.JOURNAL), ""); // the flush never happened
    // Another resolution is another import: refused, naming the difference, until --force.
    assertThatThrownBy(() -> ImageFolderImporter.run(
        ImageFolderImporter.Options.of(src, dest, 8), null))
        .isInstanceOf(Wild3dException.class)
        .hasMessageContaining("expected to continue the unfinished import in " + partial)
        .hasMessageContaining("resolution 16 there, 8 now")
        .hasMessageContaining("pass --force to discard it")
        .satisfies(e -> assertThat(((Wild3dException) e).exitCode()).isEqualTo(2));
    ImageFolderImporter.Result r = ImageFolderImporter.run(opts(src, dest), null);
    assertThat(r.resumedItems()).isZero();
    assertThat(Files.mismatch(whole, dest)).isEqualTo(-1L);
  }

  @Test
  void anExistingDatasetIsReplacedOnlyWithForce() throws IOException {
    Path src = tree("n01", "n02");
    Path dest = tmp.resolve("d.zip");
    ImageFolderImporter.run(opts(src, dest), null);
    byte[] before = Files.readAllBytes(dest);
    assertThatThrownBy(() -> ImageFolderImporter.run(opts(src, dest).withPngLevel(6), null))
        .isInstanceOf(Wild3dException.class)
        .hasMessage(dest + ": expected a new dataset path, found an existing file (pass --force"
            + " to replace it once the new import is complete, or choose another destination)")
        .satisfies(e -> assertThat(((Wild3dException) e).exitCode()).isEqualTo(2));
    assertThat(Files.readAllBytes(dest)).isEqualTo(before);
    // A forced import that fails part-way leaves the old dataset in place.
    assertThatThrownBy(() -> ImageFolderImporter.run(opts(src, dest).withPngLevel(6)
        .withForce(true), null, k -> {
          throw new IllegalStateException("simulated kill");
        }));
    assertThat(Files.readAllBytes(dest)).isEqualTo(before);
    ImageFolderImporter.run(opts(src, dest).withPngLevel(6).withForce(true), null);
    assertThat(Files.size(dest)).isLessThan(before.length); // deflated now
    try (Dataset ds = Dataset.open(dest)) {
      assertThat(ds.size()).isEqualTo(60);
    }
    assertThat(ImportOutput.partialDir(dest)).doesNotExist();
  }

  @Test
  void synsetFoldersGetTheirNamesAndASubsetWithACapIsOneCommand() throws IOException {
    Path src = tree("n01440764", "n01443537", "n01484850");
    Path mapping = tmp.resolve("LOC_synset_mapping.txt");
    Files.writeString(mapping, "n01440764 tench, Tinca tinca\nn01443537 goldfish, Carassius "
        + "auratus\nn01484850 great white shark, white shark, man-eater\nn01491361 tiger shark\n");
    Path list = tmp.resolve("subset.txt");
    Files.writeString(list, "# two classes\nn01484850\nn01440764 tench\n");
    for (String classes : List.of(list.toString(), "n01484850, n01440764")) {
      Path dest = tmp.resolve("sub-" + classes.length() + ".zip");
      ImageFolderImporter.Result r = ImageFolderImporter.run(opts(src, dest)
          .withClassNames(mapping).withClasses(classes).withMaxPerClass(7), null);
      assertThat(r.classNames()).containsExactly("tench, Tinca tinca",
          "great white shark, white shark, man-eater");
      try (Dataset ds = Dataset.open(dest)) {
        assertThat(ds.classNames()).containsExactly("tench, Tinca tinca",
            "great white shark, white shark, man-eater");
        assertThat(ds.classCounts()).containsExactly(7, 7); // zz_broken.JPEG sorts after the cap
        assertThat(ds.extras().getAsJsonObject("source").getAsJsonArray("class_folders")
            .toString()).isEqualTo("[\"n01440764\",\"n01484850\"]");
      }
    }
  }

  @Test
  void unknownClassesAndBadMappingFilesAreRefusedNamingWhatIsWrong() throws IOException {
    Path src = tree("n01440764", "n01443537");
    Path dest = tmp.resolve("x.zip");
    assertThatThrownBy(() -> ImageFolderImporter.run(opts(src, dest)
        .withClasses("n01440764,n09999999,goldfish"), null))
        .isInstanceOf(Wild3dException.class)
        .hasMessage("--classes: expected class folders of " + src + ", found 2 that are not: "
            + "n09999999, goldfish (it has 2 class folders, e.g. n01440764, n01443537; name "
            + "folders, not readable class names)")
        .satisfies(e -> assertThat(((Wild3dException) e).exitCode()).isEqualTo(2));

    Path json = tmp.resolve("imagenet_class_index.json");
    Files.writeString(json, "{\"0\": [\"n01440764\", \"tench\"],\n \"1\": [\"n01443537\", "
        + "\"goldfish\"]}\n");
    assertThatThrownBy(() -> ImageFolderImporter.run(opts(src, dest).withClassNames(json), null))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(json + ": expected '<folder> <readable name>' on every line "
            + "(LOC_synset_mapping.txt format, e.g. 'n01440764 tench, Tinca tinca'), found 2 "
            + "lines that are not: line 1: \"{\"0\": [\"n01440764\", \"tench\"],\"; line 2:")
        .hasMessageEndingWith("(fix the file, or drop --class-names to use the folder names)");
    Path csv = tmp.resolve("names.csv");
    Files.writeString(csv, "n01440764,tench\n");
    assertThatThrownBy(() -> ImageFolderImporter.run(opts(src, dest).withClassNames(csv), null))
        .isInstanceOf(DataException.class).hasMessageContaining("line 1: \"n01440764,tench\"");
    Path partialMap = tmp.resolve("one.txt");
    Files.writeString(partialMap, "n01440764 tench\n");
    assertThatThrownBy(() -> ImageFolderImporter.run(opts(src, dest).withClassNames(partialMap),
        null))
        .isInstanceOf(DataException.class)
        .hasMessage(partialMap + ": expected a readable name for every class folder, found none "
            + "for 1 of 2: n01443537 (add '<folder> <name>' lines, or drop --class-names to use "
            + "the folder names)");
    assertThat(dest).doesNotExist();
    assertThat(ImportOutput.partialDir(dest)).doesNotExist();
  }

  @Test
  void exifOrientationIsHonoured() throws IOException {
    // Stored 32x16: left half red, right half blue, the top 4 rows green.
    BufferedImage img = new BufferedImage(32, 16, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 32; x++) {
        img.setRGB(x, y, y < 4 ? 0x00FF00 : x < 16 ? 0xFF0000 : 0x0000FF);
      }
    }
    Path src = tmp.resolve("src");
    Files.createDirectories(src.resolve("a"));
    byte[] plain = jpeg(img);
    Files.write(src.resolve("a/0-plain.jpg"), plain);
    Files.write(src.resolve("a/1-rot6.jpg"), withOrientation(plain, 6));
    Files.write(src.resolve("a/2-rot8.jpg"), withOrientation(plain, 8));
    Files.write(src.resolve("a/3-rot3.jpg"), withOrientation(plain, 3));
    assertThat(PhotoDecoder.jpegInfo(withOrientation(plain, 6)))
        .isEqualTo(new PhotoDecoder.JpegInfo(32, 16, 3, 8, 6));
    Path dest = tmp.resolve("o");
    ImageFolderImporter.run(ImageFolderImporter.Options.of(src, dest, 8).withThreads(1), null);
    try (Dataset ds = Dataset.open(dest)) {
      // Plain: the centre square is red | blue with green on top.
      assertColour(ds.image(0), 0, 3, 0x00FF00);
      assertColour(ds.image(0), 5, 1, 0xFF0000);
      assertColour(ds.image(0), 5, 6, 0x0000FF);
      // 6 = turn 90° clockwise to display: 16x32 upright, red on top, blue below, green right.
      assertColour(ds.image(1), 1, 3, 0xFF0000);
      assertColour(ds.image(1), 6, 3, 0x0000FF);
      assertColour(ds.image(1), 3, 7, 0x00FF00);
      // 8 = counter-clockwise: blue on top, red below, green on the left.
      assertColour(ds.image(2), 1, 4, 0x0000FF);
      assertColour(ds.image(2), 6, 4, 0xFF0000);
      assertColour(ds.image(2), 3, 0, 0x00FF00);
      // 3 = 180°: blue | red, green at the bottom.
      assertColour(ds.image(3), 1, 1, 0x0000FF);
      assertColour(ds.image(3), 7, 6, 0x00FF00);
    }
  }

  private static void assertColour(RgbImage img, int row, int col, int rgb) {
    int[] want = {(rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255};
    for (int c = 0; c < 3; c++) {
      assertThat(Math.abs(img.get(row, col, c) - want[c])).as("row %d col %d channel %d of %s",
          row, col, c, img).isLessThan(70);
    }
  }

  @Test
  void reductionKeepsTheShortSideAtLeastTheTarget() {
    assertThat(PhotoDecoder.ratio(375, 128)).isEqualTo(2);
    assertThat(PhotoDecoder.ratio(375, 64)).isEqualTo(4);
    assertThat(PhotoDecoder.ratio(375, 32)).isEqualTo(8);
    assertThat(PhotoDecoder.ratio(255, 128)).isEqualTo(1);
    assertThat(PhotoDecoder.ratio(256, 128)).isEqualTo(2);
  }
}
