// Winograd F(4x4, 3x3)'s data transforms (see pxo_conv_kernels.h): each defined once as plain
// loops, compiled for AVX-512, AVX2 and the baseline, and chosen at each call. Contraction
// into fused multiply-adds is off, so every path rounds as the scalar definition does.
#include "pxo_conv_kernels.h"

#pragma clang fp contract(off)

#define INLINE static inline __attribute__((always_inline))

// Bᵀ applied to six values (a b c d e f) of an input tile's row or column.
INLINE void input_transform(float a, float b, float c, float d, float e, float f, float r[6]) {
    r[0] = 4 * a - 5 * c + e;
    r[1] = (d + e) - 4 * (b + c);
    r[2] = (e - d) + 4 * (b - c);
    r[3] = (e - c) + 2 * (d - b);
    r[4] = (e - c) + 2 * (b - d);
    r[5] = 4 * b - 5 * d + f;
}

// Aᵀ applied to six values of a product tile's row or column.
INLINE void output_transform(float a, float b, float c, float d, float e, float f, float r[4]) {
    const float p1 = b + c, n1 = b - c, p2 = d + e, n2 = d - e;
    r[0] = a + p1 + p2;
    r[1] = n1 + 2 * n2;
    r[2] = p1 + 4 * p2;
    r[3] = n1 + 8 * n2 + f;
}

// A applied to four values of an output-gradient tile's row or column.
INLINE void gradient_transform(float a, float b, float c, float d, float r[6]) {
    const float even1 = a + c, odd1 = b + d, even2 = a + 4 * c, odd2 = 2 * b + 8 * d;
    r[0] = a;
    r[1] = even1 + odd1;
    r[2] = even1 - odd1;
    r[3] = even2 + odd2;
    r[4] = even2 - odd2;
    r[5] = d;
}

// The groups of d tiles a row of `tiles` tiles at column dilation d makes (see pxo_tile_row).
INLINE ptrdiff_t group_count(ptrdiff_t tiles, ptrdiff_t d) { return (tiles + d - 1) / d; }

// The columns of such a row's lines: an input tile's six columns (d·(4·groups + 2)), or an
// output or output-gradient tile's four (4·d·groups).
INLINE ptrdiff_t line_length(int six, ptrdiff_t tiles, ptrdiff_t d) {
    return six ? d * (4 * group_count(tiles, d) + 2) : 4 * d * group_count(tiles, d);
}

// One group of `count` ≤ d consecutive tiles (d the column dilation): tile b of the group reads
// the columns b + j·d of `q` (j < 6, or < 4 for output-gradient tiles) and its value j goes to
// `out[j · plane + b]`. Called with d constant where it is small, so the tiles go in one register.
INLINE void tile_group(int gradient, const float *restrict q, ptrdiff_t d, ptrdiff_t count, float *restrict out,
                       ptrdiff_t plane) {
    float *restrict o0 = out, *restrict o1 = o0 + plane, *restrict o2 = o1 + plane;
    float *restrict o3 = o2 + plane, *restrict o4 = o3 + plane, *restrict o5 = o4 + plane;
    for (ptrdiff_t b = 0; b < count; b++) {
        float r[6];
        if (gradient) gradient_transform(q[b], q[b + d], q[b + 2 * d], q[b + 3 * d], r);
        else input_transform(q[b], q[b + d], q[b + 2 * d], q[b + 3 * d], q[b + 4 * d], q[b + 5 * d], r);
        o0[b] = r[0]; o1[b] = r[1]; o2[b] = r[2]; o3[b] = r[3]; o4[b] = r[4]; o5[b] = r[5];
    }
}

// Bᵀ (input tiles: six lines, d·(4·groups + 2) columns) or A (output-gradient tiles: four
// lines, 4·d·groups columns) down the lines into `scratch`, then across each tile's columns
// into `out`: tile t = k·d + b reads the columns 4dk + b + j·d.
INLINE void six_way_tiles(int gradient, const float *restrict lines, ptrdiff_t lane, ptrdiff_t tiles, ptrdiff_t d,
                          float *restrict scratch, float *restrict out, ptrdiff_t plane) {
    const ptrdiff_t groups = group_count(tiles, d), length = line_length(!gradient, tiles, d);
    const float *x0 = lines, *x1 = x0 + lane, *x2 = x1 + lane, *x3 = x2 + lane, *x4 = x3 + lane, *x5 = x4 + lane;
    float *s0 = scratch, *s1 = s0 + lane, *s2 = s1 + lane, *s3 = s2 + lane, *s4 = s3 + lane, *s5 = s4 + lane;
    for (ptrdiff_t p = 0; p < length; p++) {
        float r[6];
        if (gradient) gradient_transform(x0[p], x1[p], x2[p], x3[p], r);
        else input_transform(x0[p], x1[p], x2[p], x3[p], x4[p], x5[p], r);
        s0[p] = r[0]; s1[p] = r[1]; s2[p] = r[2]; s3[p] = r[3]; s4[p] = r[4]; s5[p] = r[5];
    }
    if (d == 1) {
        // Undilated: across the tiles, four columns apart (a loop nest of its own: a branch inside
        // the dilated one vectorizes worse).
        for (ptrdiff_t i = 0; i < 6; i++) {
            const float *restrict q = scratch + i * lane;
            float *restrict o0 = out + 6 * i * plane, *restrict o1 = o0 + plane, *restrict o2 = o1 + plane;
            float *restrict o3 = o2 + plane, *restrict o4 = o3 + plane, *restrict o5 = o4 + plane;
            for (ptrdiff_t k = 0; k < tiles; k++) {
                float r[6];
                if (gradient) gradient_transform(q[4 * k], q[4 * k + 1], q[4 * k + 2], q[4 * k + 3], r);
                else input_transform(q[4 * k], q[4 * k + 1], q[4 * k + 2], q[4 * k + 3], q[4 * k + 4], q[4 * k + 5], r);
                o0[k] = r[0]; o1[k] = r[1]; o2[k] = r[2]; o3[k] = r[3]; o4[k] = r[4]; o5[k] = r[5];
            }
        }
        return;
    }
    for (ptrdiff_t i = 0; i < 6; i++) {
        const float *restrict q = scratch + i * lane;
        float *restrict o0 = out + 6 * i * plane;
        for (ptrdiff_t k = 0; k < groups; k++) {
            const ptrdiff_t count = tiles - k * d < d ? tiles - k * d : d;
            const float *group = q + 4 * d * k;
            float *target = o0 + k * d;
            if (count == 2 && d == 2) tile_group(gradient, group, 2, 2, target, plane);
            else if (count == 4 && d == 4) tile_group(gradient, group, 4, 4, target, plane);
            else if (count == 8 && d == 8) tile_group(gradient, group, 8, 8, target, plane);
            else tile_group(gradient, group, d, count, target, plane);
        }
    }
}

INLINE void input_tiles(const float *restrict lines, ptrdiff_t lane, ptrdiff_t tiles, ptrdiff_t dilation,
                        float *restrict scratch, float *restrict out, ptrdiff_t plane) {
    six_way_tiles(0, lines, lane, tiles, dilation, scratch, out, plane);
}

INLINE void gradient_tiles(const float *restrict lines, ptrdiff_t lane, ptrdiff_t tiles, ptrdiff_t dilation,
                           float *restrict scratch, float *restrict out, ptrdiff_t plane) {
    six_way_tiles(1, lines, lane, tiles, dilation, scratch, out, plane);
}

// Aᵀ across one group of `count` ≤ d tiles: tile b's six values at `z_l[b]` (lines `stride`
// apart), its four results at `row[b + j·d]`. Called with d constant where it is small.
INLINE void output_group(const float *restrict z, ptrdiff_t stride, ptrdiff_t d, ptrdiff_t count, float *restrict row) {
    const float *z0 = z, *z1 = z0 + 4 * stride, *z2 = z1 + 4 * stride;
    const float *z3 = z2 + 4 * stride, *z4 = z3 + 4 * stride, *z5 = z4 + 4 * stride;
    for (ptrdiff_t b = 0; b < count; b++) {
        float r[4];
        output_transform(z0[b], z1[b], z2[b], z3[b], z4[b], z5[b], r);
        row[b] = r[0]; row[b + d] = r[1]; row[b + 2 * d] = r[2]; row[b + 3 * d] = r[3];
    }
}

INLINE void output_tiles(const float *restrict m, ptrdiff_t plane, ptrdiff_t tiles, ptrdiff_t d, float *restrict scratch,
                         ptrdiff_t stride, float *restrict rows, ptrdiff_t rowStride) {
    for (ptrdiff_t l = 0; l < 6; l++) {
        const float *m0 = m + l * plane, *m1 = m0 + 6 * plane, *m2 = m1 + 6 * plane;
        const float *m3 = m2 + 6 * plane, *m4 = m3 + 6 * plane, *m5 = m4 + 6 * plane;
        float *restrict z0 = scratch + 4 * l * stride, *restrict z1 = z0 + stride, *restrict z2 = z1 + stride,
                        *restrict z3 = z2 + stride;
        for (ptrdiff_t k = 0; k < tiles; k++) {
            float r[4];
            output_transform(m0[k], m1[k], m2[k], m3[k], m4[k], m5[k], r);
            z0[k] = r[0]; z1[k] = r[1]; z2[k] = r[2]; z3[k] = r[3];
        }
    }
    if (d == 1) {
        for (ptrdiff_t r = 0; r < 4; r++) {
            const float *z0 = scratch + r * stride, *z1 = z0 + 4 * stride, *z2 = z1 + 4 * stride;
            const float *z3 = z2 + 4 * stride, *z4 = z3 + 4 * stride, *z5 = z4 + 4 * stride;
            float *restrict row = rows + r * rowStride;
            for (ptrdiff_t k = 0; k < tiles; k++) {
                output_transform(z0[k], z1[k], z2[k], z3[k], z4[k], z5[k], row + 4 * k);
            }
        }
        return;
    }
    const ptrdiff_t groups = group_count(tiles, d);
    for (ptrdiff_t r = 0; r < 4; r++) {
        const float *z0 = scratch + r * stride, *z1 = z0 + 4 * stride, *z2 = z1 + 4 * stride;
        const float *z3 = z2 + 4 * stride, *z4 = z3 + 4 * stride, *z5 = z4 + 4 * stride;
        float *restrict row = rows + r * rowStride;
        for (ptrdiff_t k = 0; k < groups; k++) {
            const ptrdiff_t count = tiles - k * d < d ? tiles - k * d : d;
            const float *group = z0 + k * d;
            float *target = row + 4 * d * k;
            if (count == 2 && d == 2) output_group(group, stride, 2, 2, target);
            else if (count == 4 && d == 4) output_group(group, stride, 4, 4, target);
            else if (count == 8 && d == 8) output_group(group, stride, 8, 8, target);
            else output_group(group, stride, d, count, target);
        }
    }
}

// line[k] = input[first + k] for k < count, 0 where that column is outside 0..<width.
INLINE void gather_line(const float *restrict input, ptrdiff_t width, ptrdiff_t first, ptrdiff_t count,
                        float *restrict line) {
    ptrdiff_t start = first >= 0 ? 0 : -first;
    if (start > count) start = count;
    ptrdiff_t end = first >= width ? 0 : width - first;
    if (end > count) end = count;
    if (end < start) end = start;
    for (ptrdiff_t k = 0; k < start; k++) line[k] = 0;
    for (ptrdiff_t k = start; k < end; k++) line[k] = input[first + k];
    for (ptrdiff_t k = end; k < count; k++) line[k] = 0;
}

// The `lines` rows of a tile row, `first_row` + i·dilation for i < lines, columns `first_column`
// on, gathered into `scratch` (`lane` apart; rows outside the plane are zeros).
INLINE void gather_rows(const float *restrict plane, const pxo_tile_plane *g, ptrdiff_t first_row,
                        ptrdiff_t first_column, ptrdiff_t lines, ptrdiff_t length, ptrdiff_t lane,
                        float *restrict scratch) {
    for (ptrdiff_t i = 0; i < lines; i++) {
        const ptrdiff_t row = first_row + i * g->dilationH;
        float *line = scratch + i * lane;
        if (row < 0 || row >= g->height) {
            for (ptrdiff_t k = 0; k < length; k++) line[k] = 0;
        } else {
            gather_line(plane + row * g->width, g->width, first_column, length, line);
        }
    }
}

INLINE void input_channel(const float *plane, const pxo_tile_plane *g, const pxo_tile_row *rows, ptrdiff_t count,
                          ptrdiff_t lane, float *scratch, float *out, ptrdiff_t outPlane) {
    const ptrdiff_t d = g->dilationW;
    ptrdiff_t t0 = 0;
    for (ptrdiff_t r = 0; r < count; r++) {
        const pxo_tile_row tile_row = rows[r];
        gather_rows(plane + tile_row.image * g->imageStride, g, tile_row.row - g->padH, -g->padW, 6,
                    line_length(1, tile_row.tiles, d), lane, scratch);
        input_tiles(scratch, lane, tile_row.tiles, d, scratch + 6 * lane, out + t0, outPlane);
        t0 += tile_row.tiles;
    }
}

INLINE void gradient_channel(const float *plane, const pxo_tile_plane *g, const pxo_tile_row *rows, ptrdiff_t count,
                             ptrdiff_t lane, float *scratch, float *out, ptrdiff_t outPlane) {
    const ptrdiff_t d = g->dilationW;
    ptrdiff_t t0 = 0;
    for (ptrdiff_t r = 0; r < count; r++) {
        const pxo_tile_row tile_row = rows[r];
        gather_rows(plane + tile_row.image * g->imageStride, g, tile_row.row, 0, 4, line_length(0, tile_row.tiles, d),
                    lane, scratch);
        gradient_tiles(scratch, lane, tile_row.tiles, d, scratch + 4 * lane, out + t0, outPlane);
        t0 += tile_row.tiles;
    }
}

INLINE void output_channel(const float *m, ptrdiff_t mPlane, const pxo_tile_row *rows, ptrdiff_t count, float *scratch,
                           ptrdiff_t stride, float *plane, const pxo_tile_plane *g) {
    float *results = scratch + 24 * stride;
    const ptrdiff_t dh = g->dilationH, d = g->dilationW;
    ptrdiff_t t0 = 0;
    for (ptrdiff_t r = 0; r < count; r++) {
        const pxo_tile_row tile_row = rows[r];
        const ptrdiff_t tiles = tile_row.tiles, span = line_length(0, tiles, d);
        output_tiles(m + t0, mPlane, tiles, d, scratch, stride, results, span);
        // The results are the output rows' columns 0, 1, …, as far as the output reaches.
        const ptrdiff_t columns = g->width < span ? g->width : span;
        for (ptrdiff_t i = 0; i < 4 && tile_row.row + i * dh < g->height; i++) {
            float *restrict target = plane + tile_row.image * g->imageStride + (tile_row.row + i * dh) * g->width;
            const float *restrict values = results + i * span;
            for (ptrdiff_t e = 0; e < columns; e++) target[e] = values[e];
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

#define PARAMS_input_tiles const float *lines, ptrdiff_t lane, ptrdiff_t tiles, ptrdiff_t dilation, float *scratch, \
                           float *out, ptrdiff_t plane
#define PARAMS_output_tiles const float *m, ptrdiff_t plane, ptrdiff_t tiles, ptrdiff_t dilation, float *scratch, ptrdiff_t stride, \
                            float *rows, ptrdiff_t rowStride
#define PARAMS_gradient_tiles PARAMS_input_tiles
#define PARAMS_input_channel const float *plane, const pxo_tile_plane *g, const pxo_tile_row *rows, ptrdiff_t count, \
                             ptrdiff_t lane, float *scratch, float *out, ptrdiff_t outPlane
#define PARAMS_gradient_channel PARAMS_input_channel
#define PARAMS_output_channel const float *m, ptrdiff_t mPlane, const pxo_tile_row *rows, ptrdiff_t count, \
                              float *scratch, ptrdiff_t stride, float *plane, const pxo_tile_plane *g

VARIANTS(input_tiles, (PARAMS_input_tiles), (lines, lane, tiles, dilation, scratch, out, plane))
VARIANTS(output_tiles, (PARAMS_output_tiles), (m, plane, tiles, dilation, scratch, stride, rows, rowStride))
VARIANTS(gradient_tiles, (PARAMS_gradient_tiles), (lines, lane, tiles, dilation, scratch, out, plane))
VARIANTS(input_channel, (PARAMS_input_channel), (plane, g, rows, count, lane, scratch, out, outPlane))
VARIANTS(gradient_channel, (PARAMS_gradient_channel), (plane, g, rows, count, lane, scratch, out, outPlane))
VARIANTS(output_channel, (PARAMS_output_channel), (m, mPlane, rows, count, scratch, stride, plane, g))

void pxo_winograd_input_tiles(pxo_conv_isa isa, PARAMS_input_tiles) {
    input_tiles_on(isa, lines, lane, tiles, dilation, scratch, out, plane);
}

void pxo_winograd_output_tiles(pxo_conv_isa isa, PARAMS_output_tiles) {
    output_tiles_on(isa, m, plane, tiles, dilation, scratch, stride, rows, rowStride);
}

void pxo_winograd_gradient_tiles(pxo_conv_isa isa, PARAMS_gradient_tiles) {
    gradient_tiles_on(isa, lines, lane, tiles, dilation, scratch, out, plane);
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
