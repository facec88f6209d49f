#ifndef PIXELOOD_BLAS_H
#define PIXELOOD_BLAS_H
// OpenBLAS, loaded at run time so the kernel core can be chosen from CPUID first.
//
// Debian's OpenBLAS 0.3.21 does not recognise recent AVX-512 CPUs and falls back to
// its Prescott kernels (5x slower sgemm). OpenBLAS reads OPENBLAS_CORETYPE only when it
// loads, so pxo_blas_load() sets it (unless the user already did) and then dlopen()s
// libopenblas.so.0.  Nothing links OpenBLAS at start-up.
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { PXO_ROW_MAJOR = 101 };
enum { PXO_NO_TRANS = 111, PXO_TRANS = 112 };

/// Loads OpenBLAS once (thread-safe). Returns 0 on success, or -1 with a message
/// available from pxo_blas_error().
int pxo_blas_load(void);
/// The last load error, or NULL.
const char *pxo_blas_error(void);
/// The core OPENBLAS_CORETYPE was set to by the loader ("SkylakeX", "Haswell"), or
/// NULL when the user's own setting or OpenBLAS's detection was left in place.
const char *pxo_blas_chosen_core(void);
/// openblas_get_corename(): the kernel family actually in use.
const char *pxo_blas_corename(void);
/// openblas_get_config(): the build configuration string.
const char *pxo_blas_config(void);
/// Threads of one OpenBLAS call (the loader sets 1; PixelOoD parallelises around it).
int pxo_blas_num_threads(void);
/// Row-major C = alpha * op(A) * op(B) + beta * C (cblas_sgemm).
void pxo_sgemm(int transA, int transB, int m, int n, int k, float alpha,
               const float *a, int lda, const float *b, int ldb, float beta,
               float *c, int ldc);

#ifdef __cplusplus
}
#endif
#endif
