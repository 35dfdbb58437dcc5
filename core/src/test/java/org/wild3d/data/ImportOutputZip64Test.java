package org.wild3d.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.image.Images;

/** The importer's own ZIP writer past 65535 entries (ZIP64 end records), read back by the JDK. */
class ImportOutputZip64Test {
  @TempDir Path tmp;

  @Test
  void seventyThousandEntriesOpenAsADataset() throws Exception {
    int n = 70_000;
    Path dest = tmp.resolve("big.zip");
    JsonObject state = new JsonObject();
    state.addProperty("test", "zip64");
    byte[][] pngs = new byte[3][];
    for (int i = 0; i < 3; i++) {
      pngs[i] = Images.encodePng(TestData.randomImage(4, 4, i), 0);
    }
    try (ImportOutput out = ImportOutput.open(dest, state, false, null)) {
      for (int i = 0; i < n; i++) {
        out.write(i, pngs[i % 3], i % 3);
      }
      JsonObject extras = new JsonObject();
      JsonArray names = new JsonArray();
      names.add("a");
      names.add("b");
      names.add("c");
      extras.add(DatasetJson.CLASS_NAMES, names);
      out.finish(extras);
    }
    try (ZipFile z = new ZipFile(dest.toFile())) {
      assertThat(z.size()).isEqualTo(n + 1);
    }
    try (Dataset ds = Dataset.open(dest)) {
      assertThat(ds.size()).isEqualTo(n);
      assertThat(ds.classCounts()).containsExactly(23334, 23333, 23333);
      assertThat(ds.image(n - 1)).isEqualTo(TestData.randomImage(4, 4, (n - 1) % 3));
      assertThat(ds.path(n - 1)).isEqualTo("00069/img00069999.png");
    }
  }
}
