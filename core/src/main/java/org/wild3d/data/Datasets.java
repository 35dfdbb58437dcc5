package org.wild3d.data;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.wild3d.DataException;
import org.wild3d.TextFiles;
import org.wild3d.config.CameraPrior;
import org.wild3d.config.Data;
import org.wild3d.config.MeshDataset;
import org.wild3d.config.ShapesDataset;
import org.wild3d.raster.Procedural;

/**
 * Resolves a {@code data} config to an open {@link Dataset}: a dataset path, or a synthetic
 * dataset ({@code shapes}, the default when no source is set, or {@code meshes}) generated on
 * first use into the cache directory and reused afterwards.
 *
 * <p>Cache: {@code data.cache_dir} (default {@code ~/.cache/wild3d/datasets}), one folder per
 * generation, named {@code <kind>-<resolution>-<sha256 of the generation parameters, 16 hex>};
 * written under a temporary name and renamed, so a crash never leaves a half dataset in place and
 * concurrent generators of the same key both end up with the one that landed first.
 */
public final class Datasets {
  private Datasets() {}

  /** As {@link #open(Data, CameraPrior, int, PrintWriter)} with the default camera prior. */
  public static Dataset open(Data data, int resolution, PrintWriter progress) {
    return open(data, CameraPrior.getDefaultInstance(), resolution, progress);
  }

  /**
   * Opens (generating if needed) the dataset of {@code data} at {@code resolution}; synthetic
   * datasets use {@code camera} for their viewpoints. {@code data.max_images} is applied as a
   * seeded subset. The caller closes the result.
   *
   * @throws DataException if the dataset is invalid or its resolution differs
   */
  public static Dataset open(Data data, CameraPrior camera, int resolution, PrintWriter progress) {
    Dataset ds =
        switch (data.getSourceCase()) {
          case PATH -> openPath(Path.of(data.getPath()), resolution);
          case SHAPES -> shapes(data.getShapes(), camera, resolution, cacheDir(data), progress);
          case MESHES -> meshes(data.getMeshes(), camera, resolution, cacheDir(data), progress);
          case SOURCE_NOT_SET -> shapes(ShapesDataset.getDefaultInstance(), camera, resolution,
              cacheDir(data), progress);
        };
    if (data.getMaxImages() > 0 && data.getMaxImages() < ds.size()) {
      return ds.subset(data.getMaxImages(), 0, true);
    }
    return ds;
  }

  private static Dataset openPath(Path path, int resolution) {
    Dataset ds = Dataset.open(path);
    if (ds.resolution() != resolution) {
      ds.close();
      throw new DataException("dataset " + path + ": expected resolution " + resolution + "x"
          + resolution + " (data.resolution), found " + ds.resolution() + "x" + ds.resolution()
          + " (re-import with 'wild3d-train dataset import --resolution " + resolution + "')");
    }
    return ds;
  }

  /** {@code data.cache_dir}, or {@code ~/.cache/wild3d/datasets} when empty. */
  public static Path cacheDir(Data data) {
    if (!data.getCacheDir().isEmpty()) {
      return Path.of(data.getCacheDir());
    }
    return Path.of(System.getProperty("user.home"), ".cache", "wild3d", "datasets");
  }

  /** The generation parameters of a {@code shapes} config (default classes filled in). */
  public static ShapesGenerator.Params shapesParams(
      ShapesDataset shapes, CameraPrior camera, int resolution) {
    List<String> classes =
        shapes.getClassesCount() == 0 ? Procedural.DEFAULT_CLASSES : shapes.getClassesList();
    return new ShapesGenerator.Params(classes, shapes.getImagesPerClass(), shapes.getSeed(),
        resolution, camera);
  }

  /** Where the {@code shapes} dataset of these parameters is cached. */
  public static Path shapesCachePath(Path cacheDir, ShapesGenerator.Params p) {
    return cacheDir.resolve("shapes-" + p.resolution() + "-" + hash(p.key()));
  }

  static Dataset shapes(ShapesDataset shapes, CameraPrior camera, int resolution, Path cacheDir,
      PrintWriter progress) {
    ShapesGenerator.Params p = shapesParams(shapes, camera, resolution);
    Path dest = shapesCachePath(cacheDir, p);
    if (!Files.exists(dest)) {
      if (progress != null) {
        progress.println("generating shapes dataset (" + p.classes().size() + " classes x "
            + p.imagesPerClass() + " images at " + resolution + "x" + resolution + ") into "
            + dest);
      }
      generateOrReuse(dest, () -> ShapesGenerator.generate(dest, p, threads(), progress));
    }
    return Dataset.open(dest);
  }

  static Dataset meshes(MeshDataset meshes, CameraPrior camera, int resolution, Path cacheDir,
      PrintWriter progress) {
    if (meshes.getRoot().isEmpty()) {
      throw new DataException("data.meshes.root: expected a folder of class folders of meshes, "
          + "found \"\"");
    }
    MeshesGenerator.Scan scan = MeshesGenerator.scan(Path.of(meshes.getRoot()));
    String key = MeshesGenerator.key(scan, meshes.getViewsPerMesh(), meshes.getSeed(), resolution,
        camera);
    Path dest = cacheDir.resolve("meshes-" + resolution + "-" + hash(key));
    if (!Files.exists(dest)) {
      if (progress != null) {
        progress.println("rendering mesh dataset (" + scan.meshes().size() + " meshes x "
            + meshes.getViewsPerMesh() + " views at " + resolution + "x" + resolution + ") into "
            + dest);
      }
      generateOrReuse(dest, () -> MeshesGenerator.generate(dest, scan, meshes.getViewsPerMesh(),
          meshes.getSeed(), resolution, camera, false, threads(), progress));
    }
    return Dataset.open(dest);
  }

  private static void generateOrReuse(Path dest, Runnable generate) {
    try {
      Files.createDirectories(dest.getParent());
      generate.run();
    } catch (DataException e) {
      if (!Files.exists(dest)) {
        throw e;
      }
      // Another process finished the same dataset first; use that one.
    } catch (java.io.IOException e) {
      throw new DataException(dest.getParent() + ": cannot create the dataset cache ("
          + TextFiles.reason(e) + "; set data.cache_dir to a writable folder)", e);
    }
  }

  private static int threads() {
    return Runtime.getRuntime().availableProcessors();
  }

  static String hash(String key) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
