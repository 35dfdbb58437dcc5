package org.wild3d.raster;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import org.wild3d.camera.Camera;
import org.wild3d.image.RgbImage;

/**
 * A small CPU rasteriser for synthetic datasets and ground truth: triangle meshes with per-corner
 * colour or textured materials, Lambert + ambient lighting from one directional light (two-sided:
 * normals are turned towards the camera), z-buffered, anti-aliased by supersampling, over a colour
 * or an image. It also returns the true ray depth and silhouette (see {@link Rendering}).
 *
 * <p>Camera convention (docs/CONVENTIONS.md): {@code cam2world} is a 4×4 row-major OpenCV matrix
 * whose columns are the camera's right (+x, image right), down (+y, image down) and forward (+z)
 * axes and its position; intrinsics are normalised, {@code fx = fy = 0.5 / tan(fov/2)},
 * {@code cx = cy = 0.5}, and pixel (i, j) has normalised centre {@code ((j+0.5)/W, (i+0.5)/H)}.
 * (The project's {@code org.wild3d.camera.Camera} holds exactly these values; this class takes
 * the plain matrix so it has no dependency on it.)
 *
 * <p>Perspective-correct attribute interpolation; triangles crossing the near plane
 * ({@value #NEAR} in camera z) are clipped. Thread-safe (no state).
 */
public final class MeshRenderer {
  /** Near clipping distance (camera z). */
  public static final double NEAR = 1e-3;

  private MeshRenderer() {}

  /**
   * Renders {@code mesh} seen by the camera {@code cam2world} (row-major 4×4, OpenCV) with field of
   * view {@code fovDegrees} into a {@code width × height} image.
   */
  public static Rendering render(
      Mesh mesh, double[] cam2world, double fovDegrees, int width, int height,
      RenderOptions options) {
    checkArgument(cam2world.length == 16, "cam2world: expected 16 values, found %s",
        cam2world.length);
    checkArgument(fovDegrees > 0 && fovDegrees < 180, "fov: expected (0, 180) degrees, found %s",
        fovDegrees);
    checkArgument(width > 0 && height > 0, "image size: expected > 0, found %sx%s", width, height);
    RgbImage bgImage = options.backgroundImage();
    checkArgument(bgImage == null || (bgImage.width() == width && bgImage.height() == height),
        "background image: expected %sx%s, found %s", width, height, bgImage);
    double focal = Camera.focal(fovDegrees);
    int s = options.supersample();
    Raster raster = rasterize(mesh, cam2world, focal, width * s, height * s);

    int sw = width * s;
    float[] sums = new float[width * height * 3];
    int[] hits = new int[width * height];
    float[] rgb = new float[3];
    float[] light = unit(options.lightDir());
    for (int y = 0; y < height * s; y++) {
      for (int x = 0; x < sw; x++) {
        int k = y * sw + x;
        if (raster.tri[k] < 0) {
          continue;
        }
        shade(mesh, raster, k, x, y, sw, height * s, focal, cam2world, light, options, rgb);
        int p = (y / s) * width + (x / s);
        hits[p]++;
        sums[p * 3] += rgb[0];
        sums[p * 3 + 1] += rgb[1];
        sums[p * 3 + 2] += rgb[2];
      }
    }
    float[] bg = options.background();
    byte[] out = new byte[width * height * 3];
    float[] silhouette = new float[width * height];
    float n = s * s;
    for (int p = 0; p < width * height; p++) {
      float miss = n - hits[p];
      for (int c = 0; c < 3; c++) {
        float b = bgImage != null ? (bgImage.rgb()[p * 3 + c] & 0xff) / 255f : bg[c];
        float v = (sums[p * 3 + c] + miss * b) / n;
        out[p * 3 + c] = (byte) Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
      }
      silhouette[p] = hits[p] / n;
    }

    // Depth at pixel centres: the centre sample when s is odd, else one extra pass at 1 sample.
    Raster centres = s % 2 == 1 ? raster : rasterize(mesh, cam2world, focal, width, height);
    int cs = s % 2 == 1 ? s : 1;
    float[] depth = new float[width * height];
    for (int i = 0; i < height; i++) {
      for (int j = 0; j < width; j++) {
        int k = (i * cs + cs / 2) * (width * cs) + (j * cs + cs / 2);
        if (centres.tri[k] >= 0) {
          double a = ((j + 0.5) / width - 0.5) / focal;
          double b = ((i + 0.5) / height - 0.5) / focal;
          depth[i * width + j] = (float) (centres.z[k] * Math.sqrt(1 + a * a + b * b));
        }
      }
    }
    return new Rendering(new RgbImage(width, height, out), depth, silhouette);
  }

  /** Per-sample visibility: nearest triangle, its camera z and perspective-correct barycentrics. */
  private static final class Raster {
    final float[] z;
    final int[] tri;
    final float[] b0;
    final float[] b1;

    Raster(int n) {
      z = new float[n];
      tri = new int[n];
      b0 = new float[n];
      b1 = new float[n];
      Arrays.fill(z, Float.POSITIVE_INFINITY);
      Arrays.fill(tri, -1);
    }
  }

  private static Raster rasterize(Mesh mesh, double[] m, double focal, int w, int h) {
    Raster r = new Raster(w * h);
    float[] pos = mesh.positions();
    double[] cam = new double[9];
    double[] identity = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    double[] poly = new double[4 * 3];
    double[] polyBary = new double[4 * 3];
    for (int t = 0; t < mesh.triangles(); t++) {
      int inFront = 0;
      for (int k = 0; k < 3; k++) {
        double px = pos[t * 9 + k * 3] - m[3];
        double py = pos[t * 9 + k * 3 + 1] - m[7];
        double pz = pos[t * 9 + k * 3 + 2] - m[11];
        // p_cam = R^T (p_world - t): R's columns are the camera axes.
        cam[k * 3] = m[0] * px + m[4] * py + m[8] * pz;
        cam[k * 3 + 1] = m[1] * px + m[5] * py + m[9] * pz;
        cam[k * 3 + 2] = m[2] * px + m[6] * py + m[10] * pz;
        if (cam[k * 3 + 2] > NEAR) {
          inFront++;
        }
      }
      if (inFront == 3) {
        drawTriangle(r, t, cam, identity, 0, 1, 2, focal, w, h);
      } else if (inFront > 0) {
        int n = clipNear(cam, identity, poly, polyBary);
        for (int k = 1; k + 1 < n; k++) {
          drawTriangle(r, t, poly, polyBary, 0, k, k + 1, focal, w, h);
        }
      }
    }
    return r;
  }

  /** Sutherland–Hodgman against z = NEAR; returns the vertex count (0, 3 or 4). */
  private static int clipNear(double[] cam, double[] bary, double[] outPos, double[] outBary) {
    int n = 0;
    for (int i = 0; i < 3; i++) {
      int j = (i + 1) % 3;
      double zi = cam[i * 3 + 2];
      double zj = cam[j * 3 + 2];
      boolean inI = zi > NEAR;
      boolean inJ = zj > NEAR;
      if (inI) {
        System.arraycopy(cam, i * 3, outPos, n * 3, 3);
        System.arraycopy(bary, i * 3, outBary, n * 3, 3);
        n++;
      }
      if (inI != inJ) {
        double a = (NEAR - zi) / (zj - zi);
        for (int c = 0; c < 3; c++) {
          outPos[n * 3 + c] = cam[i * 3 + c] + a * (cam[j * 3 + c] - cam[i * 3 + c]);
          outBary[n * 3 + c] = bary[i * 3 + c] + a * (bary[j * 3 + c] - bary[i * 3 + c]);
        }
        n++;
      }
    }
    return n;
  }

  private static void drawTriangle(
      Raster r, int tri, double[] cam, double[] bary, int i0, int i1, int i2, double focal,
      int w, int h) {
    double iz0 = 1 / cam[i0 * 3 + 2];
    double iz1 = 1 / cam[i1 * 3 + 2];
    double iz2 = 1 / cam[i2 * 3 + 2];
    double x0 = (focal * cam[i0 * 3] * iz0 + 0.5) * w;
    double y0 = (focal * cam[i0 * 3 + 1] * iz0 + 0.5) * h;
    double x1 = (focal * cam[i1 * 3] * iz1 + 0.5) * w;
    double y1 = (focal * cam[i1 * 3 + 1] * iz1 + 0.5) * h;
    double x2 = (focal * cam[i2 * 3] * iz2 + 0.5) * w;
    double y2 = (focal * cam[i2 * 3 + 1] * iz2 + 0.5) * h;
    double area = (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0);
    if (Math.abs(area) < 1e-12) {
      return;
    }
    int minX = Math.max(0, (int) Math.ceil(Math.min(x0, Math.min(x1, x2)) - 0.5));
    int maxX = Math.min(w - 1, (int) Math.floor(Math.max(x0, Math.max(x1, x2)) - 0.5));
    int minY = Math.max(0, (int) Math.ceil(Math.min(y0, Math.min(y1, y2)) - 0.5));
    int maxY = Math.min(h - 1, (int) Math.floor(Math.max(y0, Math.max(y1, y2)) - 0.5));
    if (minX > maxX || minY > maxY) {
      return;
    }
    double inv = 1 / area;
    for (int y = minY; y <= maxY; y++) {
      double py = y + 0.5;
      for (int x = minX; x <= maxX; x++) {
        double px = x + 0.5;
        double w0 = ((x2 - x1) * (py - y1) - (y2 - y1) * (px - x1)) * inv;
        double w1 = ((x0 - x2) * (py - y2) - (y0 - y2) * (px - x2)) * inv;
        double w2 = 1 - w0 - w1;
        if (w0 < 0 || w1 < 0 || w2 < 0) {
          continue;
        }
        double izp = w0 * iz0 + w1 * iz1 + w2 * iz2;
        double z = 1 / izp;
        int k = y * w + x;
        if (z >= r.z[k]) {
          continue;
        }
        double q0 = w0 * iz0 * z;
        double q1 = w1 * iz1 * z;
        double q2 = w2 * iz2 * z;
        r.z[k] = (float) z;
        r.tri[k] = tri;
        r.b0[k] = (float) (q0 * bary[i0 * 3] + q1 * bary[i1 * 3] + q2 * bary[i2 * 3]);
        r.b1[k] = (float) (q0 * bary[i0 * 3 + 1] + q1 * bary[i1 * 3 + 1] + q2 * bary[i2 * 3 + 1]);
      }
    }
  }

  private static void shade(
      Mesh mesh, Raster r, int k, int x, int y, int w, int h, double focal, double[] m,
      float[] light, RenderOptions o, float[] out) {
    int t = r.tri[k];
    float b0 = r.b0[k];
    float b1 = r.b1[k];
    float b2 = 1 - b0 - b1;
    float[] p = mesh.positions();
    float nx;
    float ny;
    float nz;
    float[] normals = mesh.normals();
    if (normals != null) {
      int o9 = t * 9;
      nx = b0 * normals[o9] + b1 * normals[o9 + 3] + b2 * normals[o9 + 6];
      ny = b0 * normals[o9 + 1] + b1 * normals[o9 + 4] + b2 * normals[o9 + 7];
      nz = b0 * normals[o9 + 2] + b1 * normals[o9 + 5] + b2 * normals[o9 + 8];
    } else {
      int o9 = t * 9;
      float ax = p[o9 + 3] - p[o9];
      float ay = p[o9 + 4] - p[o9 + 1];
      float az = p[o9 + 5] - p[o9 + 2];
      float bx = p[o9 + 6] - p[o9];
      float by = p[o9 + 7] - p[o9 + 1];
      float bz = p[o9 + 8] - p[o9 + 2];
      nx = ay * bz - az * by;
      ny = az * bx - ax * bz;
      nz = ax * by - ay * bx;
    }
    float len = (float) Math.sqrt(nx * nx + ny * ny + nz * nz);
    if (len > 0) {
      nx /= len;
      ny /= len;
      nz /= len;
    }
    // World ray direction of this sample; turn the normal towards the camera (two-sided).
    double dx = ((x + 0.5) / w - 0.5) / focal;
    double dy = ((y + 0.5) / h - 0.5) / focal;
    double rx = m[0] * dx + m[1] * dy + m[2];
    double ry = m[4] * dx + m[5] * dy + m[6];
    double rz = m[8] * dx + m[9] * dy + m[10];
    if (nx * rx + ny * ry + nz * rz > 0) {
      nx = -nx;
      ny = -ny;
      nz = -nz;
    }
    float lambert = Math.max(0f, nx * light[0] + ny * light[1] + nz * light[2]);
    float f = o.ambient() + o.diffuse() * lambert;

    float[] colors = mesh.colors();
    if (colors != null) {
      int o9 = t * 9;
      for (int c = 0; c < 3; c++) {
        out[c] = b0 * colors[o9 + c] + b1 * colors[o9 + 3 + c] + b2 * colors[o9 + 6 + c];
      }
    } else if (mesh.materials().isEmpty()) {
      out[0] = out[1] = out[2] = 0.7f;
    } else {
      Material mat = mesh.materials().get(mesh.materialOf(t));
      float u = 0;
      float v = 0;
      float[] uvs = mesh.uvs();
      if (uvs != null) {
        int o6 = t * 6;
        u = b0 * uvs[o6] + b1 * uvs[o6 + 2] + b2 * uvs[o6 + 4];
        v = b0 * uvs[o6 + 1] + b1 * uvs[o6 + 3] + b2 * uvs[o6 + 5];
      }
      mat.albedo(u, v, out);
    }
    out[0] = Math.min(1f, out[0] * f);
    out[1] = Math.min(1f, out[1] * f);
    out[2] = Math.min(1f, out[2] * f);
  }

  private static float[] unit(double[] v) {
    double n = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    checkArgument(n > 0, "light direction: expected non-zero, found (0, 0, 0)");
    return new float[] {(float) (v[0] / n), (float) (v[1] / n), (float) (v[2] / n)};
  }
}
