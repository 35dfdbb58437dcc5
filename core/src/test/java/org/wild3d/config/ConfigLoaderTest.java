package org.wild3d.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.Wild3dException;

class ConfigLoaderTest {
  /** A minimal valid experiment: the defaults plus a data source and a matching class count. */
  private static final String VALID = "model { num_classes: 6 }\ndata { shapes {} }\n";

  private static List<ConfigError> errors(String text, String... overrides) {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> ConfigLoader.loadText("t.pbtxt", text, List.of(overrides)));
    assertThat(e).as("expected a ConfigException for %s", text).isNotNull();
    assertThat(e.exitCode()).isEqualTo(Wild3dException.EXIT_CONFIG);
    return e.errors();
  }

  private static List<String> paths(List<ConfigError> errors) {
    return errors.stream().map(ConfigError::fieldPath).toList();
  }

  @Test
  void emptyConfigParsesToTheDefaultsAndOnlyLacksADataSource() {
    assertThat(ConfigLoader.parse("empty", "")).isEqualTo(Experiment.getDefaultInstance());
    List<ConfigError> errors = errors("");
    assertThat(paths(errors)).containsExactly("data.source");
    assertThat(errors.get(0).format()).startsWith("t.pbtxt: data.source: expected one of ");
  }

  @Test
  void defaultsAreConsistentOnceADataSourceIsGiven() {
    LoadedConfig c = ConfigLoader.loadText("dir/my-exp.pbtxt", VALID, List.of());
    assertThat(c.resolved().getName()).isEqualTo("my-exp");
    assertThat(c.input().getName()).isEmpty();
    assertThat(c.resolved().getRender().getResolution()).isEqualTo(64);
    assertThat(c.resolved().getRender().hasResolution()).isTrue();
    assertThat(c.text()).isEqualTo(VALID);
  }

  @Test
  void snippetSetsNestedFieldsAndKeepsOthersAtDefault() {
    Experiment e = ConfigLoader.parse("s", "model { multiview { views: 3 fusion: STACKED } }");
    assertThat(e.getModel().getMultiview().getViews()).isEqualTo(3);
    assertThat(e.getModel().getMultiview().getFusion()).isEqualTo(MultiView.Fusion.STACKED);
    assertThat(e.getModel().hasTriplane()).isFalse();
    assertThat(e.getModel().getTriplane().getResolution()).isEqualTo(256);
  }

  @Test
  void unknownFieldIsNamedWithLineAndSuggestion() {
    List<ConfigError> errors = errors(VALID + "model {\n  multiview { veiws: 3 }\n}\n");
    assertThat(errors).hasSize(1);
    ConfigError e = errors.get(0);
    assertThat(e.fieldPath()).isEqualTo("model.multiview.veiws");
    assertThat(e.line()).isEqualTo(4);
    assertThat(e.format()).isEqualTo("t.pbtxt:4: model.multiview.veiws: expected a field of "
        + "MultiView, found unknown field \"veiws\" (did you mean \"views\"?)");
  }

  @Test
  void everyParseErrorOfAFileIsReportedTogetherWithItsLine() {
    String text = String.join("\n",
        "model {",
        "  num_classes: 6",
        "  multiview { views: abc }",
        "  mapping { z_dim: 99999999999 }",
        "  triplane { foo: 1 }",
        "  multiview { fusion: SIDEWAYS }",
        "}",
        "data { shapes {} path: \"x.zip\" }",
        "train { batch_size: 8 batch_size: 16 }",
        "unknown_block { a: 1 b { c: 2 } }",
        "");
    List<ConfigError> errors = errors(text);
    assertThat(errors).extracting(ConfigError::fieldPath, ConfigError::line)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("model.multiview.views", 3),
            org.assertj.core.groups.Tuple.tuple("model.mapping.z_dim", 4),
            org.assertj.core.groups.Tuple.tuple("model.triplane.foo", 5),
            org.assertj.core.groups.Tuple.tuple("model.multiview.fusion", 6),
            org.assertj.core.groups.Tuple.tuple("data.path", 8),
            org.assertj.core.groups.Tuple.tuple("train.batch_size", 9),
            org.assertj.core.groups.Tuple.tuple("unknown_block", 10));
    assertThat(errors).allSatisfy(e ->
        assertThat(e.format()).matches("t\\.pbtxt:\\d+: [a-z_.]+: expected .+, found .+ \\(.+\\)"));
    assertThat(byPath(errors, "model.multiview.views").message())
        .startsWith("expected an integer in [-2147483648, 2147483647], found abc");
    assertThat(byPath(errors, "model.mapping.z_dim").message()).contains("out of range");
    assertThat(byPath(errors, "model.multiview.fusion").message())
        .startsWith("expected one of PER_VIEW, STACKED, found SIDEWAYS");
    assertThat(byPath(errors, "data.path").message()).contains("only one of path, shapes, meshes");
    assertThat(byPath(errors, "train.batch_size").message()).contains("at most once");
  }

  @Test
  void unclosedBlockIsReportedAtItsOpeningLineAndTheRestStillChecked() {
    List<ConfigError> errors = errors("data { shapes {} }\nmodel {\n  num_classes: 0\n");
    assertThat(errors).extracting(ConfigError::fieldPath)
        .containsExactly("model", "model.num_classes");
    assertThat(errors.get(0).line()).isEqualTo(2);
    assertThat(errors.get(0).message()).contains("expected \"}\"");
  }

  @Test
  void strayClosingBraceIsReported() {
    List<ConfigError> errors = errors(VALID + "}\n");
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).line()).isEqualTo(3);
    assertThat(errors.get(0).message()).startsWith("expected a field name, found \"}\"");
  }

  @Test
  void missingBraceIsPlacedBeforeTheFirstFieldOfAnEnclosingBlock() {
    // The data block is read as a top-level block again, so there is no "data.source" error.
    List<ConfigError> errors = errors("model { num_classes: 6\ndata { shapes {} }\n");
    assertThat(errors).extracting(ConfigError::format).containsExactly("t.pbtxt:1: model: "
        + "expected \"}\" closing the block opened on line 1 before \"data\" on line 2, found "
        + "none (add the missing \"}\")");
  }

  @Test
  void fieldInTheWrongBlockIsExplained() {
    List<ConfigError> errors = errors(VALID + "train { views: 2 }\n");
    assertThat(errors).extracting(ConfigError::format).containsExactly("t.pbtxt:3: train.views: "
        + "expected a field of Train, found unknown field \"views\" (it is a field of "
        + "model.multiview: is it in the wrong block, or is a \"}\" before it one too many?)");
  }

  @Test
  void validationErrorsPointAtTheLineThatSetTheField() {
    List<ConfigError> errors = errors(VALID + "render {\n  ray_start: 3\n  ray_end: 2\n}\n");
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).format()).startsWith("t.pbtxt:5: render.ray_end: expected more than "
        + "render.ray_start = 3, found 2");
  }

  @Test
  void parseErrorOnAFieldSuppressesValidationOfItsDefault() {
    List<ConfigError> errors = errors(VALID + "data { resolution: big }\nrender { resolution: 32 }");
    assertThat(paths(errors)).containsExactly("data.resolution");
  }

  @Test
  void overridesMergeInOrderAndLaterWins() {
    LoadedConfig c = ConfigLoader.loadText("t.pbtxt",
        VALID + "render { background_rgb: [1, 1, 1] }\ntrain { batch_size: 8 }",
        List.of("train { batch_size: 16 } model { multiview { views: 2 } }",
            "train { batch_size: 24 }\nrender { background_rgb: [0, 0, 0] }"));
    assertThat(c.resolved().getTrain().getBatchSize()).isEqualTo(24);
    assertThat(c.resolved().getModel().getMultiview().getViews()).isEqualTo(2);
    assertThat(c.resolved().getModel().getNumClasses()).isEqualTo(6);
    assertThat(c.resolved().getRender().getBackgroundRgbList()).containsExactly(0f, 0f, 0f);
    assertThat(c.input().getTrain().getBatchSize()).isEqualTo(24);
    assertThat(c.overrides()).hasSize(2);
  }

  @Test
  void overrideSwitchesAOneofMember() {
    LoadedConfig c = ConfigLoader.loadText("t.pbtxt", VALID,
        List.of("data { path: \"d.zip\" }"));
    assertThat(c.resolved().getData().getSourceCase()).isEqualTo(Data.SourceCase.PATH);
  }

  @Test
  void errorsInAnOverrideNameTheOverride() {
    List<ConfigError> errors = errors(VALID, "train { batch_size: 8 }",
        "model { multiview { views: 0 } }", "render { resolutoin: 32 }");
    assertThat(errors).extracting(ConfigError::format).containsExactlyInAnyOrder(
        "--override #3 'render { resolutoin: 32 }':1: render.resolutoin: expected a field of "
            + "Render, found unknown field \"resolutoin\" (did you mean \"resolution\"?)",
        "--override #2 'model { multiview { views: 0 } }':1: model.multiview.views: expected a "
            + "value >= 1, found 0 (1 = EG3D; the paper renders several)");
  }

  @Test
  void exceptionMessageListsEveryError() {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> ConfigLoader.loadText("t.pbtxt", "model { num_classes: 0 }", List.of()));
    assertThat(e.getMessage()).startsWith("invalid config (2 errors):\n  t.pbtxt:1: "
        + "model.num_classes: ").contains("\n  t.pbtxt: data.source: ");
  }

  @Test
  void missingFileIsAConfigErrorNamingIt(@TempDir Path dir) {
    Path f = dir.resolve("nope.pbtxt");
    assertThatThrownBy(() -> ConfigLoader.load(f, List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(f.toString());
  }

  /** A file that is not UTF-8 is said in words, with where, not as a Java exception name. */
  @Test
  void aConfigThatIsNotUtf8IsSaidInWords(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("latin1.pbtxt");
    Files.write(f, "# caf\u00e9\nmodel { num_classes: 2 }\n"
        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> ConfigLoader.load(f, List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(f + ": expected a readable UTF-8 text file, found not UTF-8 text "
            + "(byte 0xE9 at line 1, column 6; save the file as UTF-8)")
        .hasMessageNotContaining("Exception");
    // A byte-order mark (Windows editors) is not an error.
    Files.write(f, ("\uFEFF" + ConfigLoader.defaultText())
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(ConfigLoader.load(f, List.of()).resolved().getModel().getNumClasses()).isPositive();
  }

  @Test
  void loadsAFileAndNamesTheExperimentAfterIt(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("chairs v2.pbtxt");
    Files.writeString(f, VALID);
    assertThat(ConfigLoader.load(f, List.of()).resolved().getName()).isEqualTo("chairs-v2");
    Files.writeString(f, VALID + "name: \"mine\"");
    assertThat(ConfigLoader.load(f, List.of()).resolved().getName()).isEqualTo("mine");
  }

  @Test
  void embeddedDefaultIsShapesTiny() {
    LoadedConfig c = ConfigLoader.loadDefault(List.of());
    assertThat(c.resolved().getName()).isEqualTo("shapes-tiny");
    assertThat(c.resolved().getData().hasShapes()).isTrue();
    assertThat(c.resolved().getModel().getTriplane().getResolution()).isEqualTo(32);
  }

  @Test
  void corruptedConfigsAlwaysEndInAConfigExceptionWithLocatedErrors() {
    String base = ConfigLoader.defaultText();
    java.util.Random rnd = new java.util.Random(1);
    String junk = "{}<>[]:;,\"'#x9.-\n";
    int rejected = 0;
    for (int trial = 0; trial < 300; trial++) {
      StringBuilder t = new StringBuilder(base);
      for (int k = 0; k < 1 + rnd.nextInt(3); k++) {
        int at = rnd.nextInt(t.length());
        if (rnd.nextBoolean()) {
          t.deleteCharAt(at);
        } else {
          t.insert(at, junk.charAt(rnd.nextInt(junk.length())));
        }
      }
      LoadedConfig loaded;
      try {
        loaded = ConfigLoader.loadText("f.pbtxt", t.toString(), List.of());
      } catch (ConfigException e) {
        rejected++;
        assertThat(e.errors()).allSatisfy(err -> {
          assertThat(err.source()).isEqualTo("f.pbtxt");
          // a line, or (for a value the corruption left at its default) the field
          assertThat(err.line() > 0 || !err.fieldPath().isEmpty()).as(err.format()).isTrue();
          assertThat(err.message()).as(err.format()).contains("expected").contains("found");
        });
        assertThat(e.errors().size()).isLessThanOrEqualTo(20);
        continue;
      }
      // A corruption the loader accepts is one that left a valid config (e.g. a changed comment
      // or number): it validates, and its resolved text loads back to the same config.
      assertThat(ConfigValidator.validate(loaded.resolved())).as("trial %s", trial).isEmpty();
      assertThat(ConfigLoader.parse("resolved", Configs.toText(loaded.resolved())))
          .isEqualTo(loaded.resolved());
    }
    // The corruptions are mostly fatal; a test that never saw an error would prove nothing.
    assertThat(rejected).as("corrupted texts rejected of 300").isGreaterThan(150);
  }

  private static ConfigError byPath(List<ConfigError> errors, String path) {
    return errors.stream().filter(e -> e.fieldPath().equals(path)).findFirst().orElseThrow();
  }
}
