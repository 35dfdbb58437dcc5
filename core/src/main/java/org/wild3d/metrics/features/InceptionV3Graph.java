package org.wild3d.metrics.features;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.hash.Hashing;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPInputStream;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.types.TFloat32;
import org.wild3d.AtomicFiles;
import org.wild3d.DataException;
import org.wild3d.metrics.features.FeatureNetwork;
import org.wild3d.metrics.images.ImageBatch;
import org.wild3d.tf.Sessions;

/**
 * The standard FID/IS/KID feature network: TensorFlow's Inception graph of the 2015-12-05 release
 * ({@code classify_image_graph_def.pb} inside {@code inception-2015-12-05.tgz}), as used by TTUR's
 * and StyleGAN's TF metrics.
 *
 * <p>Feeding: the released graph starts from one JPEG ({@code DecodeJpeg → Cast → ExpandDims});
 * like the reference code we feed a whole batch {@code [N,H,W,3]} of float pixel values in
 * [0, 255] into {@code ExpandDims:0}. The graph's own {@code ResizeBilinear} then resizes to
 * 299×299 and normalises {@code (x−128)/128}. Our [−1, 1] images are first quantised to what a PNG
 * holds: {@code round((x+1)·127.5)} clamped to [0, 255] (CONVENTIONS.md), so generated and
 * real images go through identical steps.
 *
 * <p>Outputs: features are {@code pool_3:0} ({@code [N,1,1,2048]} → {@code [N,2048]}). The graph's
 * softmax head reshapes to a hard-coded batch of 1, so class probabilities are recomputed for a
 * batch as {@code softmax(pool_3 · W)} with {@code W} the weight input of
 * {@code softmax/logits/MatMul} (1008 classes) and no bias — the OpenAI Inception Score code (and
 * StyleGAN2-ADA's {@code no_output_bias}) do the same.
 *
 * <p>Name: {@code inception-2015-12-05-<first 12 hex of the .pb's SHA-256>}, so results and cached
 * statistics always say which file produced them. The release publishes no checksum, so none is
 * hard-coded; {@link #load(Path, String, int)} pins a trusted copy by its full SHA-256.
 */
public final class InceptionV3Graph implements FeatureNetwork {
  /** The graph file inside the release archive. */
  public static final String GRAPH_FILE = "classify_image_graph_def.pb";
  /** The release archive. */
  public static final String ARCHIVE_FILE = "inception-2015-12-05.tgz";
  /** Where users download the archive (the URL TTUR and StyleGAN's TF metrics use). */
  public static final URI DOWNLOAD_URL =
      URI.create("http://download.tensorflow.org/models/image/imagenet/" + ARCHIVE_FILE);

  static final String INPUT = "ExpandDims";
  static final String POOL = "pool_3";
  static final String LOGITS_MATMUL = "softmax/logits/MatMul";
  static final int DIM = 2048;

  private final String name;
  private final Graph graph;
  private final Session session;
  private final Output<TFloat32> input;
  private final Operand<TFloat32> features;
  private final Operand<TFloat32> probabilities;
  private final int numClasses;

  private InceptionV3Graph(byte[] graphDefBytes, String source, int intraThreads) {
    String sha = Hashing.sha256().hashBytes(graphDefBytes).toString();
    this.name = "inception-2015-12-05-" + sha.substring(0, 12);
    GraphDef def;
    try {
      def = GraphDef.parseFrom(graphDefBytes);
    } catch (InvalidProtocolBufferException e) {
      throw new DataException("Inception graph: expected a TensorFlow GraphDef (" + GRAPH_FILE
          + "), found unparseable content (" + source + "; " + howToGet() + ")", e);
    }
    graph = new Graph();
    try {
      graph.importGraphDef(def);
      GraphOperation in = required(source, INPUT);
      GraphOperation pool = required(source, POOL);
      GraphOperation matmul = required(source, LOGITS_MATMUL);
      Shape poolShape = pool.output(0).shape();
      if (poolShape.numDimensions() != 4 || poolShape.size(3) != DIM) {
        throw new DataException("Inception graph: expected " + POOL + " of shape [N,1,1," + DIM
            + "], found " + poolShape + " (" + source + "; " + howToGet() + ")");
      }
      input = in.<TFloat32>output(0);
      Ops tf = Ops.create(graph).withSubScope("wild3d");
      Output<TFloat32> pooled = pool.<TFloat32>output(0);
      features = tf.reshape(pooled, tf.constant(new long[] {-1, DIM})); // [N,2048]
      @SuppressWarnings("unchecked")
      Output<TFloat32> w = (Output<TFloat32>) matmul.input(1); // [2048,K]
      numClasses = (int) w.shape().size(1);
      probabilities = tf.nn.softmax(tf.linalg.matMul(features, w)); // [N,K], no bias
    } catch (RuntimeException e) {
      graph.close();
      if (e instanceof DataException d) {
        throw d;
      }
      throw new DataException("Inception graph: cannot import " + source + " (" + e.getMessage()
          + "; " + howToGet() + ")", e);
    }
    session = Sessions.create(graph, intraThreads);
  }

  private GraphOperation required(String source, String op) {
    GraphOperation o = graph.operation(op);
    if (o == null) {
      throw new DataException("Inception graph: expected node '" + op + "' of " + GRAPH_FILE
          + ", found a graph without it (" + source + " is not the 2015-12-05 release; "
          + howToGet() + ")");
    }
    return o;
  }

  static String howToGet() {
    return "download " + DOWNLOAD_URL + " and pass the .tgz, the extracted " + GRAPH_FILE
        + " or their folder; without it use the _cls metrics";
  }

  /**
   * Loads the graph from {@code path}: the {@code .pb}, the release {@code .tgz}, or a folder
   * holding either (the cache dir).
   */
  public static InceptionV3Graph load(Path path, int intraThreads) {
    return load(path, "", intraThreads);
  }

  /**
   * As {@link #load(Path, int)}, and checks the graph file's SHA-256 when {@code expectedSha256}
   * is not empty.
   */
  public static InceptionV3Graph load(Path path, String expectedSha256, int intraThreads) {
    Path file = locate(path);
    byte[] bytes;
    try {
      bytes = file.getFileName().toString().endsWith(".tgz")
          ? extractGraph(file)
          : Files.readAllBytes(file);
    } catch (IOException e) {
      throw new DataException("Inception graph: cannot read " + file + " (" + e + "; "
          + howToGet() + ")", e);
    }
    if (!expectedSha256.isEmpty()) {
      String sha = Hashing.sha256().hashBytes(bytes).toString();
      if (!sha.equalsIgnoreCase(expectedSha256)) {
        throw new DataException("Inception graph: expected SHA-256 " + expectedSha256
            + " for " + GRAPH_FILE + ", found " + sha + " (" + file + "; " + howToGet() + ")");
      }
    }
    return new InceptionV3Graph(bytes, file.toString(), intraThreads);
  }

  /** The graph or archive file at or in {@code path}, or a DataException naming what is expected. */
  static Path locate(Path path) {
    if (Files.isDirectory(path)) {
      for (String f : new String[] {GRAPH_FILE, ARCHIVE_FILE}) {
        if (Files.isRegularFile(path.resolve(f))) {
          return path.resolve(f);
        }
      }
      throw new DataException("Inception graph: expected " + GRAPH_FILE + " or " + ARCHIVE_FILE
          + " in " + path + ", found neither (" + howToGet() + ")");
    }
    if (!Files.isRegularFile(path)) {
      throw new DataException("Inception graph: expected " + GRAPH_FILE + " or " + ARCHIVE_FILE
          + ", found nothing at " + path + " (" + howToGet() + ")");
    }
    return path;
  }

  /** The bytes of {@link #GRAPH_FILE} inside a (gzipped ustar) release archive. */
  static byte[] extractGraph(Path tgz) throws IOException {
    try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(tgz)))) {
      byte[] header = new byte[512];
      while (in.readNBytes(header, 0, 512) == 512) {
        String name = field(header, 0, 100);
        if (name.isEmpty()) {
          break; // end-of-archive block
        }
        String prefix = field(header, 345, 155);
        String full = prefix.isEmpty() ? name : prefix + "/" + name;
        String sizeField = field(header, 124, 12).trim();
        long size = sizeField.isEmpty() ? 0 : Long.parseLong(sizeField, 8);
        long padded = (size + 511) / 512 * 512;
        char type = (char) header[156];
        if ((type == '0' || type == 0) && (full.equals(GRAPH_FILE)
            || full.endsWith("/" + GRAPH_FILE))) {
          byte[] data = in.readNBytes(Math.toIntExact(size));
          if (data.length != size) {
            break;
          }
          return data;
        }
        in.skipNBytes(padded);
      }
    } catch (IOException | RuntimeException e) {
      throw new DataException("Inception graph: expected a gzipped tar archive containing "
          + GRAPH_FILE + ", found unreadable content (" + tgz + ": " + e + "; " + howToGet()
          + ")", e);
    }
    throw new DataException("Inception graph: expected " + GRAPH_FILE + " inside " + tgz
        + ", found an archive without it (" + howToGet() + ")");
  }

  private static String field(byte[] h, int off, int len) {
    int end = off;
    while (end < off + len && h[end] != 0) {
      end++;
    }
    return new String(h, off, end - off, StandardCharsets.US_ASCII);
  }

  /**
   * Downloads {@link #DOWNLOAD_URL} into {@code cacheDir} (atomically) unless the archive is
   * already there, and returns its path. Only the metrics command calls this, on the user's
   * request; tests never touch the network.
   */
  public static Path download(Path cacheDir) throws IOException {
    Path target = cacheDir.resolve(ARCHIVE_FILE);
    if (Files.isRegularFile(target)) {
      return target;
    }
    Files.createDirectories(cacheDir);
    Path tmp = Files.createTempFile(cacheDir, ARCHIVE_FILE, ".part");
    try {
      HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
          .connectTimeout(Duration.ofSeconds(30)).build();
      HttpResponse<Path> r = client.send(HttpRequest.newBuilder(DOWNLOAD_URL).GET().build(),
          HttpResponse.BodyHandlers.ofFile(tmp));
      if (r.statusCode() != 200) {
        throw new IOException("HTTP " + r.statusCode() + " from " + DOWNLOAD_URL);
      }
      extractGraph(tmp); // fail before publishing a broken archive
      AtomicFiles.move(tmp, target);
      return target;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("download of " + DOWNLOAD_URL + " interrupted", e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int featureDim() {
    return DIM;
  }

  @Override
  public int numClasses() {
    return numClasses;
  }

  @Override
  public Activations compute(ImageBatch batch) {
    if (batch.size() == 0) {
      return new Activations(new float[0][], new float[0][]);
    }
    float[] px = new float[batch.pixels().length];
    float[] src = batch.pixels();
    for (int i = 0; i < px.length; i++) {
      px[i] = Math.max(0f, Math.min(255f, Math.round((src[i] + 1f) * 127.5f)));
    }
    try (TFloat32 x = TFloat32.tensorOf(
            Shape.of(batch.size(), batch.height(), batch.width(), 3),
            DataBuffers.of(px, true, false));
        Result r = session.runner().feed(input, x).fetch(features).fetch(probabilities).run()) {
      float[][] f = FeatureNetwork.rows((TFloat32) r.get(0));
      float[][] p = FeatureNetwork.rows((TFloat32) r.get(1));
      checkArgument(f.length == batch.size(), "Inception: expected %s feature rows, found %s",
          batch.size(), f.length);
      return new Activations(f, p);
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
