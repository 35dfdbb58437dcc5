package org.wild3d.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import org.wild3d.DataException;
import org.wild3d.PathRule;
import org.wild3d.TextFiles;
import org.wild3d.raster.Material;
import org.wild3d.raster.Mesh;
import org.wild3d.raster.MeshFiles;
import org.wild3d.raster.Procedural;
import org.wild3d.raster.RenderOptions;

/**
 * Re-creates the objects of synthetic datasets from their {@code dataset.json} records
 * ({@code wild3d.objects[]}), so evaluation can render the true geometry from any camera.
 *
 * <p>Record fields: {@code id}, {@code class}, {@code kind} ({@code "shape"} or {@code "mesh"}),
 * {@code light} (world direction towards the light), {@code ambient}; for shapes {@code shape},
 * {@code params}, {@code color}, {@code radius} (bounding-sphere radius after centring); for meshes
 * {@code file} (relative to the mesh root recorded in {@code wild3d.source.root}), {@code scale}
 * and {@code translate} (applied as {@code p * scale + translate}).
 */
public final class SyntheticObjects {
  static final String KIND_SHAPE = "shape";
  static final String KIND_MESH = "mesh";

  private SyntheticObjects() {}

  /**
   * The object's mesh in world units, exactly as it was rendered.
   *
   * @param meshRoot root of the mesh files for {@code kind = mesh} objects (ignored for shapes)
   */
  public static Mesh mesh(JsonObject object, Path meshRoot) {
    String kind = object.get("kind").getAsString();
    switch (kind) {
      case KIND_SHAPE -> {
        JsonArray c = object.getAsJsonArray("color");
        Mesh m = Procedural.build(object.get("shape").getAsString(),
            object.getAsJsonObject("params"),
            Material.of(c.get(0).getAsFloat(), c.get(1).getAsFloat(), c.get(2).getAsFloat()));
        float[] n = m.normalization(object.get("radius").getAsFloat());
        return m.transformed(n[0], n[1], n[2], n[3]);
      }
      case KIND_MESH -> {
        String file = object.has("file") && object.get("file").isJsonPrimitive()
            ? object.get("file").getAsString() : "";
        if (meshRoot == null) {
          throw new DataException("object " + object.get("id") + ": expected the mesh root in "
              + "wild3d.source.root of dataset.json, found none (regenerate the dataset)");
        }
        String why = PathRule.relative(file);
        Path path = meshRoot.resolve(why == null ? file : "");
        if (why == null) {
          try {
            why = PathRule.linkOutside(meshRoot.toRealPath(), path);
          } catch (IOException e) {
            throw new DataException(meshRoot + ": cannot open the mesh root ("
                + TextFiles.reason(e) + "; it is recorded in wild3d.source.root of dataset.json)",
                e);
          }
        }
        if (why != null) {
          throw new DataException("object " + object.get("id") + " file \"" + file
              + "\": expected a relative path inside the mesh root " + meshRoot + ", found " + why
              + " (dataset.json wild3d.objects; regenerate the dataset)");
        }
        Mesh m = MeshFiles.load(path, meshRoot, new ArrayList<>());
        JsonArray t = object.getAsJsonArray("translate");
        return m.transformed(object.get("scale").getAsFloat(), t.get(0).getAsFloat(),
            t.get(1).getAsFloat(), t.get(2).getAsFloat());
      }
      default -> throw new DataException("object " + object.get("id") + ": unknown kind \""
          + kind + "\" (expected shape or mesh)");
    }
  }

  /** The lighting the object was rendered with, on {@code base} (supersampling, background). */
  public static RenderOptions lighting(JsonObject object, RenderOptions base) {
    JsonArray l = object.getAsJsonArray("light");
    float ambient = object.get("ambient").getAsFloat();
    return base.withLight(
        new double[] {l.get(0).getAsDouble(), l.get(1).getAsDouble(), l.get(2).getAsDouble()},
        ambient, 1 - ambient);
  }

  static JsonArray array(double... values) {
    JsonArray a = new JsonArray();
    for (double v : values) {
      a.add(v);
    }
    return a;
  }
}
