/*
 * libwild3d_ops: wild3d's fused CPU kernels as TensorFlow ops, registered through TF's C API when
 * TensorFlow.loadLibrary loads this file (org.wild3d.tf.FusedOps does that). Ops:
 *
 *   Wild3dTriplaneSample(planes [N,R,R,3F], points [B,M,3]; box_size) → features [B,M,F]
 *   Wild3dTriplaneSampleGrad(planes, points, grad [B,M,F]; box_size)
 *       → grad_planes [N,R,R,3F], grad_points [B,M,3]
 *   Wild3dSoftplus(features) → activations                       (any shape)
 *   Wild3dSoftplusGrad(gradients, features) → backprops          (any shape)
 *   Wild3dUpFirDn(x [N,H,W,C]; taps, gain, up, down, pads) → y [N,Ho,Wo,C]   (upfirdn2d, fir.h;
 *       its gradient is the same op, transposed)
 *
 * float32 on CPU only. Their gradients are registered in Java (FusedOps).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fir.h"
#include "softplus.h"
#include "tf_c_api.h"
#include "triplane.h"

/* ---- shape functions ---- */

static void same_as_input0(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeHandle* s = TF_NewShapeHandle();
  TF_ShapeInferenceContextGetInput(ctx, 0, s, status);
  if (TF_GetCode(status) == TF_OK) {
    TF_ShapeInferenceContextSetOutput(ctx, 0, s, status);
  }
  TF_DeleteShapeHandle(s);
}

/* [B,M] of points followed by F = planes' channels / 3. */
static void triplane_sample_shape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeHandle* planes = TF_NewShapeHandle();
  TF_ShapeHandle* points = TF_NewShapeHandle();
  TF_ShapeHandle* bm = TF_NewShapeHandle();
  TF_ShapeHandle* out = TF_NewShapeHandle();
  TF_ShapeHandle* fvec = NULL;
  TF_DimensionHandle* c = TF_NewDimensionHandle();
  TF_ShapeInferenceContextGetInput(ctx, 0, planes, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextWithRank(ctx, planes, 4, planes, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextGetInput(ctx, 1, points, status);
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextWithRank(ctx, points, 3, points, status);
  if (TF_GetCode(status) == TF_OK) {
    TF_ShapeInferenceContextDim(ctx, planes, 3, c);
    if (!TF_DimensionHandleValueKnown(c) || TF_DimensionHandleValue(c) % 3 != 0) {
      TF_SetStatus(status, TF_INVALID_ARGUMENT,
                   "Wild3dTriplaneSample: planes need a known channel count that is a multiple "
                   "of 3 ([N,R,R,3F])");
    }
  }
  if (TF_GetCode(status) == TF_OK) {
    TF_ShapeInferenceContextSubshape(ctx, points, 0, 2, bm, status);
  }
  if (TF_GetCode(status) == TF_OK) {
    fvec = TF_ShapeInferenceContextVectorFromSize(ctx, (size_t)(TF_DimensionHandleValue(c) / 3));
    TF_ShapeInferenceContextConcatenateShapes(ctx, bm, fvec, out, status);
  }
  if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextSetOutput(ctx, 0, out, status);
  if (fvec != NULL) TF_DeleteShapeHandle(fvec);
  TF_DeleteDimensionHandle(c);
  TF_DeleteShapeHandle(out);
  TF_DeleteShapeHandle(bm);
  TF_DeleteShapeHandle(points);
  TF_DeleteShapeHandle(planes);
}

static void triplane_grad_shape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  for (int i = 0; i < 2 && TF_GetCode(status) == TF_OK; i++) {
    TF_ShapeHandle* s = TF_NewShapeHandle();
    TF_ShapeInferenceContextGetInput(ctx, i, s, status);
    if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextSetOutput(ctx, i, s, status);
    TF_DeleteShapeHandle(s);
  }
}

/* The output's spatial size depends on attributes, which the C API's shape functions cannot read:
 * the Java side (FusedOps.upFirDn) reshapes the result to its static shape. */
static void unknown_shape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeInferenceContextSetUnknownShape(ctx, status);
}

/* ---- kernel helpers ---- */

typedef struct {
  float box_size;
} triplane_kernel_t;

static void* triplane_create(TF_OpKernelConstruction* ctx) {
  triplane_kernel_t* k = (triplane_kernel_t*)calloc(1, sizeof(triplane_kernel_t));
  TF_Status* s = TF_NewStatus();
  TF_OpKernelConstruction_GetAttrFloat(ctx, "box_size", &k->box_size, s);
  if (TF_GetCode(s) == TF_OK && !(k->box_size > 0.0f)) {
    TF_SetStatus(s, TF_INVALID_ARGUMENT, "Wild3dTriplaneSample: box_size must be > 0");
  }
  if (TF_GetCode(s) != TF_OK) {
    TF_OpKernelConstruction_Failure(ctx, s);
  }
  TF_DeleteStatus(s);
  return k;
}

static void kernel_delete(void* k) { free(k); }

static void fail(TF_OpKernelContext* ctx, TF_Status* s, const char* msg) {
  TF_SetStatus(s, TF_INVALID_ARGUMENT, msg);
  TF_OpKernelContext_Failure(ctx, s);
}

/* Inputs 0..count-1 into t[]; false (with the failure recorded) when one is missing. */
static int get_inputs(TF_OpKernelContext* ctx, TF_Status* s, TF_Tensor** t, int count) {
  for (int i = 0; i < count; i++) {
    t[i] = NULL;
  }
  for (int i = 0; i < count; i++) {
    TF_GetInput(ctx, i, &t[i], s);
    if (TF_GetCode(s) != TF_OK) {
      TF_OpKernelContext_Failure(ctx, s);
      return 0;
    }
  }
  return 1;
}

static void delete_all(TF_Tensor** t, int count) {
  for (int i = 0; i < count; i++) {
    if (t[i] != NULL) TF_DeleteTensor(t[i]);
  }
}

static int64_t num_elements(const TF_Tensor* t) {
  int64_t n = 1;
  for (int d = 0; d < TF_NumDims(t); d++) n *= TF_Dim(t, d);
  return n;
}

static TF_Tensor* allocate_like(TF_OpKernelContext* ctx, int index, const TF_Tensor* like,
                                TF_Status* s) {
  int64_t dims[8];
  int nd = TF_NumDims(like);
  for (int d = 0; d < nd && d < 8; d++) dims[d] = TF_Dim(like, d);
  TF_Tensor* t = TF_AllocateOutput(ctx, index, TF_FLOAT, dims, nd,
                                   (size_t)num_elements(like) * sizeof(float), s);
  if (TF_GetCode(s) != TF_OK) {
    TF_OpKernelContext_Failure(ctx, s);
    return NULL;
  }
  return t;
}

/* Checks planes [N,R,R,3F] and points [B,M,3] with B a multiple of N. */
static int check_triplane(TF_OpKernelContext* ctx, TF_Status* s, const TF_Tensor* planes,
                          const TF_Tensor* points) {
  if (TF_NumDims(planes) != 4 || TF_Dim(planes, 1) != TF_Dim(planes, 2) ||
      TF_Dim(planes, 3) % 3 != 0 || TF_Dim(planes, 3) == 0) {
    fail(ctx, s, "Wild3dTriplaneSample: planes must be [N,R,R,3F]");
    return 0;
  }
  if (TF_NumDims(points) != 3 || TF_Dim(points, 2) != 3) {
    fail(ctx, s, "Wild3dTriplaneSample: points must be [B,M,3]");
    return 0;
  }
  int64_t n = TF_Dim(planes, 0), b = TF_Dim(points, 0);
  if (n == 0 ? b != 0 : b % n != 0) {
    fail(ctx, s, "Wild3dTriplaneSample: the points' batch must be a multiple of the planes' (B = N·views)");
    return 0;
  }
  return 1;
}

/* ---- kernels ---- */

static void triplane_sample_compute(void* kernel, TF_OpKernelContext* ctx) {
  const triplane_kernel_t* k = (const triplane_kernel_t*)kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* in[2];
  TF_Tensor* out = NULL;
  if (get_inputs(ctx, s, in, 2) && check_triplane(ctx, s, in[0], in[1])) {
    int64_t n = TF_Dim(in[0], 0), r = TF_Dim(in[0], 1), f = TF_Dim(in[0], 3) / 3;
    int64_t b = TF_Dim(in[1], 0), m = TF_Dim(in[1], 1);
    int64_t dims[3] = {b, m, f};
    out = TF_AllocateOutput(ctx, 0, TF_FLOAT, dims, 3, (size_t)(b * m * f) * sizeof(float), s);
    if (TF_GetCode(s) != TF_OK) {
      TF_OpKernelContext_Failure(ctx, s);
    } else if (b * m > 0) {
      w3d_triplane_forward((const float*)TF_TensorData(in[0]), (const float*)TF_TensorData(in[1]),
                           (float*)TF_TensorData(out), n, b, m, (int)r, (int)f, k->box_size);
    }
  }
  if (out != NULL) TF_DeleteTensor(out);
  delete_all(in, 2);
  TF_DeleteStatus(s);
}

static void triplane_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  const triplane_kernel_t* k = (const triplane_kernel_t*)kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* in[3];
  TF_Tensor* gplanes = NULL;
  TF_Tensor* gpoints = NULL;
  if (get_inputs(ctx, s, in, 3) && check_triplane(ctx, s, in[0], in[1])) {
    int64_t n = TF_Dim(in[0], 0), r = TF_Dim(in[0], 1), f = TF_Dim(in[0], 3) / 3;
    int64_t b = TF_Dim(in[1], 0), m = TF_Dim(in[1], 1);
    if (TF_NumDims(in[2]) != 3 || TF_Dim(in[2], 0) != b || TF_Dim(in[2], 1) != m ||
        TF_Dim(in[2], 2) != f) {
      fail(ctx, s, "Wild3dTriplaneSampleGrad: grad must be [B,M,F]");
    } else if ((gplanes = allocate_like(ctx, 0, in[0], s)) != NULL &&
               (gpoints = allocate_like(ctx, 1, in[1], s)) != NULL) {
      if (n > 0) {
        w3d_triplane_backward(
            (const float*)TF_TensorData(in[0]), (const float*)TF_TensorData(in[1]),
            (const float*)TF_TensorData(in[2]), (float*)TF_TensorData(gplanes),
            (float*)TF_TensorData(gpoints), n, b, m, (int)r, (int)f, k->box_size);
      }
    }
  }
  if (gpoints != NULL) TF_DeleteTensor(gpoints);
  if (gplanes != NULL) TF_DeleteTensor(gplanes);
  delete_all(in, 3);
  TF_DeleteStatus(s);
}

static void softplus_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* in[1];
  TF_Tensor* out = NULL;
  if (get_inputs(ctx, s, in, 1) && (out = allocate_like(ctx, 0, in[0], s)) != NULL) {
    w3d_softplus((const float*)TF_TensorData(in[0]), (float*)TF_TensorData(out),
                 num_elements(in[0]));
  }
  if (out != NULL) TF_DeleteTensor(out);
  delete_all(in, 1);
  TF_DeleteStatus(s);
}

static void softplus_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* in[2];
  TF_Tensor* out = NULL;
  if (get_inputs(ctx, s, in, 2)) {
    if (num_elements(in[0]) != num_elements(in[1])) {
      fail(ctx, s, "Wild3dSoftplusGrad: gradients and features must have the same shape");
    } else if ((out = allocate_like(ctx, 0, in[1], s)) != NULL) {
      w3d_softplus_grad((const float*)TF_TensorData(in[0]), (const float*)TF_TensorData(in[1]),
                        (float*)TF_TensorData(out), num_elements(in[1]));
    }
  }
  if (out != NULL) TF_DeleteTensor(out);
  delete_all(in, 2);
  TF_DeleteStatus(s);
}


#define W3D_FIR_MAX_TAPS 64

typedef struct {
  w3d_fir_t p;
  float taps[W3D_FIR_MAX_TAPS];
  int64_t in_hwc[3]; /* the input's H, W, C as the graph was built for (the gradient needs them) */
} fir_kernel_t;

static void* fir_create(TF_OpKernelConstruction* ctx) {
  fir_kernel_t* k = (fir_kernel_t*)calloc(1, sizeof(fir_kernel_t));
  TF_Status* s = TF_NewStatus();
  int32_t ntaps = 0, npads = 0, total = 0;
  int64_t up = 0, down = 0, pads[4] = {0, 0, 0, 0};
  TF_OpKernelConstruction_GetAttrSize(ctx, "taps", &ntaps, &total, s);
  if (TF_GetCode(s) == TF_OK && (ntaps < 1 || ntaps > W3D_FIR_MAX_TAPS)) {
    TF_SetStatus(s, TF_INVALID_ARGUMENT, "Wild3dUpFirDn: taps must hold 1 to 64 values");
  }
  if (TF_GetCode(s) == TF_OK) TF_OpKernelConstruction_GetAttrFloatList(ctx, "taps", k->taps, ntaps, s);
  if (TF_GetCode(s) == TF_OK) TF_OpKernelConstruction_GetAttrSize(ctx, "pads", &npads, &total, s);
  if (TF_GetCode(s) == TF_OK && npads != 4) {
    TF_SetStatus(s, TF_INVALID_ARGUMENT, "Wild3dUpFirDn: pads must be [h0, h1, w0, w1]");
  }
  if (TF_GetCode(s) == TF_OK) TF_OpKernelConstruction_GetAttrInt64List(ctx, "pads", pads, 4, s);
  if (TF_GetCode(s) == TF_OK) TF_OpKernelConstruction_GetAttrSize(ctx, "in_hwc", &npads, &total, s);
  if (TF_GetCode(s) == TF_OK && npads != 3) {
    TF_SetStatus(s, TF_INVALID_ARGUMENT, "Wild3dUpFirDn: in_hwc must be [H, W, C]");
  }
  if (TF_GetCode(s) == TF_OK) TF_OpKernelConstruction_GetAttrInt64List(ctx, "in_hwc", k->in_hwc, 3, s);
  if (TF_GetCode(s) == TF_OK) TF_OpKernelConstruction_GetAttrInt64(ctx, "up", &up, s);
  if (TF_GetCode(s) == TF_OK) TF_OpKernelConstruction_GetAttrInt64(ctx, "down", &down, s);
  if (TF_GetCode(s) == TF_OK) TF_OpKernelConstruction_GetAttrFloat(ctx, "gain", &k->p.gain, s);
  if (TF_GetCode(s) == TF_OK && (up < 1 || up > 64 || down < 1 || down > 64)) {
    TF_SetStatus(s, TF_INVALID_ARGUMENT, "Wild3dUpFirDn: up and down must be in 1..64");
  }
  for (int i = 0; i < 4 && TF_GetCode(s) == TF_OK; i++) {
    if (pads[i] < -4096 || pads[i] > 4096) {
      TF_SetStatus(s, TF_INVALID_ARGUMENT, "Wild3dUpFirDn: pads must be in -4096..4096");
    }
  }
  k->p.up = (int)up;
  k->p.down = (int)down;
  k->p.pad_h0 = (int)pads[0];
  k->p.pad_h1 = (int)pads[1];
  k->p.pad_w0 = (int)pads[2];
  k->p.pad_w1 = (int)pads[3];
  k->p.ntaps = ntaps;
  k->p.taps = k->taps;
  if (TF_GetCode(s) != TF_OK) {
    TF_OpKernelConstruction_Failure(ctx, s);
  }
  TF_DeleteStatus(s);
  return k;
}

static void fir_compute(void* kernel, TF_OpKernelContext* ctx) {
  const fir_kernel_t* k = (const fir_kernel_t*)kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* in[1];
  TF_Tensor* out = NULL;
  if (get_inputs(ctx, s, in, 1)) {
    if (TF_NumDims(in[0]) != 4) {
      fail(ctx, s, "Wild3dUpFirDn: x must be [N,H,W,C]");
    } else {
      int64_t n = TF_Dim(in[0], 0), h = TF_Dim(in[0], 1), w = TF_Dim(in[0], 2), c = TF_Dim(in[0], 3);
      const w3d_fir_t* p = &k->p;
      if (h != k->in_hwc[0] || w != k->in_hwc[1] || c != k->in_hwc[2]) {
        fail(ctx, s, "Wild3dUpFirDn: x is not [N, in_hwc...] as the graph was built for");
        delete_all(in, 1);
        TF_DeleteStatus(s);
        return;
      }
      int64_t dims[4] = {n, w3d_fir_out_len(h, p->up, p->down, p->pad_h0, p->pad_h1, p->ntaps),
                         w3d_fir_out_len(w, p->up, p->down, p->pad_w0, p->pad_w1, p->ntaps), c};
      out = TF_AllocateOutput(ctx, 0, TF_FLOAT, dims, 4,
                              (size_t)(dims[0] * dims[1] * dims[2] * dims[3]) * sizeof(float), s);
      if (TF_GetCode(s) != TF_OK) {
        TF_OpKernelContext_Failure(ctx, s);
      } else {
        w3d_fir(p, (const float*)TF_TensorData(in[0]), (float*)TF_TensorData(out), n, h, w, c);
      }
    }
  }
  if (out != NULL) TF_DeleteTensor(out);
  delete_all(in, 1);
  TF_DeleteStatus(s);
}

/* ---- registration ---- */

static void check(TF_Status* s, const char* what) {
  if (TF_GetCode(s) != TF_OK) {
    fprintf(stderr, "libwild3d_ops: registering %s failed (code %d)\n", what, (int)TF_GetCode(s));
  }
}

static void register_op(TF_Status* s, const char* name, const char** inputs, int n_in,
                        const char** outputs, int n_out, const char** attrs, int n_attrs,
                        void (*shape_fn)(TF_ShapeInferenceContext*, TF_Status*)) {
  TF_OpDefinitionBuilder* b = TF_NewOpDefinitionBuilder(name);
  for (int i = 0; i < n_in; i++) TF_OpDefinitionBuilderAddInput(b, inputs[i]);
  for (int i = 0; i < n_out; i++) TF_OpDefinitionBuilderAddOutput(b, outputs[i]);
  for (int i = 0; i < n_attrs; i++) TF_OpDefinitionBuilderAddAttr(b, attrs[i]);
  TF_OpDefinitionBuilderSetShapeInferenceFunction(b, shape_fn);
  TF_RegisterOpDefinition(b, s);
  check(s, name);
}

static void register_kernel(TF_Status* s, const char* name, void* (*create)(TF_OpKernelConstruction*),
                            void (*compute)(void*, TF_OpKernelContext*)) {
  TF_KernelBuilder* kb = TF_NewKernelBuilder(name, "CPU", create, compute,
                                             create != NULL ? kernel_delete : NULL);
  char kernel_name[96];
  snprintf(kernel_name, sizeof(kernel_name), "%s_CPU", name);
  TF_RegisterKernelBuilder(kernel_name, kb, s);
  check(s, kernel_name);
}

__attribute__((constructor)) static void wild3d_register_ops(void) {
  TF_Status* s = TF_NewStatus();
  const char* sample_in[] = {"planes: float", "points: float"};
  const char* sample_out[] = {"features: float"};
  const char* box[] = {"box_size: float"};
  register_op(s, "Wild3dTriplaneSample", sample_in, 2, sample_out, 1, box, 1,
              triplane_sample_shape);
  const char* grad_in[] = {"planes: float", "points: float", "grad: float"};
  const char* grad_out[] = {"grad_planes: float", "grad_points: float"};
  register_op(s, "Wild3dTriplaneSampleGrad", grad_in, 3, grad_out, 2, box, 1,
              triplane_grad_shape);
  const char* sp_in[] = {"features: float"};
  const char* sp_out[] = {"activations: float"};
  register_op(s, "Wild3dSoftplus", sp_in, 1, sp_out, 1, NULL, 0, same_as_input0);
  const char* spg_in[] = {"gradients: float", "features: float"};
  const char* spg_out[] = {"backprops: float"};
  register_op(s, "Wild3dSoftplusGrad", spg_in, 2, spg_out, 1, NULL, 0, same_as_input0);
  const char* fir_in[] = {"x: float"};
  const char* fir_out[] = {"y: float"};
  const char* fir_attrs[] = {"taps: list(float)", "gain: float", "up: int", "down: int",
                             "pads: list(int)", "in_hwc: list(int)"};
  register_op(s, "Wild3dUpFirDn", fir_in, 1, fir_out, 1, fir_attrs, 6, unknown_shape);

  register_kernel(s, "Wild3dTriplaneSample", triplane_create, triplane_sample_compute);
  register_kernel(s, "Wild3dTriplaneSampleGrad", triplane_create, triplane_grad_compute);
  register_kernel(s, "Wild3dSoftplus", NULL, softplus_compute);
  register_kernel(s, "Wild3dSoftplusGrad", NULL, softplus_grad_compute);
  register_kernel(s, "Wild3dUpFirDn", fir_create, fir_compute);
  TF_DeleteStatus(s);
}
