package org.wild3d.export;

/** Signature keys, tensor names and file names of an exported generator (a stable contract). */
public final class ExportNames {
  private ExportNames() {}

  /** Signature: z, class_index, cameras, psi → image, depth, opacity. */
  public static final String GENERATE = "generate";
  /** Signature: ws, cameras → image, depth, opacity. */
  public static final String SYNTHESIZE = "synthesize";
  /** Signature: z, class_index, psi → ws, w. */
  public static final String MAP = "map";
  /** Signature: no inputs → json. */
  public static final String METADATA = "metadata";

  /** {@code [N,Z]} float32 latents. */
  public static final String Z = "z";
  /**
   * {@code [N]} int32 class indices in {@code [0, K)}. Not {@code class}: that is a Python keyword
   * and signature inputs become keyword arguments there.
   */
  public static final String CLASS_INDEX = "class_index";
  /** {@code [N,4,4]} float32 OpenCV camera-to-world matrices. */
  public static final String CAM2WORLD = "cam2world";
  /** {@code [N,3,3]} float32 intrinsics normalised by the image size. */
  public static final String INTRINSICS = "intrinsics";
  /** {@code []} float32 truncation ψ (1 = none); a placeholder with the export's default. */
  public static final String PSI = "psi";
  /** {@code [N,L,Wd]} float32 per-layer latents (truncated). */
  public static final String WS = "ws";
  /** {@code [N,Wd]} float32 mapping output before truncation. */
  public static final String W = "w";
  /** {@code [N,H,W,3]} float32 image in [−1,1]. */
  public static final String IMAGE = "image";
  /** {@code [N,r,r,1]} float32 expected ray depth (world units along the ray). */
  public static final String DEPTH = "depth";
  /** {@code [N,r,r,1]} float32 accumulated opacity in [0,1]. */
  public static final String OPACITY = "opacity";
  /** {@code []} string, the metadata JSON. */
  public static final String JSON = "json";

  /** The SavedModel tag set of the export. */
  public static final String TAG = "serve";
  /** The metadata file in the SavedModel directory (and in {@code assets.extra/}). */
  public static final String METADATA_FILE = "wild3d.json";
  /** Folder of files that TensorFlow's loaders ignore (TF Serving's convention). */
  public static final String ASSETS_EXTRA = "assets.extra";
}
