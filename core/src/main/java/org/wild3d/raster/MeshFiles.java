package org.wild3d.raster;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.wild3d.DataException;
import org.wild3d.PathRule;
import org.wild3d.TextFiles;
import org.wild3d.image.Images;
import org.wild3d.image.RgbImage;

/**
 * Loads triangle meshes from OBJ (with MTL materials, {@code Kd} colours and {@code map_Kd}
 * textures, optional per-vertex colours {@code v x y z r g b}), PLY (ASCII and binary, per-vertex
 * colours) and OFF (optionally per-face colours). Polygons are fanned into triangles.
 *
 * <p>Failures are {@link DataException}s naming the file and line; a missing MTL or texture is not
 * fatal (the diffuse colour is used) but is reported in the {@code warnings} list.
 *
 * <p>Files that a mesh names ({@code mtllib}, {@code map_Kd}) are read only when they stay inside
 * the mesh root ({@link PathRule#reference}: relative to the naming file, '..' allowed while the
 * result stays inside, also through symbolic links); any other is not opened and reported in
 * {@code warnings} like a missing file.
 */
public final class MeshFiles {
  /** File extensions (lower case, no dot) this loader reads. */
  public static final List<String> EXTENSIONS = List.of("obj", "ply", "off");

  private MeshFiles() {}

  /** Loads a mesh by its extension; warnings are dropped. */
  public static Mesh load(Path file) {
    return load(file, new ArrayList<>());
  }

  /**
   * Loads a mesh by its extension, appending non-fatal problems to {@code warnings}; the files it
   * names must stay in its own folder (or below it).
   */
  public static Mesh load(Path file, List<String> warnings) {
    Path parent = file.toAbsolutePath().getParent();
    return load(file, parent, warnings);
  }

  /**
   * Loads a mesh by its extension, appending non-fatal problems to {@code warnings}; the files it
   * names (materials, textures) are read only when they are inside {@code root}, e.g. the folder
   * of class folders the mesh was found in.
   */
  public static Mesh load(Path file, Path root, List<String> warnings) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    String ext = name.substring(name.lastIndexOf('.') + 1);
    try {
      Mesh m =
          switch (ext) {
            case "obj" -> obj(file, root.toRealPath(), warnings);
            case "ply" -> ply(file);
            case "off" -> off(file);
            default -> throw new DataException(file + ": unknown mesh format (expected "
                + EXTENSIONS + ")");
          };
      if (m.triangles() == 0) {
        throw new DataException(file + ": mesh has no faces");
      }
      return m;
    } catch (IOException e) {
      throw new DataException(file + ": cannot read mesh (" + TextFiles.reason(e) + ")", e);
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      throw new DataException(file + ": malformed mesh (" + e.getMessage() + ")", e);
    }
  }

  // ---------------------------------------------------------------------------------------- OBJ

  private static Mesh obj(Path file, Path realRoot, List<String> warnings) throws IOException {
    Path dir = file.toAbsolutePath().getParent().toRealPath();
    List<float[]> v = new ArrayList<>();
    List<float[]> vc = new ArrayList<>();
    List<float[]> vt = new ArrayList<>();
    List<float[]> vn = new ArrayList<>();
    Map<String, Material> library = new HashMap<>();
    List<Material> materials = new ArrayList<>();
    Map<String, Integer> materialIndex = new HashMap<>();
    FloatList pos = new FloatList();
    FloatList nrm = new FloatList();
    FloatList uv = new FloatList();
    FloatList col = new FloatList();
    List<Integer> mats = new ArrayList<>();
    boolean allNormals = true;
    boolean allUvs = true;
    boolean anyColors = false;
    int current = -1;
    int lineNo = 0;
    for (String raw : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
      lineNo++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] t = line.split("\\s+");
      switch (t[0]) {
        case "v" -> {
          v.add(new float[] {f(t[1]), f(t[2]), f(t[3])});
          if (t.length >= 7) {
            vc.add(new float[] {f(t[4]), f(t[5]), f(t[6])});
            anyColors = true;
          } else {
            vc.add(null);
          }
        }
        case "vt" -> vt.add(new float[] {f(t[1]), t.length > 2 ? f(t[2]) : 0});
        case "vn" -> vn.add(new float[] {f(t[1]), f(t[2]), f(t[3])});
        case "mtllib" -> {
          String lib = line.substring(6).strip();
          String outside = PathRule.reference(realRoot, dir, lib);
          if (outside != null) {
            warnings.add(file + ":" + lineNo + ": material library " + lib + ": expected a file "
                + "inside the mesh root " + realRoot + ", found " + outside
                + "; not read, using grey");
          } else if (Files.isRegularFile(dir.resolve(lib).normalize())) {
            library.putAll(mtl(dir.resolve(lib).normalize(), realRoot, warnings));
          } else {
            warnings.add(file + ": material library " + lib + " not found; using grey");
          }
        }
        case "usemtl" -> {
          String name = t.length > 1 ? line.substring(6).strip() : "";
          current = materialIndex.computeIfAbsent(name, n -> {
            Material m = library.get(n);
            if (m == null) {
              warnings.add(file + ": material \"" + n + "\" not defined; using grey");
              m = Material.of(0.7f, 0.7f, 0.7f);
            }
            materials.add(m);
            return materials.size() - 1;
          });
        }
        case "f" -> {
          int n = t.length - 1;
          if (n < 3) {
            continue; // a point or line element written as a face: no surface
          }
          int[][] idx = new int[n][];
          for (int k = 0; k < n; k++) {
            String[] parts = t[k + 1].split("/", -1);
            int pi = index(parts[0], v.size(), file, lineNo);
            int ti = parts.length > 1 && !parts[1].isEmpty() ? index(parts[1], vt.size(), file, lineNo) : -1;
            int ni = parts.length > 2 && !parts[2].isEmpty() ? index(parts[2], vn.size(), file, lineNo) : -1;
            idx[k] = new int[] {pi, ti, ni};
          }
          if (current < 0) {
            current = materialIndex.computeIfAbsent("", x -> {
              materials.add(Material.of(0.7f, 0.7f, 0.7f));
              return materials.size() - 1;
            });
          }
          for (int k = 1; k + 1 < n; k++) {
            for (int[] c : new int[][] {idx[0], idx[k], idx[k + 1]}) {
              pos.add(v.get(c[0]));
              float[] color = vc.get(c[0]);
              col.add(color != null ? color : new float[] {-1, -1, -1});
              if (c[1] >= 0) {
                uv.add(vt.get(c[1]));
              } else {
                uv.add(new float[] {0, 0});
                allUvs = false;
              }
              if (c[2] >= 0) {
                nrm.add(vn.get(c[2]));
              } else {
                nrm.add(new float[] {0, 0, 0});
                allNormals = false;
              }
            }
            mats.add(current);
          }
        }
        default -> {
          // g, o, s, l, p and vendor statements do not change the surface.
        }
      }
    }
    float[] colors = null;
    if (anyColors) {
      colors = col.toArray();
      for (int i = 0; i < colors.length; i++) {
        if (colors[i] < 0) {
          colors[i] = 0.7f;
        }
      }
    }
    return new Mesh(pos.toArray(), allNormals ? nrm.toArray() : null, colors,
        allUvs ? uv.toArray() : null, mats.stream().mapToInt(Integer::intValue).toArray(),
        materials.isEmpty() ? List.of(Material.of(0.7f, 0.7f, 0.7f)) : materials);
  }

  private static int index(String s, int count, Path file, int line) {
    int i = Integer.parseInt(s);
    int r = i > 0 ? i - 1 : count + i;
    if (r < 0 || r >= count) {
      throw new DataException(file + ":" + line + ": face index " + s + " out of range (" + count
          + " defined)");
    }
    return r;
  }

  private static Map<String, Material> mtl(Path file, Path realRoot, List<String> warnings)
      throws IOException {
    Path dir = file.toAbsolutePath().getParent().toRealPath();
    Map<String, Material> out = new HashMap<>();
    String name = null;
    float[] kd = {0.7f, 0.7f, 0.7f};
    RgbImage tex = null;
    for (String raw : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] t = line.split("\\s+");
      switch (t[0]) {
        case "newmtl" -> {
          if (name != null) {
            out.put(name, new Material(kd, tex));
          }
          name = line.substring(6).strip();
          kd = new float[] {0.7f, 0.7f, 0.7f};
          tex = null;
        }
        case "Kd" -> kd = new float[] {f(t[1]), f(t[2]), f(t[3])};
        case "map_Kd" -> {
          String texName = t[t.length - 1];
          String outside = PathRule.reference(realRoot, dir, texName);
          if (outside != null) {
            warnings.add(file + ": texture " + texName + ": expected a file inside the mesh root "
                + realRoot + ", found " + outside + "; not read, using Kd");
            continue;
          }
          try {
            tex = Images.read(dir.resolve(texName).normalize());
          } catch (DataException e) {
            warnings.add(file + ": texture " + texName + " unusable (" + e.getMessage()
                + "); using Kd");
          }
        }
        default -> {
          // Specular, emission, transparency: not modelled by the Lambert renderer.
        }
      }
    }
    if (name != null) {
      out.put(name, new Material(kd, tex));
    }
    return out;
  }

  private static float f(String s) {
    return Float.parseFloat(s);
  }

  // ---------------------------------------------------------------------------------------- OFF

  private static Mesh off(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
    String first = null;
    List<String[]> rows = new ArrayList<>();
    for (String raw : lines) {
      int hash = raw.indexOf('#');
      String line = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
      if (line.isEmpty()) {
        continue;
      }
      if (first == null && line.matches("^[A-Z]*OFF.*")) {
        first = line;
        String rest = line.replaceFirst("^[A-Z]*OFF", "").strip();
        if (!rest.isEmpty()) {
          rows.add(rest.split("\\s+"));
        }
        continue;
      }
      rows.add(line.split("\\s+"));
    }
    if (first == null) {
      throw new DataException(file + ": not an OFF file (first line must be OFF)");
    }
    String[] counts = rows.get(0);
    int nv = Integer.parseInt(counts[0]);
    int nf = Integer.parseInt(counts[1]);
    float[][] v = new float[nv][];
    for (int i = 0; i < nv; i++) {
      String[] r = rows.get(1 + i);
      v[i] = new float[] {f(r[0]), f(r[1]), f(r[2])};
    }
    FloatList pos = new FloatList();
    FloatList col = new FloatList();
    boolean anyColor = false;
    for (int i = 0; i < nf; i++) {
      String[] r = rows.get(1 + nv + i);
      int n = Integer.parseInt(r[0]);
      float[] c = null;
      if (r.length >= n + 4) {
        c = new float[] {f(r[n + 1]), f(r[n + 2]), f(r[n + 3])};
        if (c[0] > 1 || c[1] > 1 || c[2] > 1) {
          c = new float[] {c[0] / 255f, c[1] / 255f, c[2] / 255f};
        }
        anyColor = true;
      }
      for (int k = 1; k + 1 < n; k++) {
        for (int idx : new int[] {0, k, k + 1}) {
          int vi = Integer.parseInt(r[1 + idx]);
          if (vi < 0 || vi >= nv) {
            throw new DataException(file + ": face " + i + " vertex index " + vi
                + " out of range (" + nv + " vertices)");
          }
          pos.add(v[vi]);
          col.add(c != null ? c : new float[] {0.7f, 0.7f, 0.7f});
        }
      }
    }
    return new Mesh(pos.toArray(), null, anyColor ? col.toArray() : null, null, null,
        List.of(Material.of(0.7f, 0.7f, 0.7f)));
  }

  // ---------------------------------------------------------------------------------------- PLY

  private record Property(String name, String type, String countType) {}

  private record Element(String name, int count, List<Property> properties) {}

  private static Mesh ply(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      String magic = readLine(in);
      if (!"ply".equals(magic)) {
        throw new DataException(file + ": not a PLY file (first line must be ply)");
      }
      String format = null;
      List<Element> elements = new ArrayList<>();
      while (true) {
        String line = readLine(in);
        if (line == null) {
          throw new DataException(file + ": PLY header has no end_header");
        }
        String[] t = line.strip().split("\\s+");
        switch (t[0]) {
          case "format" -> format = t[1];
          case "element" -> elements.add(new Element(t[1], Integer.parseInt(t[2]), new ArrayList<>()));
          case "property" -> {
            Element e = elements.get(elements.size() - 1);
            if (t[1].equals("list")) {
              e.properties().add(new Property(t[4], t[3], t[2]));
            } else {
              e.properties().add(new Property(t[2], t[1], null));
            }
          }
          default -> {
            // comment, obj_info
          }
        }
        if (t[0].equals("end_header")) {
          break;
        }
      }
      ValueReader reader =
          switch (format == null ? "" : format) {
            case "ascii" -> new AsciiReader(in);
            case "binary_little_endian" -> new BinaryReader(in, ByteOrder.LITTLE_ENDIAN);
            case "binary_big_endian" -> new BinaryReader(in, ByteOrder.BIG_ENDIAN);
            default -> throw new DataException(file + ": unknown PLY format " + format);
          };
      float[][] v = null;
      float[][] c = null;
      FloatList pos = new FloatList();
      FloatList col = new FloatList();
      for (Element e : elements) {
        if (e.name().equals("vertex")) {
          v = new float[e.count()][3];
          int[] slot = new int[e.properties().size()];
          boolean colors = false;
          for (int p = 0; p < slot.length; p++) {
            String n = e.properties().get(p).name();
            slot[p] = switch (n) {
              case "x" -> 0;
              case "y" -> 1;
              case "z" -> 2;
              case "red", "r", "diffuse_red" -> 3;
              case "green", "g", "diffuse_green" -> 4;
              case "blue", "b", "diffuse_blue" -> 5;
              default -> -1;
            };
            colors |= slot[p] >= 3;
          }
          c = colors ? new float[e.count()][3] : null;
          for (int i = 0; i < e.count(); i++) {
            for (int p = 0; p < slot.length; p++) {
              Property prop = e.properties().get(p);
              if (prop.countType() != null) {
                int n = (int) reader.read(prop.countType());
                for (int k = 0; k < n; k++) {
                  reader.read(prop.type());
                }
                continue;
              }
              double val = reader.read(prop.type());
              if (slot[p] >= 0 && slot[p] < 3) {
                v[i][slot[p]] = (float) val;
              } else if (slot[p] >= 3) {
                boolean integer = prop.type().contains("char") || prop.type().contains("int");
                c[i][slot[p] - 3] = (float) (integer ? val / 255.0 : val);
              }
            }
          }
        } else if (e.name().equals("face")) {
          if (v == null) {
            throw new DataException(file + ": PLY faces come before vertices");
          }
          for (int i = 0; i < e.count(); i++) {
            for (Property prop : e.properties()) {
              if (prop.countType() == null) {
                reader.read(prop.type());
                continue;
              }
              int n = (int) reader.read(prop.countType());
              int[] idx = new int[n];
              for (int k = 0; k < n; k++) {
                idx[k] = (int) reader.read(prop.type());
              }
              if (!prop.name().equals("vertex_indices") && !prop.name().equals("vertex_index")) {
                continue;
              }
              for (int k = 1; k + 1 < n; k++) {
                for (int vi : new int[] {idx[0], idx[k], idx[k + 1]}) {
                  if (vi < 0 || vi >= v.length) {
                    throw new DataException(file + ": face " + i + " vertex index " + vi
                        + " out of range (" + v.length + " vertices)");
                  }
                  pos.add(v[vi]);
                  if (c != null) {
                    col.add(c[vi]);
                  }
                }
              }
            }
          }
        } else {
          for (int i = 0; i < e.count(); i++) {
            for (Property prop : e.properties()) {
              int n = prop.countType() == null ? 1 : (int) reader.read(prop.countType());
              for (int k = 0; k < n; k++) {
                reader.read(prop.type());
              }
            }
          }
        }
      }
      return new Mesh(pos.toArray(), null, c != null ? col.toArray() : null, null, null,
          List.of(Material.of(0.7f, 0.7f, 0.7f)));
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        sb.append((char) b);
      }
    }
    return b < 0 && sb.length() == 0 ? null : sb.toString();
  }

  private interface ValueReader {
    double read(String type) throws IOException;
  }

  private static final class AsciiReader implements ValueReader {
    private final InputStream in;

    AsciiReader(InputStream in) {
      this.in = in;
    }

    @Override
    public double read(String type) throws IOException {
      StringBuilder sb = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0 && Character.isWhitespace(b)) {
        // skip
      }
      if (b < 0) {
        throw new IOException("unexpected end of PLY data");
      }
      do {
        sb.append((char) b);
      } while ((b = in.read()) >= 0 && !Character.isWhitespace(b));
      return Double.parseDouble(sb.toString());
    }
  }

  private static final class BinaryReader implements ValueReader {
    private final DataInputStream in;
    private final ByteBuffer buf;

    BinaryReader(InputStream in, ByteOrder order) {
      this.in = new DataInputStream(in);
      this.buf = ByteBuffer.allocate(8).order(order);
    }

    private ByteBuffer fill(int n) throws IOException {
      buf.clear();
      in.readFully(buf.array(), 0, n);
      buf.limit(n);
      return buf;
    }

    @Override
    public double read(String type) throws IOException {
      return switch (type) {
        case "char", "int8" -> fill(1).get();
        case "uchar", "uint8" -> fill(1).get() & 0xff;
        case "short", "int16" -> fill(2).getShort();
        case "ushort", "uint16" -> fill(2).getShort() & 0xffff;
        case "int", "int32" -> fill(4).getInt();
        case "uint", "uint32" -> fill(4).getInt() & 0xffffffffL;
        case "float", "float32" -> fill(4).getFloat();
        case "double", "float64" -> fill(8).getDouble();
        default -> throw new IOException("unknown PLY type " + type);
      };
    }
  }

  /** A growable float array. */
  private static final class FloatList {
    private float[] a = new float[256];
    private int n;

    void add(float[] values) {
      if (n + values.length > a.length) {
        a = java.util.Arrays.copyOf(a, Math.max(a.length * 2, n + values.length));
      }
      System.arraycopy(values, 0, a, n, values.length);
      n += values.length;
    }

    float[] toArray() {
      return java.util.Arrays.copyOf(a, n);
    }
  }
}
