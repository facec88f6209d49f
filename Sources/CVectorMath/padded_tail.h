#ifndef PIXELOOD_PADDED_TAIL_H
#define PIXELOOD_PADDED_TAIL_H
// The last elements of an array that do not fill a vector block, shared by the kernels.
#include <stddef.h>
#include <string.h>

/// A kernel over `n` elements (a multiple of its block width here).
typedef void (*pxo_array_kernel)(const float *x, float *y, size_t n);

/// y[i] = kernel(x)[i] for the last `n` elements (n < width <= 16): the block is padded with
/// `fill` (an input on the kernel's main path) and only the first `n` results are stored.
static inline void pxo_padded_tail(pxo_array_kernel kernel, size_t width, float fill,
                                   const float *x, float *y, size_t n) {
    float in[16], out[16];
    for (size_t l = 0; l < width; l++) in[l] = fill;
    memcpy(in, x, n * sizeof(float));
    kernel(in, out, width);
    memcpy(y, out, n * sizeof(float));
}
#endif
