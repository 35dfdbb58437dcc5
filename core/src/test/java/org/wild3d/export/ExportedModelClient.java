package org.wild3d.export;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;

/**
 * A stand-alone consumer of an exported generator, run in a fresh JVM by {@link
 * SavedModelRoundTripTest}: it knows only TF Java and the signature names, as a user would.
 *
 * <p>Usage: {@code ExportedModelClient EXPORT_DIR INPUTS OUTPUTS}. INPUTS (DataOutputStream): n,
 * zDim, z floats, n class ints, 16n cam2world floats, 9n intrinsics floats, psi. OUTPUTS: a count,
 * then per tensor its name (UTF), its rank, its dims and its floats. The metadata JSON is written
 * under the name {@code json} as UTF.
 */
public final class ExportedModelClient {
  private ExportedModelClient() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    int n;
    float[] z;
    int[] classes;
    float[] c2w;
    float[] k;
    float psi;
    int zDim;
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(
        Files.newInputStream(Path.of(args[1]))))) {
      n = in.readInt();
      zDim = in.readInt();
      z = readFloats(in, n * zDim);
      classes = new int[n];
      for (int i = 0; i < n; i++) {
        classes[i] = in.readInt();
      }
      c2w = readFloats(in, 16 * n);
      k = readFloats(in, 9 * n);
      psi = in.readFloat();
    }
    Map<String, TFloat32> outs = new LinkedHashMap<>();
    String json;
    try (SavedModelBundle b = SavedModelBundle.load(dir.toString(), "serve");
        TFloat32 zt = TFloat32.tensorOf(Shape.of(n, zDim), DataBuffers.of(z, true, false));
        TInt32 ct = TInt32.vectorOf(classes);
        TFloat32 ct2w = TFloat32.tensorOf(Shape.of(n, 4, 4), DataBuffers.of(c2w, true, false));
        TFloat32 kt = TFloat32.tensorOf(Shape.of(n, 3, 3), DataBuffers.of(k, true, false));
        TFloat32 pt = TFloat32.scalarOf(psi);
        TFloat32 one = TFloat32.scalarOf(1f)) {
      // serving_default: generate with the export's default psi; then generate with psi = 1.
      try (Result r = b.function("serving_default").call(Map.of("z", zt, "class_index", ct,
          "cam2world", ct2w, "intrinsics", kt))) {
        keep(outs, "serving_default/", r, "image", "depth", "opacity");
      }
      try (Result r = b.function("generate").call(Map.of("z", zt, "class_index", ct,
          "cam2world", ct2w, "intrinsics", kt, "psi", one))) {
        keep(outs, "generate_psi1/", r, "image", "depth");
      }
      try (Result r = b.function("map").call(Map.<String, Tensor>of("z", zt, "class_index", ct,
          "psi", pt))) {
        keep(outs, "map/", r, "ws", "w");
      }
      try (Result r = b.function("synthesize").call(Map.<String, Tensor>of("ws", outs.get("map/ws"),
          "cam2world", ct2w, "intrinsics", kt))) {
        keep(outs, "synthesize/", r, "image", "depth", "opacity");
      }
      try (Result r = b.function("metadata").call(Map.of())) {
        json = ((TString) r.get("json").orElseThrow()).getObject();
      }
      try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
          Files.newOutputStream(Path.of(args[2]))))) {
        out.writeInt(outs.size());
        for (var e : outs.entrySet()) {
          out.writeUTF(e.getKey());
          Shape s = e.getValue().shape();
          out.writeInt(s.numDimensions());
          for (int i = 0; i < s.numDimensions(); i++) {
            out.writeLong(s.get(i));
          }
          float[] v = new float[Math.toIntExact(e.getValue().size())];
          e.getValue().copyTo(DataBuffers.of(v, false, false));
          for (float f : v) {
            out.writeFloat(f);
          }
        }
        out.writeUTF(json);
      }
    } finally {
      outs.values().forEach(Tensor::close);
    }
  }

  /** Copies outputs {@code names} of {@code r} (closed by the caller) into {@code outs}. */
  private static void keep(Map<String, TFloat32> outs, String prefix, Result r, String... names) {
    for (String name : names) {
      TFloat32 t = (TFloat32) r.get(name).orElseThrow(
          () -> new IllegalStateException("missing output " + name));
      float[] v = new float[Math.toIntExact(t.size())];
      t.copyTo(DataBuffers.of(v, false, false));
      outs.put(prefix + name, TFloat32.tensorOf(t.shape(), DataBuffers.of(v, true, false)));
    }
  }

  private static float[] readFloats(DataInputStream in, int n) throws IOException {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = in.readFloat();
    }
    return v;
  }
}
