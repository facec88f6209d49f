// log x in AVX-512 and AVX2 lanes, bit for bit glibc's logf (see pxo_vector_math.h).
//
// The algorithm and its constants are glibc's (sysdeps/ieee754/flt-32/e_logf.c, from ARM's
// optimized-routines, MIT licence): x = 2^k·z with z in [0x1.66p-1, 0x1.66p0), one of 16
// subintervals of z picked by its leading mantissa bits, c near its centre with 1/c and log c
// tabulated, r = z/c − 1 and log x = k·ln 2 + log c + r + A2·r² + A1·r³ + A0·r⁴. glibc's FMA
// build fuses z·(1/c) − 1, k·ln 2 + log c and the polynomial's steps; the lanes do the same
// operations in the same order.
#include "pxo_vector_math.h"
#include "padded_tail.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <math.h>
#include <stdint.h>
#include <string.h>

#pragma clang fp contract(off)

#if defined(__x86_64__)
/// 1/c for the 16 subintervals.
static const double log_inverse_centre[16] = {
    0x1.661ec79f8f3bep+0, 0x1.571ed4aaf883dp+0, 0x1.49539f0f010bp+0, 0x1.3c995b0b80385p+0,
    0x1.30d190c8864a5p+0, 0x1.25e227b0b8eap+0, 0x1.1bb4a4a1a343fp+0, 0x1.12358f08ae5bap+0,
    0x1.0953f419900a7p+0, 0x1p+0, 0x1.e608cfd9a47acp-1, 0x1.ca4b31f026aap-1,
    0x1.b2036576afce6p-1, 0x1.9c2d163a1aa2dp-1, 0x1.886e6037841edp-1, 0x1.767dcf5534862p-1,
};
/// log c for the 16 subintervals.
static const double log_centre[16] = {
    -0x1.57bf7808caadep-2, -0x1.2bef0a7c06ddbp-2, -0x1.01eae7f513a67p-2, -0x1.b31d8a68224e9p-3,
    -0x1.6574f0ac07758p-3, -0x1.1aa2bc79c81p-3, -0x1.a4e76ce8c0e5ep-4, -0x1.1973c5a611cccp-4,
    -0x1.252f438e10c1ep-5, 0x0p+0, 0x1.aa5aa5df25984p-5, 0x1.c5e53aa362eb4p-4,
    0x1.526e57720db08p-3, 0x1.bc2860d22477p-3, 0x1.1058bc8a07ee1p-2, 0x1.4043057b6ee09p-2,
};

#define LOG_LN2 0x1.62e42fefa39efp-1
#define LOG_A0 (-0x1.00ea348b88334p-2)
#define LOG_A1 0x1.5575b0be00b6ap-2
#define LOG_A2 (-0x1.ffffef20a4123p-2)
#define LOG_OFFSET 0x3f330000  // the bits of the subintervals' lower end, 0x1.66p-1
#define LOG_NORMAL_MIN 0x00800000
#define LOG_INFINITY 0x7f800000

/// Whether the lanes' arithmetic is glibc's main path for the float with these bits: a
/// positive normal finite number (zero, subnormals, negatives, infinity and NaN go to libm).
static inline int log_in_lanes(uint32_t bits) { return bits - LOG_NORMAL_MIN < LOG_INFINITY - LOG_NORMAL_MIN; }

/// libm for the elements the lanes leave out; `x` is a copy of the inputs.
static void log_outside_lanes(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, x + i, sizeof bits);
        if (!log_in_lanes(bits)) y[i] = logf(x[i]);
    }
}

/// The polynomial of eight lanes from z (as doubles), the table index and k.
__attribute__((target("avx512f,avx512dq")))
static __m256 log8_avx512(__m256i bits) {
    const __m256i offset = _mm256_sub_epi32(bits, _mm256_set1_epi32(LOG_OFFSET));
    const __m512i index = _mm512_cvtepu32_epi64(_mm256_and_si256(_mm256_srli_epi32(offset, 19), _mm256_set1_epi32(15)));
    const __m512d k = _mm512_cvtepi32_pd(_mm256_srai_epi32(offset, 23));
    const __m256i zBits = _mm256_sub_epi32(bits, _mm256_and_si256(offset, _mm256_set1_epi32((int)0xff800000)));
    const __m512d z = _mm512_cvtps_pd(_mm256_castsi256_ps(zBits));
    const __m512d inverse = _mm512_permutex2var_pd(_mm512_loadu_pd(log_inverse_centre), index,
                                                   _mm512_loadu_pd(log_inverse_centre + 8));
    const __m512d logC = _mm512_permutex2var_pd(_mm512_loadu_pd(log_centre), index, _mm512_loadu_pd(log_centre + 8));
    const __m512d r = _mm512_fmsub_pd(z, inverse, _mm512_set1_pd(1.0));
    const __m512d y0 = _mm512_fmadd_pd(k, _mm512_set1_pd(LOG_LN2), logC);
    const __m512d r2 = _mm512_mul_pd(r, r);
    __m512d y = _mm512_fmadd_pd(_mm512_set1_pd(LOG_A1), r, _mm512_set1_pd(LOG_A2));
    y = _mm512_fmadd_pd(_mm512_set1_pd(LOG_A0), r2, y);
    y = _mm512_fmadd_pd(y, r2, _mm512_add_pd(y0, r));
    return _mm512_cvtpd_ps(y);
}

__attribute__((target("avx512f,avx512dq")))
static void logf_avx512(const float *x, float *y, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512i bits = _mm512_loadu_si512(x + i);
        const __mmask16 inside = _mm512_cmplt_epu32_mask(_mm512_sub_epi32(bits, _mm512_set1_epi32(LOG_NORMAL_MIN)),
                                                         _mm512_set1_epi32(LOG_INFINITY - LOG_NORMAL_MIN));
        const __m256 lo = log8_avx512(_mm512_castsi512_si256(bits));
        const __m256 hi = log8_avx512(_mm512_extracti64x4_epi64(bits, 1));
        _mm512_storeu_ps(y + i, _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1));
        if (inside != 0xffff) {
            float inputs[16];
            _mm512_storeu_si512(inputs, bits);
            log_outside_lanes(inputs, y + i, 16);
        }
    }
    if (i < n) pxo_padded_tail(logf_avx512, 16, 1.0f, x + i, y + i, n - i);
}

__attribute__((target("avx2,fma")))
static __m128 log4_avx2(__m128i bits) {
    const __m128i offset = _mm_sub_epi32(bits, _mm_set1_epi32(LOG_OFFSET));
    const __m128i index = _mm_and_si128(_mm_srli_epi32(offset, 19), _mm_set1_epi32(15));
    const __m256d k = _mm256_cvtepi32_pd(_mm_srai_epi32(offset, 23));
    const __m128i zBits = _mm_sub_epi32(bits, _mm_and_si128(offset, _mm_set1_epi32((int)0xff800000)));
    const __m256d z = _mm256_cvtps_pd(_mm_castsi128_ps(zBits));
    const __m256d inverse = _mm256_i32gather_pd(log_inverse_centre, index, 8);
    const __m256d logC = _mm256_i32gather_pd(log_centre, index, 8);
    const __m256d r = _mm256_fmsub_pd(z, inverse, _mm256_set1_pd(1.0));
    const __m256d y0 = _mm256_fmadd_pd(k, _mm256_set1_pd(LOG_LN2), logC);
    const __m256d r2 = _mm256_mul_pd(r, r);
    __m256d y = _mm256_fmadd_pd(_mm256_set1_pd(LOG_A1), r, _mm256_set1_pd(LOG_A2));
    y = _mm256_fmadd_pd(_mm256_set1_pd(LOG_A0), r2, y);
    y = _mm256_fmadd_pd(y, r2, _mm256_add_pd(y0, r));
    return _mm256_cvtpd_ps(y);
}

__attribute__((target("avx2,fma")))
static void logf_avx2(const float *x, float *y, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256i bits = _mm256_loadu_si256((const __m256i *)(x + i));
        // Unsigned bits − 2^23 < 0x7f000000, as a signed comparison of both sides shifted by 2^31.
        const __m256i flip = _mm256_set1_epi32((int)0x80000000);
        const __m256i shifted = _mm256_xor_si256(_mm256_sub_epi32(bits, _mm256_set1_epi32(LOG_NORMAL_MIN)), flip);
        const __m256i limit = _mm256_xor_si256(_mm256_set1_epi32(LOG_INFINITY - LOG_NORMAL_MIN), flip);
        const int inside = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(limit, shifted)));
        const __m128 lo = log4_avx2(_mm256_castsi256_si128(bits));
        const __m128 hi = log4_avx2(_mm256_extracti128_si256(bits, 1));
        _mm256_storeu_ps(y + i, _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1));
        if (inside != 0xff) {
            float inputs[8];
            _mm256_storeu_si256((__m256i *)inputs, bits);
            log_outside_lanes(inputs, y + i, 8);
        }
    }
    if (i < n) pxo_padded_tail(logf_avx2, 8, 1.0f, x + i, y + i, n - i);
}

#endif

void pxo_logf_on(pxo_isa isa, const float *x, float *y, size_t n) {
    const pxo_isa best = pxo_vector_isa();
    switch (isa < best ? isa : best) {
#if defined(__x86_64__)
    case PXO_ISA_AVX512: logf_avx512(x, y, n); return;
    case PXO_ISA_AVX2: logf_avx2(x, y, n); return;
#endif
    default:
        for (size_t i = 0; i < n; i++) y[i] = logf(x[i]);
    }
}

void pxo_logf(const float *x, float *y, size_t n) { pxo_logf_on(PXO_ISA_AVX512, x, y, n); }
