package org.wild3d.export;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.wild3d.DataException;
import org.wild3d.camera.Camera;
import org.wild3d.config.CameraPrior;
import org.wild3d.config.Experiment;

/**
 * What an exported generator is and how to call it, written as {@code wild3d.json} next to
 * {@code saved_model.pb} (snake_case JSON) and returned by the {@code metadata} signature.
 *
 * @param format always {@link #FORMAT}
 * @param formatVersion {@link #FORMAT_VERSION}; bumped when a signature or field changes meaning
 * @param toolkitVersion wild3d version that exported the model
 * @param tensorflowVersion native TensorFlow version of the exporter
 * @param source the checkpoint the weights come from
 * @param model sizes a caller needs to build inputs
 * @param camera the camera convention of {@code cam2world}/{@code intrinsics} and the training prior
 * @param generation how the graph generates (truncation default, noise, jitter, value ranges)
 * @param signatures inputs and outputs of every signature: dtype and shape (−1 = any size)
 */
public record ExportMetadata(
    String format,
    int formatVersion,
    String toolkitVersion,
    String tensorflowVersion,
    Source source,
    ModelInfo model,
    CameraInfo camera,
    Generation generation,
    Map<String, SignatureInfo> signatures) {

  public static final String FORMAT = "wild3d-generator-savedmodel";
  public static final int FORMAT_VERSION = 1;

  private static final Gson GSON =
      new GsonBuilder()
          .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
          .setPrettyPrinting()
          .disableHtmlEscaping()
          .create();

  /**
   * The checkpoint behind the export.
   *
   * @param run absolute run directory
   * @param checkpoint absolute checkpoint directory
   * @param step generator steps of the checkpoint
   * @param kimg thousands of real images shown
   * @param seed experiment seed
   * @param configHash hash of the run's resolved config (the one the graph was built from)
   * @param checkpointConfigHash config hash recorded in the checkpoint's manifest
   * @param architectureHash architecture hash (model and render parts of the config)
   * @param checkpointCodeVersion wild3d version that wrote the checkpoint
   * @param checkpointVerification how the checkpoint checked out when it was exported:
   *     "verified" (sizes and CRC32C of its files) or "not verified: written before checksums"
   */
  public record Source(
      String run,
      String checkpoint,
      long step,
      double kimg,
      long seed,
      String configHash,
      String checkpointConfigHash,
      String architectureHash,
      String checkpointCodeVersion,
      String checkpointVerification) {}

  /**
   * Sizes of the model.
   *
   * @param numClasses K; {@code class_index} must lie in [0, K) (K = 1: unconditional, pass 0)
   * @param zDim Z
   * @param wDim Wd
   * @param numWs L, the per-layer latents of {@code synthesize}
   * @param imageResolution H = W of {@code image}
   * @param renderResolution r, of {@code depth} and {@code opacity}
   * @param superResolution whether {@code image} is super-resolved from the r² rendering
   * @param triplaneResolution R
   * @param triplaneChannels F
   * @param boxSize side of the world cube the triplanes cover, centred at the origin
   */
  public record ModelInfo(
      int numClasses,
      int zDim,
      int wDim,
      int numWs,
      int imageResolution,
      int renderResolution,
      boolean superResolution,
      int triplaneResolution,
      int triplaneChannels,
      float boxSize) {}

  /**
   * Camera convention (docs/CONVENTIONS.md) and the training prior.
   *
   * @param convention the cam2world convention
   * @param intrinsics how the 3×3 intrinsics are normalised
   * @param worldUp the world's up axis
   * @param radius camera distance of the training prior
   * @param fovDegrees field of view of the training prior
   * @param focalNormalised {@code fx = fy} of the training prior's intrinsics
   * @param azimuthDeg azimuth range of the prior, degrees about {@code +y} from {@code +z}
   * @param polarDeg polar range of the prior, degrees from {@code +y}, area-uniform
   * @param rayStart near bound of rendering along each ray
   * @param rayEnd far bound of rendering along each ray
   */
  public record CameraInfo(
      String convention,
      String intrinsics,
      String worldUp,
      float radius,
      float fovDegrees,
      double focalNormalised,
      float[] azimuthDeg,
      float[] polarDeg,
      float rayStart,
      float rayEnd) {}

  /**
   * How the graph generates.
   *
   * @param defaultTruncationPsi ψ used when {@code psi} is not fed
   * @param noise per-pixel noise of the synthesis network ({@code constant}: a fixed image per
   *     layer, so the same inputs give the same outputs)
   * @param renderJitter whether ray samples are jittered (never in an export)
   * @param imageRange value range of {@code image}
   * @param depth what {@code depth} measures
   */
  public record Generation(
      float defaultTruncationPsi,
      String noise,
      boolean renderJitter,
      float[] imageRange,
      String depth) {}

  /** A signature's inputs and outputs by name, in signature order. */
  public record SignatureInfo(Map<String, TensorInfo> inputs, Map<String, TensorInfo> outputs) {}

  /**
   * One tensor of a signature.
   *
   * @param dtype TensorFlow dtype name, e.g. {@code DT_FLOAT}
   * @param shape dimensions, −1 where any size is accepted; empty for a scalar
   */
  public record TensorInfo(String dtype, long[] shape) {}

  /** Metadata of an export of {@code cfg}'s generator; {@code signatures} describe the graph. */
  public static ExportMetadata of(
      Experiment cfg,
      Source source,
      ModelInfo model,
      float defaultPsi,
      List<Signature> signatures,
      String toolkitVersion,
      String tensorflowVersion) {
    CameraPrior p = cfg.getCamera();
    CameraInfo camera =
        new CameraInfo(
            "opencv cam2world: columns are the camera's right (+x, image right), down (+y, image"
                + " down) and forward (+z, viewing direction) axes and its position, in world"
                + " coordinates; p_world = R p_cam + t",
            "normalised by the image size: fx = fy = 0.5 / tan(fov / 2), cx = cy = 0.5; pixel"
                + " (row i, column j) has normalised centre ((j + 0.5) / W, (i + 0.5) / H)",
            "+y",
            p.getRadius(),
            p.getFovDegrees(),
            Camera.focal(p.getFovDegrees()),
            new float[] {p.getAzimuthMinDeg(), p.getAzimuthMaxDeg()},
            new float[] {p.getPolarMinDeg(), p.getPolarMaxDeg()},
            cfg.getRender().getRayStart(),
            cfg.getRender().getRayEnd());
    Generation gen =
        new Generation(
            defaultPsi,
            "constant",
            false,
            new float[] {-1f, 1f},
            "distance along the unit ray from the camera centre (world units) of the r x r"
                + " neural rendering: sum(w t) / opacity, ray_end where opacity is 0, clamped to"
                + " [ray_start, ray_end]");
    Map<String, SignatureInfo> sigs = new LinkedHashMap<>();
    for (Signature s : signatures) {
      sigs.put(s.key(), new SignatureInfo(tensors(s.getInputs()), tensors(s.getOutputs())));
    }
    // The metadata signature itself returns this JSON, so it is described here rather than read.
    sigs.put(ExportNames.METADATA, new SignatureInfo(Map.of(),
        Map.of(ExportNames.JSON, new TensorInfo("DT_STRING", new long[0]))));
    return new ExportMetadata(
        FORMAT, FORMAT_VERSION, toolkitVersion, tensorflowVersion, source, model, camera, gen, sigs);
  }

  private static Map<String, TensorInfo> tensors(Map<String, Signature.TensorDescription> m) {
    Map<String, TensorInfo> out = new LinkedHashMap<>();
    for (var e : m.entrySet()) {
      out.put(e.getKey(), new TensorInfo(e.getValue().dataType.name(), dims(e.getValue().shape)));
    }
    return out;
  }

  private static long[] dims(Shape s) {
    List<Long> d = new ArrayList<>();
    for (int i = 0; i < s.numDimensions(); i++) {
      d.add(s.get(i));
    }
    return d.stream().mapToLong(Long::longValue).toArray();
  }

  public String toJson() {
    return GSON.toJson(this);
  }

  /** Parses {@code wild3d.json}; {@code source} names the file in errors. */
  public static ExportMetadata fromJson(String json, String source) {
    try {
      ExportMetadata m = GSON.fromJson(json, ExportMetadata.class);
      if (m == null || !FORMAT.equals(m.format())) {
        throw new DataException("export metadata: expected format " + FORMAT + ", found "
            + (m == null ? "an empty file" : m.format()) + " (" + source
            + "; export the model again with wild3d-eval export)");
      }
      return m;
    } catch (JsonParseException e) {
      throw new DataException("export metadata: expected JSON, found unreadable content ("
          + source + "; " + e.getMessage() + ")", e);
    }
  }
}
