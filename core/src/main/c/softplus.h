#ifndef WILD3D_SOFTPLUS_H_
#define WILD3D_SOFTPLUS_H_

#include <stdint.h>

/* y = log(1 + exp(x)), elementwise over n values. */
void w3d_softplus(const float* x, float* y, int64_t n);

/* dx = g · sigmoid(x), elementwise over n values. */
void w3d_softplus_grad(const float* g, const float* x, float* dx, int64_t n);

#endif /* WILD3D_SOFTPLUS_H_ */
