package org.wild3d.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

class EventLogTest {
  @TempDir Path dir;

  @Test
  void writesScalarsAndImagesThatReadBackAsValidTfRecords() throws Exception {
    byte[] img = new byte[4 * 6 * 3];
    for (int i = 0; i < img.length; i++) {
      img[i] = (byte) (i * 7);
    }
    try (EventLog log = new EventLog(dir)) {
      log.scalar("Loss/G", 10, 0.5f);
      log.scalar("Loss/G", 20, 0.25f);
      log.image("samples", 20, img, 4, 6);
    }
    Path file;
    try (Stream<Path> s = Files.list(dir)) {
      file = s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).findFirst().orElseThrow();
    }
    List<Event> events = EventFiles.read(file);
    assertThat(events.get(0).getFileVersion()).startsWith("brain.Event:");
    List<Summary.Value> values =
        events.stream().filter(Event::hasSummary).flatMap(e -> e.getSummary().getValueList().stream()).toList();
    List<Long> steps = events.stream().filter(Event::hasSummary).map(Event::getStep).toList();
    assertThat(steps).containsExactly(10L, 20L, 20L);
    assertThat(values.get(0).getTag()).isEqualTo("Loss/G");
    // TF2 summary ops store scalars as tensors.
    assertThat(EventFiles.scalar(values.get(0))).isEqualTo(0.5f);
    assertThat(EventFiles.scalar(values.get(1))).isEqualTo(0.25f);
    assertThat(values.get(2).getTag()).startsWith("samples");
    Summary.Image image = values.get(2).getImage();
    assertThat(image.getHeight()).isEqualTo(4);
    assertThat(image.getWidth()).isEqualTo(6);
    assertThat(image.getEncodedImageString().toByteArray()).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
  }
}
