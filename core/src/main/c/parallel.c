#define _GNU_SOURCE
#include "parallel.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#define W3D_MAX_THREADS 256

static int threads_cached = 0;

int w3d_threads(void) {
  int t = __atomic_load_n(&threads_cached, __ATOMIC_RELAXED);
  if (t > 0) {
    return t;
  }
  const char* env = getenv("WILD3D_KERNEL_THREADS");
  if (env != NULL && atoi(env) > 0) {
    t = atoi(env);
  } else {
    cpu_set_t set;
    t = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
  }
  if (t < 1) {
    t = 1;
  }
  if (t > W3D_MAX_THREADS) {
    t = W3D_MAX_THREADS;
  }
  __atomic_store_n(&threads_cached, t, __ATOMIC_RELAXED);
  return t;
}

typedef struct {
  w3d_range_fn fn;
  void* arg;
  int64_t begin;
  int64_t end;
} chunk_t;

static void* run_chunk(void* p) {
  chunk_t* c = (chunk_t*)p;
  c->fn(c->arg, c->begin, c->end);
  return NULL;
}

void w3d_parallel_for(int64_t n, int64_t min_chunk, w3d_range_fn fn, void* arg) {
  if (n <= 0) {
    return;
  }
  if (min_chunk < 1) {
    min_chunk = 1;
  }
  int64_t t = w3d_threads();
  if (t > (n + min_chunk - 1) / min_chunk) {
    t = (n + min_chunk - 1) / min_chunk;
  }
  if (t <= 1) {
    fn(arg, 0, n);
    return;
  }
  chunk_t chunks[W3D_MAX_THREADS];
  pthread_t ids[W3D_MAX_THREADS];
  int started[W3D_MAX_THREADS];
  for (int64_t i = 0; i < t; i++) {
    chunks[i].fn = fn;
    chunks[i].arg = arg;
    chunks[i].begin = n * i / t;
    chunks[i].end = n * (i + 1) / t;
  }
  for (int64_t i = 1; i < t; i++) {
    started[i] = pthread_create(&ids[i], NULL, run_chunk, &chunks[i]) == 0;
    if (!started[i]) {
      run_chunk(&chunks[i]); /* no thread to be had: run it here, results are the same */
    }
  }
  run_chunk(&chunks[0]);
  for (int64_t i = 1; i < t; i++) {
    if (started[i]) {
      pthread_join(ids[i], NULL);
    }
  }
}
