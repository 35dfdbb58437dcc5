package org.wild3d.metrics.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;
import org.wild3d.DataException;
import org.wild3d.metrics.images.ImageBatch;
import org.wild3d.metrics.images.SyntheticImages;

/**
 * A stand-in for {@code classify_image_graph_def.pb} with the release's node names and input
 * structure ({@code DecodeJpeg → Cast → ExpandDims → ResizeBilinear(299) → Sub → Mul}, a body
 * ending in {@code pool_3 [1,1,1,2048]}, and a softmax head whose {@code pool_3/reshape} is
 * hard-coded to batch 1) but tiny ops: a 13×13 average pool, a 1×1 conv with ReLU and a global
 * pool. For a constant image every stage is known in closed form, which gives known answers.
 */
class InceptionV3GraphTest {
  static final int CLASSES = 1008;
  static float[] conv; // [3, 2048]
  static float[] softmaxW; // [2048, 1008]
  static byte[] graphDef;

  @BeforeAll
  static void buildStandIn() {
    SplittableRandom rng = new SplittableRandom(5);
    conv = new float[3 * 2048];
    for (int i = 0; i < conv.length; i++) {
      conv[i] = (float) (rng.nextDouble() - 0.3);
    }
    softmaxW = new float[2048 * CLASSES];
    for (int i = 0; i < softmaxW.length; i++) {
      softmaxW[i] = (float) (0.05 * (rng.nextDouble() - 0.5));
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TUint8> jpeg = tf.withName("DecodeJpeg").placeholder(TUint8.class,
          Placeholder.shape(Shape.of(-1, -1, 3)));
      Operand<TFloat32> cast = tf.withName("Cast").dtypes.cast(jpeg, TFloat32.class);
      Operand<TFloat32> x = tf.withName("ExpandDims").expandDims(cast, tf.constant(0));
      x = tf.withName("ResizeBilinear").image.resizeBilinear(x, tf.constant(new int[] {299, 299}));
      x = tf.withName("Sub").math.sub(x, tf.constant(128f));
      x = tf.withName("Mul").math.mul(x, tf.constant(1f / 128f));
      x = tf.nn.avgPool(x, List.of(1L, 13L, 13L, 1L), List.of(1L, 13L, 13L, 1L), "VALID");
      x = tf.nn.conv2d(x, tf.reshape(tf.constant(conv), tf.constant(new int[] {1, 1, 3, 2048})), List.of(1L, 1L, 1L, 1L),
          "VALID");
      x = tf.nn.relu(x); // [1,23,23,2048]
      Operand<TFloat32> pool = tf.withName("pool_3").nn.avgPool(x, List.of(1L, 23L, 23L, 1L),
          List.of(1L, 1L, 1L, 1L), "VALID"); // [1,1,1,2048]
      Ops sm = tf.withSubScope("softmax");
      Operand<TFloat32> flat = tf.withSubScope("pool_3").withName("reshape").reshape(pool,
          tf.constant(new int[] {1, 2048})); // batch 1 hard-coded, as in the release
      Operand<TFloat32> w = sm.withName("weights").constant(
          org.tensorflow.ndarray.NdArrays.wrap(Shape.of(2048, CLASSES),
              org.tensorflow.ndarray.buffer.DataBuffers.of(softmaxW, true, false)));
      Operand<TFloat32> logits = sm.withSubScope("logits").withName("MatMul").linalg.matMul(flat,
          w);
      logits = sm.withName("logits").math.add(logits, sm.withName("biases").constant(
          new float[CLASSES]));
      tf.withName("softmax").nn.softmax(logits);
      graphDef = g.toGraphDef().toByteArray();
    }
  }

  /** Known answer for a constant image of value v ∈ [−1, 1]: relu(Σ_c ((q − 128)/128)·w[c,k]). */
  private static float[] constantImageFeatures(float v) {
    float q = Math.round((v + 1f) * 127.5f);
    float n = (q - 128f) / 128f;
    float[] f = new float[2048];
    for (int k = 0; k < 2048; k++) {
      f[k] = Math.max(0, n * (conv[k] + conv[2048 + k] + conv[4096 + k]));
    }
    return f;
  }

  private static ImageBatch constantImages(float[] values, int size) {
    float[] px = new float[values.length * size * size * 3];
    int per = size * size * 3;
    for (int i = 0; i < values.length; i++) {
      java.util.Arrays.fill(px, i * per, (i + 1) * per, values[i]);
    }
    return new ImageBatch(px, values.length, size, size, new int[values.length]);
  }

  private static Path writePb(Path dir) throws IOException {
    Path pb = dir.resolve(InceptionV3Graph.GRAPH_FILE);
    Files.write(pb, graphDef);
    return pb;
  }

  @Test
  void batchesPassThroughPool3WithKnownFeaturesAndProbabilities(@TempDir Path dir)
      throws Exception {
    float[] values = {-1f, -0.5f, 0.25f, 0.8f, 1f};
    try (InceptionV3Graph net = InceptionV3Graph.load(writePb(dir), 0)) {
      assertThat(net.name()).matches("inception-2015-12-05-[0-9a-f]{12}");
      assertThat(net.featureDim()).isEqualTo(2048);
      assertThat(net.numClasses()).isEqualTo(CLASSES);
      FeatureNetwork.Activations a = net.compute(constantImages(values, 20));
      assertThat(a.features()).hasDimensions(5, 2048);
      assertThat(a.probabilities()).hasDimensions(5, CLASSES);
      for (int i = 0; i < values.length; i++) {
        float[] expected = constantImageFeatures(values[i]);
        for (int k = 0; k < 2048; k += 97) {
          assertThat(a.features()[i][k]).isCloseTo(expected[k], within(1e-4f));
        }
      }
      // softmax(f·W) without bias, computed in plain Java for one row.
      float[] f = a.features()[3];
      double[] logit = new double[CLASSES];
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < CLASSES; c++) {
        for (int k = 0; k < 2048; k++) {
          logit[c] += f[k] * softmaxW[k * CLASSES + c];
        }
        max = Math.max(max, logit[c]);
      }
      double z = 0;
      for (int c = 0; c < CLASSES; c++) {
        z += Math.exp(logit[c] - max);
      }
      for (int c = 0; c < CLASSES; c += 101) {
        assertThat(a.probabilities()[3][c]).isCloseTo((float) (Math.exp(logit[c] - max) / z),
            within(1e-6f));
      }
      // A batch gives the same rows as one image at a time, at another input size too.
      ImageBatch mixed = SyntheticImages.draw(3, 32, 4);
      float[][] batch = net.features(mixed);
      for (int i = 0; i < 3; i++) {
        float[] single = net.features(mixed.slice(i, i + 1))[0];
        for (int k = 0; k < 2048; k += 31) {
          assertThat(batch[i][k]).isCloseTo(single[k], within(1e-4f));
        }
      }
    }
  }

  /** A gzipped ustar archive with the given entries (name → content). */
  private static void writeTgz(Path file, String[] names, byte[][] contents) throws IOException {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      for (int e = 0; e < names.length; e++) {
        byte[] h = new byte[512];
        put(h, 0, names[e]);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", contents[e].length));
        put(h, 136, String.format("%011o", 0));
        h[156] = '0';
        put(h, 257, "ustar");
        h[263] = '0';
        h[264] = '0';
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) {
          sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        out.write(h);
        out.write(contents[e]);
        out.write(new byte[(512 - contents[e].length % 512) % 512]);
      }
      out.write(new byte[1024]);
    }
  }

  private static void put(byte[] h, int off, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, b.length);
  }

  @Test
  void loadsFromTheReleaseArchiveAndFromACacheDir(@TempDir Path dir) throws Exception {
    Path tgz = dir.resolve(InceptionV3Graph.ARCHIVE_FILE);
    writeTgz(tgz, new String[] {"LICENSE", InceptionV3Graph.GRAPH_FILE},
        new byte[][] {"license text".getBytes(StandardCharsets.US_ASCII), graphDef});
    ImageBatch img = constantImages(new float[] {0.5f}, 8);
    float[] fromTgz;
    try (InceptionV3Graph net = InceptionV3Graph.load(tgz, 0)) {
      fromTgz = net.features(img)[0];
    }
    try (InceptionV3Graph net = InceptionV3Graph.load(dir, 0)) { // finds the .tgz
      assertThat(net.features(img)[0]).containsExactly(fromTgz);
    }
    assertThat(fromTgz[7]).isCloseTo(constantImageFeatures(0.5f)[7], within(1e-4f));
  }

  @Test
  void missingOrWrongFilesNameWhatIsExpected(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> InceptionV3Graph.load(dir, 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("classify_image_graph_def.pb")
        .hasMessageContaining("inception-2015-12-05.tgz")
        .hasMessageContaining(InceptionV3Graph.DOWNLOAD_URL.toString());
    assertThatThrownBy(() -> InceptionV3Graph.load(dir.resolve("nope.pb"), 0))
        .isInstanceOf(DataException.class).hasMessageContaining("nope.pb");
    Path garbage = dir.resolve("garbage.pb");
    Files.write(garbage, new byte[] {(byte) 0xff, 1, 2, 3, 4, 5});
    assertThatThrownBy(() -> InceptionV3Graph.load(garbage, 0))
        .isInstanceOf(DataException.class).hasMessageContaining("classify_image_graph_def.pb");
    Path other;
    try (Graph g = new Graph()) {
      Ops.create(g).withName("something_else").constant(1f);
      other = dir.resolve("other.pb");
      Files.write(other, g.toGraphDef().toByteArray());
    }
    assertThatThrownBy(() -> InceptionV3Graph.load(other, 0))
        .isInstanceOf(DataException.class).hasMessageContaining("'ExpandDims'");
    Path badTgz = dir.resolve("bad.tgz");
    writeTgz(badTgz, new String[] {"LICENSE"}, new byte[][] {{1, 2, 3}});
    assertThatThrownBy(() -> InceptionV3Graph.load(badTgz, 0))
        .isInstanceOf(DataException.class).hasMessageContaining("inside");
    Path pb = writePb(dir);
    assertThatThrownBy(() -> InceptionV3Graph.load(pb, "00ab", 0))
        .isInstanceOf(DataException.class).hasMessageContaining("SHA-256 00ab");
    String sha = com.google.common.hash.Hashing.sha256().hashBytes(graphDef).toString();
    try (InceptionV3Graph net = InceptionV3Graph.load(pb, sha, 0)) {
      assertThat(net.name()).endsWith(sha.substring(0, 12));
    }
  }
}
