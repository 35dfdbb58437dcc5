package org.wild3d.eval;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.wild3d.checkpoint.CheckpointRestore;
import org.wild3d.meshing.FieldMeshes;
import org.wild3d.meshing.ObjWriter;
import org.wild3d.meshing.PlyWriter;
import org.wild3d.meshing.ScalarGrid;
import org.wild3d.meshing.TriangleMesh;
import org.wild3d.model.Snapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wild3d-eval mesh}: the density of {@code G_ema} for chosen (seed, class) scenes sampled
 * on a grid over the triplanes' box {@code [−box/2, box/2]³} (nothing outside it has features),
 * marching cubes at a density threshold, vertex colours from the field, one PLY/OBJ file per
 * scene. The grid's outer layer counts as empty, so a surface cut by the box is closed there.
 */
@Command(
    name = "mesh",
    description = {
        "Extract meshes (marching cubes on G_ema's density, vertex colours from the field) of"
            + " chosen seeds and classes of a run: one PLY or OBJ per (seed, class).",
        "The grid spans the triplane box [-box/2, box/2]^3 (model.triplane.box_size);"
            + " the surface is where the density sigma = softplus(raw - 1) equals --threshold."})
final class MeshCommand implements Callable<Integer> {
  /**
   * Default density level. Our models' σ = softplus(raw − 1) rises from about 0 to a few units
   * within a voxel or two at surfaces (on the shapes-tiny run the volume above 0.5, 1 and 2 differs
   * by under 10%, and most scenes never reach 10), so 1 sits in that rise. EG3D extracts its
   * shapes at 10, for long-trained models whose densities reach the hundreds.
   */
  static final float DEFAULT_THRESHOLD = FieldMeshes.DEFAULT_LEVEL;

  @Spec CommandSpec spec;

  @Mixin SceneOptions scenes;

  @Option(names = "--resolution", paramLabel = "N", defaultValue = "128",
      description = "Grid nodes per axis (default: ${DEFAULT-VALUE}; memory about 40 bytes per"
          + " node, time grows with N^3).")
  int resolution;

  @Option(names = "--threshold", paramLabel = "SIGMA", defaultValue = "" + DEFAULT_THRESHOLD,
      description = "Density level of the surface (default: ${DEFAULT-VALUE}, inside the sharp"
          + " rise of sigma at our models' surfaces; EG3D uses 10 for long-trained models with"
          + " densities in the hundreds; the printed sigma range helps).")
  float threshold;

  @Option(names = "--format", paramLabel = "FMT", defaultValue = "ply",
      description = "ply (binary, vertex colours) or obj (v x y z r g b) (default: ${DEFAULT-VALUE}).")
  String format;

  @Override
  public Integer call() {
    var cl = spec.commandLine();
    scenes.checkUsage(cl);
    if (resolution < 8 || resolution > 512) {
      throw new ParameterException(cl, "--resolution: expected 8..512 nodes per axis, found "
          + resolution);
    }
    if (!(threshold > 0) || Float.isInfinite(threshold)) {
      throw new ParameterException(cl, "--threshold: expected a density > 0 (sigma is >= 0),"
          + " found " + threshold);
    }
    String fmt = format.toLowerCase(Locale.ROOT);
    if (!fmt.equals("ply") && !fmt.equals("obj")) {
      throw new ParameterException(cl, "--format: expected ply or obj, found '" + format + "'");
    }
    long[] seeds = scenes.seeds(cl);
    PrintWriter out = cl.getOut();
    PrintWriter log = cl.getErr();
    int empty = 0;
    try (Snapshot snap = scenes.open(log)) {
      int[] classes = scenes.classes(cl, snap.numClasses());
      String source = "from " + CheckpointRestore.describe(snap.checkpoint());
      ScalarGrid grid = FieldMeshes.grid(snap, resolution);
      int total = seeds.length * classes.length;
      out.printf("%-22s %9s %9s %7s %17s %7s  %s%n", "scene", "vertices", "faces", "closed",
          "sigma range", "sec", "file");
      int done = 0;
      for (long seed : seeds) {
        float[] z = SceneOptions.latent(seed, snap.zDim());
        for (int cls : classes) {
          long t0 = System.nanoTime();
          String stem = SceneOptions.stem(seed, cls);
          float[] ws = snap.map(z, new int[] {cls}, scenes.truncation);
          FieldMeshes.Extracted x = FieldMeshes.extract(snap, ws, grid, threshold);
          float[] range = x.sigmaRange();
          TriangleMesh mesh = x.mesh();
          long t2 = System.nanoTime();
          done++;
          if (mesh.isEmpty()) {
            empty++;
            log.printf(Locale.ROOT, "mesh %d/%d %s: no surface: sigma on the %d^3 grid spans"
                    + " [%.3g, %.3g], never above --threshold %.3g (lower it); no file written%n",
                done, total, stem, resolution, range[0], range[1], threshold);
            log.flush();
            continue;
          }
          Path file = scenes.out.resolve(stem + "." + fmt);
          List<String> comments = List.of(source, String.format(Locale.ROOT,
              "scene: seed %d, class %d, truncation %s; grid %d^3, sigma level %s", seed, cls,
              scenes.truncation, resolution, threshold));
          if (fmt.equals("ply")) {
            PlyWriter.write(mesh, file, true, comments);
          } else {
            ObjWriter.write(mesh, file, comments);
          }
          double sec = (System.nanoTime() - t0) / 1e9;
          boolean closed = mesh.isClosed();
          log.printf(Locale.ROOT, "mesh %d/%d %s: %d vertices, %d faces, %s, %.1f s (density,"
                  + " marching cubes and colours %.1f s, file and checks %.2f s)%n", done, total,
              stem, mesh.vertexCount(), mesh.faceCount(), closed ? "closed" : "open", sec,
              (t2 - t0) / 1e9, (System.nanoTime() - t2) / 1e9);
          log.flush();
          out.printf(Locale.ROOT, "%-22s %9d %9d %7s %8.3g..%-8.3g %7.1f  %s%n", stem,
              mesh.vertexCount(), mesh.faceCount(), closed ? "yes" : "no", range[0], range[1],
              sec, file);
          out.flush();
        }
      }
      if (empty > 0) {
        log.printf("mesh: %d of %d scenes had no surface at --threshold %s (see above)%n", empty,
            total, threshold);
        log.flush();
        return 1;
      }
    }
    return 0;
  }
}
