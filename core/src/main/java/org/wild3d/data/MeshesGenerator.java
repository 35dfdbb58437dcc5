package org.wild3d.data;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.wild3d.DataException;
import org.wild3d.PathRule;
import org.wild3d.TextFiles;
import org.wild3d.config.CameraPrior;
import org.wild3d.log.Progress;
import org.wild3d.raster.Mesh;
import org.wild3d.raster.MeshFiles;
import org.wild3d.raster.MeshRenderer;
import org.wild3d.raster.RenderOptions;
import org.wild3d.raster.Rendering;
import org.wild3d.raster.SphereCameras;

/**
 * Renders a ShapeNet-like dataset from class folders of meshes: {@code root/<class>/**.{obj,ply,off}}
 * (OBJs with their MTL and textures beside them). Each mesh is centred, scaled so its bounding
 * sphere has radius 0.9 × {@link SphereCameras#visibleRadius}, lit by a random light and rendered
 * from {@code viewsPerMesh} whole-sphere random cameras on black. Mesh {@code m}'s views are images
 * {@code m*V .. m*V+V-1}; object id = mesh index; output depends only on the inputs and the seed.
 *
 * <p>Class folders without meshes and meshes that fail to load are listed and skipped (or fail the
 * run when {@code strict}). Nothing outside the root is read ({@link PathRule}): a class folder or
 * mesh file that is a symbolic link leading out of the root fails the scan, and a material or
 * texture that a mesh names outside the root is not opened (a warning, like a missing file).
 */
public final class MeshesGenerator {
  /** Version of the rendering procedure; part of the cache key. */
  public static final int VERSION = 1;

  private MeshesGenerator() {}

  /** One mesh file found under the root. */
  public record Source(String relativePath, int classIndex, long size, long modified) {}

  /** What a scan of the root found. */
  public record Scan(Path root, List<String> classes, List<Source> meshes, List<String> problems) {}

  /** Lists class folders (sorted) and their mesh files (sorted, recursively). */
  public static Scan scan(Path root) {
    if (!Files.isDirectory(root)) {
      throw new DataException(root + ": mesh root not found (expected a folder with one "
          + "sub-folder of OBJ/PLY/OFF files per class)");
    }
    List<String> problems = new ArrayList<>();
    List<String> escapes = new ArrayList<>();
    List<String> classes = new ArrayList<>();
    List<Source> meshes = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      Path realRoot = root.toRealPath();
      List<Path> classDirs = dirs.filter(Files::isDirectory).sorted().toList();
      for (Path dir : classDirs) {
        String out = PathRule.linkOutside(realRoot, dir);
        if (out != null) {
          escapes.add(root.relativize(dir) + "/: expected a class folder inside the mesh root, "
              + "found " + out + " (move or copy the folder into " + root + ", or point the mesh "
              + "root at a folder that holds the class folders themselves)");
          continue;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
          files = walk.filter(Files::isRegularFile).filter(MeshesGenerator::isMesh).sorted()
              .toList();
        }
        for (Path f : files) {
          String link = PathRule.fileLinkOutside(realRoot, f);
          if (link != null) {
            escapes.add(root.relativize(f) + ": expected a mesh file inside the mesh root, found "
                + link + " (replace the link by the file itself)");
          }
        }
        if (files.isEmpty()) {
          problems.add(root.relativize(dir) + ": empty class folder (no .obj/.ply/.off files); "
              + "class skipped");
          continue;
        }
        int k = classes.size();
        classes.add(dir.getFileName().toString());
        for (Path f : files) {
          meshes.add(new Source(root.relativize(f).toString().replace('\\', '/'), k, Files.size(f),
              Files.getLastModifiedTime(f).toMillis()));
        }
      }
    } catch (IOException e) {
      throw new DataException(root + ": cannot list meshes (" + TextFiles.reason(e) + ")", e);
    }
    if (!escapes.isEmpty()) {
      throw Dataset.problemsException(root.toString(), escapes);
    }
    if (classes.isEmpty()) {
      throw new DataException(root + ": no class folder contains meshes (expected "
          + "root/<class>/<mesh>.obj|ply|off)");
    }
    return new Scan(root.toAbsolutePath(), List.copyOf(classes), List.copyOf(meshes),
        List.copyOf(problems));
  }

  private static boolean isMesh(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    int dot = n.lastIndexOf('.');
    return dot > 0 && MeshFiles.EXTENSIONS.contains(n.substring(dot + 1));
  }

  /** A canonical description of everything that changes the output (for cache keys). */
  public static String key(Scan scan, int viewsPerMesh, long seed, int resolution,
      CameraPrior camera) {
    StringBuilder sb = new StringBuilder("meshes v" + VERSION + " ss" + ShapesGenerator.SUPERSAMPLE
        + " root=" + scan.root() + " views=" + viewsPerMesh + " seed=" + seed + " res="
        + resolution + " camera=" + ShapesGenerator.cameraKey(camera));
    for (Source s : scan.meshes()) {
      sb.append('\n').append(s.relativePath()).append(' ').append(s.size()).append(' ')
          .append(s.modified());
    }
    return sb.toString();
  }

  /** Renders the dataset to {@code dest}; returns it. */
  public static Path generate(Path dest, Scan scan, int viewsPerMesh, long seed, int resolution,
      CameraPrior camera, boolean strict, int threads, PrintWriter out) {
    checkArgument(viewsPerMesh > 0, "data.meshes.views_per_mesh: expected > 0, found %s",
        viewsPerMesh);
    for (String p : scan.problems()) {
      if (out != null) {
        out.println("warning: " + p);
      }
    }
    if (strict && !scan.problems().isEmpty()) {
      throw Dataset.problemsException(scan.root().toString(), scan.problems());
    }
    double radius = 0.9 * SphereCameras.visibleRadius(camera);
    double fov = camera.getFovDegrees();
    RenderOptions base = RenderOptions.defaults().withSupersample(ShapesGenerator.SUPERSAMPLE);
    int n = scan.meshes().size();
    Progress progress = new Progress(out, "meshes", (long) n * viewsPerMesh, Progress.Unit.IMAGES);
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    ConcurrentHashMap<Integer, Boolean> ok = new ConcurrentHashMap<>();
    // Renders are kept (PNG-encoded) in memory until every mesh has loaded, so that meshes that
    // fail can be left out with contiguous image indices: about 5-10 KB per image at 64².
    List<JsonObject> objects = new ArrayList<>(Collections.nCopies(n, null));
    List<byte[][]> pngs = new ArrayList<>(Collections.nCopies(n, null));
    List<TrueView[]> views = new ArrayList<>(Collections.nCopies(n, null));
    ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
    try {
      pool.submit(() -> IntStream.range(0, n).parallel().forEach(m -> {
        Source src = scan.meshes().get(m);
        List<String> warnings = new ArrayList<>();
        Mesh mesh;
        try {
          mesh = MeshFiles.load(scan.root().resolve(src.relativePath()), scan.root(), warnings);
        } catch (DataException e) {
          failures.add(src.relativePath() + ": " + e.getMessage());
          progress.add(viewsPerMesh);
          return;
        }
        warnings.forEach(w -> failures.add("(warning) " + w));
        float[] norm = mesh.normalization((float) radius);
        Mesh placed = mesh.transformed(norm[0], norm[1], norm[2], norm[3]);
        SplittableRandom rng = new SplittableRandom(BatchReader.mix(seed, m, 0x4D45, 2));
        double[] light = ShapesGenerator.randomLight(rng);
        float ambient = (float) (0.3 + 0.15 * rng.nextDouble());
        JsonObject object = new JsonObject();
        object.addProperty("class", src.classIndex());
        object.addProperty("kind", SyntheticObjects.KIND_MESH);
        object.addProperty("file", src.relativePath());
        object.addProperty("scale", (double) norm[0]);
        object.add("translate", SyntheticObjects.array(norm[1], norm[2], norm[3]));
        object.add("light", SyntheticObjects.array(light));
        object.addProperty("ambient", (double) ambient);
        RenderOptions opts = SyntheticObjects.lighting(object, base);
        byte[][] images = new byte[viewsPerMesh][];
        TrueView[] cams = new TrueView[viewsPerMesh];
        for (int v = 0; v < viewsPerMesh; v++) {
          double[] cam = SphereCameras.sample(camera, rng);
          Rendering r = MeshRenderer.render(placed, cam, fov, resolution, resolution, opts);
          images[v] = org.wild3d.image.Images.encodePng(r.image());
          cams[v] = new TrueView(-1, cam, fov);
          progress.add(1);
        }
        objects.set(m, object);
        pngs.set(m, images);
        views.set(m, cams);
        ok.put(m, true);
      })).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("mesh rendering interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re
          : new IllegalStateException(e.getCause());
    } finally {
      pool.shutdown();
    }
    List<String> errors = failures.stream().filter(f -> !f.startsWith("(warning)")).sorted()
        .toList();
    failures.stream().filter(f -> f.startsWith("(warning)")).sorted().forEach(w -> {
      if (out != null) {
        out.println("warning: " + w.substring(10));
      }
    });
    for (String e : errors) {
      if (out != null) {
        out.println("skipped: " + e);
      }
    }
    if (strict && !errors.isEmpty()) {
      throw Dataset.problemsException(scan.root().toString(), errors);
    }
    if (ok.isEmpty()) {
      throw Dataset.problemsException(scan.root().toString(), errors);
    }
    try (DatasetWriter writer = DatasetWriter.create(dest, resolution, scan.classes())) {
      JsonObject source = new JsonObject();
      source.addProperty("generator", "meshes");
      source.addProperty("version", VERSION);
      source.addProperty("root", scan.root().toString());
      source.addProperty("views_per_mesh", viewsPerMesh);
      source.addProperty("seed", seed);
      source.addProperty("camera_radius", camera.getRadius());
      source.addProperty("fov_degrees", fov);
      source.addProperty("skipped_meshes", errors.size());
      writer.setSource(source);
      int image = 0;
      int id = 0;
      for (int m = 0; m < n; m++) {
        if (objects.get(m) == null) {
          continue;
        }
        writer.addObject(id, objects.get(m));
        int k = objects.get(m).get("class").getAsInt();
        for (int v = 0; v < viewsPerMesh; v++) {
          TrueView t = views.get(m)[v];
          writer.addPng(image++, pngs.get(m)[v], k, new TrueView(id, t.cam2world(), fov));
        }
        id++;
      }
      Path result = writer.commit();
      progress.finish();
      return result;
    }
  }
}
