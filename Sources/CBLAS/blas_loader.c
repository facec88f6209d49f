#define _GNU_SOURCE
#include "pxo_blas.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int,
                         const float *, int, float, float *, int);
typedef char *(*string_fn)(void);
typedef int (*get_int_fn)(void);
typedef void (*set_int_fn)(int);

// Written once under pthread_once, read-only afterwards.
static struct {
    sgemm_fn sgemm;
    string_fn corename;
    string_fn config;
    get_int_fn get_threads;
    set_int_fn set_threads;
    const char *chosen_core;
    char error[512];
    int ok;
} blas;

static pthread_once_t blas_once = PTHREAD_ONCE_INIT;

/// The OpenBLAS core to force for this CPU, or NULL to keep OpenBLAS's detection.
static const char *core_for_cpu(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return "Haswell";
    return NULL;
}

static void load_once(void) {
    const char *user = getenv("OPENBLAS_CORETYPE");
    if (user == NULL || user[0] == '\0') {
        const char *core = core_for_cpu();
        if (core != NULL) {
            setenv("OPENBLAS_CORETYPE", core, 1);
            blas.chosen_core = core;
        }
    }
    const char *names[] = {"libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"};
    void *handle = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && handle == NULL; i++)
        handle = dlopen(names[i], RTLD_NOW | RTLD_GLOBAL);
    if (handle == NULL) {
        snprintf(blas.error, sizeof blas.error,
                 "cannot load OpenBLAS (libopenblas.so.0): %s; install libopenblas-dev", dlerror());
        return;
    }
    blas.sgemm = (sgemm_fn)dlsym(handle, "cblas_sgemm");
    blas.corename = (string_fn)dlsym(handle, "openblas_get_corename");
    blas.config = (string_fn)dlsym(handle, "openblas_get_config");
    blas.get_threads = (get_int_fn)dlsym(handle, "openblas_get_num_threads");
    blas.set_threads = (set_int_fn)dlsym(handle, "openblas_set_num_threads");
    if (blas.sgemm == NULL) {
        snprintf(blas.error, sizeof blas.error, "OpenBLAS loaded but has no cblas_sgemm");
        return;
    }
    // PixelOoD splits every product across its own workers and calls OpenBLAS on one thread
    // per call: OpenBLAS's own threads busy-wait after each call and would steal the cores
    // from the im2col and elementwise work that runs between sgemm calls.
    if (blas.set_threads) blas.set_threads(1);
    blas.ok = 1;
}

int pxo_blas_load(void) {
    pthread_once(&blas_once, load_once);
    return blas.ok ? 0 : -1;
}

const char *pxo_blas_error(void) { return blas.error[0] ? blas.error : NULL; }
const char *pxo_blas_chosen_core(void) { pxo_blas_load(); return blas.chosen_core; }
const char *pxo_blas_corename(void) {
    return (pxo_blas_load() == 0 && blas.corename) ? blas.corename() : "unavailable";
}
const char *pxo_blas_config(void) {
    return (pxo_blas_load() == 0 && blas.config) ? blas.config() : "unavailable";
}
int pxo_blas_num_threads(void) {
    return (pxo_blas_load() == 0 && blas.get_threads) ? blas.get_threads() : 1;
}

void pxo_sgemm(int transA, int transB, int m, int n, int k, float alpha,
               const float *a, int lda, const float *b, int ldb, float beta,
               float *c, int ldc) {
    if (pxo_blas_load() != 0) {
        fprintf(stderr, "pixelood: %s\n", blas.error);
        abort();
    }
    blas.sgemm(PXO_ROW_MAJOR, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
