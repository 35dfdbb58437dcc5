package org.wild3d.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.types.TFloat32;
import org.wild3d.DataException;

class BatchReaderTest {
  @TempDir Path tmp;

  @Test
  void epochVisitsEveryImageOnceWithMatchingPixels() {
    Path p = TestData.write(tmp.resolve("ds"), 12, 4, 3);
    try (Dataset ds = Dataset.open(p);
        BatchReader r = BatchReader.open(ds, BatchReader.Options.of(4).withSeed(5))) {
      Set<Integer> seen = new HashSet<>();
      float[] expected = new float[4 * 4 * 3];
      for (int b = 0; b < 3; b++) {
        Batch batch = r.next();
        assertThat(batch.size()).isEqualTo(4);
        assertThat(batch.images()).hasSize(4 * 4 * 4 * 3);
        for (int i = 0; i < 4; i++) {
          int idx = batch.indices()[i];
          seen.add(idx);
          assertThat(batch.classes()[i]).isEqualTo(idx % 3);
          ds.readInto(idx, false, expected, 0);
          assertThat(Arrays.copyOfRange(batch.images(), i * 48, i * 48 + 48)).containsExactly(expected);
        }
      }
      assertThat(seen).hasSize(12);
      assertThat(r.position()).isEqualTo(new BatchReader.Position(1, 0));
      // Not in index order: the permutation is shuffled.
      assertThat(r.next().indices()).isNotEqualTo(new int[] {0, 1, 2, 3});
    }
  }

  @Test
  void resumingFromSavedPositionReproducesTheStream() {
    Path p = TestData.write(tmp.resolve("ds"), 10, 4, 2);
    BatchReader.Options opts = BatchReader.Options.of(3).withSeed(9).withXflip(true);
    List<float[]> original = new ArrayList<>();
    BatchReader.Position saved;
    try (Dataset ds = Dataset.open(p); BatchReader r = BatchReader.open(ds, opts)) {
      for (int i = 0; i < 3; i++) {
        r.next();
      }
      saved = r.position();
      for (int i = 0; i < 6; i++) { // runs across epoch boundaries (10 images, batch 3)
        original.add(r.next().images());
      }
    }
    assertThat(saved).isEqualTo(new BatchReader.Position(0, 9));
    try (Dataset ds = Dataset.open(p);
        BatchReader r = BatchReader.open(ds, opts.withStart(saved).withThreads(2))) {
      for (int i = 0; i < 6; i++) {
        assertThat(r.next().images()).containsExactly(original.get(i));
      }
    }
  }

  @Test
  void xflipMirrorsAboutHalfTheImages() {
    Path p = TestData.write(tmp.resolve("ds"), 40, 4, 1);
    try (Dataset ds = Dataset.open(p);
        BatchReader r = BatchReader.open(ds, BatchReader.Options.of(40).withXflip(true))) {
      Batch b = r.next();
      float[] plain = new float[48];
      float[] flipped = new float[48];
      int flips = 0;
      for (int i = 0; i < 40; i++) {
        float[] got = Arrays.copyOfRange(b.images(), i * 48, i * 48 + 48);
        ds.readInto(b.indices()[i], false, plain, 0);
        ds.readInto(b.indices()[i], true, flipped, 0);
        if (Arrays.equals(got, flipped)) {
          flips++;
        } else {
          assertThat(got).containsExactly(plain);
        }
      }
      assertThat(flips).isBetween(10, 30);
    }
  }

  @Test
  void sameClassGroupsForStackedViews() {
    Path p = TestData.write(tmp.resolve("ds"), 30, 4, 3);
    try (Dataset ds = Dataset.open(p);
        BatchReader r = BatchReader.open(ds, BatchReader.Options.of(5).withViewsPerScene(4))) {
      Batch b = r.next();
      assertThat(b.size()).isEqualTo(20);
      assertThat(b.scenes()).isEqualTo(5);
      assertThat(b.views()).isEqualTo(4);
      assertThat(b.images()).hasSize(20 * 48);
      for (int s = 0; s < 5; s++) {
        for (int v = 0; v < 4; v++) {
          assertThat(ds.classOf(b.indices()[s * 4 + v])).isEqualTo(b.sceneClasses()[s]);
        }
      }
      assertThat(r.position()).isEqualTo(new BatchReader.Position(0, 5));
      try (TFloat32 t = b.imagesTensor()) {
        assertThat(t.shape().asArray()).containsExactly(20, 4, 4, 3);
        assertThat(t.getFloat(1, 2, 3, 0)).isEqualTo(b.images()[48 + (2 * 4 + 3) * 3]);
      }
    }
  }

  @Test
  void decodeErrorReachesTheConsumerWithTheFileName() throws IOException {
    Path p = TestData.write(tmp.resolve("ds"), 4, 4, 1);
    Path victim = p.resolve("00000/img00000002.png");
    byte[] bytes = Files.readAllBytes(victim);
    Files.write(victim, Arrays.copyOf(bytes, 30));
    try (Dataset ds = Dataset.open(p); BatchReader r = BatchReader.open(ds, BatchReader.Options.of(4))) {
      assertThatThrownBy(r::next)
          .isInstanceOf(DataException.class)
          .hasMessageContaining("img00000002.png");
    }
  }

  /** The shards of two workers hold exactly the single reader's batches, split by rows. */
  @Test
  void rowShardsTogetherAreTheWholeBatchAndAdvanceLikeIt(@TempDir Path tmp) throws Exception {
    Path p = TestData.write(tmp.resolve("ds"), 20, 8, 2);
    BatchReader.Options all = BatchReader.Options.of(6).withSeed(3).withXflip(true).withViewsPerScene(2);
    int[][] shards = {{0, 1, 4}, {5, 2, 3}};
    try (Dataset ds = Dataset.open(p);
        BatchReader whole = BatchReader.open(ds, all);
        BatchReader a = BatchReader.open(ds, all.withRows(shards[0]).withThreads(2));
        BatchReader b = BatchReader.open(ds, all.withRows(shards[1]))) {
      for (int step = 0; step < 5; step++) {
        Batch w = whole.next();
        Batch[] parts = {a.next(), b.next()};
        int per = 8 * 8 * 3;
        for (int s = 0; s < 2; s++) {
          assertThat(parts[s].scenes()).isEqualTo(3);
          assertThat(parts[s].size()).isEqualTo(6);
          assertThat(parts[s].end()).isEqualTo(w.end());
          for (int i = 0; i < 3; i++) {
            for (int v = 0; v < 2; v++) {
              int src = shards[s][i] * 2 + v;
              int dst = i * 2 + v;
              assertThat(parts[s].indices()[dst]).isEqualTo(w.indices()[src]);
              assertThat(parts[s].classes()[dst]).isEqualTo(w.classes()[src]);
              assertThat(java.util.Arrays.copyOfRange(parts[s].images(), dst * per, (dst + 1) * per))
                  .isEqualTo(java.util.Arrays.copyOfRange(w.images(), src * per, (src + 1) * per));
            }
          }
        }
      }
    }
  }
}
