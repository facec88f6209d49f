#ifndef PIXELOOD_CONV_KERNELS_H
#define PIXELOOD_CONV_KERNELS_H
// Winograd F(4x4, 3x3)'s three data transforms over a row of tiles, in AVX-512 or AVX2 lanes
// chosen from CPUID at each call (the baseline elsewhere): the same additions and
// multiplications in the same order as the scalar definitions below (no fused multiply-adds),
// so the same values on every path. The matrices:
//   Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
//   Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]
// applied to a row (a b c d e f) or (a b c d), evaluated left to right as written:
//   Bᵀ: (4a − 5c + e, (d + e) − 4(b + c), (e − d) + 4(b − c), (e − c) + 2(d − b), (e − c) + 2(b − d), 4b − 5d + f)
//   Aᵀ: with p1 = b + c, n1 = b − c, p2 = d + e, n2 = d − e: (a + p1 + p2, n1 + 2·n2, p1 + 4·p2, n1 + 8·n2 + f)
//   A:  with e1 = a + c, o1 = b + d, e2 = a + 4c, o2 = 2b + 8d: (a, e1 + o1, e1 − o1, e2 + o2, e2 − o2, d)
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The instruction sets the transforms run on, in increasing order.
typedef enum {
    PXO_CONV_ISA_BASELINE = 0,  ///< the compiler's baseline (SSE2 on x86-64)
    PXO_CONV_ISA_AVX2 = 1,      ///< AVX2, 8 floats a register
    PXO_CONV_ISA_AVX512 = 2     ///< AVX-512 F, 16 floats a register
} pxo_conv_isa;

/// The tiles of a row at column dilation d go in ⌈tiles / d⌉ groups of d (the last one possibly
/// shorter): tile t = k·d + b (b < d) starts at column 4dk + b, its columns d apart, so a
/// group's tiles read neighbouring columns (d = 1: consecutive tiles 4 columns apart).
///
/// The input tiles' V = Bᵀ d B for `tiles` 6x6 tiles of one channel at column dilation
/// `dilation`. `lines` holds the tiles' six input rows, `lane` floats apart, each with the
/// d·(4·groups + 2) columns the tiles read; `scratch` six lines of `lane` floats (Bᵀ down the
/// rows, elementwise); then Bᵀ across each tile's six columns: value ξ = 6i + j of tile t is
/// stored at `out[ξ · plane + t]`.
void pxo_winograd_input_tiles(pxo_conv_isa isa, const float *lines, ptrdiff_t lane, ptrdiff_t tiles, ptrdiff_t dilation,
                              float *scratch, float *out, ptrdiff_t plane);

/// The output tiles' Y = Aᵀ M A for `tiles` tiles of one output channel at column dilation
/// `dilation`: product ξ of tile t at `m[ξ · plane + t]`; `scratch` 24 lines of `stride` floats
/// (Aᵀ down, line 4l + r holding row r of column l for every tile); row r of tile t = k·d + b's
/// 4x4 result is stored at `rows[r · rowStride + 4dk + b + j·d]`, j < 4: at its output columns.
void pxo_winograd_output_tiles(pxo_conv_isa isa, const float *m, ptrdiff_t plane, ptrdiff_t tiles, ptrdiff_t dilation,
                               float *scratch, ptrdiff_t stride, float *rows, ptrdiff_t rowStride);

/// The output-gradient tiles' U = A GY Aᵀ for `tiles` 4x4 tiles of one channel at column
/// dilation `dilation`: `lines` holds the tiles' four gradient rows, `lane` floats apart,
/// 4·d·groups columns each; `scratch` six lines of `lane` floats (A down); value ξ = 6i + j of
/// tile t is stored at `out[ξ · plane + t]`.
void pxo_winograd_gradient_tiles(pxo_conv_isa isa, const float *lines, ptrdiff_t lane, ptrdiff_t tiles, ptrdiff_t dilation,
                                 float *scratch, float *out, ptrdiff_t plane);

/// A row of 4x4 output tiles of one image across the output's width (see Winograd.tileRows):
/// the output row of its tiles' first elements and its tile count, grouped as above.
typedef struct {
    ptrdiff_t image, row, tiles;
} pxo_tile_row;

/// The plane a transform reads or writes, for one channel: its size, the padding before its
/// first row and column (the input's; 0 for output planes), the dilation, and the floats from
/// one image's plane of the channel to the next image's.
typedef struct {
    ptrdiff_t height, width, padH, padW, dilationH, dilationW, imageStride;
} pxo_tile_plane;

/// pxo_winograd_input_tiles for every tile row of a block, for one channel of `plane` (image
/// 0's; zero outside it): each row's six input lines gathered into `scratch` (12 lines of
/// `lane` ≥ d·(4·groups + 2) floats), its tiles stored from `out[t0]` on, t0 the tiles of the rows
/// before it.
void pxo_winograd_input_channel(pxo_conv_isa isa, const float *plane, const pxo_tile_plane *geometry,
                                const pxo_tile_row *rows, ptrdiff_t count, ptrdiff_t lane, float *scratch,
                                float *out, ptrdiff_t outPlane);

/// pxo_winograd_gradient_tiles for every tile row of a block, for one channel of the output
/// gradient `plane` (image 0's; zero past its last row or column): each row's four lines
/// gathered into `scratch` (10 lines of `lane` ≥ 4·d·groups floats), its tiles stored from
/// `out[t0]` on.
void pxo_winograd_gradient_channel(pxo_conv_isa isa, const float *plane, const pxo_tile_plane *geometry,
                                   const pxo_tile_row *rows, ptrdiff_t count, ptrdiff_t lane, float *scratch,
                                   float *out, ptrdiff_t outPlane);

/// pxo_winograd_output_tiles for every tile row of a block, for one output channel: the
/// products from `m[t0]` on (ξ `mPlane` apart), each row's 4x4 results written where the output
/// `plane` (image 0's) has them. `scratch`: 24 lines of `stride` and four rows of 4·d·groups
/// floats.
void pxo_winograd_output_channel(pxo_conv_isa isa, const float *m, ptrdiff_t mPlane, const pxo_tile_row *rows,
                                 ptrdiff_t count, float *scratch, ptrdiff_t stride, float *plane,
                                 const pxo_tile_plane *geometry);

/// The widest instruction set this CPU runs the transforms on.
pxo_conv_isa pxo_conv_isa_best(void);

#ifdef __cplusplus
}
#endif
#endif
