package org.wild3d.metrics.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.data.Dataset;
import org.wild3d.data.DatasetWriter;
import org.wild3d.image.RgbImage;

class DatasetImageSourceTest {
  @TempDir Path dir;

  /** {@code n} random 16² images, class {@code i mod 2}; image i's first byte is i. */
  static Path write(Path dest, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    try (DatasetWriter w = DatasetWriter.create(dest, 16, List.of("a", "b"))) {
      for (int i = 0; i < n; i++) {
        byte[] px = new byte[16 * 16 * 3];
        for (int j = 0; j < px.length; j++) {
          px[j] = (byte) r.nextInt(256);
        }
        px[0] = (byte) i;
        w.add(i, new RgbImage(16, 16, px), i % 2);
      }
      return w.commit();
    }
  }

  /** Dataset indices of a batch, from the first byte of each image. */
  private static List<Integer> ids(ImageBatch b) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < b.size(); i++) {
      out.add(Math.round((b.image(i)[0] + 1f) * 127.5f));
    }
    return out;
  }

  @Test
  void readsImagesAndLabelsInOrderThenRunsOut() {
    try (Dataset ds = Dataset.open(write(dir.resolve("d"), 7, 1))) {
      DatasetImageSource s = DatasetImageSource.all(ds);
      ImageBatch a = s.next(4);
      ImageBatch b = s.next(4);
      assertThat(a.size()).isEqualTo(4);
      assertThat(b.size()).isEqualTo(3);
      assertThat(s.next(4).size()).isZero();
      assertThat(ids(a)).containsExactly(0, 1, 2, 3);
      assertThat(ids(b)).containsExactly(4, 5, 6);
      assertThat(b.labels()).containsExactly(0, 1, 0);
      float[] expected = new float[16 * 16 * 3];
      ds.readInto(5, false, expected, 0);
      assertThat(b.image(1)).containsExactly(expected);
      assertThat(b.image(1)[1]).isEqualTo((ds.image(5).rgb()[1] & 0xff) / 127.5f - 1f);
    }
  }

  @Test
  void seededShuffleAndSplitAreDeterministicAndDisjoint() {
    try (Dataset ds = Dataset.open(write(dir.resolve("d"), 9, 2))) {
      List<Integer> shuffled = ids(DatasetImageSource.shuffled(ds, 4).next(9));
      assertThat(shuffled).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8)
          .isEqualTo(ids(DatasetImageSource.shuffled(ds, 4).next(9)))
          .isNotEqualTo(ids(DatasetImageSource.shuffled(ds, 5).next(9)))
          .isNotEqualTo(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8));
      DatasetImageSource[] halves = DatasetImageSource.split(ds, 4);
      assertThat(halves[0].size()).isEqualTo(5);
      assertThat(halves[1].size()).isEqualTo(4);
      List<Integer> a = ids(halves[0].next(100));
      List<Integer> b = ids(halves[1].next(100));
      Set<Integer> both = new HashSet<>(a);
      both.retainAll(b);
      assertThat(both).isEmpty();
      List<Integer> joined = new ArrayList<>(a);
      joined.addAll(b);
      assertThat(joined).isEqualTo(shuffled); // the halves are the two parts of the shuffle
    }
  }

  @Test
  void fingerprintFollowsContentNotLocation() {
    Path a = write(dir.resolve("a"), 5, 3);
    Path b = write(dir.resolve("b"), 5, 3);
    Path c = write(dir.resolve("c"), 5, 4); // other pixels, same paths and classes
    try (Dataset da = Dataset.open(a);
        Dataset db = Dataset.open(b);
        Dataset dc = Dataset.open(c)) {
      String fa = DatasetFingerprint.of(da);
      assertThat(fa).matches("16px-5-[0-9a-f]{16}");
      assertThat(DatasetFingerprint.of(db)).isEqualTo(fa);
      assertThat(DatasetFingerprint.of(dc)).isNotEqualTo(fa);
      assertThat(DatasetFingerprint.of(da.subset(4, 0))).isNotEqualTo(fa);
    }
  }
}
