package org.wild3d.metrics.classifier;

import com.google.common.hash.Hashing;
import com.google.gson.Gson;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.wild3d.AtomicFiles;
import org.wild3d.DataException;

/**
 * A trained {@link ClassifierNet} with what it was trained on: the weights file of the {@code _cls}
 * metrics.
 *
 * <p>File layout: the bytes {@code W3DCLS1\n}, a big-endian int length and a UTF-8 JSON header
 * (spec, dataset fingerprint, seed, steps, training accuracy, variable names and shapes), then each
 * variable's float32 values in header order. Written atomically.
 *
 * @param datasetFingerprint fingerprint of the dataset it was trained on; metrics refuse other data
 * @param trainAccuracy accuracy on the training batches of the last 10% of steps
 * @param values variable name → values (row-major), in creation order
 * @param shapes variable name → shape
 */
public record ClassifierWeights(
    ClassifierNet.Spec spec,
    String datasetFingerprint,
    long seed,
    int steps,
    double trainAccuracy,
    Map<String, float[]> values,
    Map<String, long[]> shapes) {
  private static final byte[] MAGIC = "W3DCLS1\n".getBytes(StandardCharsets.US_ASCII);

  private record Header(int resolution, int numClasses, int baseChannels, String datasetFingerprint,
      long seed, int steps, double trainAccuracy, List<String> names, List<long[]> shapes) {}

  /** The serialised file content. */
  public byte[] toBytes() {
    Header h = new Header(spec.resolution(), spec.numClasses(), spec.baseChannels(),
        datasetFingerprint, seed, steps, trainAccuracy, new ArrayList<>(values.keySet()),
        values.keySet().stream().map(shapes::get).toList());
    byte[] json = new Gson().toJson(h).getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(MAGIC);
      out.writeInt(json.length);
      out.write(json);
      for (float[] v : values.values()) {
        for (float f : v) {
          out.writeFloat(f);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }

  /** First 12 hex digits of the SHA-256 of {@link #toBytes()}: names the feature network. */
  public String id() {
    return Hashing.sha256().hashBytes(toBytes()).toString().substring(0, 12);
  }

  /** Writes the file atomically. */
  public void save(Path file) throws IOException {
    AtomicFiles.write(file, toBytes());
  }

  /** Reads a weights file; anything malformed is a {@link DataException} naming the file. */
  public static ClassifierWeights load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DataException("classifier weights: expected a file, found nothing at " + file
          + " (train one with the metrics command's classifier training, or give the right path)");
    }
    try (InputStream is = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(is, 1 << 16))) {
      byte[] magic = in.readNBytes(MAGIC.length);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new DataException("classifier weights: expected a wild3d classifier file (W3DCLS1),"
            + " found other content (" + file + ")");
      }
      byte[] json = in.readNBytes(in.readInt());
      Header h = new Gson().fromJson(new String(json, StandardCharsets.UTF_8), Header.class);
      Map<String, float[]> values = new LinkedHashMap<>();
      Map<String, long[]> shapes = new LinkedHashMap<>();
      for (int i = 0; i < h.names().size(); i++) {
        long[] shape = h.shapes().get(i);
        long n = 1;
        for (long s : shape) {
          n *= s;
        }
        float[] v = new float[Math.toIntExact(n)];
        for (int j = 0; j < v.length; j++) {
          v[j] = in.readFloat();
        }
        values.put(h.names().get(i), v);
        shapes.put(h.names().get(i), shape);
      }
      if (in.read() != -1) {
        throw new DataException("classifier weights: unexpected trailing bytes (" + file + ")");
      }
      return new ClassifierWeights(
          new ClassifierNet.Spec(h.resolution(), h.numClasses(), h.baseChannels()),
          h.datasetFingerprint(), h.seed(), h.steps(), h.trainAccuracy(), values, shapes);
    } catch (IOException | RuntimeException e) {
      if (e instanceof DataException d) {
        throw d;
      }
      throw new DataException("classifier weights: cannot read " + file + " (" + e
          + "; retrain the classifier)", e);
    }
  }
}
