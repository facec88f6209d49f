// Winograd F(4x4, 3x3)'s data transforms (see pxo_conv_kernels.h): each defined once as plain
// loops, compiled for AVX-512, AVX2 and the baseline, and chosen at each call. Contraction
// into fused multiply-adds is off, so every path rounds as the scalar definition does.
#include "pxo_conv_kernels.h"

#pragma clang fp contract(off)

#define INLINE static inline __attribute__((always_inline))

INLINE void input_tiles(const float *restrict lines, ptrdiff_t lane, ptrdiff_t tiles, float *restrict scratch,
                        float *restrict out, ptrdiff_t plane) {
    const ptrdiff_t length = 4 * tiles + 2;
    const float *x0 = lines, *x1 = x0 + lane, *x2 = x1 + lane, *x3 = x2 + lane, *x4 = x3 + lane, *x5 = x4 + lane;
    float *s0 = scratch, *s1 = s0 + lane, *s2 = s1 + lane, *s3 = s2 + lane, *s4 = s3 + lane, *s5 = s4 + lane;
    for (ptrdiff_t p = 0; p < length; p++) {
        const float a = x0[p], b = x1[p], c = x2[p], d = x3[p], e = x4[p], f = x5[p];
        s0[p] = 4 * a - 5 * c + e;
        s1[p] = (d + e) - 4 * (b + c);
        s2[p] = (e - d) + 4 * (b - c);
        s3[p] = (e - c) + 2 * (d - b);
        s4[p] = (e - c) + 2 * (b - d);
        s5[p] = 4 * b - 5 * d + f;
    }
    for (ptrdiff_t i = 0; i < 6; i++) {
        const float *restrict q = scratch + i * lane;
        float *restrict o0 = out + 6 * i * plane, *restrict o1 = o0 + plane, *restrict o2 = o1 + plane;
        float *restrict o3 = o2 + plane, *restrict o4 = o3 + plane, *restrict o5 = o4 + plane;
        for (ptrdiff_t k = 0; k < tiles; k++) {
            const float a = q[4 * k], b = q[4 * k + 1], c = q[4 * k + 2], d = q[4 * k + 3], e = q[4 * k + 4], f = q[4 * k + 5];
            o0[k] = 4 * a - 5 * c + e;
            o1[k] = (d + e) - 4 * (b + c);
            o2[k] = (e - d) + 4 * (b - c);
            o3[k] = (e - c) + 2 * (d - b);
            o4[k] = (e - c) + 2 * (b - d);
            o5[k] = 4 * b - 5 * d + f;
        }
    }
}

INLINE void output_tiles(const float *restrict m, ptrdiff_t plane, ptrdiff_t tiles, float *restrict scratch,
                         ptrdiff_t stride, float *restrict rows, ptrdiff_t rowStride) {
    for (ptrdiff_t l = 0; l < 6; l++) {
        const float *m0 = m + l * plane, *m1 = m0 + 6 * plane, *m2 = m1 + 6 * plane;
        const float *m3 = m2 + 6 * plane, *m4 = m3 + 6 * plane, *m5 = m4 + 6 * plane;
        float *restrict z0 = scratch + 4 * l * stride, *restrict z1 = z0 + stride, *restrict z2 = z1 + stride,
                        *restrict z3 = z2 + stride;
        for (ptrdiff_t k = 0; k < tiles; k++) {
            const float a = m0[k], b = m1[k], c = m2[k], d = m3[k], e = m4[k], f = m5[k];
            const float p1 = b + c, n1 = b - c, p2 = d + e, n2 = d - e;
            z0[k] = a + p1 + p2;
            z1[k] = n1 + 2 * n2;
            z2[k] = p1 + 4 * p2;
            z3[k] = n1 + 8 * n2 + f;
        }
    }
    for (ptrdiff_t r = 0; r < 4; r++) {
        const float *z0 = scratch + r * stride, *z1 = z0 + 4 * stride, *z2 = z1 + 4 * stride;
        const float *z3 = z2 + 4 * stride, *z4 = z3 + 4 * stride, *z5 = z4 + 4 * stride;
        float *restrict row = rows + r * rowStride;
        for (ptrdiff_t k = 0; k < tiles; k++) {
            const float a = z0[k], b = z1[k], c = z2[k], d = z3[k], e = z4[k], f = z5[k];
            const float p1 = b + c, n1 = b - c, p2 = d + e, n2 = d - e;
            row[4 * k] = a + p1 + p2;
            row[4 * k + 1] = n1 + 2 * n2;
            row[4 * k + 2] = p1 + 4 * p2;
            row[4 * k + 3] = n1 + 8 * n2 + f;
        }
    }
}

INLINE void gradient_tiles(const float *restrict lines, ptrdiff_t lane, ptrdiff_t tiles, float *restrict scratch,
                           float *restrict out, ptrdiff_t plane) {
    const ptrdiff_t length = 4 * tiles;
    const float *y0 = lines, *y1 = y0 + lane, *y2 = y1 + lane, *y3 = y2 + lane;
    float *e0 = scratch, *e1 = e0 + lane, *e2 = e1 + lane, *e3 = e2 + lane, *e4 = e3 + lane, *e5 = e4 + lane;
    for (ptrdiff_t p = 0; p < length; p++) {
        const float a = y0[p], b = y1[p], c = y2[p], d = y3[p];
        const float even1 = a + c, odd1 = b + d, even2 = a + 4 * c, odd2 = 2 * b + 8 * d;
        e0[p] = a;
        e1[p] = even1 + odd1;
        e2[p] = even1 - odd1;
        e3[p] = even2 + odd2;
        e4[p] = even2 - odd2;
        e5[p] = d;
    }
    for (ptrdiff_t i = 0; i < 6; i++) {
        const float *restrict q = scratch + i * lane;
        float *restrict u0 = out + 6 * i * plane, *restrict u1 = u0 + plane, *restrict u2 = u1 + plane;
        float *restrict u3 = u2 + plane, *restrict u4 = u3 + plane, *restrict u5 = u4 + plane;
        for (ptrdiff_t k = 0; k < tiles; k++) {
            const float a = q[4 * k], b = q[4 * k + 1], c = q[4 * k + 2], d = q[4 * k + 3];
            const float even1 = a + c, odd1 = b + d, even2 = a + 4 * c, odd2 = 2 * b + 8 * d;
            u0[k] = a;
            u1[k] = even1 + odd1;
            u2[k] = even1 - odd1;
            u3[k] = even2 + odd2;
            u4[k] = even2 - odd2;
            u5[k] = d;
        }
    }
}

// line[k] = input[first + k·dilation] for k < count, 0 where that column is outside 0..<width.
INLINE void gather_line(const float *restrict input, ptrdiff_t width, ptrdiff_t first, ptrdiff_t dilation,
                        ptrdiff_t count, float *restrict line) {
    ptrdiff_t start = first >= 0 ? 0 : (dilation - 1 - first) / dilation;
    if (start > count) start = count;
    ptrdiff_t end = first >= width ? 0 : (width - first + dilation - 1) / dilation;
    if (end > count) end = count;
    if (end < start) end = start;
    for (ptrdiff_t k = 0; k < start; k++) line[k] = 0;
    if (dilation == 1) {
        for (ptrdiff_t k = start; k < end; k++) line[k] = input[first + k];
    } else {
        for (ptrdiff_t k = start; k < end; k++) line[k] = input[first + k * dilation];
    }
    for (ptrdiff_t k = end; k < count; k++) line[k] = 0;
}

// The `lines` rows of a tile row, `first_row` + i·dilation for i < lines, gathered into
// `scratch` (`lane` apart; rows outside the plane are zeros).
INLINE void gather_rows(const float *restrict plane, const pxo_tile_plane *g, ptrdiff_t first_row,
                        ptrdiff_t first_column, ptrdiff_t lines, ptrdiff_t length, ptrdiff_t lane,
                        float *restrict scratch) {
    for (ptrdiff_t i = 0; i < lines; i++) {
        const ptrdiff_t row = first_row + i * g->dilationH;
        float *line = scratch + i * lane;
        if (row < 0 || row >= g->height) {
            for (ptrdiff_t k = 0; k < length; k++) line[k] = 0;
        } else {
            gather_line(plane + row * g->width, g->width, first_column, g->dilationW, length, line);
        }
    }
}

INLINE void input_channel(const float *plane, const pxo_tile_plane *g, const pxo_tile_row *rows, ptrdiff_t count,
                          ptrdiff_t lane, float *scratch, float *out, ptrdiff_t outPlane) {
    ptrdiff_t t0 = 0;
    for (ptrdiff_t r = 0; r < count; r++) {
        const pxo_tile_row tile_row = rows[r];
        gather_rows(plane + tile_row.image * g->imageStride, g, tile_row.row - g->padH, tile_row.column - g->padW, 6,
                    4 * tile_row.tiles + 2, lane, scratch);
        input_tiles(scratch, lane, tile_row.tiles, scratch + 6 * lane, out + t0, outPlane);
        t0 += tile_row.tiles;
    }
}

INLINE void gradient_channel(const float *plane, const pxo_tile_plane *g, const pxo_tile_row *rows, ptrdiff_t count,
                             ptrdiff_t lane, float *scratch, float *out, ptrdiff_t outPlane) {
    ptrdiff_t t0 = 0;
    for (ptrdiff_t r = 0; r < count; r++) {
        const pxo_tile_row tile_row = rows[r];
        gather_rows(plane + tile_row.image * g->imageStride, g, tile_row.row, tile_row.column, 4, 4 * tile_row.tiles,
                    lane, scratch);
        gradient_tiles(scratch, lane, tile_row.tiles, scratch + 4 * lane, out + t0, outPlane);
        t0 += tile_row.tiles;
    }
}

INLINE void output_channel(const float *m, ptrdiff_t mPlane, const pxo_tile_row *rows, ptrdiff_t count, float *scratch,
                           ptrdiff_t stride, float *plane, const pxo_tile_plane *g) {
    float *results = scratch + 24 * stride;
    const ptrdiff_t dh = g->dilationH, dw = g->dilationW;
    ptrdiff_t t0 = 0;
    for (ptrdiff_t r = 0; r < count; r++) {
        const pxo_tile_row tile_row = rows[r];
        const ptrdiff_t tiles = tile_row.tiles, first = tile_row.column;
        output_tiles(m + t0, mPlane, tiles, scratch, stride, results, 4 * tiles);
        // Output columns first, first + dw, … of the tile row, as far as the output reaches.
        ptrdiff_t columns = (g->width - first + dw - 1) / dw;
        if (columns > 4 * tiles) columns = 4 * tiles;
        for (ptrdiff_t i = 0; i < 4 && tile_row.row + i * dh < g->height; i++) {
            float *restrict target = plane + tile_row.image * g->imageStride + (tile_row.row + i * dh) * g->width + first;
            const float *restrict values = results + i * 4 * tiles;
            if (dw == 1) {
                for (ptrdiff_t e = 0; e < columns; e++) target[e] = values[e];
            } else {
                for (ptrdiff_t e = 0; e < columns; e++) target[e * dw] = values[e];
            }
        }
        t0 += tiles;
    }
}

pxo_conv_isa pxo_conv_isa_best(void) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f")) return PXO_CONV_ISA_AVX512;
    if (__builtin_cpu_supports("avx2")) return PXO_CONV_ISA_AVX2;
#endif
    return PXO_CONV_ISA_BASELINE;
}

// Each transform three times (AVX-512, AVX2, baseline) and a dispatcher that runs the asked
// instruction set, or the widest this CPU has if it lacks that one.
#if defined(__x86_64__)
#define VARIANTS(name, params, args)                                                   \
    __attribute__((target("avx512f"))) static void name##_avx512 params { name args; } \
    __attribute__((target("avx2"))) static void name##_avx2 params { name args; }      \
    static void name##_baseline params { name args; }                                 \
    static void name##_on(pxo_conv_isa isa, PARAMS_##name) {                           \
        const pxo_conv_isa best = pxo_conv_isa_best();                                 \
        switch (isa < best ? isa : best) {                                             \
        case PXO_CONV_ISA_AVX512: name##_avx512 args; return;                          \
        case PXO_CONV_ISA_AVX2: name##_avx2 args; return;                              \
        default: name##_baseline args; return;                                         \
        }                                                                              \
    }
#else
#define VARIANTS(name, params, args) \
    static void name##_on(pxo_conv_isa isa, PARAMS_##name) { (void)isa; name args; }
#endif

#define PARAMS_input_tiles const float *lines, ptrdiff_t lane, ptrdiff_t tiles, float *scratch, float *out, ptrdiff_t plane
#define PARAMS_output_tiles const float *m, ptrdiff_t plane, ptrdiff_t tiles, float *scratch, ptrdiff_t stride, \
                            float *rows, ptrdiff_t rowStride
#define PARAMS_gradient_tiles PARAMS_input_tiles
#define PARAMS_input_channel const float *plane, const pxo_tile_plane *g, const pxo_tile_row *rows, ptrdiff_t count, \
                             ptrdiff_t lane, float *scratch, float *out, ptrdiff_t outPlane
#define PARAMS_gradient_channel PARAMS_input_channel
#define PARAMS_output_channel const float *m, ptrdiff_t mPlane, const pxo_tile_row *rows, ptrdiff_t count, \
                              float *scratch, ptrdiff_t stride, float *plane, const pxo_tile_plane *g

VARIANTS(input_tiles, (PARAMS_input_tiles), (lines, lane, tiles, scratch, out, plane))
VARIANTS(output_tiles, (PARAMS_output_tiles), (m, plane, tiles, scratch, stride, rows, rowStride))
VARIANTS(gradient_tiles, (PARAMS_gradient_tiles), (lines, lane, tiles, scratch, out, plane))
VARIANTS(input_channel, (PARAMS_input_channel), (plane, g, rows, count, lane, scratch, out, outPlane))
VARIANTS(gradient_channel, (PARAMS_gradient_channel), (plane, g, rows, count, lane, scratch, out, outPlane))
VARIANTS(output_channel, (PARAMS_output_channel), (m, mPlane, rows, count, scratch, stride, plane, g))

void pxo_winograd_input_tiles(pxo_conv_isa isa, PARAMS_input_tiles) {
    input_tiles_on(isa, lines, lane, tiles, scratch, out, plane);
}

void pxo_winograd_output_tiles(pxo_conv_isa isa, PARAMS_output_tiles) {
    output_tiles_on(isa, m, plane, tiles, scratch, stride, rows, rowStride);
}

void pxo_winograd_gradient_tiles(pxo_conv_isa isa, PARAMS_gradient_tiles) {
    gradient_tiles_on(isa, lines, lane, tiles, scratch, out, plane);
}

void pxo_winograd_input_channel(pxo_conv_isa isa, PARAMS_input_channel) {
    input_channel_on(isa, plane, g, rows, count, lane, scratch, out, outPlane);
}

void pxo_winograd_gradient_channel(pxo_conv_isa isa, PARAMS_gradient_channel) {
    gradient_channel_on(isa, plane, g, rows, count, lane, scratch, out, outPlane);
}

void pxo_winograd_output_channel(pxo_conv_isa isa, PARAMS_output_channel) {
    output_channel_on(isa, m, mPlane, rows, count, scratch, stride, plane, g);
}
