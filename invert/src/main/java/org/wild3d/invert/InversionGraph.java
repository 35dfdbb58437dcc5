package org.wild3d.invert;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.wild3d.camera.Camera;
import org.wild3d.checkpoint.CheckpointManager.Checkpoint;
import org.wild3d.checkpoint.CheckpointRestore;
import org.wild3d.config.Experiment;
import org.wild3d.config.Invert;
import org.wild3d.config.ModelSpec;
import org.wild3d.model.Generator3D;
import org.wild3d.model.SampleGraph;
import org.wild3d.nn.Noise;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.optim.Adam;
import org.wild3d.tf.Sessions;

/**
 * The graph of one inversion, built once: the run's {@code G_ema} (restored by name from a
 * checkpoint, after the verification and architecture check of {@link CheckpointRestore#restore})
 * with its {@link SampleGraph}, and in scope {@code invert} the pivot — a latent ({@code w
 * [1,1,Wd]} tiled to every layer in W, {@code [1,num_ws,Wd]} in W+) and a {@link SphereCamera}
 * (azimuth, elevation, roll; radius optional) whose cam2world is built in the graph so the loss
 * differentiates through the rays — its image and loss against the target, the losses of batches
 * rendered through the sampling path, and both stages' Adam steps. {@link Inverter} runs the
 * stages on it.
 *
 * <p>The loss of an image {@code x} against the target {@code t} is {@code
 * pixel_weight·mean((x−t)²) + perceptual_weight·d(x,t)} with a {@link PerceptualDistance}.
 * Variables created after the restore are not in the session's saver, so saving writes {@code
 * G_ema} only.
 *
 * <p>Shapes: target {@code [1,H,W,3]} in [−1,1] (H = W = the generator's image resolution).
 */
final class InversionGraph implements AutoCloseable {
  final Experiment config;
  final Invert opts;
  final Checkpoint checkpoint;
  final Graph graph;
  final Session session;
  final SampleGraph sample;
  final int numWs;
  final int wDim;
  /** H = W of the generator's images. */
  final int res;
  final double fov;

  // pivot variables and their setters
  final Param w;
  final Param azimuth;
  final Param elevation;
  final Param roll;
  final Param radius; // null unless the radius is fitted
  private final Map<Param, Placeholder<TFloat32>> setters = new HashMap<>();
  private final Map<Param, Op> assigns = new HashMap<>();
  final Operand<TFloat32> pivotWs; // [1,num_ws,Wd]
  final Operand<TFloat32> pivotCam2world; // [1,4,4]

  final Placeholder<TFloat32> target; // [1,H,W,3]
  final Operand<TFloat32> fitImage; // [1,H,W,3]
  final Operand<TFloat32> fitLoss; // scalar
  final Placeholder<TFloat32> lr;
  final Op stage1Step;
  final Op stage2Step;
  final Op resetOptimizers;
  /** Losses {@code [N]} against the target of the latents and cameras fed to the sample path. */
  final Operand<TFloat32> batchLoss;
  /** PTI's locality targets {@code [N,H,W,3]} (stage 2); null when the regulariser is off. */
  final Placeholder<TFloat32> localTarget;

  private InversionGraph(Experiment config, Checkpoint checkpoint, PerceptualDistance perceptual,
      int intraThreads, boolean optimizeRadius) {
    this.config = config;
    this.opts = config.getInvert();
    this.checkpoint = checkpoint;
    checkArgument(perceptual != null || opts.getPerceptualWeight() == 0,
        "inversion: invert.perceptual_weight is %s but no perceptual network was given",
        opts.getPerceptualWeight());
    graph = new Graph();
    Session s = null;
    try {
      Ops tf = Ops.create(graph);
      ModelSpec spec = ModelSpec.from(config);
      Generator3D gen = new Generator3D(tf, new Params(config.getSeed()), spec, "G_ema");
      Ops iv = tf.withSubScope("invert");
      sample = SampleGraph.build(iv, gen);
      s = Sessions.create(graph, intraThreads);
      restore(s);
      numWs = spec.numWs();
      wDim = spec.wDim();
      res = spec.imageResolution();
      fov = config.getCamera().getFovDegrees();
      Params ip = new Params(0);
      boolean wPlus = opts.getLatentSpace() == Invert.LatentSpace.W_PLUS;
      w = ip.constant(iv, "w", Shape.of(1, wPlus ? numWs : 1, wDim), 0f);
      azimuth = ip.constant(iv, "azimuth", Shape.scalar(), 0f);
      elevation = ip.constant(iv, "elevation", Shape.scalar(), 0f);
      roll = ip.constant(iv, "roll", Shape.scalar(), 0f);
      radius = optimizeRadius
          ? ip.constant(iv, "radius", Shape.scalar(), config.getCamera().getRadius()) : null;
      for (Param p : ip.trainables()) {
        Placeholder<TFloat32> ph = iv.withName(p.name().substring(p.name().lastIndexOf('/') + 1)
            + "_set").placeholder(TFloat32.class, Placeholder.shape(p.shape()));
        setters.put(p, ph);
        assigns.put(p, iv.assign(p.variable(), ph));
      }
      pivotWs = wPlus ? w.value()
          : iv.tile(w.value(), iv.constant(new int[] {1, numWs, 1})); // [1,num_ws,Wd]
      Operand<TFloat32> r = radius != null ? radius.value()
          : iv.constant(config.getCamera().getRadius());
      pivotCam2world = SphereCamera.cam2world(iv, azimuth.value(), elevation.value(),
          roll.value(), r);
      float f = (float) Camera.focal(fov);
      Operand<TFloat32> k1 = iv.constant(Shape.of(1, 3, 3), DataBuffers.of(
          new float[] {f, 0, 0.5f, 0, f, 0.5f, 0, 0, 1}, true, false));
      target = iv.withName("target").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(1, res, res, 3)));
      fitImage = gen.synthesize(pivotWs, pivotCam2world, k1, 1, Noise.constant(), null).image();
      fitLoss = iv.math.mean(loss(iv, perceptual, fitImage, target), iv.constant(0));
      lr = iv.withName("lr").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      Adam.Spec adam = Adam.Spec.defaults();
      Adam adam1 = new Adam(iv, "adam_pivot", ip.trainables(), adam);
      stage1Step = adam1.minimize(fitLoss, lr);

      Operand<TFloat32> batchImage = sample.fromW(1).image(); // [N,H,W,3]
      batchLoss = loss(iv, perceptual, batchImage, target);

      Operand<TFloat32> loss2 = fitLoss;
      if (opts.getLocalityWeight() > 0) {
        // PTI's locality term: the sample path at latents near the pivot against their images
        // before tuning.
        localTarget = iv.withName("local_target").placeholder(TFloat32.class,
            Placeholder.shape(Shape.of(-1, res, res, 3)));
        Operand<TFloat32> local = iv.math.mean(
            iv.math.square(iv.math.sub(batchImage, localTarget)),
            iv.constant(new int[] {0, 1, 2, 3}));
        loss2 = iv.math.add(loss2, iv.math.mul(local, iv.constant(opts.getLocalityWeight())));
      } else {
        localTarget = null;
      }
      Adam adam2 = new Adam(iv, "adam_tune", gen.trainables(), adam);
      stage2Step = adam2.minimize(loss2, lr);
      List<Op> resets = new ArrayList<>();
      for (Adam a : List.of(adam1, adam2)) {
        List<Variable<TFloat32>> slots = a.slots();
        for (int i = 0; i < slots.size() - 2; i++) {
          resets.add(iv.assign(slots.get(i), iv.zerosLike(slots.get(i))));
        }
        resets.add(iv.assign(slots.get(slots.size() - 2), iv.constant(adam.beta1())));
        resets.add(iv.assign(slots.get(slots.size() - 1), iv.constant(adam.beta2())));
      }
      resetOptimizers = iv.withControlDependencies(resets).withName("reset").noOp();
      session = s;
    } catch (RuntimeException e) {
      if (s != null) {
        s.close();
      }
      graph.close();
      throw e;
    }
  }

  /**
   * Builds the graph for {@code config}'s architecture and restores {@code G_ema} from {@code
   * checkpoint}; with {@code optimizeRadius} the camera's distance is a variable too.
   */
  static InversionGraph build(Experiment config, Checkpoint checkpoint,
      PerceptualDistance perceptual, int intraThreads, boolean optimizeRadius) {
    return new InversionGraph(config, checkpoint, perceptual, intraThreads, optimizeRadius);
  }

  /** Restores {@code G_ema} from the checkpoint (again). */
  void restore() {
    restore(session);
  }

  private void restore(Session s) {
    CheckpointRestore.restore(s, checkpoint, config, "the generator G_ema");
  }

  /** Per-image loss. Shapes: {@code x [N,H,W,3]}, {@code t [1,H,W,3]} → {@code [N]}. */
  private Operand<TFloat32> loss(Ops tf, PerceptualDistance perceptual, Operand<TFloat32> x,
      Operand<TFloat32> t) {
    Operand<TFloat32> pix = tf.math.mean(tf.math.square(tf.math.sub(x, t)),
        tf.constant(new int[] {1, 2, 3})); // [N]
    Operand<TFloat32> l = tf.math.mul(pix, tf.constant(opts.getPixelWeight()));
    if (opts.getPerceptualWeight() > 0) {
      l = tf.math.add(l, tf.math.mul(perceptual.distance(tf, x, t),
          tf.constant(opts.getPerceptualWeight())));
    }
    return l;
  }

  /** Sets a pivot variable to {@code v}. */
  void assign(Param p, float[] v) {
    try (TFloat32 t = TFloat32.tensorOf(p.shape(), DataBuffers.of(v, true, false))) {
      session.runner().feed(setters.get(p), t).addTarget(assigns.get(p)).run();
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
