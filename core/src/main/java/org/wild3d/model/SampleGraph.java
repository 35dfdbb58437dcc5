package org.wild3d.model;

import static com.google.common.base.Preconditions.checkArgument;

import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.wild3d.camera.Camera;
import org.wild3d.camera.Cameras;
import org.wild3d.nn.Noise;

/**
 * The deterministic sampling path of a generator (constant noise, no render jitter) with its
 * inputs, and the one place that feeds it: used by the training graph's EMA samples and by
 * everything that measures a generator while it trains.
 *
 * <p>Shapes: {@code z [N,Z]}, {@code classes [N]}, {@code cam2world [N,4,4]}, {@code intrinsics
 * [N,3,3]}, {@code psi} scalar → {@link Generator3D.Output} with one view per scene.
 */
public record SampleGraph(
    Placeholder<TFloat32> z,
    Placeholder<TInt32> classes,
    Placeholder<TFloat32> cam2world,
    Placeholder<TFloat32> intrinsics,
    Placeholder<TFloat32> psi,
    Generator3D.Output out,
    int zDim,
    int numClasses) {

  /** Builds the placeholders under {@code tf}'s scope and {@code g}'s sampling path. */
  public static SampleGraph build(Ops tf, Generator3D g) {
    int zDim = g.spec().zDim();
    var z = tf.withName("z").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, zDim)));
    var c = tf.withName("c").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    var c2w = tf.withName("cam2world").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, 4, 4)));
    var k = tf.withName("intrinsics").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, 3, 3)));
    var psi = tf.withName("psi").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    var mapped = g.map(z, c, psi);
    var out = g.synthesize(mapped.ws(), c2w, k, 1, Noise.constant(), null);
    return new SampleGraph(z, c, c2w, k, psi, out, zDim, Math.max(1, g.spec().numClasses()));
  }

  /**
   * Renders {@code classes.length} scenes, one camera each, in {@code session}.
   *
   * @param z {@code [N,Z]} row-major latents
   * @param truncationPsi 1 = no truncation
   */
  public Snapshot.Generated generate(Session session, float[] z, int[] classes, Camera[] cameras,
      float truncationPsi) {
    int n = classes.length;
    checkArgument(n > 0, "generate: expected at least one scene, found none");
    checkArgument(z.length == n * zDim, "generate z: expected N*Z = %s floats, found %s",
        n * zDim, z.length);
    checkArgument(cameras.length == n, "generate cameras: expected %s (one per scene), found %s",
        n, cameras.length);
    for (int c : classes) {
      checkArgument(c >= 0 && c < numClasses,
          "generate classes: expected indices in [0, %s), found %s", numClasses, c);
    }
    try (TFloat32 zt = TFloat32.tensorOf(Shape.of(n, zDim), DataBuffers.of(z, true, false));
        TInt32 ct = TInt32.vectorOf(classes);
        TFloat32 pt = TFloat32.scalarOf(truncationPsi);
        Cameras.Batch cams = Cameras.toTensors(cameras);
        Result r = session.runner().feed(this.z, zt).feed(this.classes, ct).feed(psi, pt)
            .feed(cam2world, cams.cam2world()).feed(intrinsics, cams.intrinsics())
            .fetch(out.image()).fetch(out.depth()).fetch(out.opacity()).run()) {
      TFloat32 img = (TFloat32) r.get(0);
      TFloat32 depth = (TFloat32) r.get(1);
      return new Snapshot.Generated(floats(img), floats(depth), floats((TFloat32) r.get(2)), n,
          (int) img.shape().size(1), (int) depth.shape().size(1));
    }
  }

  private static float[] floats(TFloat32 t) {
    float[] v = new float[Math.toIntExact(t.size())];
    t.copyTo(DataBuffers.of(v, false, false));
    return v;
  }
}
