package org.wild3d.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.wild3d.image.RgbImage;

/** Small datasets and images made by tests themselves. */
final class TestData {
  private TestData() {}

  /** A deterministic random RGB image. */
  static RgbImage randomImage(int w, int h, long seed) {
    byte[] px = new byte[w * h * 3];
    new Random(seed).nextBytes(px);
    return new RgbImage(w, h, px);
  }

  /** Writes {@code n} random images of {@code res}², class {@code i % classes}. */
  static Path write(Path dest, int n, int res, int classes) {
    List<String> names = new java.util.ArrayList<>();
    for (int k = 0; k < classes; k++) {
      names.add("c" + k);
    }
    try (DatasetWriter w = DatasetWriter.create(dest, res, names)) {
      for (int i = 0; i < n; i++) {
        w.add(i, randomImage(res, res, i), i % classes);
      }
      return w.commit();
    }
  }
}
