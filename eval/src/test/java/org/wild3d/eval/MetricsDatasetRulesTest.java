package org.wild3d.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.image.Images;
import org.wild3d.image.RgbImage;

/** wild3d-eval metrics reads datasets under the same rules as training and dataset info. */
class MetricsDatasetRulesTest extends EvalCliTest {
  @TempDir Path dir;

  private Path dataset(String name, String labels) throws IOException {
    Path ds = Files.createDirectories(dir.resolve(name));
    for (String f : new String[] {"a.png", "b.png"}) {
      Files.write(ds.resolve(f), Images.encodePng(new RgbImage(8, 8, new byte[8 * 8 * 3])));
    }
    Files.writeString(ds.resolve("dataset.json"), "{\"labels\": " + labels + "}");
    return ds;
  }

  @Test
  void datasetsThatLeadOutOrHaveStrayLabelsExitWith4() throws IOException {
    Files.write(dir.resolve("outside.png"), Images.encodePng(new RgbImage(8, 8,
        new byte[8 * 8 * 3])));
    Path escape = dataset("escape", "[[\"a.png\", 0], [\"../outside.png\", 0]]");
    assertThat(run("metrics", "--dataset", escape.toString(), "--split", "--metrics", "fid300_cls",
        "--cache-dir", dir.resolve("cache").toString(), "--out", dir.resolve("m.jsonl").toString()))
        .as(err.toString()).isEqualTo(4);
    assertThat(err.toString()).contains("\"../outside.png\" (labels[1]): expected a relative path "
        + "inside the dataset, found a '..' segment");
    err.getBuffer().setLength(0);
    Path good = dataset("good", "[[\"a.png\", 0], [\"b.png\", 0]]");
    Path stray = dataset("stray", "[[\"a.png\", 0], [\"b.png\", 99]]");
    assertThat(run("metrics", "--dataset", good.toString(), "--against", stray.toString(),
        "--metrics", "fid300_cls", "--cache-dir", dir.resolve("cache").toString(), "--out",
        dir.resolve("m.jsonl").toString())).as(err.toString()).isEqualTo(4);
    assertThat(err.toString()).contains("class indices must be dense")
        .contains("b.png (labels[1]): label 99 is beyond class 1, which has no images");
    assertThat(dir.resolve("m.jsonl")).doesNotExist();
  }
}
