// e^x in AVX-512 and AVX2 lanes, bit for bit glibc's expf (see pxo_vector_math.h).
//
// The algorithm and its constants are glibc's (sysdeps/ieee754/flt-32/e_expf.c, from ARM's
// optimized-routines, MIT licence): with N = 32, k = round(x·N/ln 2) and r = x·N/ln 2 − k,
// e^x = 2^(k/N) · (1 + C2·r + C1·r² + C0·r³), the scale 2^(k/N) built from a table of 2^(i/N)
// and k's integer part added into the exponent bits. glibc's FMA build fuses x·N/ln 2 into
// both the rounding and the remainder and evaluates the cubic with three fused multiply-adds;
// the lanes do the same operations in the same order.
#include "pxo_vector_math.h"
#include "padded_tail.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <math.h>
#include <stdint.h>

#pragma clang fp contract(off)

#if defined(__x86_64__)
/// 2^(i/32) as a double's bits, less i << 47 so that adding k << 47 gives 2^(k/32).
static const uint64_t exp2_table[32] = {
    0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
    0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
    0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
    0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
    0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
    0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
    0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
};

#define EXP_INV_LN2_N (0x1.71547652b82fep+0 * 32)  // N / ln 2
#define EXP_SHIFT 0x1.8p+52                        // rounds a double to an integer in its low bits
#define EXP_C0 (0x1.c6af84b912394p-5 / 32 / 32 / 32)
#define EXP_C1 (0x1.ebfce50fac4f3p-3 / 32 / 32)
#define EXP_C2 (0x1.62e42ff0c52d6p-1 / 32)
/// Below this magnitude (and not NaN) the lanes' arithmetic is glibc's main path.
#define EXP_LANE_LIMIT 88.0f

/// libm for the elements the lanes leave out: |x| >= 88 (overflow, underflow, infinities) or
/// NaN. `x` is a copy of the inputs, since y may have overwritten them.
static void exp_outside_lanes(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!(fabsf(x[i]) < EXP_LANE_LIMIT)) y[i] = expf(x[i]);
}

__attribute__((target("avx512f,avx512dq")))
static __m256 exp8_avx512(__m256 x) {
    const __m512d xd = _mm512_cvtps_pd(x);
    const __m512d invLn2N = _mm512_set1_pd(EXP_INV_LN2_N), shift = _mm512_set1_pd(EXP_SHIFT);
    __m512d kd = _mm512_fmadd_pd(invLn2N, xd, shift);
    const __m512i ki = _mm512_castpd_si512(kd);
    kd = _mm512_sub_pd(kd, shift);
    const __m512d r = _mm512_fmsub_pd(invLn2N, xd, kd);
    // The table in four registers: two two-register permutes, bit 4 of k picks between them.
    const __m512i low = _mm512_permutex2var_epi64(_mm512_loadu_si512(exp2_table), ki,
                                                  _mm512_loadu_si512(exp2_table + 8));
    const __m512i high = _mm512_permutex2var_epi64(_mm512_loadu_si512(exp2_table + 16), ki,
                                                   _mm512_loadu_si512(exp2_table + 24));
    const __mmask8 upper = _mm512_test_epi64_mask(ki, _mm512_set1_epi64(16));
    const __m512i bits = _mm512_add_epi64(_mm512_mask_blend_epi64(upper, low, high), _mm512_slli_epi64(ki, 47));
    const __m512d scale = _mm512_castsi512_pd(bits);
    const __m512d cubic = _mm512_fmadd_pd(_mm512_set1_pd(EXP_C0), r, _mm512_set1_pd(EXP_C1));
    const __m512d r2 = _mm512_mul_pd(r, r);
    __m512d p = _mm512_fmadd_pd(_mm512_set1_pd(EXP_C2), r, _mm512_set1_pd(1.0));
    p = _mm512_fmadd_pd(cubic, r2, p);
    return _mm512_cvtpd_ps(_mm512_mul_pd(p, scale));
}

__attribute__((target("avx512f,avx512dq")))
static void expf_avx512(const float *x, float *y, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512 v = _mm512_loadu_ps(x + i);
        const __mmask16 outside = _mm512_cmp_ps_mask(_mm512_abs_ps(v), _mm512_set1_ps(EXP_LANE_LIMIT), _CMP_NLT_UQ);
        const __m256 lo = exp8_avx512(_mm512_castps512_ps256(v));
        const __m256 hi = exp8_avx512(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
        _mm512_storeu_ps(y + i, _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1));
        if (outside) {
            float inputs[16];
            _mm512_storeu_ps(inputs, v);
            exp_outside_lanes(inputs, y + i, 16);
        }
    }
    if (i < n) pxo_padded_tail(expf_avx512, 16, 0.0f, x + i, y + i, n - i);
}

__attribute__((target("avx2,fma")))
static __m128 exp4_avx2(__m128 x) {
    const __m256d xd = _mm256_cvtps_pd(x);
    const __m256d invLn2N = _mm256_set1_pd(EXP_INV_LN2_N), shift = _mm256_set1_pd(EXP_SHIFT);
    __m256d kd = _mm256_fmadd_pd(invLn2N, xd, shift);
    const __m256i ki = _mm256_castpd_si256(kd);
    kd = _mm256_sub_pd(kd, shift);
    const __m256d r = _mm256_fmsub_pd(invLn2N, xd, kd);
    const __m256i index = _mm256_and_si256(ki, _mm256_set1_epi64x(31));
    const __m256i entry = _mm256_i64gather_epi64((const long long *)exp2_table, index, 8);
    const __m256d scale = _mm256_castsi256_pd(_mm256_add_epi64(entry, _mm256_slli_epi64(ki, 47)));
    const __m256d cubic = _mm256_fmadd_pd(_mm256_set1_pd(EXP_C0), r, _mm256_set1_pd(EXP_C1));
    const __m256d r2 = _mm256_mul_pd(r, r);
    __m256d p = _mm256_fmadd_pd(_mm256_set1_pd(EXP_C2), r, _mm256_set1_pd(1.0));
    p = _mm256_fmadd_pd(cubic, r2, p);
    return _mm256_cvtpd_ps(_mm256_mul_pd(p, scale));
}

__attribute__((target("avx2,fma")))
static void expf_avx2(const float *x, float *y, size_t n) {
    size_t i = 0;
    const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const int outside = _mm256_movemask_ps(
            _mm256_cmp_ps(_mm256_and_ps(v, magnitude), _mm256_set1_ps(EXP_LANE_LIMIT), _CMP_NLT_UQ));
        const __m128 lo = exp4_avx2(_mm256_castps256_ps128(v));
        const __m128 hi = exp4_avx2(_mm256_extractf128_ps(v, 1));
        _mm256_storeu_ps(y + i, _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1));
        if (outside) {
            float inputs[8];
            _mm256_storeu_ps(inputs, v);
            exp_outside_lanes(inputs, y + i, 8);
        }
    }
    if (i < n) pxo_padded_tail(expf_avx2, 8, 0.0f, x + i, y + i, n - i);
}

#endif

pxo_isa pxo_vector_isa(void) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) return PXO_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return PXO_ISA_AVX2;
#endif
    return PXO_ISA_SCALAR;
}

void pxo_expf_on(pxo_isa isa, const float *x, float *y, size_t n) {
    const pxo_isa best = pxo_vector_isa();
    switch (isa < best ? isa : best) {
#if defined(__x86_64__)
    case PXO_ISA_AVX512: expf_avx512(x, y, n); return;
    case PXO_ISA_AVX2: expf_avx2(x, y, n); return;
#endif
    default:
        for (size_t i = 0; i < n; i++) y[i] = expf(x[i]);
    }
}

void pxo_expf(const float *x, float *y, size_t n) { pxo_expf_on(PXO_ISA_AVX512, x, y, n); }
