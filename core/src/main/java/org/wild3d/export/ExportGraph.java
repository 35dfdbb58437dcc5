package org.wild3d.export;

import static com.google.common.base.Preconditions.checkState;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;
import org.wild3d.config.Experiment;
import org.wild3d.config.ModelSpec;
import org.wild3d.model.Generator3D;
import org.wild3d.model.SampleGraph;
import org.wild3d.nn.Params;
import org.wild3d.tf.FusedOps;

/**
 * The serving graph of an exported generator: the EMA generator {@code G_ema} (same scope and
 * variable names as in training, so a training checkpoint restores into it) with constant noise and
 * no render jitter, fed by placeholders, and the {@link Signature}s that name them.
 *
 * <p>Signatures ({@link #signatures()}; names in {@link ExportNames}):
 *
 * <ul>
 *   <li>{@code generate}: {@code z [N,Z] f32, class_index [N] i32, cam2world [N,4,4] f32,
 *       intrinsics [N,3,3] f32, psi [] f32} → {@code image [N,H,W,3]} in [−1,1], {@code depth
 *       [N,r,r,1]}, {@code opacity [N,r,r,1]}.
 *   <li>{@code serving_default}: {@code generate} without the {@code psi} input: ψ is the
 *       export's default. ({@code psi} is a {@code PlaceholderWithDefault}; signature callers of
 *       TF Java, Python and TF Serving must feed every input a signature lists, so a default only
 *       takes effect through a signature that leaves it out.)
 *   <li>{@code synthesize}: {@code ws [N,L,Wd] f32, cam2world, intrinsics} → {@code image, depth,
 *       opacity}; {@code ws} are per-layer latents, already truncated (as {@code map} returns).
 *   <li>{@code map}: {@code z, class_index, psi} → {@code ws [N,L,Wd]} (truncated, one row per
 *       synthesis layer), {@code w [N,Wd]} (the mapping output before truncation).
 *   <li>{@code metadata}: no inputs → {@code json [] string}, the export's {@code wild3d.json}.
 * </ul>
 *
 * <p>The camera placeholders are shared by {@code generate} and {@code synthesize}; {@code z},
 * {@code class_index} and {@code psi} by {@code generate} and {@code map}. Cameras: OpenCV
 * cam2world, intrinsics normalised by the image size (docs/CONVENTIONS.md).
 */
public final class ExportGraph {
  /** Name scope of the generator; the same as in training checkpoints. */
  public static final String GENERATOR_SCOPE = "G_ema";

  /** Method name of every signature: TF Serving's Predict API (Python's PREDICT_METHOD_NAME). */
  public static final String PREDICT_METHOD = "tensorflow/serving/predict";

  private final Ops tf;
  private final Generator3D generator;
  private final List<Signature> signatures = new ArrayList<>();
  private final int numWs;
  private final int wDim;

  /**
   * Builds the graph into {@code graph}.
   *
   * @param defaultPsi truncation used when {@code psi} is not fed (1 = none)
   */
  public ExportGraph(Graph graph, Experiment cfg, float defaultPsi) {
    // A SavedModel must load where wild3d's kernel library is absent (Python TF, TF Serving).
    FusedOps.disableFor(graph);
    Ops tf = Ops.create(graph);
    this.tf = tf;
    generator =
        new Generator3D(tf, new Params(cfg.getSeed()), ModelSpec.from(cfg), GENERATOR_SCOPE);
    wDim = generator.spec().wDim();
    numWs = generator.spec().numWs();

    SampleGraph sample = SampleGraph.build(tf.withSubScope("inputs"), generator,
        new SampleGraph.Names(ExportNames.Z, ExportNames.CLASS_INDEX, ExportNames.CAM2WORLD,
            ExportNames.INTRINSICS, ExportNames.PSI, ExportNames.WS, defaultPsi));
    Placeholder<TFloat32> z = sample.z();
    Placeholder<TInt32> classes = sample.classes();
    Placeholder<TFloat32> cam2world = sample.cam2world();
    Placeholder<TFloat32> intrinsics = sample.intrinsics();
    Operand<TFloat32> psi = sample.psi();
    Placeholder<TFloat32> ws = sample.ws();
    Operand<TFloat32> mappedWs = tf.withName("map_ws").identity(sample.mapped().ws()); // [N,L,Wd]
    Generator3D.Output gen = sample.fromZ();
    Generator3D.Output syn = sample.fromW(1);
    var mapped = sample.mapped();

    Signature.Builder generate = Signature.builder(ExportNames.GENERATE).methodName(PREDICT_METHOD);
    Signature.Builder servingDefault = Signature.builder(Signature.DEFAULT_KEY).methodName(PREDICT_METHOD);
    Operand<TFloat32> image = tf.withName("generate_image").identity(gen.image());
    Operand<TFloat32> depth = tf.withName("generate_depth").identity(gen.depth());
    Operand<TFloat32> opacity = tf.withName("generate_opacity").identity(gen.opacity());
    for (Signature.Builder b : List.of(generate, servingDefault)) {
      b.input(ExportNames.Z, z)
          .input(ExportNames.CLASS_INDEX, classes)
          .input(ExportNames.CAM2WORLD, cam2world)
          .input(ExportNames.INTRINSICS, intrinsics);
      if (b == generate) {
        b.input(ExportNames.PSI, psi);
      }
      b.output(ExportNames.IMAGE, image)
          .output(ExportNames.DEPTH, depth)
          .output(ExportNames.OPACITY, opacity);
    }
    Signature synthesize =
        Signature.builder(ExportNames.SYNTHESIZE).methodName(PREDICT_METHOD)
            .input(ExportNames.WS, ws)
            .input(ExportNames.CAM2WORLD, cam2world)
            .input(ExportNames.INTRINSICS, intrinsics)
            .output(ExportNames.IMAGE, tf.withName("synthesize_image").identity(syn.image()))
            .output(ExportNames.DEPTH, tf.withName("synthesize_depth").identity(syn.depth()))
            .output(ExportNames.OPACITY, tf.withName("synthesize_opacity").identity(syn.opacity()))
            .build();
    Signature map =
        Signature.builder(ExportNames.MAP).methodName(PREDICT_METHOD)
            .input(ExportNames.Z, z)
            .input(ExportNames.CLASS_INDEX, classes)
            .input(ExportNames.PSI, psi)
            .output(ExportNames.WS, mappedWs)
            .output(ExportNames.W, tf.withName("map_w").identity(mapped.w()))
            .build();
    signatures.add(generate.build());
    signatures.add(servingDefault.build());
    signatures.add(synthesize);
    signatures.add(map);
  }

  /**
   * Adds the {@code metadata} signature returning {@code json} (a string constant in the graph).
   * Call once, after reading the other signatures to describe them.
   */
  public Signature addMetadata(String json) {
    checkState(signatures.stream().noneMatch(s -> s.key().equals(ExportNames.METADATA)),
        "metadata signature: expected one, found a second call");
    Operand<TString> value = tf.withName("wild3d_metadata").constant(json);
    Signature s = Signature.builder(ExportNames.METADATA).methodName(PREDICT_METHOD)
        .output(ExportNames.JSON, value).build();
    signatures.add(s);
    return s;
  }

  /** The signatures, {@code generate} first (and {@code metadata} last once added). */
  public List<Signature> signatures() {
    return List.copyOf(signatures);
  }

  public Generator3D generator() {
    return generator;
  }

  /** L, the number of per-layer latents {@code synthesize} takes. */
  public int numWs() {
    return numWs;
  }

  /** Wd, the latent width. */
  public int wDim() {
    return wDim;
  }
}
