package org.wild3d.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.camera.Cameras;
import org.wild3d.config.Experiment;
import org.wild3d.config.LoadedConfig;
import org.wild3d.model.GeneratedImages;
import org.wild3d.model.Snapshot;
import org.wild3d.model.TinyRuns;

/**
 * Exports a tiny run and calls the SavedModel from a fresh JVM ({@link ExportedModelClient}): its
 * outputs must match {@link Snapshot#generate} of the same checkpoint in this JVM.
 */
class SavedModelRoundTripTest {
  private static final double TOL = 1e-5;

  @TempDir Path dir;

  /** A tensor read back from the child: dims and values. */
  record Out(long[] shape, float[] values) {}

  @Test
  void freshJvmReproducesSnapshotThroughEverySignature() throws Exception {
    LoadedConfig loaded = TinyRuns.config(dir.resolve("cache"), "");
    Experiment cfg = loaded.resolved();
    Path run = dir.resolve("run");
    int n = 3;
    TinyRuns.Inputs in = TinyRuns.Inputs.of(cfg, n);
    TinyRuns.writeRun(run, loaded, 5, in, 0.5f);
    Path export = dir.resolve("export");
    GeneratorExporter.export(run, null, export, new GeneratorExporter.Options(0.5f, false, 0));

    GeneratedImages half;
    GeneratedImages full;
    try (Snapshot s = Snapshot.open(run, 0)) {
      half = s.generate(in.z(), in.classes(), in.cameras(), 0.5f);
      full = s.generate(in.z(), in.classes(), in.cameras(), 1f);
    }
    // ψ changes the images, so feeding it (or its default) is really tested.
    assertThat(maxAbsDiff(half.images(), full.images())).isGreaterThan(1e-3);

    Path inputs = dir.resolve("inputs.bin");
    try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(
        Files.newOutputStream(inputs)));
        Cameras.Batch cams = Cameras.toTensors(in.cameras())) {
      int zDim = cfg.getModel().getMapping().getZDim();
      o.writeInt(n);
      o.writeInt(zDim);
      for (float v : in.z()) {
        o.writeFloat(v);
      }
      for (int c : in.classes()) {
        o.writeInt(c);
      }
      for (float v : floats(cams.cam2world())) {
        o.writeFloat(v);
      }
      for (float v : floats(cams.intrinsics())) {
        o.writeFloat(v);
      }
      o.writeFloat(0.5f);
    }
    Path outputs = dir.resolve("outputs.bin");
    Path log = dir.resolve("child.log");
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.add("-Xmx512m");
    String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
    if (cache != null) {
      cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
        ExportedModelClient.class.getName(), export.toString(), inputs.toString(),
        outputs.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Process p = pb.start();
    try {
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
    } finally {
      p.destroyForcibly();
    }
    assertThat(p.exitValue()).as(Files.readString(log)).isZero();

    Map<String, Out> got = new HashMap<>();
    String json;
    try (DataInputStream d = new DataInputStream(new BufferedInputStream(
        Files.newInputStream(outputs)))) {
      int count = d.readInt();
      for (int i = 0; i < count; i++) {
        String name = d.readUTF();
        long[] shape = new long[d.readInt()];
        long size = 1;
        for (int j = 0; j < shape.length; j++) {
          shape[j] = d.readLong();
          size *= shape[j];
        }
        float[] v = new float[Math.toIntExact(size)];
        for (int j = 0; j < v.length; j++) {
          v[j] = d.readFloat();
        }
        got.put(name, new Out(shape, v));
      }
      json = d.readUTF();
    }

    int res = 16;
    int r = cfg.getRender().getResolution();
    for (String sig : List.of("serving_default/", "synthesize/")) {
      assertThat(got.get(sig + "image").shape()).containsExactly(n, res, res, 3);
      assertThat(got.get(sig + "depth").shape()).containsExactly(n, r, r, 1);
      assertThat(got.get(sig + "opacity").shape()).containsExactly(n, r, r, 1);
      assertThat(maxAbsDiff(got.get(sig + "image").values(), half.images())).as(sig)
          .isLessThanOrEqualTo(TOL);
      assertThat(maxAbsDiff(got.get(sig + "depth").values(), half.depth())).as(sig)
          .isLessThanOrEqualTo(TOL);
      assertThat(maxAbsDiff(got.get(sig + "opacity").values(), half.opacity())).as(sig)
          .isLessThanOrEqualTo(TOL);
    }
    assertThat(maxAbsDiff(got.get("generate_psi1/image").values(), full.images()))
        .isLessThanOrEqualTo(TOL);
    assertThat(maxAbsDiff(got.get("generate_psi1/depth").values(), full.depth()))
        .isLessThanOrEqualTo(TOL);

    // map: ws = w_avg + ψ (w − w_avg) per layer; all layers equal (no style mixing).
    int wDim = cfg.getModel().getMapping().getWDim();
    Out ws = got.get("map/ws");
    Out w = got.get("map/w");
    assertThat(w.shape()).containsExactly(n, wDim);
    assertThat(ws.shape()).hasSize(3);
    assertThat(ws.shape()[0]).isEqualTo(n);
    assertThat(ws.shape()[2]).isEqualTo(wDim);
    int layers = (int) ws.shape()[1];
    for (int i = 0; i < n; i++) {
      for (int l = 1; l < layers; l++) {
        for (int c = 0; c < wDim; c++) {
          assertThat(ws.values()[(i * layers + l) * wDim + c])
              .isEqualTo(ws.values()[(i * layers) * wDim + c]);
        }
      }
    }
    assertThat(json).isEqualTo(
        Files.readString(export.resolve(ExportNames.METADATA_FILE), StandardCharsets.UTF_8));
  }

  private static float[] floats(org.tensorflow.types.TFloat32 t) {
    float[] v = new float[Math.toIntExact(t.size())];
    t.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(v, false, false));
    return v;
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs((double) a[i] - b[i]));
    }
    return m;
  }
}
