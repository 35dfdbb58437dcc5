package org.wild3d.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.StringValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.wild3d.DataException;
import org.wild3d.Version;
import org.wild3d.Wild3dException;
import org.wild3d.checkpoint.Manifest;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import org.wild3d.config.LoadedConfig;
import org.wild3d.model.TinyRuns;

/** Contract of an export: files, metadata, the SavedModel proto, and the output directory rules. */
class GeneratorExporterTest {
  @TempDir static Path shared;
  static Path run;
  static Experiment cfg;
  static GeneratorExporter.Exported exported;

  @TempDir Path dir;

  @BeforeAll
  static void exportTinyRun() {
    LoadedConfig loaded = TinyRuns.config(shared.resolve("cache"), "");
    cfg = loaded.resolved();
    run = shared.resolve("run");
    TinyRuns.Inputs in = TinyRuns.Inputs.of(cfg, 1);
    TinyRuns.writeRun(run, loaded, 8, in, 1f);
    // An older checkpoint: the same variables under another step (cheaper than a second run).
    Path newest = run.resolve("checkpoints/step-000000008");
    Path older = run.resolve("checkpoints/step-000000004");
    try {
      Files.createDirectories(older);
      for (String f : List.of("variables.index", "variables.data-00000-of-00001")) {
        Files.copy(newest.resolve(f), older.resolve(f));
      }
      Manifest m = Manifest.fromJson(Files.readString(newest.resolve("manifest.json")), "m");
      Files.writeString(older.resolve("manifest.json"), new Manifest(4, 4 * 0.008, m.seed(),
          m.configHash(), m.architectureHash(), m.codeVersion(), m.extra()).toJson());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    try { // an existing empty directory is a fine --out without --force
      Files.createDirectories(shared.resolve("export"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    exported = GeneratorExporter.export(run, null, shared.resolve("export"),
        new GeneratorExporter.Options(0.7f, false, 0));
  }

  @Test
  void writesTheSavedModelMetadataAndConfigAndNothingElse() throws Exception {
    Path d = exported.dir();
    assertThat(d).isEqualTo(shared.resolve("export").toAbsolutePath().normalize());
    assertThat(exported.files().keySet()).containsExactly(
        "assets.extra/config.resolved.pbtxt", "assets.extra/wild3d.json", "saved_model.pb",
        "variables/variables.data-00000-of-00001", "variables/variables.index", "wild3d.json");
    assertThat(exported.bytes()).isEqualTo(exported.files().values().stream()
        .mapToLong(Long::longValue).sum()).isPositive();
    String json = Files.readString(d.resolve("wild3d.json"), StandardCharsets.UTF_8);
    assertThat(json).isEqualTo(exported.metadata().toJson());
    assertThat(d.resolve("assets.extra/wild3d.json")).hasContent(json);
    assertThat(Files.readString(d.resolve("assets.extra/config.resolved.pbtxt")))
        .isEqualTo(Files.readString(run.resolve(Configs.RESOLVED_FILE)));
    try (Stream<Path> s = Files.list(shared)) { // no temporary directories left behind
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
          "run", "export");
    }
  }

  @Test
  void metadataRecordsCameraConventionSizesAndProvenance() throws Exception {
    String json = Files.readString(exported.dir().resolve("wild3d.json"), StandardCharsets.UTF_8);
    ExportMetadata m = ExportMetadata.fromJson(json, "wild3d.json");
    assertThat(m.format()).isEqualTo("wild3d-generator-savedmodel");
    assertThat(m.formatVersion()).isEqualTo(1);
    assertThat(m.toolkitVersion()).isEqualTo(Version.get());
    assertThat(m.tensorflowVersion()).isEqualTo(TensorFlow.version());

    ExportMetadata.Source src = m.source();
    assertThat(src.step()).isEqualTo(8); // newest checkpoint
    assertThat(src.checkpoint()).isEqualTo(
        run.resolve("checkpoints/step-000000008").toAbsolutePath().normalize().toString());
    assertThat(src.run()).isEqualTo(run.toAbsolutePath().normalize().toString());
    assertThat(src.configHash()).isEqualTo(Configs.hash(cfg));
    assertThat(src.checkpointConfigHash()).isEqualTo(Configs.hash(cfg));
    assertThat(src.architectureHash()).isEqualTo(Configs.architectureHash(cfg));
    assertThat(src.seed()).isEqualTo(7);
    assertThat(src.kimg()).isEqualTo(8 * 0.008);

    ExportMetadata.ModelInfo model = m.model();
    assertThat(model).isEqualTo(new ExportMetadata.ModelInfo(3, 16, 16, model.numWs(), 16, 16,
        false, 16, 4, 1f));
    assertThat(model.numWs()).isGreaterThan(1);

    ExportMetadata.CameraInfo cam = m.camera();
    assertThat(cam.convention()).startsWith("opencv cam2world").contains("+z", "forward");
    assertThat(cam.intrinsics()).contains("fx = fy = 0.5 / tan(fov / 2)", "cx = cy = 0.5");
    assertThat(cam.worldUp()).isEqualTo("+y");
    assertThat(cam.radius()).isEqualTo(cfg.getCamera().getRadius());
    assertThat(cam.fovDegrees()).isEqualTo(cfg.getCamera().getFovDegrees());
    // EG3D's normalised focal 4.2647 belongs to the default 13.37°.
    assertThat(cam.focalNormalised()).isCloseTo(
        0.5 / Math.tan(Math.toRadians(cfg.getCamera().getFovDegrees()) / 2), within(1e-6));
    assertThat(cam.azimuthDeg()).containsExactly(0f, 360f);
    assertThat(cam.polarDeg()).containsExactly(0f, 180f);
    assertThat(cam.rayStart()).isEqualTo(cfg.getRender().getRayStart());
    assertThat(cam.rayEnd()).isEqualTo(cfg.getRender().getRayEnd());

    assertThat(m.generation().defaultTruncationPsi()).isEqualTo(0.7f);
    assertThat(m.generation().noise()).isEqualTo("constant");
    assertThat(m.generation().renderJitter()).isFalse();
    assertThat(m.generation().imageRange()).containsExactly(-1f, 1f);
    // snake_case keys for non-Java readers
    assertThat(json).contains("\"num_classes\": 3", "\"z_dim\": 16", "\"default_truncation_psi\"",
        "\"focal_normalised\"", "\"checkpoint_config_hash\"");
  }

  @Test
  void savedModelProtoIsAStandardServeMetaGraphWithTheDocumentedSignatures() throws Exception {
    SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(exported.dir().resolve("saved_model.pb")));
    assertThat(sm.getSavedModelSchemaVersion()).isEqualTo(1);
    assertThat(sm.getMetaGraphsCount()).isEqualTo(1);
    MetaGraphDef mg = sm.getMetaGraphs(0);
    assertThat(mg.getMetaInfoDef().getTagsList()).containsExactly("serve");
    assertThat(mg.getMetaInfoDef().getMetaGraphVersion()).isEqualTo("wild3d-generator-savedmodel/1");
    assertThat(mg.getMetaInfoDef().getTensorflowVersion()).isEqualTo(TensorFlow.version());
    String json = Files.readString(exported.dir().resolve("wild3d.json"), StandardCharsets.UTF_8);
    assertThat(mg.getMetaInfoDef().getAnyInfo().unpack(StringValue.class).getValue())
        .isEqualTo(json);

    Map<String, NodeDef> nodes = mg.getGraphDef().getNodeList().stream()
        .collect(Collectors.toMap(NodeDef::getName, n -> n));
    SaverDef saver = mg.getSaverDef();
    assertThat(saver.getVersion()).isEqualTo(SaverDef.CheckpointFormatVersion.V2);
    assertThat(nodes).containsKeys(op(saver.getFilenameTensorName()),
        op(saver.getSaveTensorName()), saver.getRestoreOpName());
    assertThat(nodes.values().stream().map(NodeDef::getOp)).contains("SaveV2", "RestoreV2");
    // Only the EMA generator's variables are in the graph (no G, D, optimiser state).
    Set<String> variables = new HashSet<>();
    nodes.values().stream().filter(n -> n.getOp().equals("VariableV2"))
        .forEach(n -> variables.add(n.getName()));
    assertThat(variables).isNotEmpty().allMatch(n -> n.startsWith("G_ema/"));

    Map<String, SignatureDef> sigs = mg.getSignatureDefMap();
    assertThat(sigs.keySet()).containsExactlyInAnyOrder(
        "generate", "serving_default", "synthesize", "map", "metadata");
    sigs.values().forEach(s -> assertThat(s.getMethodName())
        .isEqualTo("tensorflow/serving/predict"));
    int l = exported.metadata().model().numWs();
    SignatureDef gen = sigs.get("generate");
    assertTensor(gen.getInputsOrThrow("z"), DataType.DT_FLOAT, -1, 16);
    assertTensor(gen.getInputsOrThrow("class_index"), DataType.DT_INT32, -1);
    assertTensor(gen.getInputsOrThrow("cam2world"), DataType.DT_FLOAT, -1, 4, 4);
    assertTensor(gen.getInputsOrThrow("intrinsics"), DataType.DT_FLOAT, -1, 3, 3);
    assertTensor(gen.getInputsOrThrow("psi"), DataType.DT_FLOAT);
    assertThat(gen.getInputsMap()).hasSize(5);
    assertTensor(gen.getOutputsOrThrow("image"), DataType.DT_FLOAT, -1, 16, 16, 3);
    assertTensor(gen.getOutputsOrThrow("depth"), DataType.DT_FLOAT, -1, 16, 16, 1);
    assertTensor(gen.getOutputsOrThrow("opacity"), DataType.DT_FLOAT, -1, 16, 16, 1);
    assertThat(gen.getOutputsMap()).hasSize(3);
    assertThat(nodes.get(op(gen.getInputsOrThrow("psi").getName())).getOp())
        .isEqualTo("PlaceholderWithDefault");

    SignatureDef def = sigs.get("serving_default");
    assertThat(def.getInputsMap().keySet()).containsExactlyInAnyOrder(
        "z", "class_index", "cam2world", "intrinsics");
    assertThat(def.getOutputsMap()).isEqualTo(gen.getOutputsMap());

    SignatureDef syn = sigs.get("synthesize");
    assertThat(syn.getInputsMap().keySet()).containsExactlyInAnyOrder(
        "ws", "cam2world", "intrinsics");
    assertTensor(syn.getInputsOrThrow("ws"), DataType.DT_FLOAT, -1, l, 16);
    assertTensor(syn.getOutputsOrThrow("image"), DataType.DT_FLOAT, -1, 16, 16, 3);
    assertTensor(syn.getOutputsOrThrow("depth"), DataType.DT_FLOAT, -1, 16, 16, 1);

    SignatureDef map = sigs.get("map");
    assertThat(map.getInputsMap().keySet()).containsExactlyInAnyOrder("z", "class_index", "psi");
    assertTensor(map.getOutputsOrThrow("ws"), DataType.DT_FLOAT, -1, l, 16);
    assertTensor(map.getOutputsOrThrow("w"), DataType.DT_FLOAT, -1, 16);

    SignatureDef meta = sigs.get("metadata");
    assertThat(meta.getInputsMap()).isEmpty();
    assertTensor(meta.getOutputsOrThrow("json"), DataType.DT_STRING);

    // Every tensor a signature names exists in the graph, and wild3d.json describes them all.
    Map<String, ExportMetadata.SignatureInfo> described = exported.metadata().signatures();
    assertThat(described.keySet()).isEqualTo(sigs.keySet());
    for (var e : sigs.entrySet()) {
      for (boolean inputs : List.of(true, false)) {
        Map<String, TensorInfo> actual =
            inputs ? e.getValue().getInputsMap() : e.getValue().getOutputsMap();
        Map<String, ExportMetadata.TensorInfo> doc = inputs
            ? described.get(e.getKey()).inputs() : described.get(e.getKey()).outputs();
        assertThat(doc.keySet()).as(e.getKey()).isEqualTo(actual.keySet());
        for (var t : actual.entrySet()) {
          assertThat(nodes).containsKey(op(t.getValue().getName()));
          assertThat(doc.get(t.getKey()).dtype()).isEqualTo(t.getValue().getDtype().name());
          assertThat(doc.get(t.getKey()).shape()).containsExactly(dims(t.getValue()));
        }
      }
    }
  }

  @Test
  void refusesANonEmptyOutputUnlessForcedAndReplacesItWithTheGivenCheckpoint() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("keep.txt"), "mine");
    assertThatThrownBy(() -> GeneratorExporter.export(run, null, out,
        GeneratorExporter.Options.defaults()))
        .isInstanceOf(Wild3dException.class)
        .satisfies(e -> assertThat(((Wild3dException) e).exitCode()).isEqualTo(2))
        .hasMessageContaining(out.toAbsolutePath().normalize().toString())
        .hasMessageContaining("--force");
    assertThat(out.resolve("keep.txt")).hasContent("mine");
    assertThat(out.resolve("saved_model.pb")).doesNotExist();

    GeneratorExporter.Exported e = GeneratorExporter.export(run,
        run.resolve("checkpoints/step-000000004"), out, new GeneratorExporter.Options(null, true, 0));
    assertThat(e.metadata().source().step()).isEqualTo(4); // the checkpoint it is given
    assertThat(e.metadata().generation().defaultTruncationPsi())
        .isEqualTo(cfg.getEval().getTruncationPsi());
    assertThat(out.resolve("keep.txt")).doesNotExist();
    assertThat(out.resolve("saved_model.pb")).isRegularFile();
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("out");
    }
  }

  @Test
  void missingRunIsADataErrorNamingThePathAndWritesNothing() {
    Path missing = dir.resolve("no-such-run");
    assertThatThrownBy(() -> GeneratorExporter.export(missing, null, dir.resolve("out"),
        GeneratorExporter.Options.defaults()))
        .isInstanceOf(DataException.class)
        .satisfies(e -> assertThat(((Wild3dException) e).exitCode()).isEqualTo(4))
        .hasMessageContaining(missing.toString());
    assertThat(dir.resolve("out")).doesNotExist();
  }

  private static void assertTensor(TensorInfo t, DataType dtype, long... shape) {
    assertThat(t.getDtype()).as(t.getName()).isEqualTo(dtype);
    assertThat(dims(t)).as(t.getName()).containsExactly(shape);
  }

  private static long[] dims(TensorInfo t) {
    return t.getTensorShape().getDimList().stream().mapToLong(d -> d.getSize()).toArray();
  }

  /** The op name of a tensor name {@code op:0}. */
  private static String op(String tensor) {
    int colon = tensor.lastIndexOf(':');
    return colon < 0 ? tensor : tensor.substring(0, colon);
  }

  private static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.data.Offset.offset(d);
  }
}
