package org.wild3d.data;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.wild3d.DataException;
import org.wild3d.image.Images;
import org.wild3d.image.RgbImage;

/**
 * A StyleGAN2-ADA/EG3D dataset: a folder or ZIP of square RGB PNGs of one resolution plus
 * {@code dataset.json} with {@code labels: [[relative_path, class_index], ...]}.
 *
 * <p>Also read: labels that are EG3D 25-float camera vectors (every image gets class 0; the vector
 * is kept for evaluation, see {@link #cameraLabel(int)}), {@code labels: null} or no
 * {@code dataset.json} (every PNG, class 0). Our optional extras live under the {@code "wild3d"}
 * key (class names, true cameras, object parameters) which other tools ignore.
 *
 * <p>{@link #open} validates every entry up front from the PNG headers (missing files, non-PNG,
 * non-square, mixed resolutions, labels out of range, duplicates) and fails with one line per
 * problem naming the file. Pixels are decoded only on demand; {@link #check} decodes every image.
 * Instances are immutable and safe for concurrent reads.
 */
public final class Dataset implements AutoCloseable {
  /** Problems listed in one exception before the rest are only counted. */
  static final int MAX_LISTED_PROBLEMS = 200;

  private final Storage storage;
  private final String[] paths;
  private final int[] classes;
  private final float[][] cameraLabels;
  private final int resolution;
  private final List<String> classNames;
  private final JsonObject extras;
  private final Map<String, TrueView> views;
  private final Map<Integer, JsonObject> objects;
  private final boolean ownsStorage;

  private Dataset(
      Storage storage,
      String[] paths,
      int[] classes,
      float[][] cameraLabels,
      int resolution,
      List<String> classNames,
      JsonObject extras,
      Map<String, TrueView> views,
      Map<Integer, JsonObject> objects,
      boolean ownsStorage) {
    this.storage = storage;
    this.paths = paths;
    this.classes = classes;
    this.cameraLabels = cameraLabels;
    this.resolution = resolution;
    this.classNames = classNames;
    this.extras = extras;
    this.views = views;
    this.objects = objects;
    this.ownsStorage = ownsStorage;
  }

  /**
   * Opens and validates a dataset folder or ZIP.
   *
   * @throws DataException listing every problem found, one per line with the file name
   */
  public static Dataset open(Path location) {
    Storage storage = Storage.open(location);
    try {
      return load(storage);
    } catch (RuntimeException e) {
      storage.close();
      throw e;
    }
  }

  /**
   * Decodes every image of a dataset that {@link #open} accepts and returns one line per image
   * that does not decode or has the wrong size; empty when all is well.
   *
   * @throws DataException if the dataset does not even open
   */
  public static List<String> check(Path location) {
    try (Dataset ds = open(location)) {
      List<String> problems = Collections.synchronizedList(new ArrayList<>());
      IntStream.range(0, ds.size())
          .parallel()
          .forEach(
              i -> {
                try {
                  RgbImage img = ds.image(i);
                  if (img.width() != ds.resolution || img.height() != ds.resolution) {
                    problems.add(ds.paths[i] + ": decoded size " + img.width() + "x"
                        + img.height() + " differs from the header");
                  }
                } catch (DataException e) {
                  problems.add(e.getMessage());
                }
              });
      Collections.sort(problems);
      return problems;
    }
  }

  private static Dataset load(Storage storage) {
    List<String> problems = new ArrayList<>();
    JsonObject root = null;
    if (storage.exists(DatasetJson.FILE)) {
      try {
        String text = new String(storage.read(DatasetJson.FILE), StandardCharsets.UTF_8);
        JsonElement parsed = JsonParser.parseString(text);
        if (!parsed.isJsonObject()) {
          throw new DataException(storage.describe() + "/" + DatasetJson.FILE
              + ": expected a JSON object with \"labels\", found " + kind(parsed));
        }
        root = parsed.getAsJsonObject();
      } catch (IOException | JsonParseException e) {
        throw new DataException(storage.describe() + "/" + DatasetJson.FILE
            + ": unreadable JSON (" + e.getMessage() + ")", e);
      }
    }
    JsonObject extras =
        root != null && root.has(DatasetJson.EXTRAS) && root.get(DatasetJson.EXTRAS).isJsonObject()
            ? root.getAsJsonObject(DatasetJson.EXTRAS)
            : new JsonObject();
    List<String> classNames = new ArrayList<>();
    if (extras.has(DatasetJson.CLASS_NAMES)) {
      for (JsonElement e : extras.getAsJsonArray(DatasetJson.CLASS_NAMES)) {
        classNames.add(e.getAsString());
      }
    }

    List<String> paths = new ArrayList<>();
    List<Integer> classes = new ArrayList<>();
    List<float[]> cameras = new ArrayList<>();
    JsonElement labels = root == null ? null : root.get(DatasetJson.LABELS);
    if (labels == null || labels.isJsonNull()) {
      try {
        for (String p : storage.list()) {
          if (p.toLowerCase().endsWith(".png")) {
            paths.add(p);
            classes.add(0);
            cameras.add(null);
          }
        }
      } catch (IOException e) {
        throw new DataException(storage.describe() + ": cannot list files (" + e + ")", e);
      }
    } else if (!labels.isJsonArray()) {
      throw new DataException(storage.describe() + "/" + DatasetJson.FILE
          + ": \"labels\" must be a list of [path, label] pairs, found " + kind(labels));
    } else {
      int n = 0;
      for (JsonElement e : labels.getAsJsonArray()) {
        parseLabel(e, n++, classNames.size(), paths, classes, cameras, problems);
      }
    }
    if (paths.isEmpty() && problems.isEmpty()) {
      throw new DataException(storage.describe() + ": dataset has no images (expected PNGs listed "
          + "in dataset.json \"labels\")");
    }
    int maxClass = classes.stream().mapToInt(Integer::intValue).max().orElse(0);
    int numClasses = classNames.isEmpty() ? maxClass + 1 : classNames.size();
    if (classNames.isEmpty()) {
      for (int k = 0; k < numClasses; k++) {
        classNames.add("class" + k);
      }
    }

    Set<String> seen = new HashSet<>();
    for (String p : paths) {
      if (!seen.add(p)) {
        problems.add(p + ": listed more than once in dataset.json labels");
      }
    }

    // PNG headers: existence, format, square, one resolution.
    int[][] sizes = new int[paths.size()][];
    IntStream.range(0, paths.size())
        .parallel()
        .forEach(
            i -> {
              String p = paths.get(i);
              try {
                int[] wh = Images.pngSize(storage.head(p, 24));
                sizes[i] = wh == null ? new int[] {-1, -1} : wh;
              } catch (NoSuchFileException e) {
                sizes[i] = new int[] {-2, -2};
              } catch (IOException e) {
                sizes[i] = new int[] {-3, -3};
              }
            });
    Map<Integer, Integer> resolutionCounts = new TreeMap<>();
    for (int[] wh : sizes) {
      if (wh[0] > 0 && wh[0] == wh[1]) {
        resolutionCounts.merge(wh[0], 1, Integer::sum);
      }
    }
    int resolution =
        resolutionCounts.entrySet().stream()
            .max(Map.Entry.comparingByValue())
            .map(Map.Entry::getKey)
            .orElse(-1);
    int common = resolutionCounts.getOrDefault(resolution, 0);
    for (int i = 0; i < sizes.length; i++) {
      String p = paths.get(i);
      int[] wh = sizes[i];
      if (wh[0] == -2) {
        problems.add(p + ": missing file (listed in dataset.json but not in " + storage.describe()
            + ")");
      } else if (wh[0] == -3) {
        problems.add(p + ": cannot read file");
      } else if (wh[0] == -1) {
        problems.add(p + ": not a PNG file (dataset images must be RGB PNGs; re-import the source)");
      } else if (wh[0] != wh[1]) {
        problems.add(p + ": non-square image: expected width = height, found " + wh[0] + "x"
            + wh[1] + " (centre-crop it, e.g. with 'wild3d-train dataset import')");
      } else if (wh[0] != resolution) {
        problems.add(p + ": mixed resolutions: expected " + resolution + "x" + resolution
            + " like " + common + " other images, found " + wh[0] + "x" + wh[1]);
      }
    }
    for (int i = 0; i < paths.size(); i++) {
      int c = classes.get(i);
      if (c < 0 || c >= numClasses) {
        problems.add(paths.get(i) + ": label out of range: expected class index in [0, "
            + (numClasses - 1) + "] (" + numClasses + " class names), found " + c);
      }
    }
    if (!problems.isEmpty()) {
      throw problemsException(storage.describe(), problems);
    }

    Map<String, TrueView> views = new HashMap<>();
    if (extras.has(DatasetJson.VIEWS)) {
      for (JsonElement e : extras.getAsJsonArray(DatasetJson.VIEWS)) {
        JsonObject v = e.getAsJsonObject();
        JsonArray m = v.getAsJsonArray(DatasetJson.CAM2WORLD);
        double[] c2w = new double[m.size()];
        for (int k = 0; k < c2w.length; k++) {
          c2w[k] = m.get(k).getAsDouble();
        }
        views.put(
            v.get(DatasetJson.PATH).getAsString(),
            new TrueView(v.get(DatasetJson.OBJECT).getAsInt(), c2w,
                v.get(DatasetJson.FOV).getAsDouble()));
      }
    }
    Map<Integer, JsonObject> objects = new HashMap<>();
    if (extras.has(DatasetJson.OBJECTS)) {
      for (JsonElement e : extras.getAsJsonArray(DatasetJson.OBJECTS)) {
        JsonObject o = e.getAsJsonObject();
        objects.put(o.get(DatasetJson.ID).getAsInt(), o);
      }
    }
    int[] classArray = classes.stream().mapToInt(Integer::intValue).toArray();
    return new Dataset(
        storage,
        paths.toArray(new String[0]),
        classArray,
        cameras.toArray(new float[0][]),
        resolution,
        List.copyOf(classNames),
        extras,
        views,
        objects,
        true);
  }

  private static void parseLabel(
      JsonElement e,
      int index,
      int numNames,
      List<String> paths,
      List<Integer> classes,
      List<float[]> cameras,
      List<String> problems) {
    if (!e.isJsonArray() || e.getAsJsonArray().size() != 2
        || !e.getAsJsonArray().get(0).isJsonPrimitive()) {
      problems.add("dataset.json labels[" + index + "]: expected [path, label], found " + e);
      return;
    }
    JsonArray pair = e.getAsJsonArray();
    String path = pair.get(0).getAsString();
    JsonElement label = pair.get(1);
    if (label.isJsonArray()) {
      JsonArray values = label.getAsJsonArray();
      float[] cam = new float[values.size()];
      try {
        for (int k = 0; k < cam.length; k++) {
          cam[k] = values.get(k).getAsFloat();
        }
      } catch (RuntimeException ex) {
        problems.add(path + ": camera label must be numbers, found " + label);
        return;
      }
      paths.add(path);
      classes.add(0);
      cameras.add(cam);
    } else if (label.isJsonNull()) {
      paths.add(path);
      classes.add(0);
      cameras.add(null);
    } else {
      int c;
      try {
        double d = label.getAsDouble();
        c = (int) d;
        if (c != d) {
          throw new NumberFormatException();
        }
      } catch (RuntimeException ex) {
        problems.add(path + ": label must be a class index or a camera vector, found " + label);
        return;
      }
      paths.add(path);
      classes.add(c);
      cameras.add(null);
    }
  }

  static DataException problemsException(String where, List<String> problems) {
    StringBuilder sb = new StringBuilder();
    sb.append("dataset ").append(where).append(": ").append(problems.size())
        .append(problems.size() == 1 ? " problem" : " problems")
        .append(" (fix or remove these files and their labels):");
    int listed = Math.min(problems.size(), MAX_LISTED_PROBLEMS);
    for (int i = 0; i < listed; i++) {
      sb.append("\n  ").append(problems.get(i));
    }
    if (listed < problems.size()) {
      sb.append("\n  ... and ").append(problems.size() - listed).append(" more");
    }
    return new DataException(sb.toString());
  }

  private static String kind(JsonElement e) {
    if (e.isJsonArray()) {
      return "a list";
    }
    if (e.isJsonObject()) {
      return "an object";
    }
    return e.isJsonNull() ? "null" : "the value " + e;
  }

  /** Where the dataset lives (folder or ZIP path). */
  public String location() {
    return storage.describe();
  }

  /** Number of images. */
  public int size() {
    return paths.length;
  }

  /** Side length of every (square) image. */
  public int resolution() {
    return resolution;
  }

  /** K: number of classes (class names if recorded, else the largest label + 1). */
  public int numClasses() {
    return classNames.size();
  }

  /** Readable class names, index = class label; {@code class<k>} when the dataset has none. */
  public List<String> classNames() {
    return classNames;
  }

  /** Class index of image {@code i}. */
  public int classOf(int i) {
    return classes[i];
  }

  /** Relative path of image {@code i} inside the dataset. */
  public String path(int i) {
    return paths[i];
  }

  /** Indices of the images of class {@code k}, ascending. */
  public int[] indicesOfClass(int k) {
    return IntStream.range(0, paths.length).filter(i -> classes[i] == k).toArray();
  }

  /** Number of images per class. */
  public int[] classCounts() {
    int[] counts = new int[numClasses()];
    for (int c : classes) {
      counts[c]++;
    }
    return counts;
  }

  /** The EG3D 25-float camera label of image {@code i}, if the dataset's labels are cameras. */
  public Optional<float[]> cameraLabel(int i) {
    return Optional.ofNullable(cameraLabels[i]).map(float[]::clone);
  }

  /** True camera and object of a synthetic image (evaluation only). */
  public Optional<TrueView> trueView(int i) {
    return Optional.ofNullable(views.get(paths[i]));
  }

  /** Parameters that re-create object {@code id} (see {@code org.wild3d.synth.SyntheticObjects}). */
  public Optional<JsonObject> object(int id) {
    return Optional.ofNullable(objects.get(id)).map(JsonObject::deepCopy);
  }

  /** The whole {@code "wild3d"} extras block (a copy; empty for plain StyleGAN datasets). */
  public JsonObject extras() {
    return extras.deepCopy();
  }

  /** The raw PNG bytes of image {@code i}. */
  public byte[] encoded(int i) {
    try {
      return storage.read(paths[i]);
    } catch (IOException e) {
      throw new DataException(location() + "/" + paths[i] + ": cannot read (" + e + ")", e);
    }
  }

  /** Decodes image {@code i}. @throws DataException naming the file if it does not decode */
  public RgbImage image(int i) {
    RgbImage img = Images.decode(encoded(i), location() + "/" + paths[i]);
    if (img.width() != resolution || img.height() != resolution) {
      throw new DataException(location() + "/" + paths[i] + ": decoded size " + img.width() + "x"
          + img.height() + " differs from the dataset resolution " + resolution);
    }
    return img;
  }

  /**
   * Decodes image {@code i} into {@code dst[offset ...]} as HWC floats {@code x/127.5 - 1}, mirrored
   * left-right when {@code xflip}.
   *
   * <p>Shapes: writes {@code [H, W, 3]} floats.
   */
  public void readInto(int i, boolean xflip, float[] dst, int offset) {
    RgbImage img = image(i);
    byte[] px = img.rgb();
    int r = resolution;
    for (int y = 0; y < r; y++) {
      for (int x = 0; x < r; x++) {
        int src = (y * r + (xflip ? r - 1 - x : x)) * 3;
        int o = offset + (y * r + x) * 3;
        dst[o] = (px[src] & 0xff) / 127.5f - 1f;
        dst[o + 1] = (px[src + 1] & 0xff) / 127.5f - 1f;
        dst[o + 2] = (px[src + 2] & 0xff) / 127.5f - 1f;
      }
    }
  }

  /**
   * A view of at most {@code maxImages} images chosen by a seeded shuffle (kept in dataset order),
   * like StyleGAN's {@code max_size}; this dataset itself if it is not larger. The view shares this
   * dataset's storage: close this one, not the view.
   */
  public Dataset subset(int maxImages, long seed) {
    return subset(maxImages, seed, false);
  }

  /** As {@link #subset(int, long)}; with {@code owning} the view closes the storage instead. */
  Dataset subset(int maxImages, long seed, boolean owning) {
    checkArgument(maxImages >= 0, "max_images: expected >= 0, found %s", maxImages);
    if (maxImages == 0 || maxImages >= paths.length) {
      return this;
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < paths.length; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(seed));
    int[] keep = order.subList(0, maxImages).stream().mapToInt(Integer::intValue).sorted().toArray();
    return new Dataset(
        storage,
        Arrays.stream(keep).mapToObj(i -> paths[i]).toArray(String[]::new),
        Arrays.stream(keep).map(i -> classes[i]).toArray(),
        Arrays.stream(keep).mapToObj(i -> cameraLabels[i]).toArray(float[][]::new),
        resolution,
        classNames,
        extras,
        views,
        objects,
        owning);
  }

  @Override
  public void close() {
    if (ownsStorage) {
      storage.close();
    }
  }

  @Override
  public String toString() {
    return "Dataset[" + location() + ", " + size() + " images, " + resolution + "x" + resolution
        + ", " + numClasses() + " classes]";
  }
}
