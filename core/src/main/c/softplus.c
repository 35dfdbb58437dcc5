/*
 * Softplus and its gradient, vectorised: TF's CPU Softplus evaluates exp and log1p one element at
 * a time and was a fifth of the generator's forward at shapes-tiny. Compiled with -ffast-math so
 * that GCC calls glibc's vector exp/log1p (libmvec), with one clone per instruction set chosen at
 * load time. softplus(x) = max(x, 0) + log1p(exp(−|x|)) never overflows; NaN stays NaN (through
 * log1p(exp(NaN))), so a diverged model is still caught by the non-finite loss check.
 */
#include "softplus.h"

#include <math.h>
#include <stddef.h>

#include "parallel.h"

W3D_CLONES static void softplus_loop(const float* x, float* y, int64_t begin, int64_t end) {
#pragma omp simd
  for (int64_t i = begin; i < end; i++) {
    const float v = x[i];
    y[i] = fmaxf(v, 0.0f) + log1pf(expf(-fabsf(v)));
  }
}

W3D_CLONES static void softplus_grad_loop(const float* g, const float* x, float* dx, int64_t begin,
                                          int64_t end) {
#pragma omp simd
  for (int64_t i = begin; i < end; i++) {
    /* exp(−x) clamped below overflow: fast-math division turns g/inf into NaN */
    dx[i] = g[i] / (1.0f + expf(fminf(-x[i], 80.0f)));
  }
}

typedef struct {
  const float* x;
  const float* g;
  float* y;
} args_t;

static void forward_range(void* p, int64_t begin, int64_t end) {
  const args_t* a = (const args_t*)p;
  softplus_loop(a->x, a->y, begin, end);
}

static void backward_range(void* p, int64_t begin, int64_t end) {
  const args_t* a = (const args_t*)p;
  softplus_grad_loop(a->g, a->x, a->y, begin, end);
}

void w3d_softplus(const float* x, float* y, int64_t n) {
  args_t a = {x, NULL, y};
  w3d_parallel_for(n, 1 << 16, forward_range, &a);
}

void w3d_softplus_grad(const float* g, const float* x, float* dx, int64_t n) {
  args_t a = {x, g, dx};
  w3d_parallel_for(n, 1 << 16, backward_range, &a);
}
