#ifndef PIXELOOD_CHANNEL_KERNELS_H
#define PIXELOOD_CHANNEL_KERNELS_H
// Batch norm's per-channel reductions and its input gradient, in AVX2 or AVX-512 lanes chosen
// from CPUID at each call (plain C elsewhere), with the scalar definitions' bits: no fused
// multiply-adds, and each channel's sum added in the element order of a lone loop.
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What ``pxo_channel_lanes_sum`` adds up, per lane.
typedef enum {
    PXO_SUM_X = 0,         ///< a = Σ x
    PXO_SUM_CENTRED = 1,   ///< a = Σ (x − μ)·(x − μ)
    PXO_SUM_GRADIENT = 2   ///< a = Σ g', b = Σ g'·(x − μ), g' = g where low < y < high (else 0), or g without y
} pxo_channel_sum;

/// Eight channel planes of one image summed side by side: lane k reads `x[k][0 ..< plane]`
/// (and `g[k]`, `y[k]` for PXO_SUM_GRADIENT; `y` may be NULL) and adds its elements in order
/// 0, 1, 2, … into a float, exactly as the lone loop `for i in 0..<plane { a += term(i) }`
/// does, eight such chains at once. `mu` holds each lane's μ; results go to `a[k]` (and `b[k]`).
/// `vectors` nonzero: AVX2 lanes where the CPU has them; zero: the scalar loops (for tests).
void pxo_channel_lanes_sum(int vectors, pxo_channel_sum kind, const float *const x[8], const float *const g[8],
                           const float *const y[8], float low, float high, const float mu[8], ptrdiff_t plane,
                           float a[8], float b[8]);

/// Batch norm's input gradient over one channel plane: with g' = g where low < y < high (else
/// 0; g itself without y), in training gx = k · ((g' − meanG) − ((x − μ)·s)·meanGX), else
/// gx = k · g'.
void pxo_batch_norm_input_grad(const float *x, const float *g, const float *y, float low, float high, float mu,
                               float s, float k, float meanG, float meanGX, int training, float *gx, ptrdiff_t plane);

#ifdef __cplusplus
}
#endif
#endif
