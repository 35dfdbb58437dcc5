package org.wild3d.metrics.classifier;

import org.wild3d.metrics.images.ImageBatch;
import org.wild3d.metrics.images.SyntheticImages;

/** One small classifier trained on {@link SyntheticImages}, shared by the tests of one JVM fork. */
public final class TestClassifier {
  public static final ClassifierNet.Spec SPEC = new ClassifierNet.Spec(32, 3, 16);
  public static final String DATASET = "shapes-test";
  private static ClassifierWeights weights;

  private TestClassifier() {}

  /** 150 Adam steps of batch 32 on 300 images (about 3-4 s on 2 cores). */
  public static synchronized ClassifierWeights weights() {
    if (weights == null) {
      ImageBatch train = SyntheticImages.draw(300, 32, 1);
      weights = ClassifierTrainer.train(SPEC, SyntheticImages.batches(train, 32, 2),
          new ClassifierTrainer.Options(150, 2e-3f, 3, 0), DATASET);
    }
    return weights;
  }
}
