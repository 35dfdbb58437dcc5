package org.wild3d.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.DataException;
import org.wild3d.Wild3dException;

class ConfigsTest {
  private static final String VALID = "model { num_classes: 6 }\ndata { shapes {} }\n";

  /** Paths of singular fields that are not explicitly set (oneof members not chosen excluded). */
  private static List<String> unset(String prefix, Message m) {
    List<String> out = new ArrayList<>();
    for (FieldDescriptor fd : m.getDescriptorForType().getFields()) {
      if (fd.isRepeated() || (fd.getRealContainingOneof() != null && !m.hasField(fd))) {
        continue;
      }
      if (!m.hasField(fd)) {
        out.add(prefix + fd.getName());
      } else if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        out.addAll(unset(prefix + fd.getName() + ".", (Message) m.getField(fd)));
      }
    }
    return out;
  }

  @Test
  void resolvedSetsEveryFieldToItsEffectiveValue() {
    Experiment input = ConfigLoader.parse("s", "render { resolution: 32 } data { shapes {} }");
    assertThat(unset("", input)).contains("seed", "model", "render.ray_start");
    Experiment r = Configs.resolved(input);
    assertThat(unset("", r)).isEmpty();
    assertThat(r.getRender().getResolution()).isEqualTo(32);
    assertThat(r.getRender().hasRayStart()).isTrue();
    assertThat(r.getRender().getRayStart()).isEqualTo(2.25f);
    assertThat(r.getModel().getMapping().hasWAvgBeta()).isTrue();
    assertThat(r.getData().getShapes().hasImagesPerClass()).isTrue();
    // The unchosen members of the data oneof stay unset.
    assertThat(r.getData().hasPath()).isFalse();
    assertThat(r.getData().hasMeshes()).isFalse();
    assertThat(Configs.resolved(r)).isEqualTo(r);
  }

  @Test
  void resolvedTextRoundTrips() {
    LoadedConfig c = ConfigLoader.loadText("t.pbtxt", VALID,
        List.of("render { background_rgb: [0.5, -1, 1] } train { g_lr: 0.0031 }"));
    assertThat(ConfigLoader.parse("r", Configs.toText(c.resolved()))).isEqualTo(c.resolved());
    String file = Configs.resolvedText(c);
    assertThat(ConfigLoader.parse("r", file)).isEqualTo(c.resolved());
    assertThat(file).contains("#   --override 'render { background_rgb: [0.5, -1, 1] } train { "
        + "g_lr: 0.0031 }'\n").contains("# config hash: sha256:" + c.hash() + "\n")
        .contains("  w_avg_beta: 0.995\n");
  }

  @Test
  void hashIgnoresHowDefaultsAreWrittenAndSeesEveryValue() {
    Experiment a = ConfigLoader.parse("a", VALID);
    Experiment b = ConfigLoader.parse("b", VALID + "render { resolution: 64 } seed: 0");
    Experiment c = ConfigLoader.parse("c", VALID + "render { ray_end: 3.31 }");
    assertThat(Configs.hash(a)).matches("[0-9a-f]{64}")
        .isEqualTo(Configs.hash(b))
        .isEqualTo(Configs.hash(Configs.resolved(a)))
        .isNotEqualTo(Configs.hash(c));
    assertThat(Configs.hash(ConfigLoader.parse("a2", VALID))).isEqualTo(Configs.hash(a));
  }

  @Test
  void hashesSeeOnlyValuesThatDifferFromTheDefaultsSoNewSchemaFieldsKeepCheckpointsValid() {
    // All defaults: the canonical text is empty, so the hash is SHA-256 of "".
    String empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assertThat(Configs.hash(Experiment.getDefaultInstance())).isEqualTo(empty);
    assertThat(Configs.hash(Configs.resolved(Experiment.getDefaultInstance()))).isEqualTo(empty);
    // A config written before a field existed hashes like one that spells out its default, in
    // both hashes (train.shared_fakes and eval.classifier_steps were added to the schema later).
    Experiment before = ConfigLoader.parse("a", VALID);
    Experiment after = ConfigLoader.parse("b", VALID
        + "train { shared_fakes: false } eval { classifier_steps: 1000 }");
    assertThat(Configs.hash(after)).isEqualTo(Configs.hash(before));
    assertThat(Configs.architectureHash(after)).isEqualTo(Configs.architectureHash(before));
    // The architecture hash ignores training; it sees the model and the renderer.
    Experiment longer = ConfigLoader.parse("c", VALID + "train { total_kimg: 7 }");
    assertThat(Configs.architectureHash(longer)).isEqualTo(Configs.architectureHash(before));
    assertThat(Configs.hash(longer)).isNotEqualTo(Configs.hash(before));
    Experiment wider = ConfigLoader.parse("d", VALID + "render { samples_importance: 5 }");
    assertThat(Configs.architectureHash(wider)).isNotEqualTo(Configs.architectureHash(before));
  }

  @Test
  void runConfigsAreWrittenAndReadBack(@TempDir Path dir) throws Exception {
    String text = "# my experiment\n" + VALID;
    LoadedConfig c = ConfigLoader.loadText("exp.pbtxt", text, List.of("train { batch_size: 16 }"));
    Configs.writeRunConfigs(dir, c);
    assertThat(Configs.readResolved(dir)).isEqualTo(c.resolved());
    String input = Files.readString(dir.resolve(Configs.INPUT_FILE));
    assertThat(input).startsWith("# wild3d config as given, from exp.pbtxt\n").endsWith(text);
    assertThat(ConfigLoader.parse("i", input)).isEqualTo(ConfigLoader.parse("t", text));
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(Configs.INPUT_FILE, Configs.RESOLVED_FILE);
    }
  }

  @Test
  void readInputGivesTheConfigAsGivenWithItsOverrides(@TempDir Path dir) {
    List<String> overrides = List.of("render {\n  background_rgb: [1, 1, 1]\n}",
        "data { path: \"d\\\\x'.zip\" }  # it's a path");
    LoadedConfig c = ConfigLoader.loadText("exp.pbtxt", VALID, overrides);
    assertThat(c.input().getData().getPath()).isEqualTo("d\\x'.zip");
    Configs.writeRunConfigs(dir, c);
    assertThat(Configs.readInput(dir)).isEqualTo(c.input());
    assertThat(Configs.readInput(dir).getRender().hasResolution()).isFalse();
  }

  @Test
  void readResolvedOfADirectoryWithoutOneIsADataErrorNamingTheFile(@TempDir Path dir)
      throws Exception {
    DataException e = catchThrowableOfType(DataException.class, () -> Configs.readResolved(dir));
    assertThat(e.exitCode()).isEqualTo(Wild3dException.EXIT_DATA);
    assertThat(e.getMessage()).contains(dir.resolve(Configs.RESOLVED_FILE).toString());
    Files.writeString(dir.resolve(Configs.RESOLVED_FILE), "model { bogus: 1 }");
    e = catchThrowableOfType(DataException.class, () -> Configs.readResolved(dir));
    assertThat(e.getMessage()).contains("model.bogus");
  }
}
