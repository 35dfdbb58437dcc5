/*
 * upfirdn2d on NHWC float32 (see fir.h). Direct form: every output pixel is the tap-weighted sum
 * of the input pixels its window hits after zero insertion, so inserted zeros cost nothing. The
 * channel loop is innermost and contiguous, vectorised by the compiler; rows are split across
 * threads.
 */
#include "fir.h"

#include "parallel.h"

int64_t w3d_fir_out_len(int64_t n, int up, int down, int pad0, int pad1, int ntaps) {
  int64_t len = n * up + pad0 + pad1 - ntaps + 1; /* after the filter, before subsampling */
  return len <= 0 ? 0 : (len + down - 1) / down;
}

typedef struct {
  const w3d_fir_t* p;
  const float* x;
  float* y;
  int64_t h, w, c, ho, wo;
} args_t;

W3D_CLONES static void rows(const args_t* a, int64_t begin, int64_t end) {
  const w3d_fir_t* p = a->p;
  const int64_t h = a->h, w = a->w, c = a->c, ho = a->ho, wo = a->wo;
  const int k = p->ntaps, up = p->up, down = p->down;
  for (int64_t row = begin; row < end; row++) {
    const int64_t b = row / ho, oh = row % ho;
    float* yrow = a->y + row * wo * c;
    for (int64_t ow = 0; ow < wo; ow++) {
      float* out = yrow + ow * c;
      for (int64_t ch = 0; ch < c; ch++) out[ch] = 0.0f;
      for (int kh = 0; kh < k; kh++) {
        const int64_t jh = oh * down + kh - p->pad_h0; /* row in the zero-inserted input */
        if (jh < 0 || jh >= h * up || jh % up != 0) continue;
        const float* xrow = a->x + ((b * h) + jh / up) * w * c;
        const float th = p->taps[kh] * p->gain;
        for (int kw = 0; kw < k; kw++) {
          const int64_t jw = ow * down + kw - p->pad_w0;
          if (jw < 0 || jw >= w * up || jw % up != 0) continue;
          const float t = th * p->taps[kw];
          const float* in = xrow + (jw / up) * c;
#pragma GCC ivdep
          for (int64_t ch = 0; ch < c; ch++) out[ch] += t * in[ch];
        }
      }
    }
  }
}

static void range(void* arg, int64_t begin, int64_t end) { rows((const args_t*)arg, begin, end); }

void w3d_fir(const w3d_fir_t* p, const float* x, float* y, int64_t n, int64_t h, int64_t w,
             int64_t c) {
  args_t a = {p, x, y, h, w, c, 0, 0};
  a.ho = w3d_fir_out_len(h, p->up, p->down, p->pad_h0, p->pad_h1, p->ntaps);
  a.wo = w3d_fir_out_len(w, p->up, p->down, p->pad_w0, p->pad_w1, p->ntaps);
  const int64_t nrows = n * a.ho;
  if (nrows == 0 || a.wo == 0 || c == 0) return;
  /* at least ~64k multiply-adds a chunk: thread start-up costs tens of microseconds */
  int64_t per_row = a.wo * c * (int64_t)p->ntaps * p->ntaps / ((int64_t)p->up * p->up);
  int64_t min_rows = per_row > 0 ? (65536 + per_row - 1) / per_row : nrows;
  w3d_parallel_for(nrows, min_rows, range, &a);
}
