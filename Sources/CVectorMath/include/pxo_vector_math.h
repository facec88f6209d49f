#ifndef PIXELOOD_VECTOR_MATH_H
#define PIXELOOD_VECTOR_MATH_H
// Elementwise transcendental functions over arrays, in AVX-512 or AVX2 chosen from CPUID at
// each call, with glibc's results bit for bit.
//
// The exponential follows the algorithm of glibc's expf (ARM optimized-routines: a 32-entry
// table of 2^(i/32), a cubic in double precision) with the same constants and the same fused
// multiply-adds as the FMA build glibc selects on CPUs with AVX2 and FMA, so each lane returns
// what libm's expf returns there; the logarithm likewise follows glibc's logf. Both checked
// against glibc 2.36 on all 2^32 inputs (VectorTranscendentalTests with PIXELOOD_EXHAUSTIVE=1).
// Inputs off the main path (|x| >= 88 or NaN for expf; zero, subnormal, negative, infinite or
// NaN for logf) go to libm itself, and on a CPU without AVX2 and FMA every element does.
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The instruction sets the kernels can run on, in increasing order.
typedef enum {
    PXO_ISA_SCALAR = 0,  ///< libm per element
    PXO_ISA_AVX2 = 1,    ///< AVX2 with FMA, 4 doubles a register
    PXO_ISA_AVX512 = 2   ///< AVX-512 F and DQ, 8 doubles a register
} pxo_isa;

/// The widest instruction set this CPU runs.
pxo_isa pxo_vector_isa(void);

/// y[i] = expf(x[i]) for i < n, on the widest instruction set (x and y may be the same array).
void pxo_expf(const float *x, float *y, size_t n);

/// pxo_expf on a chosen instruction set (one this CPU lacks runs the widest it has); for tests
/// that compare the paths.
void pxo_expf_on(pxo_isa isa, const float *x, float *y, size_t n);

/// y[i] = logf(x[i]) for i < n, on the widest instruction set (x and y may be the same array).
void pxo_logf(const float *x, float *y, size_t n);

/// pxo_logf on a chosen instruction set (one this CPU lacks runs the widest it has).
void pxo_logf_on(pxo_isa isa, const float *x, float *y, size_t n);

#ifdef __cplusplus
}
#endif
#endif
