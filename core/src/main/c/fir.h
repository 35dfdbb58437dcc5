/*
 * Separable FIR resampling (StyleGAN2's upfirdn2d) on NHWC float32 tensors: zero insertion by
 * `up`, zero padding (negative pads crop), cross-correlation with outer(taps, taps)·gain, then
 * every `down`-th row and column from 0. Its transpose is the same operation with up and down
 * swapped, the taps reversed and the pads of w3d_fir_transpose_pads, so one kernel serves every
 * order of derivative.
 */
#ifndef WILD3D_FIR_H_
#define WILD3D_FIR_H_

#include <stdint.h>

typedef struct {
  int up, down;
  int pad_h0, pad_h1, pad_w0, pad_w1;
  int ntaps;
  const float* taps;
  float gain;
} w3d_fir_t;

/* Output length along an axis of input length n (0 when nothing is left). */
int64_t w3d_fir_out_len(int64_t n, int up, int down, int pad0, int pad1, int ntaps);

/* x [N,H,W,C] → y [N,Ho,Wo,C] (Ho, Wo from w3d_fir_out_len). */
void w3d_fir(const w3d_fir_t* p, const float* x, float* y, int64_t n, int64_t h, int64_t w,
             int64_t c);

#endif /* WILD3D_FIR_H_ */
