package org.wild3d.data;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.wild3d.config.CameraPrior;
import org.wild3d.log.Progress;
import org.wild3d.raster.Material;
import org.wild3d.raster.Mesh;
import org.wild3d.raster.MeshRenderer;
import org.wild3d.raster.Procedural;
import org.wild3d.raster.RenderOptions;
import org.wild3d.raster.Rendering;
import org.wild3d.raster.SphereCameras;

/**
 * Generates the procedural {@code shapes} dataset: {@code imagesPerClass} images per class, each
 * a new object (random proportions within its class, random size, colour and light) seen from a
 * camera drawn from the whole-sphere prior, on black. Image {@code i} has class
 * {@code i / imagesPerClass} and depends only on {@code (seed, i)}, so the output is
 * byte-identical for the same parameters whatever the thread count.
 *
 * <p>Objects are centred and scaled so their bounding sphere has radius between 0.65 and 0.95 of
 * {@link SphereCameras#visibleRadius} (every camera of the prior sees them whole).
 */
public final class ShapesGenerator {
  /** Version of the generation procedure; part of the cache key, bump on any output change. */
  public static final int VERSION = 1;
  /** Supersampling used for dataset images. */
  static final int SUPERSAMPLE = 3;

  private ShapesGenerator() {}

  /** Parameters of one generation run. */
  public record Params(
      List<String> classes, int imagesPerClass, long seed, int resolution, CameraPrior camera) {
    public Params {
      checkArgument(!classes.isEmpty(), "data.shapes.classes: expected at least one class");
      for (String c : classes) {
        if (!Procedural.ALL_CLASSES.contains(c)) {
          throw Procedural.unknownClass(c);
        }
      }
      checkArgument(imagesPerClass > 0, "data.shapes.images_per_class: expected > 0, found %s",
          imagesPerClass);
      checkArgument(resolution >= 4, "resolution: expected >= 4, found %s", resolution);
      classes = List.copyOf(classes);
    }

    /** A canonical description of everything that changes the output (for cache keys). */
    public String key() {
      return "shapes v" + VERSION + " ss" + SUPERSAMPLE + " classes=" + classes + " ipc="
          + imagesPerClass + " seed=" + seed + " res=" + resolution + " camera=" + cameraKey(camera);
    }
  }

  /** The effective camera prior values (defaults included), for cache keys. */
  static String cameraKey(CameraPrior c) {
    return "r" + c.getRadius() + " fov" + c.getFovDegrees() + " az" + c.getAzimuthMinDeg() + ".."
        + c.getAzimuthMaxDeg() + " polar" + c.getPolarMinDeg() + ".." + c.getPolarMaxDeg();
  }

  /** Writes the dataset to {@code dest} (folder or .zip) using {@code threads} threads. */
  public static Path generate(Path dest, Params p, int threads, PrintWriter progressOut) {
    int total = p.classes().size() * p.imagesPerClass();
    Progress progress = new Progress(progressOut, "shapes", total, Progress.Unit.IMAGES);
    double visible = SphereCameras.visibleRadius(p.camera());
    double fov = p.camera().getFovDegrees();
    RenderOptions base = RenderOptions.defaults().withSupersample(SUPERSAMPLE);
    try (DatasetWriter writer = DatasetWriter.create(dest, p.resolution(), p.classes())) {
      JsonObject source = new JsonObject();
      source.addProperty("generator", "shapes");
      source.addProperty("version", VERSION);
      source.addProperty("images_per_class", p.imagesPerClass());
      source.addProperty("seed", p.seed());
      source.addProperty("camera_radius", p.camera().getRadius());
      source.addProperty("fov_degrees", fov);
      writer.setSource(source);
      ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
      try {
        pool.submit(() -> IntStream.range(0, total).parallel().forEach(i -> {
          int k = i / p.imagesPerClass();
          String shape = p.classes().get(k);
          SplittableRandom rng = new SplittableRandom(BatchReader.mix(p.seed(), i, 0x5A4E, 1));
          JsonObject params = Procedural.sampleParams(shape, rng);
          float radius = (float) (visible * (0.65 + 0.3 * rng.nextDouble()));
          float[] color = randomColor(rng);
          double[] light = randomLight(rng);
          float ambient = (float) (0.3 + 0.15 * rng.nextDouble());
          double[] cam = SphereCameras.sample(p.camera(), rng);

          JsonObject object = new JsonObject();
          object.addProperty("class", k);
          object.addProperty("kind", SyntheticObjects.KIND_SHAPE);
          object.addProperty("shape", shape);
          object.add("params", params);
          object.addProperty("radius", (double) radius);
          object.add("color", SyntheticObjects.array(color[0], color[1], color[2]));
          object.add("light", SyntheticObjects.array(light));
          object.addProperty("ambient", (double) ambient);

          Mesh mesh = SyntheticObjects.mesh(object, null);
          Rendering r = MeshRenderer.render(mesh, cam, fov, p.resolution(), p.resolution(),
              SyntheticObjects.lighting(object, base));
          writer.addObject(i, object);
          writer.add(i, r.image(), k, new TrueView(i, cam, fov));
          progress.add(1);
        })).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("shapes generation interrupted", e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause() instanceof RuntimeException re ? re
            : new IllegalStateException(e.getCause());
      } finally {
        pool.shutdown();
      }
      Path out = writer.commit();
      progress.finish();
      return out;
    }
  }

  /** A saturated colour: hue uniform, saturation 0.45..0.95, value 0.65..1. */
  static float[] randomColor(SplittableRandom rng) {
    double h = rng.nextDouble() * 6;
    double s = 0.45 + 0.5 * rng.nextDouble();
    double v = 0.65 + 0.35 * rng.nextDouble();
    int sector = (int) h % 6;
    double f = h - Math.floor(h);
    double pv = v * (1 - s);
    double q = v * (1 - s * f);
    double t = v * (1 - s * (1 - f));
    double[] rgb =
        switch (sector) {
          case 0 -> new double[] {v, t, pv};
          case 1 -> new double[] {q, v, pv};
          case 2 -> new double[] {pv, v, t};
          case 3 -> new double[] {pv, q, v};
          case 4 -> new double[] {t, pv, v};
          default -> new double[] {v, pv, q};
        };
    return new float[] {(float) rgb[0], (float) rgb[1], (float) rgb[2]};
  }

  /** A light direction in the upper hemisphere (elevation 20°..80°), azimuth uniform. */
  static double[] randomLight(SplittableRandom rng) {
    double az = rng.nextDouble() * 2 * Math.PI;
    double el = Math.toRadians(20 + 60 * rng.nextDouble());
    return new double[] {
      Math.cos(el) * Math.sin(az), Math.sin(el), Math.cos(el) * Math.cos(az)
    };
  }

}
