package org.wild3d.data;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.wild3d.DataException;
import org.wild3d.PathRule;
import org.wild3d.TextFiles;
import org.wild3d.image.Images;
import org.wild3d.image.RgbImage;

/**
 * A StyleGAN2-ADA/EG3D dataset: a folder or ZIP of square PNGs of one resolution plus
 * {@code dataset.json} with {@code labels: [[relative_path, class_index], ...]}.
 *
 * <p>Also read: labels that are EG3D 25-float camera vectors (every image gets class 0; the vector
 * is kept for evaluation, see {@link #cameraLabel(int)}), {@code labels: null} or no
 * {@code dataset.json} (every PNG, class 0). Our optional extras live under the {@code "wild3d"}
 * key (class names, true cameras, object parameters) which other tools ignore.
 *
 * <p>Paths: every path the dataset names (labels, {@code wild3d.views[].path}, the files of a
 * dataset without labels, ZIP entries) must stay inside the dataset ({@link PathRule}): relative,
 * '/'-separated, no '.' or '..' segment, no absolute or Windows path, no symbolic link whose
 * target is outside the folder. A dataset that breaks the rule is refused before any file is
 * opened.
 *
 * <p>Classes: with {@code wild3d.class_names} the dataset has as many classes as names and every
 * label must be one of them; a class may then have no images ({@link #classCounts} says 0).
 * Without names, class indices must be dense: K = largest label + 1 and every class 0..K-1 has
 * images, so that one stray label (99 in a 2-class set) cannot make a 100-class dataset.
 *
 * <p>Colour: 8-bit RGB is the format; grayscale, grayscale+alpha, palette, RGBA and 16-bit PNGs
 * (StyleGAN2-ADA's dataset tool writes grayscale ones) are accepted and converted to 8-bit RGB on
 * read by {@link Images#decode}: grey is replicated to the three channels, 16-bit samples are
 * scaled to 8 bits (rounded), alpha is composited over black (the synthetic datasets' background).
 * {@link #colourSummary} says which kinds a dataset holds.
 *
 * <p>{@link #open} validates every entry up front from the PNG headers (missing files, non-PNG,
 * non-square, mixed resolutions, labels out of range, duplicates) and fails with one line per
 * problem naming the file. Pixels are decoded only on demand; {@link #check} decodes every image.
 * Instances are immutable and safe for concurrent reads.
 */
public final class Dataset implements AutoCloseable {
  /** Problems listed in one exception before the rest are only counted. */
  static final int MAX_LISTED_PROBLEMS = 200;
  /** Images named one by one for a class-index gap before the rest are only counted. */
  static final int MAX_LISTED_LABELS = 10;

  private final Storage storage;
  private final String[] paths;
  private final int[] classes;
  private final float[][] cameraLabels;
  /** Per image: PNG colour type << 5 | bit depth (from the header). */
  private final byte[] colours;
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
      byte[] colours,
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
    this.colours = colours;
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
      return ds.check();
    }
  }

  /**
   * Decodes every image and returns one line per image that does not decode or has the wrong
   * size; empty when all is well.
   */
  public List<String> check() {
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    IntStream.range(0, size())
        .parallel()
        .forEach(
            i -> {
              try {
                RgbImage img = image(i);
                if (img.width() != resolution || img.height() != resolution) {
                  problems.add(paths[i] + ": decoded size " + img.width() + "x"
                      + img.height() + " differs from the header");
                }
              } catch (DataException e) {
                problems.add(e.getMessage());
              }
            });
    Collections.sort(problems);
    return problems;
  }

  private static Dataset load(Storage storage) {
    List<String> problems = new ArrayList<>();
    JsonObject root = readJson(storage);
    JsonObject extras = new JsonObject();
    if (root != null && root.has(DatasetJson.EXTRAS)) {
      if (root.get(DatasetJson.EXTRAS).isJsonObject()) {
        extras = root.getAsJsonObject(DatasetJson.EXTRAS);
      } else {
        problems.add("dataset.json \"" + DatasetJson.EXTRAS + "\": expected an object, found "
            + kind(root.get(DatasetJson.EXTRAS)) + " (remove it or write {\"class_names\": [...]})");
      }
    }
    List<String> classNames = classNames(extras, problems);

    List<String> paths = new ArrayList<>();
    List<Integer> labelIndex = new ArrayList<>();
    List<Integer> classes = new ArrayList<>();
    List<float[]> cameras = new ArrayList<>();
    JsonElement labels = root == null ? null : root.get(DatasetJson.LABELS);
    boolean labelled = labels != null && !labels.isJsonNull();
    if (!labelled) {
      try {
        for (String p : storage.list()) {
          if (p.toLowerCase(Locale.ROOT).endsWith(".png")) {
            paths.add(p);
            labelIndex.add(-1);
            classes.add(0);
            cameras.add(null);
          }
        }
      } catch (IOException e) {
        throw new DataException(storage.describe() + ": cannot list files ("
            + TextFiles.reason(e) + ")", e);
      }
    } else if (!labels.isJsonArray()) {
      throw new DataException(storage.describe() + "/" + DatasetJson.FILE
          + ": \"labels\" must be a list of [path, label] pairs, found " + kind(labels));
    } else {
      int n = 0;
      for (JsonElement e : labels.getAsJsonArray()) {
        int before = paths.size();
        parseLabel(e, n, paths, classes, cameras, problems);
        if (paths.size() > before) {
          labelIndex.add(n);
        }
        n++;
      }
    }

    // The paths must stay inside the dataset: checked (opening nothing) before any file is read.
    String[] outside = new String[paths.size()];
    IntStream.range(0, paths.size()).parallel()
        .forEach(i -> outside[i] = storage.outside(paths.get(i)));
    List<String> escapes = new ArrayList<>();
    for (int i = 0; i < paths.size(); i++) {
      String why = outside[i];
      if (why != null) {
        String fix = labelled ? DatasetJson.FILE + " labels; move or copy the file into the dataset"
            + " and name it by its path relative to the dataset root, e.g. 00000/img00000000.png"
            : storage instanceof Storage.Zip ? "an entry of " + storage.describe() + "; rebuild"
            + " the archive with relative entry names"
            : "a file of " + storage.describe() + "; replace the link by the file itself";
        escapes.add(name(paths.get(i), labelIndex.get(i)) + ": expected " + PathRule.EXPECTED
            + ", found " + why + " (" + fix + ")");
      }
    }
    escapes.addAll(viewPathProblems(extras));
    if (!escapes.isEmpty()) {
      escapes.addAll(problems);
      throw problemsException(storage.describe(), escapes);
    }
    if (paths.isEmpty() && problems.isEmpty()) {
      throw new DataException(storage.describe() + ": dataset has no images (expected PNGs listed "
          + "in dataset.json \"labels\")");
    }
    int numClasses = classProblems(classNames, paths, labelIndex, classes, problems);

    Set<String> seen = new HashSet<>();
    for (String p : paths) {
      if (!seen.add(p)) {
        problems.add(p + ": listed more than once in dataset.json labels");
      }
    }

    // PNG headers: existence, format, square, one resolution, colour type.
    Images.PngHeader[] headers = new Images.PngHeader[paths.size()];
    int[] failures = new int[paths.size()];
    IntStream.range(0, paths.size())
        .parallel()
        .forEach(
            i -> {
              try {
                headers[i] = Images.pngHeader(storage.head(paths.get(i), Images.PNG_HEADER_BYTES));
                failures[i] = headers[i] == null ? -1 : 0;
              } catch (NoSuchFileException e) {
                failures[i] = -2;
              } catch (IOException e) {
                failures[i] = -3;
              }
            });
    Map<Integer, Integer> resolutionCounts = new TreeMap<>();
    for (Images.PngHeader h : headers) {
      if (h != null && h.valid() && h.width() > 0 && h.width() == h.height()) {
        resolutionCounts.merge(h.width(), 1, Integer::sum);
      }
    }
    int resolution =
        resolutionCounts.entrySet().stream()
            .max(Map.Entry.comparingByValue())
            .map(Map.Entry::getKey)
            .orElse(-1);
    int common = resolutionCounts.getOrDefault(resolution, 0);
    byte[] colours = new byte[paths.size()];
    for (int i = 0; i < headers.length; i++) {
      String p = paths.get(i);
      Images.PngHeader h = headers[i];
      if (failures[i] == -2) {
        problems.add(p + ": missing file (listed in dataset.json but not in " + storage.describe()
            + ")");
      } else if (failures[i] == -3) {
        problems.add(p + ": cannot read file");
      } else if (h == null) {
        problems.add(p + ": not a PNG file (dataset images must be PNGs; re-import the source)");
      } else if (!h.valid()) {
        problems.add(p + ": not a valid PNG: expected a colour type and bit depth of the PNG "
            + "specification, found " + h.colour() + " (re-encode or re-import it)");
      } else if (h.width() != h.height()) {
        problems.add(p + ": non-square image: expected width = height, found " + h.width() + "x"
            + h.height() + " (centre-crop it, e.g. with 'wild3d-train dataset import')");
      } else if (h.width() != resolution) {
        problems.add(p + ": mixed resolutions: expected " + resolution + "x" + resolution
            + " like " + common + " other images, found " + h.width() + "x" + h.height());
      } else {
        colours[i] = (byte) colourCode(h.colourType(), h.bitDepth());
      }
    }
    if (!problems.isEmpty()) {
      throw problemsException(storage.describe(), problems);
    }
    if (classNames.isEmpty()) {
      for (int k = 0; k < numClasses; k++) {
        classNames.add("class" + k);
      }
    }

    Map<String, TrueView> views = views(storage, extras);
    Map<Integer, JsonObject> objects = objects(storage, extras);
    int[] classArray = classes.stream().mapToInt(Integer::intValue).toArray();
    return new Dataset(
        storage,
        paths.toArray(new String[0]),
        classArray,
        cameras.toArray(new float[0][]),
        colours,
        resolution,
        List.copyOf(classNames),
        extras,
        views,
        objects,
        true);
  }

  /** {@code dataset.json} as an object, or null when the dataset has none. */
  private static JsonObject readJson(Storage storage) {
    String where = storage.describe() + "/" + DatasetJson.FILE;
    if (!storage.exists(DatasetJson.FILE)) {
      return null;
    }
    String why = storage.outside(DatasetJson.FILE);
    if (why != null) {
      throw new DataException(where + ": expected a file inside the dataset, found " + why
          + " (copy the real file into the dataset)");
    }
    String text;
    try {
      text = TextFiles.decodeUtf8(storage.read(DatasetJson.FILE));
    } catch (IOException e) {
      throw new DataException(where + ": cannot read (" + TextFiles.reason(e) + ")", e);
    }
    JsonElement parsed;
    try {
      parsed = JsonParser.parseString(text);
    } catch (JsonParseException e) {
      throw new DataException(where + ": unreadable JSON (" + jsonReason(e) + ")", e);
    }
    if (!parsed.isJsonObject()) {
      throw new DataException(where + ": expected a JSON object with \"labels\", found "
          + kind(parsed));
    }
    return parsed.getAsJsonObject();
  }

  /** Gson's message without the Java exception names it wraps. */
  private static String jsonReason(JsonParseException e) {
    Throwable t = e;
    String msg = e.getMessage();
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      if (t.getMessage() != null) {
        msg = t.getMessage();
      }
    }
    if (msg == null) {
      return "malformed JSON";
    }
    return msg.replaceAll("(?:[a-z]+\\.)+[A-Z][A-Za-z]*(?:Exception|Error): ", "")
        .replaceAll("\\s*See https://\\S+", "");
  }

  /** {@code wild3d.class_names}: a list of strings, or empty when absent. */
  private static List<String> classNames(JsonObject extras, List<String> problems) {
    List<String> names = new ArrayList<>();
    if (!extras.has(DatasetJson.CLASS_NAMES)) {
      return names;
    }
    JsonElement list = extras.get(DatasetJson.CLASS_NAMES);
    if (!list.isJsonArray()) {
      problems.add("dataset.json wild3d.class_names: expected a list of class names, found "
          + kind(list));
      return names;
    }
    int k = 0;
    for (JsonElement e : list.getAsJsonArray()) {
      if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
        names.add(e.getAsString());
      } else {
        problems.add("dataset.json wild3d.class_names[" + k + "]: expected a name (a string), "
            + "found " + kind(e));
        names.add("class" + k);
      }
      k++;
    }
    return names;
  }

  /**
   * The class rule: with {@code wild3d.class_names} there are as many classes as names and every
   * label must be one of them (a class may have no images); without, class indices must be dense
   * (0..K-1, each with images). Adds one problem per offending image; returns K.
   */
  private static int classProblems(List<String> classNames, List<String> paths,
      List<Integer> labelIndex, List<Integer> classes, List<String> problems) {
    if (!classNames.isEmpty()) {
      int k = classNames.size();
      for (int i = 0; i < paths.size(); i++) {
        int c = classes.get(i);
        if (c < 0 || c >= k) {
          problems.add(name(paths.get(i), labelIndex.get(i)) + ": label out of range: expected "
              + "class index in [0, " + (k - 1) + "] (" + k + " class names in wild3d.class_names)"
              + ", found " + c);
        }
      }
      return k;
    }
    TreeSet<Integer> used = new TreeSet<>();
    for (int i = 0; i < paths.size(); i++) {
      int c = classes.get(i);
      if (c < 0) {
        problems.add(name(paths.get(i), labelIndex.get(i)) + ": label out of range: expected a "
            + "class index >= 0, found " + c);
      } else {
        used.add(c);
      }
    }
    int max = used.isEmpty() ? 0 : used.last();
    // Classes without images, as ranges between the used ones (labels may be huge: no arrays).
    List<String> gaps = new ArrayList<>();
    int expect = 0;
    for (int c : used) {
      if (c > expect) {
        gaps.add(c - 1 > expect ? expect + "-" + (c - 1) : Integer.toString(expect));
      }
      expect = c + 1;
    }
    if (!gaps.isEmpty()) {
      int firstGap = used.first() > 0 ? 0 : used.stream().filter(c -> !used.contains(c + 1))
          .findFirst().orElseThrow() + 1;
      List<String> lines = new ArrayList<>();
      int beyond = 0;
      for (int i = 0; i < paths.size(); i++) {
        int c = classes.get(i);
        if (c > firstGap) {
          if (beyond++ < MAX_LISTED_LABELS) {
            lines.add(name(paths.get(i), labelIndex.get(i)) + ": label " + c + " is beyond class "
                + firstGap + ", which has no images");
          }
        }
      }
      boolean one = gaps.size() == 1 && !gaps.get(0).contains("-");
      problems.add("dataset.json labels: class indices must be dense: expected images for every "
          + "class 0.." + max + " (the largest label is " + max + "), found none for class"
          + (one ? " " : "es ") + String.join(", ", gaps) + " (renumber the labels 0..K-1, or "
          + "declare the classes in \"wild3d\": {\"class_names\": [...]} of dataset.json)");
      problems.addAll(lines);
      if (beyond > MAX_LISTED_LABELS) {
        problems.add("... and " + (beyond - MAX_LISTED_LABELS) + " more images with labels beyond "
            + firstGap);
      }
    }
    return max + 1;
  }

  /** Problems of {@code wild3d.views[].path}: each must be a plain relative path. */
  private static List<String> viewPathProblems(JsonObject extras) {
    List<String> out = new ArrayList<>();
    if (!extras.has(DatasetJson.VIEWS) || !extras.get(DatasetJson.VIEWS).isJsonArray()) {
      return out;
    }
    JsonArray list = extras.getAsJsonArray(DatasetJson.VIEWS);
    for (int i = 0; i < list.size(); i++) {
      JsonElement v = list.get(i);
      if (v.isJsonObject() && v.getAsJsonObject().has(DatasetJson.PATH)
          && v.getAsJsonObject().get(DatasetJson.PATH).isJsonPrimitive()) {
        String p = v.getAsJsonObject().get(DatasetJson.PATH).getAsString();
        String why = PathRule.relative(p);
        if (why != null) {
          out.add("\"" + Storage.printable(p) + "\" (wild3d.views[" + i + "].path): expected "
              + PathRule.EXPECTED + ", found " + why + " (" + DatasetJson.FILE + "; name the "
              + "image as in \"labels\")");
        }
      }
    }
    return out;
  }

  /** {@code wild3d.views}: true cameras of synthetic images, by image path. */
  private static Map<String, TrueView> views(Storage storage, JsonObject extras) {
    Map<String, TrueView> views = new HashMap<>();
    if (!extras.has(DatasetJson.VIEWS)) {
      return views;
    }
    JsonElement list = extras.get(DatasetJson.VIEWS);
    int i = 0;
    try {
      for (JsonElement e : list.getAsJsonArray()) {
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
        i++;
      }
    } catch (RuntimeException e) {
      throw new DataException(storage.describe() + "/" + DatasetJson.FILE + " wild3d.views[" + i
          + "]: expected {\"path\": ..., \"object\": id, \"cam2world\": [16 numbers], "
          + "\"fov_degrees\": ...}, found " + (list.isJsonArray() && i < list.getAsJsonArray().size()
          ? shortJson(list.getAsJsonArray().get(i)) : kind(list))
          + " (these extras are written by wild3d's generators; remove \"views\" or regenerate)",
          e);
    }
    return views;
  }

  /** {@code wild3d.objects}: what re-creates each synthetic object, by id. */
  private static Map<Integer, JsonObject> objects(Storage storage, JsonObject extras) {
    Map<Integer, JsonObject> objects = new HashMap<>();
    if (!extras.has(DatasetJson.OBJECTS)) {
      return objects;
    }
    JsonElement list = extras.get(DatasetJson.OBJECTS);
    int i = 0;
    try {
      for (JsonElement e : list.getAsJsonArray()) {
        JsonObject o = e.getAsJsonObject();
        objects.put(o.get(DatasetJson.ID).getAsInt(), o);
        i++;
      }
    } catch (RuntimeException e) {
      throw new DataException(storage.describe() + "/" + DatasetJson.FILE + " wild3d.objects[" + i
          + "]: expected {\"id\": number, ...}, found " + (list.isJsonArray()
          && i < list.getAsJsonArray().size() ? shortJson(list.getAsJsonArray().get(i))
          : kind(list)) + " (remove \"objects\" or regenerate the dataset)", e);
    }
    return objects;
  }

  private static String shortJson(JsonElement e) {
    String s = e.toString();
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }

  /** An image for messages: its path and, when it comes from dataset.json, its label index. */
  private static String name(String path, int labelIndex) {
    String p = Storage.printable(path);
    String shown = PathRule.relative(path) != null ? "\"" + p + "\"" : p;
    return labelIndex >= 0 ? shown + " (labels[" + labelIndex + "])" : shown;
  }

  /** Ascending integers as ranges: {@code 2-98, 101}. */
  public static String ranges(List<Integer> ascending) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < ascending.size(); ) {
      int j = i;
      while (j + 1 < ascending.size() && ascending.get(j + 1) == ascending.get(j) + 1) {
        j++;
      }
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(ascending.get(i));
      if (j > i) {
        sb.append('-').append(ascending.get(j));
      }
      i = j + 1;
    }
    return sb.toString();
  }

  private static int colourCode(int colourType, int bitDepth) {
    return colourType << 5 | bitDepth;
  }

  private static void parseLabel(
      JsonElement e,
      int index,
      List<String> paths,
      List<Integer> classes,
      List<float[]> cameras,
      List<String> problems) {
    if (!e.isJsonArray() || e.getAsJsonArray().size() != 2
        || !e.getAsJsonArray().get(0).isJsonPrimitive()
        || !e.getAsJsonArray().get(0).getAsJsonPrimitive().isString()) {
      problems.add("dataset.json labels[" + index + "]: expected [path, label], found "
          + shortJson(e));
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
        problems.add(name(path, index) + ": camera label must be numbers, found " + shortJson(label));
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
        problems.add(name(path, index) + ": label must be a class index or a camera vector, found "
            + shortJson(label));
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

  /** K: number of classes (class names if recorded, else the largest label + 1, all used). */
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

  /**
   * How many images of each PNG colour kind ({@link Images.PngHeader#colour()}, e.g. {@code "RGB"},
   * {@code "grayscale 16-bit"}), most common first. Every kind is read as 8-bit RGB.
   */
  public Map<String, Integer> colourCounts() {
    int[] counts = new int[256];
    for (byte c : colours) {
      counts[c & 0xff]++;
    }
    List<Integer> codes = new ArrayList<>();
    for (int c = 0; c < 256; c++) {
      if (counts[c] > 0) {
        codes.add(c);
      }
    }
    codes.sort((a, b) -> counts[b] != counts[a] ? counts[b] - counts[a] : a - b);
    Map<String, Integer> out = new LinkedHashMap<>();
    for (int c : codes) {
      out.put(Images.PngHeader.colour(c >> 5, c & 31), counts[c]);
    }
    return out;
  }

  /**
   * The colour kinds in one line, e.g. {@code "998 RGB, 2 grayscale (converted to RGB on read:
   * grey replicated to RGB)"}.
   */
  public String colourSummary() {
    int[] counts = new int[256];
    for (byte c : colours) {
      counts[c & 0xff]++;
    }
    List<String> kinds = new ArrayList<>();
    Set<String> steps = new LinkedHashSet<>();
    for (Map.Entry<String, Integer> e : colourCounts().entrySet()) {
      kinds.add(e.getValue() + " " + e.getKey());
    }
    for (int c = 0; c < 256; c++) {
      if (counts[c] > 0) {
        String conv = Images.PngHeader.conversion(c >> 5, c & 31);
        if (!conv.isEmpty()) {
          steps.addAll(Arrays.asList(conv.split(", ")));
        }
      }
    }
    return String.join(", ", kinds)
        + (steps.isEmpty() ? "" : " (converted to RGB on read: " + String.join(", ", steps) + ")");
  }

  /** The EG3D 25-float camera label of image {@code i}, if the dataset's labels are cameras. */
  public Optional<float[]> cameraLabel(int i) {
    return Optional.ofNullable(cameraLabels[i]).map(float[]::clone);
  }

  /** True camera and object of a synthetic image (evaluation only). */
  public Optional<TrueView> trueView(int i) {
    return Optional.ofNullable(views.get(paths[i]));
  }

  /** Parameters that re-create object {@code id} (see {@code org.wild3d.data.SyntheticObjects}). */
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
      throw new DataException(location() + "/" + paths[i] + ": cannot read ("
          + TextFiles.reason(e) + ")", e);
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
        bytesAt(colours, keep),
        resolution,
        classNames,
        extras,
        views,
        objects,
        owning);
  }

  private static byte[] bytesAt(byte[] a, int[] keep) {
    byte[] out = new byte[keep.length];
    for (int i = 0; i < keep.length; i++) {
      out[i] = a[keep[i]];
    }
    return out;
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
