#ifndef WILD3D_TRIPLANE_H_
#define WILD3D_TRIPLANE_H_

#include <stdint.h>

/*
 * planes [n,r,r,3f], points [b,m,3] (b = n·views, scene-major) → out [b,m,f].
 */
void w3d_triplane_forward(const float* planes, const float* points, float* out, int64_t n,
                          int64_t b, int64_t m, int r, int f, float box_size);

/*
 * grad [b,m,f] → grad_planes [n,r,r,3f] (overwritten), grad_points [b,m,3] (overwritten).
 * Deterministic: each scene's texels are accumulated by one thread in sample order.
 */
void w3d_triplane_backward(const float* planes, const float* points, const float* grad,
                           float* grad_planes, float* grad_points, int64_t n, int64_t b,
                           int64_t m, int r, int f, float box_size);

#endif /* WILD3D_TRIPLANE_H_ */
