package org.wild3d.train;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.DataException;
import org.wild3d.config.Experiment;
import org.wild3d.config.Model;
import org.wild3d.data.Dataset;
import org.wild3d.image.Images;
import org.wild3d.image.RgbImage;

/** Training's check that the dataset fits the model says which labels do not fit. */
class TrainDatasetCheckTest {
  @TempDir Path tmp;

  private Path dataset(String extras, int... labels) throws IOException {
    Path ds = Files.createDirectories(tmp.resolve("ds" + labels.length + extras.length()));
    StringBuilder json = new StringBuilder("{\"labels\": [");
    for (int i = 0; i < labels.length; i++) {
      byte[] px = new byte[8 * 8 * 3];
      new Random(i).nextBytes(px);
      Files.write(ds.resolve(i + ".png"), Images.encodePng(new RgbImage(8, 8, px)));
      json.append(i > 0 ? ", " : "").append("[\"").append(i).append(".png\", ").append(labels[i])
          .append("]");
    }
    json.append("]").append(extras).append("}");
    Files.writeString(ds.resolve("dataset.json"), json);
    return ds;
  }

  private static Experiment classes(int k) {
    return Experiment.newBuilder().setModel(Model.newBuilder().setNumClasses(k)).build();
  }

  @Test
  void saysWhichLabelsAreBeyondTheModelAndWhichClassesHaveNoImages() throws IOException {
    StringBuilder names = new StringBuilder(", \"wild3d\": {\"class_names\": [");
    for (int k = 0; k < 100; k++) {
      names.append(k > 0 ? ", " : "").append("\"c").append(k).append("\"");
    }
    names.append("]}");
    Path stray = dataset(names.toString(), 0, 1, 99, 1);
    try (Dataset ds = Dataset.open(stray)) {
      assertThatThrownBy(() -> TrainLoop.checkDataset(ds, classes(2), 8))
          .isInstanceOf(DataException.class)
          .hasMessage("dataset classes: expected at most model.num_classes = 2, found 100 ("
              + stray + "; labels used beyond the model's classes 0-1: 99 (1 image); classes "
              + "declared in wild3d.class_names without images: 2-98; relabel or remove those "
              + "images and shorten wild3d.class_names of dataset.json, or set model.num_classes "
              + "to 100 if the dataset really has that many classes)");
      TrainLoop.checkDataset(ds, classes(100), 8);
    }
    // Every class has images: then more model classes is the fix.
    Path dense = dataset("", 0, 1, 2, 2);
    try (Dataset ds = Dataset.open(dense)) {
      assertThatThrownBy(() -> TrainLoop.checkDataset(ds, classes(2), 8))
          .hasMessage("dataset classes: expected at most model.num_classes = 2, found 3 (" + dense
              + "; labels used beyond the model's classes 0-1: 2 (2 images); set "
              + "model.num_classes to 3)");
    }
  }
}
