package org.wild3d.metrics.classifier;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.wild3d.log.Progress;
import org.wild3d.metrics.images.ImageBatch;
import org.wild3d.metrics.images.SyntheticImages;

class ClassifierTrainerTest {
  /** The _cls classifier's training (about 35 s for shapes-tiny) reports its progress. */
  @Test
  void trainingPrintsAFewProgressLinesWithStepsRateAndEta() {
    StringWriter text = new StringWriter();
    AtomicLong now = new AtomicLong();
    // A clock that moves one second each time it is read: one reading per step.
    Progress progress = new Progress(new PrintWriter(text, true), "classifier", 20,
        Progress.Unit.STEPS, 0, () -> now.getAndAdd(1_000_000_000L)).interval(5);
    ImageBatch train = SyntheticImages.draw(64, 32, 1);
    ClassifierWeights w = ClassifierTrainer.train(TestClassifier.SPEC,
        SyntheticImages.batches(train, 16, 2), new ClassifierTrainer.Options(20, 2e-3f, 3, 0),
        "test", progress);
    assertThat(w.steps()).isEqualTo(20);
    assertThat(text.toString()).isEqualTo(""
        + "classifier 5/20 steps (25.0%)  1.0 steps/s  elapsed 5s  ETA 15s\n"
        + "classifier 10/20 steps (50.0%)  1.0 steps/s  elapsed 10s  ETA 10s\n"
        + "classifier 15/20 steps (75.0%)  1.0 steps/s  elapsed 15s  ETA 5s\n");
  }
}
