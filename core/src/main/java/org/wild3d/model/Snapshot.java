package org.wild3d.model;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.wild3d.DataException;
import org.wild3d.camera.Camera;
import org.wild3d.checkpoint.CheckpointManager.Checkpoint;
import org.wild3d.checkpoint.CheckpointManager;
import org.wild3d.checkpoint.CheckpointRestore;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import org.wild3d.config.ModelSpec;
import org.wild3d.config.TriplaneSpec;
import org.wild3d.nn.Params;
import org.wild3d.render.DensityField;
import org.wild3d.tf.Sessions;

/**
 * A trained generator ready to render: the EMA generator ({@code G_ema}) of one checkpoint of a run
 * directory, in a graph of its own (constant noise, no render jitter, so the same inputs always give
 * the same images).
 *
 * <p>The graph holds only {@code G_ema}'s variables; restoring a training checkpoint (which holds
 * every variable of the training graph) reads just those by name.
 *
 * <p>Besides images from {@code z} it maps latents ({@link #map}), renders given latents from
 * several cameras per scene ({@link #generateFromW}), and queries the radiance field of one scene
 * at arbitrary points ({@link #sampleField}, {@link #density}), the input of marching cubes.
 *
 * <p>Shapes: {@code z [N,Z]}, {@code classes [N]}, {@code N} cameras (one view per scene) →
 * {@code image [N,H,W,3]} in [−1,1], {@code depth, opacity [N,r,r,1]}; latents {@code ws
 * [N,L,Wd]} (L = {@link #numWs()}); field queries {@code points [P,3]} → {@code sigma [P]},
 * {@code rgb [P,3]}.
 *
 * <p>Not thread-safe: the graph grows on the first render with a new number of views per scene.
 */
public final class Snapshot implements ImageGenerator, AutoCloseable {
  /** Folder of checkpoints inside a run directory. */
  public static final String CHECKPOINTS = CheckpointManager.CHECKPOINTS;

  /**
   * Field samples of one scene at {@code size} points.
   *
   * @param sigma {@code [P]} activated density σ = softplus(raw − 1), what the renderer composites
   * @param rgb {@code [P,3]} colour in [0, 1]: the decoder's first 3 feature channels (clamped),
   *     which the renderer maps to {@code 2·f − 1} where a ray is opaque
   * @param size P
   */
  public record FieldSamples(float[] sigma, float[] rgb, int size) {}

  /**
   * Points per field query (the decoder needs a static count; the last chunk is padded): bounds
   * the memory of one run to about 4 KB per point at F = 32.
   */
  static final int FIELD_CHUNK = 16_384;

  private final Path runDir;
  private final Experiment config;
  private final Checkpoint checkpoint;
  private final Graph graph;
  private final Session session;
  private final SampleGraph sample;
  private final Placeholder<TFloat32> planes;
  private final Placeholder<TFloat32> points;
  private final Operand<TFloat32> fieldSigma; // [1,M,1]
  private final Operand<TFloat32> fieldRgb; // [1,M,3] in [0, 1]

  private Snapshot(Path runDir, Experiment config, Checkpoint checkpoint, int intraThreads) {
    this.runDir = runDir;
    this.config = config;
    this.checkpoint = checkpoint;
    graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      Ops in = tf.withSubScope("snapshot");
      ModelSpec spec = ModelSpec.from(config);
      Generator3D generator = new Generator3D(tf, new Params(config.getSeed()), spec, "G_ema");
      sample = SampleGraph.build(in, generator);
      sample.fromW(1);
      TriplaneSpec t = spec.triplane();
      planes = in.withName("planes").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, t.resolution(), t.resolution(), t.planeImageChannels())));
      points = in.withName("points").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(1, FIELD_CHUNK, 3)));
      DensityField.Output f = generator.renderer().field(planes, 1).query(in, points, null);
      fieldSigma = f.sigma();
      fieldRgb = in.clipByValue(
          in.gather(f.features(), in.constant(new int[] {0, 1, 2}), in.constant(2)),
          in.constant(0f), in.constant(1f)); // [1,M,3]
      session = Sessions.create(graph, intraThreads);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
    try {
      CheckpointRestore.restore(session, checkpoint, config, "the generator G_ema");
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Opens a run directory (newest complete checkpoint) or a checkpoint directory inside one
   * ({@code RUN/checkpoints/step-NNNNNNNNN}); which checkpoint, and any newer one skipped because
   * it did not verify, is said on standard error.
   *
   * @param intraThreads TF intra-op threads; 0 = all cores
   * @throws DataException (exit 4) naming the path when there is no run, no checkpoint that
   *     verifies, or the checkpoint was written for another architecture
   */
  public static Snapshot open(Path runOrCheckpoint, int intraThreads) {
    return open(runOrCheckpoint, intraThreads, stderr());
  }

  /**
   * As {@link #open(Path, int)}, with the {@code checkpoint: DIR (step N, verified)} line and
   * the notes about skipped checkpoints on {@code notes}.
   */
  public static Snapshot open(Path runOrCheckpoint, int intraThreads, PrintWriter notes) {
    if (Files.isRegularFile(runOrCheckpoint.resolve("manifest.json"))) {
      Path ckpts = runOrCheckpoint.toAbsolutePath().normalize().getParent();
      Path run = ckpts == null ? null : ckpts.getParent();
      checkArgument(run != null, "checkpoint %s: expected RUN/%s/step-NNNNNNNNN", runOrCheckpoint,
          CHECKPOINTS);
      return open(run, runOrCheckpoint, intraThreads, notes);
    }
    return open(runOrCheckpoint, null, intraThreads, notes);
  }

  /**
   * Opens {@code checkpointDir} (null = the newest checkpoint that verifies) of {@code runDir}
   * with the run's resolved config; notes on standard error.
   */
  public static Snapshot open(Path runDir, Path checkpointDir, int intraThreads) {
    return open(runDir, checkpointDir, intraThreads, stderr());
  }

  /**
   * Opens {@code checkpointDir} (null = the newest checkpoint that verifies, {@link
   * CheckpointRestore#choose}) of {@code runDir} with the run's resolved config; the chosen
   * checkpoint and any skipped one are said on {@code notes}.
   */
  public static Snapshot open(Path runDir, Path checkpointDir, int intraThreads,
      PrintWriter notes) {
    Experiment cfg = Configs.readResolved(runDir);
    Checkpoint c = CheckpointRestore.choose(runDir, checkpointDir, notes);
    CheckpointRestore.checkArchitecture(c, cfg); // before building a graph for nothing
    return new Snapshot(runDir, cfg, c, intraThreads);
  }

  private static PrintWriter stderr() {
    return new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
  }

  /**
   * Renders {@code classes.length} scenes, one camera each.
   *
   * @param z {@code [N,Z]} row-major latents
   * @param classes {@code [N]} class indices (ignored by unconditional models)
   * @param cameras {@code N} cameras
   * @param truncationPsi 1 = no truncation
   */
  @Override
  public GeneratedImages generate(float[] z, int[] classes, Camera[] cameras,
      float truncationPsi) {
    checkArgument(cameras.length == classes.length,
        "generate cameras: expected %s (one per scene), found %s", classes.length, cameras.length);
    // Two runs (map, then render the latents) give the same bits as one graph from z to images.
    return generateFromW(map(z, classes, truncationPsi), classes.length, cameras);
  }

  /**
   * Mapped latents, truncated: what {@link #generate} renders.
   *
   * @param z {@code [N,Z]} row-major latents
   * @param classes {@code [N]} class indices (ignored by unconditional models)
   * @param truncationPsi 1 = no truncation
   * @return {@code ws [N,L,Wd]} row-major, L = {@link #numWs()}, Wd = {@link #wDim()}
   */
  public float[] map(float[] z, int[] classes, float truncationPsi) {
    return sample.map(session, z, classes, truncationPsi);
  }

  /**
   * Renders latents of {@code scenes} scenes, each from {@code V = cameras.length / scenes}
   * cameras (scene-major: camera {@code n·V + v} sees scene n). {@code generateFromW(map(z, c, ψ),
   * N, cams)} equals {@code generate(z, c, cams, ψ)}.
   *
   * @param ws {@code [N,L,Wd]}, or {@code [N,Wd]} (one w per scene, broadcast to every layer)
   * @param cameras {@code N·V} cameras
   * @return {@code N·V} images, depths and opacities in camera order
   */
  public GeneratedImages generateFromW(float[] ws, int scenes, Camera[] cameras) {
    return sample.generateFromW(session, ws, scenes, cameras);
  }

  /**
   * Density and colour of one scene's radiance field at world points, exactly as the renderer
   * evaluates them (triplane sampling, decoder, σ activation; no noise). The triplanes are
   * synthesised once; the points are queried in chunks of {@value #FIELD_CHUNK}, so a 128³ grid
   * fits in memory.
   *
   * @param ws one scene's latents {@code [L,Wd]} or {@code [Wd]}
   * @param points {@code [P,3]} world coordinates, row-major
   */
  public FieldSamples sampleField(float[] ws, float[] points) {
    return query(ws, points, true);
  }

  /** σ of one scene at {@code points [P,3]}: {@link #sampleField} without the colours. */
  public float[] density(float[] ws, float[] points) {
    return query(ws, points, false).sigma();
  }

  private FieldSamples query(float[] ws, float[] pts, boolean withRgb) {
    checkArgument(pts.length % 3 == 0, "field points: expected [P,3] floats, found %s",
        pts.length);
    int p = pts.length / 3;
    float[] sigma = new float[p];
    float[] rgb = withRgb ? new float[p * 3] : null;
    try (TFloat32 pl = sample.planes(session, ws, 1)) {
      float[] chunk = new float[3 * FIELD_CHUNK];
      float[] sig = new float[FIELD_CHUNK];
      float[] col = new float[3 * FIELD_CHUNK];
      for (int start = 0; start < p; start += FIELD_CHUNK) {
        int m = Math.min(FIELD_CHUNK, p - start);
        System.arraycopy(pts, 3 * start, chunk, 0, 3 * m);
        Arrays.fill(chunk, 3 * m, chunk.length, 0f); // padding, discarded
        try (TFloat32 pt = TFloat32.tensorOf(Shape.of(1, FIELD_CHUNK, 3),
                DataBuffers.of(chunk, true, false));
            Result r = fetchField(pl, pt, withRgb)) {
          ((TFloat32) r.get(0)).copyTo(DataBuffers.of(sig, false, false));
          System.arraycopy(sig, 0, sigma, start, m);
          if (withRgb) {
            ((TFloat32) r.get(1)).copyTo(DataBuffers.of(col, false, false));
            System.arraycopy(col, 0, rgb, 3 * start, 3 * m);
          }
        }
      }
    }
    return new FieldSamples(sigma, rgb, p);
  }

  private Result fetchField(TFloat32 pl, TFloat32 pt, boolean withRgb) {
    Session.Runner run = session.runner().feed(planes, pl).feed(points, pt).fetch(fieldSigma);
    return withRgb ? run.fetch(fieldRgb).run() : run.run();
  }

  public Path runDir() {
    return runDir;
  }

  /** The run's resolved config. */
  @Override
  public Experiment config() {
    return config;
  }

  public Checkpoint checkpoint() {
    return checkpoint;
  }

  /** L, the number of latents per scene (one per synthesis layer). */
  public int numWs() {
    return sample.numWs();
  }

  /** Wd, the latent width. */
  public int wDim() {
    return sample.wDim();
  }

  /** The triplanes' box edge: the object lives in {@code [−box/2, box/2]³}. */
  public float boxSize() {
    return config.getModel().getTriplane().getBoxSize();
  }

  @Override
  public int imageResolution() {
    return sample.generator().imageResolution();
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
