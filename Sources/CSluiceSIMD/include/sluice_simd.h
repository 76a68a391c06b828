// Byte classification for SluiceJSON's SIMD scan path: vector compares packed into bit masks (bit k describes
// byte p[k]). Swift's SIMD types compare in vector registers but have no "move mask" operation, so the packing
// lives here as static inline functions that the Swift optimizer inlines. SSE2 (the x86-64 baseline) on x86-64,
// NEON on arm64, and a portable loop elsewhere; every variant returns the same masks. Callers guarantee that
// every byte read lies inside their buffer.
#ifndef SLUICE_SIMD_H
#define SLUICE_SIMD_H

#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>

static inline __m128i sluice_load16(const uint8_t *p) { return _mm_loadu_si128((const __m128i *)p); }
static inline uint32_t sluice_mask16(__m128i m) { return (uint32_t)_mm_movemask_epi8(m); }
static inline __m128i sluice_eq(__m128i v, uint8_t c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8((char)c)); }
// Bytes in lo...hi, unsigned.
static inline __m128i sluice_range(__m128i v, uint8_t lo, uint8_t hi) {
    __m128i d = _mm_sub_epi8(v, _mm_set1_epi8((char)lo));
    return _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8((char)(uint8_t)(hi - lo))), d);
}
static inline __m128i sluice_or(__m128i a, __m128i b) { return _mm_or_si128(a, b); }
#define SLUICE_VECTOR __m128i

#elif defined(__ARM_NEON)
#include <arm_neon.h>

static inline uint8x16_t sluice_load16(const uint8_t *p) { return vld1q_u8(p); }
static inline uint32_t sluice_mask16(uint8x16_t m) {
    static const uint8_t weights[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    uint8x16_t w = vandq_u8(m, vld1q_u8(weights));
    return (uint32_t)vaddv_u8(vget_low_u8(w)) | ((uint32_t)vaddv_u8(vget_high_u8(w)) << 8);
}
static inline uint8x16_t sluice_eq(uint8x16_t v, uint8_t c) { return vceqq_u8(v, vdupq_n_u8(c)); }
static inline uint8x16_t sluice_range(uint8x16_t v, uint8_t lo, uint8_t hi) {
    return vcleq_u8(vsubq_u8(v, vdupq_n_u8(lo)), vdupq_n_u8((uint8_t)(hi - lo)));
}
static inline uint8x16_t sluice_or(uint8x16_t a, uint8x16_t b) { return vorrq_u8(a, b); }
#define SLUICE_VECTOR uint8x16_t

#endif

#ifdef SLUICE_VECTOR

/// `"`, `\`, control bytes (< 0x20) and non-ASCII bytes (>= 0x80): where a string scan stops.
static inline uint32_t sluice_string_stops16(const uint8_t *p) {
    SLUICE_VECTOR v = sluice_load16(p);
    // Control and non-ASCII bytes: v - 0x20 wraps controls to 0xE0...0xFF, above 0x5F like non-ASCII.
    return sluice_mask16(sluice_or(sluice_or(sluice_eq(v, 0x22), sluice_eq(v, 0x5C)), sluice_range(v, 0x80, 0x1F)));
}

static inline uint32_t sluice_digits16(const uint8_t *p) { return sluice_mask16(sluice_range(sluice_load16(p), 0x30, 0x39)); }

static inline uint32_t sluice_whitespace16(const uint8_t *p, uint32_t *newlines) {
    SLUICE_VECTOR v = sluice_load16(p);
    SLUICE_VECTOR lf = sluice_eq(v, 0x0A);
    *newlines = sluice_mask16(lf);
    return sluice_mask16(sluice_or(sluice_or(sluice_eq(v, 0x20), lf), sluice_or(sluice_eq(v, 0x0D), sluice_eq(v, 0x09))));
}

#else

static inline int sluice_in(uint8_t b, uint8_t lo, uint8_t hi) { return (uint8_t)(b - lo) <= (uint8_t)(hi - lo); }

static inline uint32_t sluice_string_stops16(const uint8_t *p) {
    uint32_t m = 0;
    for (int k = 0; k < 16; k++) m |= (uint32_t)(p[k] == 0x22 || p[k] == 0x5C || p[k] < 0x20 || p[k] >= 0x80) << k;
    return m;
}

static inline uint32_t sluice_digits16(const uint8_t *p) {
    uint32_t m = 0;
    for (int k = 0; k < 16; k++) m |= (uint32_t)sluice_in(p[k], 0x30, 0x39) << k;
    return m;
}

static inline uint32_t sluice_whitespace16(const uint8_t *p, uint32_t *newlines) {
    uint32_t m = 0, n = 0;
    for (int k = 0; k < 16; k++) {
        m |= (uint32_t)(p[k] == 0x20 || p[k] == 0x0A || p[k] == 0x0D || p[k] == 0x09) << k;
        n |= (uint32_t)(p[k] == 0x0A) << k;
    }
    *newlines = n;
    return m;
}

#endif

/// One 64-byte block classified for the structural index (stage 1 of the indexed scan path): bit k of each mask
/// describes byte p[k]. `specials` holds control bytes (< 0x20) and non-ASCII bytes (>= 0x80). The string masks
/// and the whitespace masks are computed apart, each when the reader first needs it in a block.
typedef struct {
    uint64_t quotes, backslashes, specials;
} sluice_string_block64;

typedef struct {
    uint64_t whitespace, newlines;
} sluice_space_block64;

static inline sluice_string_block64 sluice_classify_strings64(const uint8_t *p) {
    sluice_string_block64 b = {0, 0, 0};
#ifdef SLUICE_VECTOR
    for (int k = 0; k < 4; k++) {
        SLUICE_VECTOR v = sluice_load16(p + 16 * k);
        unsigned shift = 16u * (unsigned)k;
        b.quotes |= (uint64_t)sluice_mask16(sluice_eq(v, 0x22)) << shift;
        b.backslashes |= (uint64_t)sluice_mask16(sluice_eq(v, 0x5C)) << shift;
        b.specials |= (uint64_t)sluice_mask16(sluice_range(v, 0x80, 0x1F)) << shift;
    }
#else
    for (int k = 0; k < 64; k++) {
        uint8_t c = p[k];
        b.quotes |= (uint64_t)(c == 0x22) << k;
        b.backslashes |= (uint64_t)(c == 0x5C) << k;
        b.specials |= (uint64_t)(c < 0x20 || c >= 0x80) << k;
    }
#endif
    return b;
}

static inline sluice_space_block64 sluice_classify_spaces64(const uint8_t *p) {
    sluice_space_block64 b = {0, 0};
#ifdef SLUICE_VECTOR
    for (int k = 0; k < 4; k++) {
        SLUICE_VECTOR v = sluice_load16(p + 16 * k);
        SLUICE_VECTOR lf = sluice_eq(v, 0x0A);
        SLUICE_VECTOR blank = sluice_or(sluice_or(sluice_eq(v, 0x20), lf), sluice_or(sluice_eq(v, 0x0D), sluice_eq(v, 0x09)));
        unsigned shift = 16u * (unsigned)k;
        b.whitespace |= (uint64_t)sluice_mask16(blank) << shift;
        b.newlines |= (uint64_t)sluice_mask16(lf) << shift;
    }
#else
    for (int k = 0; k < 64; k++) {
        uint8_t c = p[k];
        b.whitespace |= (uint64_t)(c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09) << k;
        b.newlines |= (uint64_t)(c == 0x0A) << k;
    }
#endif
    return b;
}

/// The classes UTF-8 validation needs, for 16 bytes.
typedef struct {
    uint32_t nonASCII, continuation, lead2, lead3, lead4, e0, ed, f0, f4, below90, belowA0, ends;
} sluice_utf8_classes;

static inline sluice_utf8_classes sluice_utf8_classify16(const uint8_t *p) {
    sluice_utf8_classes c;
#ifdef SLUICE_VECTOR
    SLUICE_VECTOR v = sluice_load16(p);
    c.nonASCII = sluice_mask16(sluice_range(v, 0x80, 0xFF));
    c.continuation = sluice_mask16(sluice_range(v, 0x80, 0xBF));
    c.lead2 = sluice_mask16(sluice_range(v, 0xC2, 0xDF));
    c.lead3 = sluice_mask16(sluice_range(v, 0xE0, 0xEF));
    c.lead4 = sluice_mask16(sluice_range(v, 0xF0, 0xF4));
    c.e0 = sluice_mask16(sluice_eq(v, 0xE0));
    c.ed = sluice_mask16(sluice_eq(v, 0xED));
    c.f0 = sluice_mask16(sluice_eq(v, 0xF0));
    c.f4 = sluice_mask16(sluice_eq(v, 0xF4));
    c.below90 = sluice_mask16(sluice_range(v, 0x80, 0x8F));
    c.belowA0 = sluice_mask16(sluice_range(v, 0x80, 0x9F));
    c.ends = sluice_mask16(sluice_or(sluice_or(sluice_eq(v, 0x22), sluice_eq(v, 0x5C)), sluice_range(v, 0x00, 0x1F)));
#else
    c.nonASCII = c.continuation = c.lead2 = c.lead3 = c.lead4 = c.e0 = c.ed = c.f0 = c.f4 = 0;
    c.below90 = c.belowA0 = c.ends = 0;
    for (int k = 0; k < 16; k++) {
        uint8_t b = p[k];
        c.nonASCII |= (uint32_t)(b >= 0x80) << k;
        c.continuation |= (uint32_t)sluice_in(b, 0x80, 0xBF) << k;
        c.lead2 |= (uint32_t)sluice_in(b, 0xC2, 0xDF) << k;
        c.lead3 |= (uint32_t)sluice_in(b, 0xE0, 0xEF) << k;
        c.lead4 |= (uint32_t)sluice_in(b, 0xF0, 0xF4) << k;
        c.e0 |= (uint32_t)(b == 0xE0) << k;
        c.ed |= (uint32_t)(b == 0xED) << k;
        c.f0 |= (uint32_t)(b == 0xF0) << k;
        c.f4 |= (uint32_t)(b == 0xF4) << k;
        c.below90 |= (uint32_t)sluice_in(b, 0x80, 0x8F) << k;
        c.belowA0 |= (uint32_t)sluice_in(b, 0x80, 0x9F) << k;
        c.ends |= (uint32_t)(b == 0x22 || b == 0x5C || b < 0x20) << k;
    }
#endif
    return c;
}

#endif
