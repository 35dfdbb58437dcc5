package org.wild3d.model;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.HashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.wild3d.camera.Camera;
import org.wild3d.camera.Cameras;
import org.wild3d.mapping.MappingNetwork;
import org.wild3d.nn.Noise;
import org.wild3d.tf.Shapes;

/**
 * The deterministic sampling path of a generator (constant noise, no render jitter) with its
 * inputs, and the one place that builds and feeds it: the training graph's EMA samples and its
 * metrics, the bench, {@link Snapshot}, the SavedModel export and the inversion all go through it.
 *
 * <p>Inputs: {@code z [N,Z]}, {@code classes [N]}, {@code psi} scalar (ψ; 1 = no truncation),
 * {@code ws [N,L,Wd]} (truncated per-layer latents), {@code cam2world [N·V,4,4]}, {@code intrinsics
 * [N·V,3,3]}. Paths: {@link #mapped} ({@code z, classes, ψ → ws, w}), {@link #fromZ} ({@code z,
 * classes, ψ, cameras →} {@link Generator3D.Output}, one view per scene) and {@link #fromW} ({@code
 * ws, V cameras per scene → Output}). The synthesis paths are added to the graph on first use.
 *
 * <p>Not thread-safe: the graph grows when a path is first asked for.
 */
public final class SampleGraph {
  /**
   * Names of the input placeholders.
   *
   * @param psiDefault ψ when {@code psi} is not fed (a {@code PlaceholderWithDefault}); null = it
   *     must be fed
   */
  public record Names(String z, String classes, String cam2world, String intrinsics, String psi,
      String ws, Float psiDefault) {
    /** {@code z, c, cam2world, intrinsics, psi, ws}; ψ always fed. */
    public static final Names DEFAULT = new Names("z", "c", "cam2world", "intrinsics", "psi", "ws",
        null);
  }

  private final Generator3D generator;
  private final Placeholder<TFloat32> z;
  private final Placeholder<TInt32> classes;
  private final Placeholder<TFloat32> cam2world;
  private final Placeholder<TFloat32> intrinsics;
  private final Operand<TFloat32> psi;
  private final Placeholder<TFloat32> ws;
  private final MappingNetwork.Mapped mapped;
  private final int zDim;
  private final int numClasses;
  private final int numWs;
  private final int wDim;
  private Generator3D.Output fromZ;
  private final Map<Integer, Generator3D.Output> fromW = new HashMap<>();

  private SampleGraph(Ops tf, Generator3D g, Names names) {
    this.generator = g;
    this.zDim = g.spec().zDim();
    this.numClasses = Math.max(1, g.spec().numClasses());
    this.numWs = g.spec().numWs();
    this.wDim = g.spec().wDim();
    z = tf.withName(names.z()).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, zDim)));
    classes = tf.withName(names.classes()).placeholder(TInt32.class,
        Placeholder.shape(Shape.of(-1)));
    cam2world = tf.withName(names.cam2world()).placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, 4, 4)));
    intrinsics = tf.withName(names.intrinsics()).placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, 3, 3)));
    psi = names.psiDefault() != null
        ? tf.withName(names.psi()).placeholderWithDefault(tf.constant(names.psiDefault()),
            Shape.scalar())
        : tf.withName(names.psi()).placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    ws = tf.withName(names.ws()).placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, numWs, wDim)));
    mapped = g.map(z, classes, psi);
    Shapes.check("sampled ws [N,L,Wd]", mapped.ws(), -1, numWs, wDim);
  }

  /** The inputs (default names) under {@code tf}'s scope and {@code g}'s mapping. */
  public static SampleGraph build(Ops tf, Generator3D g) {
    return new SampleGraph(tf, g, Names.DEFAULT);
  }

  /** As {@link #build(Ops, Generator3D)} with the inputs named {@code names}. */
  public static SampleGraph build(Ops tf, Generator3D g, Names names) {
    return new SampleGraph(tf, g, names);
  }

  /** {@code z [N,Z]}. */
  public Placeholder<TFloat32> z() {
    return z;
  }

  /** {@code classes [N]} (ignored by unconditional models). */
  public Placeholder<TInt32> classes() {
    return classes;
  }

  /** {@code cam2world [N·V,4,4]}. */
  public Placeholder<TFloat32> cam2world() {
    return cam2world;
  }

  /** {@code intrinsics [N·V,3,3]}. */
  public Placeholder<TFloat32> intrinsics() {
    return intrinsics;
  }

  /** ψ, a scalar. */
  public Operand<TFloat32> psi() {
    return psi;
  }

  /** {@code ws [N,L,Wd]}, the input of {@link #fromW}. */
  public Placeholder<TFloat32> ws() {
    return ws;
  }

  /** The mapping of {@code z, classes} at ψ: truncated {@code ws [N,L,Wd]}, untruncated w. */
  public MappingNetwork.Mapped mapped() {
    return mapped;
  }

  /** The generator whose paths these are. */
  public Generator3D generator() {
    return generator;
  }

  /** {@code z, classes, ψ, N cameras →} images: mapping and synthesis in one graph. */
  public Generator3D.Output fromZ() {
    if (fromZ == null) {
      fromZ = generator.synthesize(mapped.ws(), cam2world, intrinsics, 1, Noise.constant(), null);
    }
    return fromZ;
  }

  /** {@code ws [N,L,Wd]} rendered from {@code views} cameras per scene (scene-major). */
  public Generator3D.Output fromW(int views) {
    return fromW.computeIfAbsent(views, v ->
        generator.synthesize(ws, cam2world, intrinsics, v, Noise.constant(), null));
  }

  /** Z. */
  public int zDim() {
    return zDim;
  }

  /** L, latents per scene. */
  public int numWs() {
    return numWs;
  }

  /** Wd. */
  public int wDim() {
    return wDim;
  }

  // -- feeding ---------------------------------------------------------------------------------

  /**
   * The inputs of {@link #fromZ} for {@code classes.length} scenes as tensors, checked: feed them
   * with {@link Feed#runner}, then close.
   *
   * @param z {@code [N,Z]} row-major latents
   * @param cameras one per scene
   * @param truncationPsi 1 = no truncation
   */
  public Feed feed(float[] z, int[] classes, Camera[] cameras, float truncationPsi) {
    int n = checkScenes(z, classes);
    checkArgument(cameras.length == n, "generate cameras: expected %s (one per scene), found %s",
        n, cameras.length);
    Cameras.Batch cams = Cameras.toTensors(cameras);
    return new Feed(TFloat32.tensorOf(Shape.of(n, zDim), DataBuffers.of(z, true, false)),
        TInt32.vectorOf(classes), TFloat32.scalarOf(truncationPsi), null, cams);
  }

  /**
   * The inputs of {@link #fromW}{@code (V)} as tensors, checked: latents of {@code scenes} scenes
   * and {@code V = cameras.length / scenes} cameras per scene (scene-major).
   *
   * @param latents {@code [N,L,Wd]}, or {@code [N,Wd]} (one w per scene, broadcast to every layer)
   */
  public Feed feedW(float[] latents, int scenes, Camera[] cameras) {
    checkArgument(scenes > 0, "generateFromW scenes: expected > 0, found %s", scenes);
    checkArgument(cameras.length > 0 && cameras.length % scenes == 0,
        "generateFromW cameras: expected a positive multiple of %s (V per scene), found %s",
        scenes, cameras.length);
    TFloat32 wt = wsTensor(latents, scenes);
    try {
      return new Feed(null, null, null, wt, Cameras.toTensors(cameras));
    } catch (RuntimeException e) {
      wt.close();
      throw e;
    }
  }

  /** Tensors of one batch of inputs; see {@link #feed} and {@link #feedW}. */
  public final class Feed implements AutoCloseable {
    private final TFloat32 zt; // null for feedW
    private final TInt32 ct;
    private final TFloat32 pt;
    private final TFloat32 wt; // null for feed
    private final Cameras.Batch cams;

    private Feed(TFloat32 zt, TInt32 ct, TFloat32 pt, TFloat32 wt, Cameras.Batch cams) {
      this.zt = zt;
      this.ct = ct;
      this.pt = pt;
      this.wt = wt;
      this.cams = cams;
    }

    /** A runner of {@code session} with these inputs fed; add the fetches. */
    public Session.Runner runner(Session session) {
      Session.Runner r = session.runner().feed(cam2world, cams.cam2world())
          .feed(intrinsics, cams.intrinsics());
      return zt != null ? r.feed(z, zt).feed(classes, ct).feed(psi, pt) : r.feed(ws, wt);
    }

    @Override
    public void close() {
      for (Tensor t : new Tensor[] {zt, ct, pt, wt}) {
        if (t != null) {
          t.close();
        }
      }
      cams.close();
    }
  }

  /**
   * Renders {@code classes.length} scenes, one camera each, through {@link #fromZ} in {@code
   * session}.
   *
   * @param z {@code [N,Z]} row-major latents
   * @param truncationPsi 1 = no truncation
   */
  public GeneratedImages generate(Session session, float[] z, int[] classes, Camera[] cameras,
      float truncationPsi) {
    Generator3D.Output o = fromZ();
    try (Feed f = feed(z, classes, cameras, truncationPsi);
        Result r = f.runner(session).fetch(o.image()).fetch(o.depth()).fetch(o.opacity())
            .run()) {
      return images(r, classes.length);
    }
  }

  /**
   * Mapped latents, truncated: what {@link #generate} renders.
   *
   * @return {@code ws [N,L,Wd]} row-major
   */
  public float[] map(Session session, float[] z, int[] classes, float truncationPsi) {
    int n = checkScenes(z, classes);
    try (TFloat32 zt = TFloat32.tensorOf(Shape.of(n, zDim), DataBuffers.of(z, true, false));
        TInt32 ct = TInt32.vectorOf(classes);
        TFloat32 pt = TFloat32.scalarOf(truncationPsi);
        Result r = session.runner().feed(this.z, zt).feed(this.classes, ct).feed(psi, pt)
            .fetch(mapped.ws()).run()) {
      return floats((TFloat32) r.get(0));
    }
  }

  /**
   * Untruncated latents {@code w [N,Wd]} of {@code z [N,Z]} (ψ plays no part).
   */
  public float[] mapW(Session session, float[] z, int[] classes) {
    int n = checkScenes(z, classes);
    try (TFloat32 zt = TFloat32.tensorOf(Shape.of(n, zDim), DataBuffers.of(z, true, false));
        TInt32 ct = TInt32.vectorOf(classes);
        Result r = session.runner().feed(this.z, zt).feed(this.classes, ct).fetch(mapped.w())
            .run()) {
      return floats((TFloat32) r.get(0));
    }
  }

  /**
   * Renders latents of {@code scenes} scenes, each from {@code V = cameras.length / scenes}
   * cameras (scene-major: camera {@code n·V + v} sees scene n), through {@link #fromW}.
   *
   * @param latents {@code [N,L,Wd]}, or {@code [N,Wd]} (one w per scene, broadcast to every layer)
   * @return {@code N·V} images, depths and opacities in camera order
   */
  public GeneratedImages generateFromW(Session session, float[] latents, int scenes,
      Camera[] cameras) {
    checkArgument(scenes > 0 && cameras.length > 0 && cameras.length % scenes == 0,
        "generateFromW cameras: expected a positive multiple of %s (V per scene), found %s",
        scenes, cameras.length);
    Generator3D.Output o = fromW(cameras.length / scenes);
    try (Feed f = feedW(latents, scenes, cameras);
        Result r = f.runner(session).fetch(o.image()).fetch(o.depth()).fetch(o.opacity())
            .run()) {
      return images(r, cameras.length);
    }
  }

  /** Triplanes {@code [N,R,R,3F]} of latents {@code [N,L,Wd]} or {@code [N,Wd]} (a copy). */
  public TFloat32 planes(Session session, float[] latents, int scenes) {
    try (TFloat32 wt = wsTensor(latents, scenes);
        Result r = session.runner().feed(ws, wt).fetch(fromW(1).planes()).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      TFloat32 copy = TFloat32.tensorOf(t.shape());
      t.copyTo(copy);
      return copy;
    }
  }

  /** {@code ws [N,L,Wd]} from {@code [N,L,Wd]} or {@code [N,Wd]} values. */
  public TFloat32 wsTensor(float[] latents, int scenes) {
    return TFloat32.tensorOf(Shape.of(scenes, numWs, wDim),
        DataBuffers.of(broadcastWs(latents, scenes), true, false));
  }

  /** {@code [N,L,Wd]} from {@code [N,L,Wd]} or {@code [N,Wd]}. */
  float[] broadcastWs(float[] w, int scenes) {
    int l = numWs;
    int wd = wDim;
    if (w.length == scenes * l * wd) {
      return w;
    }
    checkArgument(w.length == scenes * wd,
        "latents ws: expected N*L*Wd = %s or N*Wd = %s floats (N = %s, L = %s, Wd = %s), found %s",
        scenes * l * wd, scenes * wd, scenes, l, wd, w.length);
    float[] out = new float[scenes * l * wd];
    for (int n = 0; n < scenes; n++) {
      for (int i = 0; i < l; i++) {
        System.arraycopy(w, n * wd, out, (n * l + i) * wd, wd);
      }
    }
    return out;
  }

  private int checkScenes(float[] z, int[] classes) {
    int n = classes.length;
    checkArgument(n > 0, "generate: expected at least one scene, found none");
    checkArgument(z.length == n * zDim, "generate z: expected N*Z = %s floats, found %s",
        n * zDim, z.length);
    for (int c : classes) {
      checkArgument(c >= 0 && c < numClasses,
          "generate classes: expected indices in [0, %s), found %s", numClasses, c);
    }
    return n;
  }

  private GeneratedImages images(Result r, int n) {
    TFloat32 img = (TFloat32) r.get(0);
    TFloat32 depth = (TFloat32) r.get(1);
    return new GeneratedImages(floats(img), floats(depth), floats((TFloat32) r.get(2)), n,
        (int) img.shape().size(1), (int) depth.shape().size(1));
  }

  /** The values of {@code t}, flattened. */
  public static float[] floats(TFloat32 t) {
    float[] v = new float[Math.toIntExact(t.size())];
    t.copyTo(DataBuffers.of(v, false, false));
    return v;
  }
}
