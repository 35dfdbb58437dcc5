/*
 * Bilinear triplane sampling, forward and backward, as one kernel each (the graph version in
 * TriplaneSampler.java needs a pad, index arithmetic, a 12-row gather per point, a weighted sum
 * and, for the gradient, a tile and an unsorted segment sum over tensors 12× the size of the
 * result). Same conventions: q = p·2/box; plane XY at (q.x, q.y), XZ at (q.x, q.z), YZ at
 * (q.y, q.z); texel k's centre at (2k+1)/R − 1 (align_corners = false); texels outside the
 * plane read as zero; NaN points read zeros; the three planes' features are averaged.
 *
 * Shapes: planes [N,R,R,3F], points [B,M,3] with B = N·views (scene-major: point set b reads
 * scene b / views) → features [B,M,F].
 */
#include "triplane.h"

#include <string.h>

#include "parallel.h"

/* Plane p reads coordinates (U[p], V[p]) of q. */
static const int U[3] = {0, 0, 1};
static const int V[3] = {1, 2, 2};

/* One plane's bilinear footprint of one point: up to 4 texels with their weights. */
typedef struct {
  int valid; /* 0: the point is off this plane (or NaN) */
  int ix0, iy0;
  float fx, fy; /* fractional parts */
} footprint_t;

static inline footprint_t footprint(float u, float v, int r) {
  footprint_t f;
  float x = ((u + 1.0f) * (float)r - 1.0f) * 0.5f;
  float y = ((v + 1.0f) * (float)r - 1.0f) * 0.5f;
  /* Outside (−1, R) every corner is off the plane; comparisons are false for NaN. */
  f.valid = x > -1.0f && x < (float)r && y > -1.0f && y < (float)r;
  if (!f.valid) {
    f.ix0 = f.iy0 = 0;
    f.fx = f.fy = 0.0f;
    return f;
  }
  float x0 = __builtin_floorf(x);
  float y0 = __builtin_floorf(y);
  f.ix0 = (int)x0;
  f.iy0 = (int)y0;
  f.fx = x - x0;
  f.fy = y - y0;
  return f;
}

typedef struct {
  const float* planes;
  const float* points;
  const float* grad; /* backward only */
  float* out;        /* forward: features; backward: grad planes */
  float* grad_points;
  int64_t m, views;
  int r, f;
  float scale; /* 2 / box */
} sample_args_t;

/*
 * The loop bodies take the channel count as an argument and are always inlined: called with a
 * literal (the common F = 16 and 32), the channel loops have a fixed length, the compiler keeps a
 * point's features in vector registers and the gather becomes a few full-width loads per texel.
 */
#define W3D_INLINE static inline __attribute__((always_inline))

/* Calls body(a, begin, end, f) with f a literal for the specialised channel counts. */
#define W3D_BY_CHANNELS(body, a, begin, end) \
  do {                                        \
    switch ((a)->f) {                         \
      case 16:                                \
        body(a, begin, end, 16);              \
        break;                                \
      case 32:                                \
        body(a, begin, end, 32);              \
        break;                                \
      default:                                \
        body(a, begin, end, (a)->f);          \
    }                                         \
  } while (0)

W3D_INLINE void forward_body(const sample_args_t* a, int64_t begin, int64_t end, const int f) {
  const int r = a->r, c3 = 3 * f;
  const int64_t plane_size = (int64_t)r * r * c3;
  for (int64_t i = begin; i < end; i++) {
    const int64_t n = (i / a->m) / a->views;
    const float* scene = a->planes + n * plane_size;
    const float* pt = a->points + i * 3;
    const float q[3] = {pt[0] * a->scale, pt[1] * a->scale, pt[2] * a->scale};
    float acc[f]; /* a fixed-size array when f is a literal */
    for (int c = 0; c < f; c++) {
      acc[c] = 0.0f;
    }
    for (int pl = 0; pl < 3; pl++) {
      footprint_t fp = footprint(q[U[pl]], q[V[pl]], r);
      if (!fp.valid) {
        continue;
      }
      const float* base = scene + pl * f;
      for (int dy = 0; dy < 2; dy++) {
        const int iy = fp.iy0 + dy;
        if (iy < 0 || iy >= r) {
          continue;
        }
        const float wy = dy ? fp.fy : 1.0f - fp.fy;
        for (int dx = 0; dx < 2; dx++) {
          const int ix = fp.ix0 + dx;
          if (ix < 0 || ix >= r) {
            continue;
          }
          const float w = wy * (dx ? fp.fx : 1.0f - fp.fx);
          const float* t = base + ((int64_t)iy * r + ix) * c3;
          for (int c = 0; c < f; c++) {
            acc[c] += w * t[c];
          }
        }
      }
    }
    float* o = a->out + i * f;
    for (int c = 0; c < f; c++) {
      o[c] = acc[c] * (1.0f / 3.0f);
    }
  }
}

W3D_CLONES static void forward_range(void* p, int64_t begin, int64_t end) {
  const sample_args_t* a = (const sample_args_t*)p;
  W3D_BY_CHANNELS(forward_body, a, begin, end);
}

/* Backward over scenes [begin, end): a scene's texels are written by its own thread only. */
W3D_INLINE void backward_body(const sample_args_t* a, int64_t begin, int64_t end, const int f) {
  const int r = a->r, c3 = 3 * f;
  const int64_t plane_size = (int64_t)r * r * c3;
  const float texel_per_q = 0.5f * (float)r; /* dx/du */
  for (int64_t n = begin; n < end; n++) {
    const float* scene = a->planes + n * plane_size;
    float* gscene = a->out + n * plane_size;
    memset(gscene, 0, sizeof(float) * plane_size);
    for (int64_t i = n * a->views * a->m; i < (n + 1) * a->views * a->m; i++) {
      const float* pt = a->points + i * 3;
      const float q[3] = {pt[0] * a->scale, pt[1] * a->scale, pt[2] * a->scale};
      const float* g = a->grad + i * f;
      float gl[f]; /* this point's incoming gradient, apart from the texels it updates */
      for (int c = 0; c < f; c++) {
        gl[c] = g[c];
      }
      float dq[3] = {0.0f, 0.0f, 0.0f};
      for (int pl = 0; pl < 3; pl++) {
        footprint_t fp = footprint(q[U[pl]], q[V[pl]], r);
        if (!fp.valid) {
          continue;
        }
        /* ∂f_c/∂x and ∂f_c/∂y summed over the texels, per channel (no reduction inside the
           texel loop, so it vectorises without -ffast-math); dotted with g once per plane. */
        float ax[f], ay[f];
        for (int c = 0; c < f; c++) {
          ax[c] = 0.0f;
          ay[c] = 0.0f;
        }
        for (int dy = 0; dy < 2; dy++) {
          const int iy = fp.iy0 + dy;
          if (iy < 0 || iy >= r) {
            continue;
          }
          const float wy = dy ? fp.fy : 1.0f - fp.fy;
          const float sy = dy ? 1.0f : -1.0f; /* ∂wy/∂y */
          for (int dx = 0; dx < 2; dx++) {
            const int ix = fp.ix0 + dx;
            if (ix < 0 || ix >= r) {
              continue;
            }
            const float wx = dx ? fp.fx : 1.0f - fp.fx;
            const float sx = dx ? 1.0f : -1.0f;
            const float w = wx * wy * (1.0f / 3.0f);
            const float kx = sx * wy, ky = wx * sy;
            const int64_t off = ((int64_t)iy * r + ix) * c3 + pl * f;
            const float* restrict t = scene + off;
            float* restrict gt = gscene + off;
            for (int c = 0; c < f; c++) {
              gt[c] += w * gl[c];
              ax[c] += kx * t[c];
              ay[c] += ky * t[c];
            }
          }
        }
        float dfdx = 0.0f, dfdy = 0.0f; /* Σ_c g_c ∂f_c/∂x, ∂/∂y */
        for (int c = 0; c < f; c++) {
          dfdx += gl[c] * ax[c];
          dfdy += gl[c] * ay[c];
        }
        dq[U[pl]] += dfdx * texel_per_q;
        dq[V[pl]] += dfdy * texel_per_q;
      }
      float* gp = a->grad_points + i * 3;
      for (int k = 0; k < 3; k++) {
        gp[k] = dq[k] * (1.0f / 3.0f) * a->scale;
      }
    }
  }
}

W3D_CLONES static void backward_range(void* p, int64_t begin, int64_t end) {
  const sample_args_t* a = (const sample_args_t*)p;
  W3D_BY_CHANNELS(backward_body, a, begin, end);
}

void w3d_triplane_forward(const float* planes, const float* points, float* out, int64_t n,
                          int64_t b, int64_t m, int r, int f, float box_size) {
  (void)n;
  sample_args_t a = {planes, points, NULL, out, NULL, m, b / n, r, f, 2.0f / box_size};
  w3d_parallel_for(b * m, 4096, forward_range, &a);
}

void w3d_triplane_backward(const float* planes, const float* points, const float* grad,
                           float* grad_planes, float* grad_points, int64_t n, int64_t b,
                           int64_t m, int r, int f, float box_size) {
  sample_args_t a = {planes, points, grad, grad_planes, grad_points, m, b / n, r, f,
                     2.0f / box_size};
  w3d_parallel_for(n, 1, backward_range, &a);
}
