package org.wild3d.metrics.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.config.LoadedConfig;
import org.wild3d.model.Snapshot;
import org.wild3d.model.TinyRuns;

class GeneratorImageSourceTest {
  @TempDir Path dir;

  @Test
  void seededStreamOfClassesAndImages() {
    LoadedConfig cfg = TinyRuns.config(dir.resolve("cache"), "");
    Path run = dir.resolve("run");
    TinyRuns.writeRun(run, cfg, 1, TinyRuns.Inputs.of(cfg.resolved(), 1), 1f);
    try (Snapshot s = Snapshot.open(run, 0)) {
      ImageBatch a = new GeneratorImageSource(s, new int[] {1, 1, 1}, 5, 1f).next(6);
      ImageBatch b = new GeneratorImageSource(s, new int[] {1, 1, 1}, 5, 1f).next(6);
      ImageBatch c = new GeneratorImageSource(s, new int[] {1, 1, 1}, 6, 1f).next(6);
      assertThat(a.size()).isEqualTo(6);
      assertThat(a.height()).isEqualTo(16);
      assertThat(b.pixels()).containsExactly(a.pixels());
      assertThat(b.labels()).containsExactly(a.labels());
      assertThat(c.pixels()).isNotEqualTo(a.pixels());
      for (float v : a.pixels()) {
        assertThat(v).isFinite();
      }
      // The stream does not depend on how it is cut into batches (labels drawn per image).
      GeneratorImageSource cut = new GeneratorImageSource(s, new int[] {1, 1, 1}, 5, 1f);
      int[] first = cut.next(2).labels();
      int[] rest = cut.next(4).labels();
      assertThat(new int[] {first[0], first[1], rest[0], rest[1], rest[2], rest[3]})
          .containsExactly(a.labels());
      // Classes follow the given frequencies.
      assertThat(new GeneratorImageSource(s, new int[] {0, 4, 0}, 5, 1f).next(5).labels())
          .containsOnly(1);
      assertThatThrownBy(() -> new GeneratorImageSource(s, new int[] {1, 1}, 5, 1f))
          .hasMessageContaining("expected 3 classes");
    }
  }

  @Test
  void skipStartsAtAnIndexAsIfTheEarlierImagesWereGenerated() {
    LoadedConfig cfg = TinyRuns.config(dir.resolve("cache"), "");
    Path run = dir.resolve("run");
    TinyRuns.writeRun(run, cfg, 1, TinyRuns.Inputs.of(cfg.resolved(), 1), 1f);
    try (Snapshot s = Snapshot.open(run, 0)) {
      int[] counts = {1, 2, 1};
      ImageBatch all = new GeneratorImageSource(s, counts, 5, 1f).next(7);
      // Images 4..6 by a metric shard: skip 4 (no rendering), then generate 3.
      ImageBatch tail = new GeneratorImageSource(s, counts, 5, 1f).skip(4).next(3);
      assertThat(tail.labels()).containsExactly(all.slice(4, 7).labels());
      assertThat(tail.pixels()).containsExactly(all.slice(4, 7).pixels());
      // Skipping in pieces is skipping once; skip(0) changes nothing.
      ImageBatch pieces = new GeneratorImageSource(s, counts, 5, 1f).skip(1).skip(0).skip(3)
          .next(3);
      assertThat(pieces.pixels()).containsExactly(tail.pixels());
      assertThatThrownBy(() -> new GeneratorImageSource(s, counts, 5, 1f).skip(-1))
          .hasMessageContaining("expected n >= 0");
    }
  }

  @Test
  void classFrequenciesOfManyDraws() {
    // Counts 1:3 over classes 0 and 2: the sampler alone, without a generator pass.
    double[] freq = GeneratorImageSource.classFrequencies(new int[] {1, 0, 3}, 9, 20000);
    assertThat(freq[0]).isCloseTo(0.25, org.assertj.core.data.Offset.offset(0.015));
    assertThat(freq[1]).isZero();
    assertThat(freq[2]).isCloseTo(0.75, org.assertj.core.data.Offset.offset(0.015));
  }
}
