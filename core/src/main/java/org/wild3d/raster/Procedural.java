package org.wild3d.raster;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.SplittableRandom;
import org.wild3d.Wild3dException;

/**
 * The procedural object classes of the {@code shapes} dataset. Each class draws its proportions
 * from a seeded random source ({@link #sampleParams}); {@link #build} turns a class name and its
 * parameters back into a mesh, so an object is re-created from the few numbers kept in
 * {@code dataset.json}. Meshes are built in the y-up world with their bounding box centred at the
 * origin; the dataset generator then scales them to their target size.
 */
public final class Procedural {
  /** The default six classes of the {@code shapes} dataset. */
  public static final List<String> DEFAULT_CLASSES =
      List.of("sphere", "cube", "torus", "cone", "cylinder", "chair");
  /** Every class this generator knows. */
  public static final List<String> ALL_CLASSES =
      List.of("sphere", "cube", "torus", "cone", "cylinder", "chair", "pyramid", "table");

  private static final int SEGMENTS = 32;

  private Procedural() {}

  /** Random proportions of one object of class {@code shape}. */
  public static JsonObject sampleParams(String shape, SplittableRandom rng) {
    JsonObject p = new JsonObject();
    switch (shape) {
      case "sphere", "cube", "pyramid" -> {
        // Size is the only freedom; it is applied by the generator's scale.
      }
      case "torus" -> p.addProperty("minor", round(0.22 + 0.2 * rng.nextDouble()));
      case "cone" -> p.addProperty("height", round(1.2 + 1.0 * rng.nextDouble()));
      case "cylinder" -> p.addProperty("height", round(0.7 + 1.5 * rng.nextDouble()));
      case "chair" -> {
        p.addProperty("seat_width", round(0.8 + 0.4 * rng.nextDouble()));
        p.addProperty("seat_depth", round(0.8 + 0.3 * rng.nextDouble()));
        p.addProperty("leg_height", round(0.7 + 0.4 * rng.nextDouble()));
        p.addProperty("back_height", round(0.8 + 0.6 * rng.nextDouble()));
        p.addProperty("thickness", round(0.08 + 0.06 * rng.nextDouble()));
      }
      case "table" -> {
        p.addProperty("width", round(1.4 + 0.8 * rng.nextDouble()));
        p.addProperty("depth", round(0.8 + 0.4 * rng.nextDouble()));
        p.addProperty("height", round(0.8 + 0.4 * rng.nextDouble()));
        p.addProperty("thickness", round(0.06 + 0.06 * rng.nextDouble()));
      }
      default -> throw unknownClass(shape);
    }
    return p;
  }

  /** Rounds to 1e-4 so the recorded JSON reproduces the mesh exactly. */
  private static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }

  public static Wild3dException unknownClass(String shape) {
    return new Wild3dException(Wild3dException.EXIT_CONFIG,
        "data.shapes.classes: expected one of " + ALL_CLASSES + ", found \"" + shape + "\"");
  }

  /** The mesh of class {@code shape} with parameters {@code p}, before size normalisation. */
  public static Mesh build(String shape, JsonObject p, Material material) {
    MeshBuilder b = new MeshBuilder();
    switch (shape) {
      case "sphere" -> sphere(b);
      case "cube" -> b.box(-1, -1, -1, 1, 1, 1);
      case "torus" -> torus(b, p.get("minor").getAsDouble());
      case "cone" -> cone(b, p.get("height").getAsDouble());
      case "cylinder" -> cylinder(b, p.get("height").getAsDouble());
      case "pyramid" -> pyramid(b);
      case "chair" -> chair(b, p);
      case "table" -> table(b, p);
      default -> throw unknownClass(shape);
    }
    return b.build(material);
  }

  private static double[] v(double x, double y, double z) {
    return new double[] {x, y, z};
  }

  private static void sphere(MeshBuilder b) {
    int rings = SEGMENTS / 2;
    for (int i = 0; i < rings; i++) {
      double t0 = Math.PI * i / rings;
      double t1 = Math.PI * (i + 1) / rings;
      for (int j = 0; j < SEGMENTS; j++) {
        double p0 = 2 * Math.PI * j / SEGMENTS;
        double p1 = 2 * Math.PI * (j + 1) / SEGMENTS;
        double[] a = unitSphere(t0, p0);
        double[] c = unitSphere(t1, p0);
        double[] d = unitSphere(t1, p1);
        double[] e = unitSphere(t0, p1);
        if (i > 0) {
          b.tri(a, c, e, a, c, e);
        }
        if (i < rings - 1) {
          b.tri(e, c, d, e, c, d);
        }
      }
    }
  }

  private static double[] unitSphere(double polar, double azimuth) {
    return v(Math.sin(polar) * Math.sin(azimuth), Math.cos(polar),
        Math.sin(polar) * Math.cos(azimuth));
  }

  private static void torus(MeshBuilder b, double minor) {
    int minorSegments = SEGMENTS / 2;
    for (int i = 0; i < SEGMENTS; i++) {
      for (int j = 0; j < minorSegments; j++) {
        double[][] pts = new double[4][];
        double[][] nrm = new double[4][];
        for (int k = 0; k < 4; k++) {
          double u = 2 * Math.PI * (i + (k == 1 || k == 2 ? 1 : 0)) / SEGMENTS;
          double w = 2 * Math.PI * (j + (k >= 2 ? 1 : 0)) / minorSegments;
          double[] n = v(Math.cos(w) * Math.sin(u), Math.sin(w), Math.cos(w) * Math.cos(u));
          pts[k] = v(Math.sin(u) * (1 + minor * Math.cos(w)), minor * Math.sin(w),
              Math.cos(u) * (1 + minor * Math.cos(w)));
          nrm[k] = n;
        }
        b.tri(pts[0], pts[1], pts[2], nrm[0], nrm[1], nrm[2]);
        b.tri(pts[0], pts[2], pts[3], nrm[0], nrm[2], nrm[3]);
      }
    }
  }

  private static void cone(MeshBuilder b, double height) {
    double h = height / 2;
    double slope = 1 / height; // normal tilt: n ∝ (cos, r/h, sin)
    double[] apex = v(0, h, 0);
    double[] centre = v(0, -h, 0);
    for (int j = 0; j < SEGMENTS; j++) {
      double a0 = 2 * Math.PI * j / SEGMENTS;
      double a1 = 2 * Math.PI * (j + 1) / SEGMENTS;
      double[] p0 = v(Math.sin(a0), -h, Math.cos(a0));
      double[] p1 = v(Math.sin(a1), -h, Math.cos(a1));
      double[] n0 = normalize(v(Math.sin(a0), slope, Math.cos(a0)));
      double[] n1 = normalize(v(Math.sin(a1), slope, Math.cos(a1)));
      double am = (a0 + a1) / 2;
      double[] nm = normalize(v(Math.sin(am), slope, Math.cos(am)));
      b.tri(p0, p1, apex, n0, n1, nm);
      b.flat(centre, p1, p0);
    }
  }

  private static void cylinder(MeshBuilder b, double height) {
    double h = height / 2;
    double[] top = v(0, h, 0);
    double[] bottom = v(0, -h, 0);
    for (int j = 0; j < SEGMENTS; j++) {
      double a0 = 2 * Math.PI * j / SEGMENTS;
      double a1 = 2 * Math.PI * (j + 1) / SEGMENTS;
      double[] n0 = v(Math.sin(a0), 0, Math.cos(a0));
      double[] n1 = v(Math.sin(a1), 0, Math.cos(a1));
      double[] b0 = v(n0[0], -h, n0[2]);
      double[] b1 = v(n1[0], -h, n1[2]);
      double[] t0 = v(n0[0], h, n0[2]);
      double[] t1 = v(n1[0], h, n1[2]);
      b.tri(b0, b1, t1, n0, n1, n1);
      b.tri(b0, t1, t0, n0, n1, n0);
      b.flat(top, t0, t1);
      b.flat(bottom, b1, b0);
    }
  }

  private static void pyramid(MeshBuilder b) {
    double[] apex = v(0, 1, 0);
    double[] c0 = v(-1, -1, -1);
    double[] c1 = v(1, -1, -1);
    double[] c2 = v(1, -1, 1);
    double[] c3 = v(-1, -1, 1);
    b.flat(c0, apex, c1);
    b.flat(c1, apex, c2);
    b.flat(c2, apex, c3);
    b.flat(c3, apex, c0);
    b.quad(c0, c1, c2, c3);
  }

  /** A chair facing +z: seat, four legs, a backrest on the -z side (front and back differ). */
  private static void chair(MeshBuilder b, JsonObject p) {
    double w = p.get("seat_width").getAsDouble() / 2;
    double d = p.get("seat_depth").getAsDouble() / 2;
    double legs = p.get("leg_height").getAsDouble();
    double back = p.get("back_height").getAsDouble();
    double t = p.get("thickness").getAsDouble();
    b.box(-w, legs, -d, w, legs + t, d);
    double l = t * 0.9;
    b.box(-w, 0, -d, -w + l, legs, -d + l);
    b.box(w - l, 0, -d, w, legs, -d + l);
    b.box(-w, 0, d - l, -w + l, legs, d);
    b.box(w - l, 0, d - l, w, legs, d);
    b.box(-w, legs + t, -d, w, legs + t + back, -d + t);
  }

  /** A rectangular table: top and four legs. */
  private static void table(MeshBuilder b, JsonObject p) {
    double w = p.get("width").getAsDouble() / 2;
    double d = p.get("depth").getAsDouble() / 2;
    double h = p.get("height").getAsDouble();
    double t = p.get("thickness").getAsDouble();
    b.box(-w, h - t, -d, w, h, d);
    double l = 0.1;
    double in = 0.08;
    b.box(-w + in, 0, -d + in, -w + in + l, h - t, -d + in + l);
    b.box(w - in - l, 0, -d + in, w - in, h - t, -d + in + l);
    b.box(-w + in, 0, d - in - l, -w + in + l, h - t, d - in);
    b.box(w - in - l, 0, d - in - l, w - in, h - t, d - in);
  }

  private static double[] normalize(double[] a) {
    double n = Math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
    return v(a[0] / n, a[1] / n, a[2] / n);
  }
}
