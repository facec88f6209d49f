// Batch norm's per-channel reductions and input gradient (see pxo_channel_kernels.h). The
// reductions run eight channels as the eight lanes of an AVX2 register: eight consecutive
// elements of each channel loaded and transposed, then added in element order, so each lane
// is its lone loop bit for bit. Contraction into fused multiply-adds is off on every path.
#include "pxo_channel_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#pragma clang fp contract(off)

#define INLINE static inline __attribute__((always_inline))

// One lane's term i: the scalar definitions (and the fallback path).
INLINE float gated(const float *g, const float *y, float low, float high, ptrdiff_t i) {
    return (y == 0 || (y[i] > low && y[i] < high)) ? g[i] : 0.0f;
}

static void lanes_sum_scalar(pxo_channel_sum kind, const float *const x[8], const float *const g[8],
                             const float *const y[8], float low, float high, const float mu[8], ptrdiff_t plane,
                             float a[8], float b[8]) {
    for (int k = 0; k < 8; k++) {
        float sa = 0, sb = 0;
        for (ptrdiff_t i = 0; i < plane; i++) {
            if (kind == PXO_SUM_X) {
                sa += x[k][i];
            } else if (kind == PXO_SUM_CENTRED) {
                const float d = x[k][i] - mu[k];
                sa += d * d;
            } else {
                const float gi = gated(g[k], y ? y[k] : 0, low, high, i);
                sa += gi;
                sb += gi * (x[k][i] - mu[k]);
            }
        }
        a[k] = sa;
        if (b) b[k] = sb;
    }
}

#if defined(__x86_64__)
// r[j] = element j of each of the eight rows r[0..7] (an 8x8 transpose).
__attribute__((target("avx2"))) INLINE void transpose8(__m256 r[8]) {
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)), s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)), s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0)), s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0)), s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20); r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20); r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31); r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31); r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// Rows of eight consecutive elements from i on, transposed: v[j] holds element i + j of each lane.
__attribute__((target("avx2"))) INLINE void load8(const float *const p[8], ptrdiff_t i, __m256 v[8]) {
    for (int k = 0; k < 8; k++) v[k] = _mm256_loadu_ps(p[k] + i);
    transpose8(v);
}

// Element i of each lane.
__attribute__((target("avx2"))) INLINE __m256 column(const float *const p[8], ptrdiff_t i) {
    return _mm256_setr_ps(p[0][i], p[1][i], p[2][i], p[3][i], p[4][i], p[5][i], p[6][i], p[7][i]);
}

__attribute__((target("avx2"))) INLINE void step(pxo_channel_sum kind, __m256 xv, __m256 gv, __m256 yv, int gate, __m256 low,
                                                __m256 high, __m256 mu, __m256 *sa, __m256 *sb) {
    if (kind == PXO_SUM_X) {
        *sa = _mm256_add_ps(*sa, xv);
    } else if (kind == PXO_SUM_CENTRED) {
        const __m256 d = _mm256_sub_ps(xv, mu);
        *sa = _mm256_add_ps(*sa, _mm256_mul_ps(d, d));
    } else {
        if (gate) {
            const __m256 inside = _mm256_and_ps(_mm256_cmp_ps(yv, low, _CMP_GT_OQ), _mm256_cmp_ps(yv, high, _CMP_LT_OQ));
            gv = _mm256_and_ps(inside, gv);
        }
        *sa = _mm256_add_ps(*sa, gv);
        *sb = _mm256_add_ps(*sb, _mm256_mul_ps(gv, _mm256_sub_ps(xv, mu)));
    }
}

__attribute__((target("avx2"))) static void lanes_sum_avx2(pxo_channel_sum kind, const float *const x[8],
                                                           const float *const g[8], const float *const y[8], float low,
                                                           float high, const float mu[8], ptrdiff_t plane, float a[8],
                                                           float b[8]) {
    const __m256 muv = _mm256_loadu_ps(mu), lowv = _mm256_set1_ps(low), highv = _mm256_set1_ps(high);
    const int gradient = kind == PXO_SUM_GRADIENT, gate = gradient && y != 0;
    __m256 sa = _mm256_setzero_ps(), sb = _mm256_setzero_ps();
    __m256 xs[8], gs[8], ys[8];
    const __m256 zero = _mm256_setzero_ps();
    ptrdiff_t i = 0;
    for (; i + 8 <= plane; i += 8) {
        load8(x, i, xs);
        if (gradient) load8(g, i, gs);
        if (gate) load8(y, i, ys);
        for (int j = 0; j < 8; j++)
            step(kind, xs[j], gradient ? gs[j] : zero, gate ? ys[j] : zero, gate, lowv, highv, muv, &sa, &sb);
    }
    for (; i < plane; i++)
        step(kind, column(x, i), gradient ? column(g, i) : zero, gate ? column(y, i) : zero, gate, lowv, highv, muv, &sa,
             &sb);
    _mm256_storeu_ps(a, sa);
    if (b) _mm256_storeu_ps(b, sb);
}
#endif

void pxo_channel_lanes_sum(int vectors, pxo_channel_sum kind, const float *const x[8], const float *const g[8],
                           const float *const y[8], float low, float high, const float mu[8], ptrdiff_t plane,
                           float a[8], float b[8]) {
#if defined(__x86_64__)
    if (vectors && __builtin_cpu_supports("avx2")) { lanes_sum_avx2(kind, x, g, y, low, high, mu, plane, a, b); return; }
#endif
    lanes_sum_scalar(kind, x, g, y, low, high, mu, plane, a, b);
}

INLINE void input_grad(const float *restrict x, const float *restrict g, const float *restrict y, float low, float high,
                       float mu, float s, float k, float meanG, float meanGX, int training, float *restrict gx,
                       ptrdiff_t plane) {
    if (!training) {
        if (y) {
            for (ptrdiff_t i = 0; i < plane; i++) gx[i] = k * ((y[i] > low && y[i] < high) ? g[i] : 0.0f);
        } else {
            for (ptrdiff_t i = 0; i < plane; i++) gx[i] = k * g[i];
        }
        return;
    }
    if (y) {
        for (ptrdiff_t i = 0; i < plane; i++) {
            const float gi = (y[i] > low && y[i] < high) ? g[i] : 0.0f;
            const float xhat = (x[i] - mu) * s;
            gx[i] = k * ((gi - meanG) - xhat * meanGX);
        }
    } else {
        for (ptrdiff_t i = 0; i < plane; i++) {
            const float xhat = (x[i] - mu) * s;
            gx[i] = k * ((g[i] - meanG) - xhat * meanGX);
        }
    }
}

#if defined(__x86_64__)
__attribute__((target("avx512f"))) static void input_grad_avx512(const float *x, const float *g, const float *y, float low,
                                                                 float high, float mu, float s, float k, float meanG,
                                                                 float meanGX, int training, float *gx, ptrdiff_t plane) {
    input_grad(x, g, y, low, high, mu, s, k, meanG, meanGX, training, gx, plane);
}

__attribute__((target("avx2"))) static void input_grad_avx2(const float *x, const float *g, const float *y, float low,
                                                            float high, float mu, float s, float k, float meanG,
                                                            float meanGX, int training, float *gx, ptrdiff_t plane) {
    input_grad(x, g, y, low, high, mu, s, k, meanG, meanGX, training, gx, plane);
}
#endif

void pxo_batch_norm_input_grad(const float *x, const float *g, const float *y, float low, float high, float mu,
                               float s, float k, float meanG, float meanGX, int training, float *gx, ptrdiff_t plane) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f")) {
        input_grad_avx512(x, g, y, low, high, mu, s, k, meanG, meanGX, training, gx, plane);
        return;
    }
    if (__builtin_cpu_supports("avx2")) {
        input_grad_avx2(x, g, y, low, high, mu, s, k, meanG, meanGX, training, gx, plane);
        return;
    }
#endif
    input_grad(x, g, y, low, high, mu, s, k, meanG, meanGX, training, gx, plane);
}
