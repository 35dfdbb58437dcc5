/*
 * Fork-join parallel loops for wild3d's fused kernels: a range is cut into one contiguous chunk
 * per thread; the calling thread runs the first chunk. Threads are created per call (tens of
 * microseconds, against kernels of milliseconds) so no pool spins between kernels and TF's own
 * threads are left alone. The sessions run one op at a time (inter-op threads = 1), so a kernel
 * may use every core.
 */
#ifndef WILD3D_PARALLEL_H_
#define WILD3D_PARALLEL_H_

#include <stdint.h>

/* One clone of a hot loop per instruction set, picked when the library loads (GCC ifunc). */
#define W3D_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

/* fn(arg, begin, end) processes [begin, end). */
typedef void (*w3d_range_fn)(void* arg, int64_t begin, int64_t end);

/*
 * Threads a kernel may use: WILD3D_KERNEL_THREADS when set to a positive number, else the CPUs
 * this process may run on.
 */
int w3d_threads(void);

/* Runs fn over [0, n) in at most w3d_threads() chunks of at least min_chunk items each. */
void w3d_parallel_for(int64_t n, int64_t min_chunk, w3d_range_fn fn, void* arg);

#endif /* WILD3D_PARALLEL_H_ */
