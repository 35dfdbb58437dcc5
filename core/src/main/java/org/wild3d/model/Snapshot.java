package org.wild3d.model;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.wild3d.DataException;
import org.wild3d.camera.Camera;
import org.wild3d.camera.Cameras;
import org.wild3d.checkpoint.CheckpointManager;
import org.wild3d.checkpoint.CheckpointManager.Checkpoint;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import org.wild3d.nn.Noise;
import org.wild3d.nn.Params;
import org.wild3d.tf.Sessions;

/**
 * A trained generator ready to render: the EMA generator ({@code G_ema}) of one checkpoint of a run
 * directory, in a graph of its own (constant noise, no render jitter, so the same inputs always give
 * the same images).
 *
 * <p>The graph holds only {@code G_ema}'s variables; restoring a training checkpoint (which holds
 * every variable of the training graph) reads just those by name.
 *
 * <p>Shapes: {@code z [N,Z]}, {@code classes [N]}, {@code N} cameras (one view per scene) →
 * {@code image [N,H,W,3]} in [−1,1], {@code depth, opacity [N,r,r,1]}.
 */
public final class Snapshot implements ImageGenerator, AutoCloseable {
  /** Folder of checkpoints inside a run directory. */
  public static final String CHECKPOINTS = "checkpoints";

  /**
   * Generated images, flattened NHWC.
   *
   * @param images {@code [N,H,W,3]} in [−1,1]
   * @param size N
   * @param depth {@code [N,r,r,1]} expected depth of the neural rendering
   * @param opacity {@code [N,r,r,1]} accumulated opacity of the neural rendering
   * @param resolution H = W
   * @param renderResolution r
   */
  public record Generated(
      float[] images, float[] depth, float[] opacity, int size, int resolution,
      int renderResolution) {}

  private final Path runDir;
  private final Experiment config;
  private final Checkpoint checkpoint;
  private final Graph graph;
  private final Session session;
  private final Generator3D generator;
  private final Placeholder<TFloat32> z;
  private final Placeholder<TInt32> classes;
  private final Placeholder<TFloat32> cam2world;
  private final Placeholder<TFloat32> intrinsics;
  private final Placeholder<TFloat32> psi;
  private final Generator3D.Output out;

  private Snapshot(Path runDir, Experiment config, Checkpoint checkpoint, int intraThreads) {
    this.runDir = runDir;
    this.config = config;
    this.checkpoint = checkpoint;
    graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      Ops in = tf.withSubScope("snapshot");
      int zDim = config.getModel().getMapping().getZDim();
      z = in.withName("z").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, zDim)));
      classes = in.withName("c").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      cam2world = in.withName("cam2world").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, 4, 4)));
      intrinsics = in.withName("intrinsics").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, 3, 3)));
      psi = in.withName("psi").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      generator = new Generator3D(tf, new Params(config.getSeed()), config, "G_ema");
      var mapped = generator.map(z, classes, psi);
      out = generator.synthesize(mapped.ws(), cam2world, intrinsics, 1, Noise.constant(), null);
      session = Sessions.create(graph, intraThreads);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
    try {
      CheckpointManager.restore(session, checkpoint, Configs.architectureHash(config));
    } catch (TensorFlowException e) {
      close();
      throw new DataException("checkpoint " + checkpoint.dir() + ": cannot restore the generator"
          + " G_ema (" + firstLine(e.getMessage()) + "; the checkpoint does not hold this"
          + " config's G_ema variables: pass a checkpoint written by wild3d-train for this run)", e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no message";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /**
   * Opens a run directory (newest complete checkpoint) or a checkpoint directory inside one
   * ({@code RUN/checkpoints/step-NNNNNNNNN}).
   *
   * @param intraThreads TF intra-op threads; 0 = all cores
   * @throws DataException (exit 4) naming the path when there is no run, no checkpoint, or the
   *     checkpoint was written for another architecture
   */
  public static Snapshot open(Path runOrCheckpoint, int intraThreads) {
    if (Files.isRegularFile(runOrCheckpoint.resolve("manifest.json"))) {
      Path ckpts = runOrCheckpoint.toAbsolutePath().normalize().getParent();
      Path run = ckpts == null ? null : ckpts.getParent();
      checkArgument(run != null, "checkpoint %s: expected RUN/%s/step-NNNNNNNNN", runOrCheckpoint,
          CHECKPOINTS);
      return open(run, runOrCheckpoint, intraThreads);
    }
    return open(runOrCheckpoint, null, intraThreads);
  }

  /**
   * Opens {@code checkpointDir} (null = the newest complete checkpoint) of {@code runDir} with the
   * run's resolved config.
   */
  public static Snapshot open(Path runDir, Path checkpointDir, int intraThreads) {
    if (!Files.isDirectory(runDir)) {
      throw new DataException("run directory: expected a directory written by wild3d-train, found"
          + " nothing at " + runDir + " (pass --run runs/NNNNN-name)");
    }
    Experiment cfg = Configs.readResolved(runDir);
    return new Snapshot(runDir, cfg, findCheckpoint(runDir, checkpointDir), intraThreads);
  }

  /** The checkpoint {@code checkpointDir} of {@code runDir}, or its newest when null. */
  public static Checkpoint findCheckpoint(Path runDir, Path checkpointDir) {
    Path root = runDir.resolve(CHECKPOINTS);
    CheckpointManager mgr = new CheckpointManager(root, Integer.MAX_VALUE);
    if (checkpointDir == null) {
      return mgr.latest().orElseThrow(() -> new DataException("run directory " + runDir
          + ": expected at least one complete checkpoint, found none in " + root
          + " (train longer than one snapshot tick, or pass --checkpoint DIR)"));
    }
    Path want = checkpointDir.toAbsolutePath().normalize();
    for (Checkpoint c : mgr.list()) {
      if (c.dir().toAbsolutePath().normalize().equals(want)) {
        return c;
      }
    }
    throw new DataException("checkpoint: expected a complete checkpoint (variables.index and"
        + " manifest.json) in " + root + ", found none at " + checkpointDir
        + " (list the run's checkpoints with 'ls " + root + "')");
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
  public Generated generate(float[] z, int[] classes, Camera[] cameras, float truncationPsi) {
    int n = classes.length;
    int zDim = zDim();
    checkArgument(n > 0, "generate: expected at least one scene, found none");
    checkArgument(z.length == n * zDim, "generate z: expected N*Z = %s floats, found %s",
        n * zDim, z.length);
    checkArgument(cameras.length == n, "generate cameras: expected %s (one per scene), found %s",
        n, cameras.length);
    int k = Math.max(1, config.getModel().getNumClasses());
    for (int c : classes) {
      checkArgument(c >= 0 && c < k, "generate classes: expected indices in [0, %s), found %s", k,
          c);
    }
    try (TFloat32 zt = TFloat32.tensorOf(Shape.of(n, zDim), DataBuffers.of(z, true, false));
        TInt32 ct = TInt32.vectorOf(classes);
        TFloat32 pt = TFloat32.scalarOf(truncationPsi);
        Cameras.Batch cams = Cameras.toTensors(cameras);
        Result r = session.runner().feed(this.z, zt).feed(this.classes, ct).feed(psi, pt)
            .feed(cam2world, cams.cam2world()).feed(intrinsics, cams.intrinsics())
            .fetch(out.image()).fetch(out.depth()).fetch(out.opacity()).run()) {
      TFloat32 img = (TFloat32) r.get(0);
      return new Generated(floats(img), floats((TFloat32) r.get(1)), floats((TFloat32) r.get(2)),
          n, (int) img.shape().size(1), renderResolution());
    }
  }

  private static float[] floats(TFloat32 t) {
    float[] v = new float[Math.toIntExact(t.size())];
    t.copyTo(DataBuffers.of(v, false, false));
    return v;
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

  @Override
  public int imageResolution() {
    return generator.imageResolution();
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
