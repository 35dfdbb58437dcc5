package org.wild3d.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.wild3d.DataException;
import org.wild3d.TextFiles;

/**
 * Turns Sweet Home 3D furniture catalogues ({@code .sh3f}: a ZIP with
 * {@code PluginFurnitureCatalog.properties} and textured OBJ models; Debian package
 * {@code sweethome3d-furniture}) into class folders of OBJ files for {@link MeshesGenerator}.
 *
 * <p>The catalogues' categories are rooms (Kitchen, Bedroom ...), so classes come from each model's
 * English name by keyword ({@link #classify}): lamp, sofa, chair, table, bed, cabinet, checked in
 * that order (so "Table lamp" is a lamp, "Desk chair" a chair, "Bedside table" a table). Models
 * whose name matches no class are left out. Each model's OBJ, its MTL files and their textures are
 * extracted to {@code root/<class>/<catalogue>-<model>/}; a catalogue {@code modelRotation} is
 * applied to the OBJ's vertices and normals so every model stands y-up.
 */
public final class FurnitureCatalog {
  /** Where Debian's sweethome3d-furniture installs its catalogues. */
  public static final String DEBIAN_DIR = "/usr/share/sweethome3d/furniture";
  /** The classes, in the order keywords are tried. */
  public static final List<String> CLASSES =
      List.of("lamp", "sofa", "chair", "table", "bed", "cabinet");

  private static final Map<String, Pattern> KEYWORDS = new TreeMap<>();

  static {
    KEYWORDS.put("lamp", Pattern.compile("\\b(lamps?|lights?|chandelier|lampshade|sconce)\\b"));
    KEYWORDS.put("sofa", Pattern.compile("\\b(sofas?|couch(es)?|settee|loveseat|sofa-bed)\\b"));
    KEYWORDS.put("chair", Pattern.compile("\\b(chairs?|armchairs?|stools?|seat)\\b"));
    KEYWORDS.put("table", Pattern.compile("\\b(tables?|desks?)\\b"));
    KEYWORDS.put("bed", Pattern.compile("\\b(beds?|bunk|cot|crib|cradle)\\b"));
    KEYWORDS.put("cabinet", Pattern.compile(
        "\\b(cabinets?|cupboards?|wardrobes?|dressers?|bookcases?|bookshel(f|ves)|shel(f|ves)|"
            + "chest of drawers|sideboard)\\b"));
  }

  /** Objects whose names mention a class but are something else ("table fan", "bed lamp" is a lamp). */
  private static final Pattern EXCLUDED =
      Pattern.compile("\\b(fans?|tv|television|computer|plants?|switch|socket|radiator)\\b");

  private static final Pattern MODEL_NUMBER = Pattern.compile("^model#(\\d+)$");

  private FurnitureCatalog() {}

  /** What an extraction produced. */
  public record Extraction(int models, Map<String, Integer> perClass, List<String> skipped) {}

  /** The class of a model by its English name, or null when none applies. */
  public static String classify(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (EXCLUDED.matcher(n).find()) {
      return null;
    }
    for (String c : CLASSES) {
      if (KEYWORDS.get(c).matcher(n).find()) {
        return c;
      }
    }
    return null;
  }

  /**
   * Extracts the classified models of {@code catalogs} (.sh3f files, or folders of them) into
   * {@code root}; an existing {@code root} is reused as it is. Written under a temporary name and
   * renamed.
   */
  public static Extraction extract(List<Path> catalogs, Path root, PrintWriter out) {
    if (Files.isDirectory(root)) {
      return count(root, out);
    }
    List<Path> files = new ArrayList<>();
    for (Path c : catalogs) {
      if (Files.isDirectory(c)) {
        try (Stream<Path> s = Files.list(c)) {
          s.filter(p -> p.toString().toLowerCase(Locale.ROOT).endsWith(".sh3f")).sorted()
              .forEach(files::add);
        } catch (IOException e) {
          throw new DataException(c + ": cannot list catalogues (" + TextFiles.reason(e) + ")", e);
        }
      } else if (Files.isRegularFile(c)) {
        files.add(c);
      }
    }
    if (files.isEmpty()) {
      throw new DataException(catalogs + ": no .sh3f furniture catalogues found (on Debian: "
          + "apt-get install sweethome3d-furniture, or pass --catalogs)");
    }
    Path temp = root.resolveSibling("." + root.getFileName() + ".tmp");
    DatasetWriter.deleteRecursively(temp);
    Map<String, Integer> perClass = new TreeMap<>();
    List<String> skipped = new ArrayList<>();
    int models = 0;
    try {
      Files.createDirectories(temp);
      for (Path f : files) {
        String catalogue = f.getFileName().toString().replaceFirst("(?i)\\.sh3f$", "");
        try (ZipFile zip = new ZipFile(f.toFile())) {
          ZipEntry propsEntry = zip.getEntry("PluginFurnitureCatalog.properties");
          if (propsEntry == null) {
            skipped.add(f + ": no PluginFurnitureCatalog.properties");
            continue;
          }
          Properties props = new Properties();
          try (InputStream in = zip.getInputStream(propsEntry)) {
            props.load(in);
          }
          for (String key : new java.util.TreeSet<>(props.stringPropertyNames())) {
            Matcher m = MODEL_NUMBER.matcher(key);
            if (!m.matches()) {
              continue;
            }
            String n = m.group(1);
            String name = props.getProperty("name#" + n, "");
            String cls = classify(name);
            if (cls == null) {
              continue;
            }
            String model = props.getProperty(key).replaceFirst("^/", "");
            if (!model.toLowerCase(Locale.ROOT).endsWith(".obj")) {
              skipped.add(catalogue + " " + name + ": model " + model + " is not OBJ");
              continue;
            }
            String base = model.substring(model.lastIndexOf('/') + 1).replaceFirst("(?i)\\.obj$",
                "");
            Path dir = temp.resolve(cls).resolve(catalogue + "-" + base + "-" + n);
            try {
              extractModel(zip, model, dir, parseRotation(props.getProperty("modelRotation#" + n)));
              perClass.merge(cls, 1, Integer::sum);
              models++;
            } catch (IOException | DataException e) {
              skipped.add(catalogue + " " + name + ": " + e.getMessage());
              DatasetWriter.deleteRecursively(dir);
            }
          }
        }
      }
      Files.move(temp, root);
    } catch (IOException e) {
      DatasetWriter.deleteRecursively(temp);
      throw new DataException(root + ": cannot extract furniture (" + TextFiles.reason(e) + ")",
          e);
    }
    if (out != null) {
      skipped.forEach(s -> out.println("skipped: " + s));
    }
    return new Extraction(models, perClass, List.copyOf(skipped));
  }

  private static Extraction count(Path root, PrintWriter out) {
    Map<String, Integer> perClass = new TreeMap<>();
    int models = 0;
    try (Stream<Path> classes = Files.list(root)) {
      for (Path c : classes.filter(Files::isDirectory).sorted().toList()) {
        try (Stream<Path> m = Files.list(c)) {
          int k = (int) m.count();
          perClass.put(c.getFileName().toString(), k);
          models += k;
        }
      }
    } catch (IOException e) {
      throw new DataException(root + ": cannot read extracted furniture (" + TextFiles.reason(e)
          + ")", e);
    }
    if (out != null) {
      out.println("using the models already extracted in " + root);
    }
    return new Extraction(models, perClass, List.of());
  }

  private static double[] parseRotation(String s) {
    if (s == null || s.isBlank()) {
      return null;
    }
    String[] t = s.strip().split("\\s+");
    if (t.length != 9) {
      throw new DataException("modelRotation: expected 9 numbers, found \"" + s + "\"");
    }
    double[] r = new double[9];
    for (int i = 0; i < 9; i++) {
      r[i] = Double.parseDouble(t[i]);
    }
    return r;
  }

  /**
   * Extracts the OBJ, its MTL libraries and their textures, rotating vertices if asked. Nothing is
   * written outside {@code dir}: an MTL or texture the archive names by a path leading out of it
   * (absolute, '..') is left out, and the loader then warns and uses the diffuse colour.
   */
  private static void extractModel(ZipFile zip, String objPath, Path modelDir, double[] rotation)
      throws IOException {
    Path dir = modelDir.toAbsolutePath().normalize();
    String prefix = objPath.contains("/") ? objPath.substring(0, objPath.lastIndexOf('/') + 1) : "";
    List<String> obj = readLines(zip, objPath);
    Files.createDirectories(dir);
    Set<String> mtls = new LinkedHashSet<>();
    List<String> rewritten = new ArrayList<>(obj.size());
    for (String line : obj) {
      String s = line.strip();
      if (s.startsWith("mtllib ")) {
        mtls.add(s.substring(7).strip());
      }
      if (rotation != null && (s.startsWith("v ") || s.startsWith("vn "))) {
        String[] t = s.split("\\s+");
        double x = Double.parseDouble(t[1]);
        double y = Double.parseDouble(t[2]);
        double z = Double.parseDouble(t[3]);
        StringBuilder sb = new StringBuilder(t[0]);
        for (int r = 0; r < 3; r++) {
          sb.append(' ').append((float) (rotation[r * 3] * x + rotation[r * 3 + 1] * y
              + rotation[r * 3 + 2] * z));
        }
        for (int k = 4; k < t.length; k++) {
          sb.append(' ').append(t[k]);
        }
        rewritten.add(sb.toString());
      } else {
        rewritten.add(line);
      }
    }
    Files.write(dir.resolve(fileName(objPath)), rewritten, StandardCharsets.ISO_8859_1);
    for (String mtl : mtls) {
      String mtlPath = normalize(prefix + mtl);
      if (zip.getEntry(mtlPath) == null) {
        continue; // the loader warns about a missing library and uses grey
      }
      List<String> lines = readLines(zip, mtlPath);
      Path mtlFile = dir.resolve(mtl).normalize();
      if (!mtlFile.startsWith(dir)) {
        continue; // never write outside the model folder
      }
      Files.createDirectories(mtlFile.getParent());
      Files.write(mtlFile, lines, StandardCharsets.ISO_8859_1);
      String mtlPrefix = mtlPath.contains("/") ? mtlPath.substring(0, mtlPath.lastIndexOf('/') + 1)
          : "";
      for (String line : lines) {
        String s = line.strip();
        if (s.startsWith("map_Kd ")) {
          String[] t = s.split("\\s+");
          String tex = t[t.length - 1];
          String texPath = normalize(mtlPrefix + tex);
          ZipEntry e = zip.getEntry(texPath);
          if (e == null) {
            e = findByName(zip, fileName(tex.replace('\\', '/')), mtlPrefix);
          }
          Path texFile = mtlFile.resolveSibling(tex).normalize();
          if (e != null && texFile.startsWith(dir)) {
            Files.createDirectories(texFile.getParent());
            try (InputStream in = zip.getInputStream(e)) {
              Files.copy(in, texFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
          }
        }
      }
    }
  }

  /**
   * A texture that the MTL names by a path that is not in the archive (absolute paths from the
   * modeller's disk are common): the entry with the same file name, preferring the MTL's folder
   * tree; null if none.
   */
  private static ZipEntry findByName(ZipFile zip, String name, String near) {
    String top = near.contains("/") ? near.substring(0, near.indexOf('/') + 1) : "";
    ZipEntry best = null;
    for (ZipEntry e : java.util.Collections.list(zip.entries())) {
      String n = e.getName();
      if (!e.isDirectory() && fileName(n).equalsIgnoreCase(name)) {
        if (n.startsWith(near)) {
          return e;
        }
        if (best == null || (n.startsWith(top) && !best.getName().startsWith(top))) {
          best = e;
        }
      }
    }
    return best;
  }

  private static List<String> readLines(ZipFile zip, String path) throws IOException {
    ZipEntry e = zip.getEntry(path);
    if (e == null) {
      throw new DataException(path + ": listed in the catalogue but not in the archive");
    }
    try (InputStream in = zip.getInputStream(e)) {
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).lines().toList();
    }
  }

  private static String fileName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private static String normalize(String path) {
    return Path.of(path).normalize().toString().replace('\\', '/');
  }
}
