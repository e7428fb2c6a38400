// Exact convolutions for the decoder networks: every output element is one fixed chain of
// correctly rounded fused multiply-adds (bias first, then input channels ascending, then the
// phase's taps in order), so a container restores to the same bits on every CPU. Vectors run
// across output columns and output channels, never across the chain, and each instruction-set
// build is the same source: lanes differ in speed only. The generic build calls fmaf, which is
// correctly rounded everywhere (in software where the CPU has no FMA unit: exact, but slow).
#include "isa.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#pragma clang fp contract(off)


float octarc_exact_exp(float x) {
    // exp(x) = 2^k · exp(r), k = rint(x / ln 2), r = x − k ln 2 (Cody–Waite, two parts of ln 2),
    // exp(r) by its Taylor polynomial of degree 7 in Horner form (|r| <= 0.347: error below 2 ulp).
    if (x != x) return x;
    if (x > 88.5f) return INFINITY;
    if (x < -103.5f) return 0.0f;
    const float k = rintf(x * 1.44269504088896341f);
    float r = fmaf(-k, 0.693145751953125f, x);
    r = fmaf(-k, 1.42860682030941723212e-6f, r);
    float p = 1.0f / 5040.0f;
    p = fmaf(p, r, 1.0f / 720.0f);
    p = fmaf(p, r, 1.0f / 120.0f);
    p = fmaf(p, r, 1.0f / 24.0f);
    p = fmaf(p, r, 1.0f / 6.0f);
    p = fmaf(p, r, 0.5f);
    p = fmaf(p, r, 1.0f);
    p = fmaf(p, r, 1.0f);
    return ldexpf(p, (int)k);
}

static inline float activate(float v, octarc_activation activation, float alpha, float beta) {
    switch (activation) {
    case OCTARC_ACTIVATION_RELU: return v > 0 ? v : 0.0f;
    case OCTARC_ACTIVATION_LEAKY_RELU: return v < 0 ? v * alpha : v;
    case OCTARC_ACTIVATION_CLIP: return v < alpha ? alpha : (v > beta ? beta : v);
    case OCTARC_ACTIVATION_SIGMOID: return 1.0f / (1.0f + octarc_exact_exp(-v));
    case OCTARC_ACTIVATION_TANH: return 1.0f - 2.0f / (octarc_exact_exp(2.0f * v) + 1.0f);
    default: return v;
    }
}

typedef float vf4 __attribute__((ext_vector_type(4)));
typedef float vf8 __attribute__((ext_vector_type(8)));
typedef float vf16 __attribute__((ext_vector_type(16)));

// Applies the activation to a vector (the same operation per lane as `activate`).
#define ACTIVATE_VECTOR(V, v)                                                                               \
    do {                                                                                                    \
        switch (p->activation) {                                                                            \
        case OCTARC_ACTIVATION_NONE: break;                                                                 \
        case OCTARC_ACTIVATION_RELU: v = v > (V)0.0f ? v : (V)0.0f; break;                                  \
        case OCTARC_ACTIVATION_CLIP:                                                                        \
            v = v < (V)p->alpha ? (V)p->alpha : v;                                                          \
            v = v > (V)p->beta ? (V)p->beta : v;                                                            \
            break;                                                                                          \
        default:                                                                                            \
            for (int x = 0; x < (int)(sizeof(V) / sizeof(float)); x++)                                      \
                v[x] = activate(v[x], p->activation, p->alpha, p->beta);                                    \
        }                                                                                                   \
    } while (0)

// The body of one phase for vectors of type V with W lanes, U vectors of output columns per chunk
// and OBK output channels per weight block. STEP is the input column step (1, or the convolution's
// stride). Chunks past the last column compute on the row slack and are not stored.
#define PHASE_BODY(V, W, U, OBK, STEP)                                                                      \
    const int blocks = (p->out_channels + OBK - 1) / OBK;                                                   \
    const size_t in_row = (size_t)p->in_channels * (size_t)p->in_stride;                                    \
    const size_t out_row_size = (size_t)p->out_channels * (size_t)p->out_width;                             \
    for (int j = p->first_row; j < p->first_row + p->phase_rows; j++) {                                     \
        const long out_row = (long)p->out_row0 + (long)p->out_row_step * j;                                 \
        for (int ob = 0; ob < blocks; ob++) {   /* the input rows of row j stay in cache across blocks */ \
            const float *wblock = p->weights + (size_t)ob * (size_t)p->in_channels * (size_t)p->taps * OBK; \
            const int valid = p->out_channels - ob * OBK < OBK ? p->out_channels - ob * OBK : OBK;          \
            for (int i0 = 0; i0 < p->phase_cols; i0 += W * U) {                                             \
                V acc[OBK][U];                                                                              \
                for (int b = 0; b < OBK; b++)                                                               \
                    for (int u = 0; u < U; u++)                                                             \
                        acc[b][u] = (V)((p->bias && b < valid) ? p->bias[ob * OBK + b] : 0.0f);             \
                for (int c = 0; c < p->in_channels; c++) {                                                  \
                    const float *channel = p->input + (size_t)c * (size_t)p->in_stride;                     \
                    const float *wc = wblock + (size_t)c * (size_t)p->taps * OBK;                           \
                    for (int t = 0; t < p->taps; t++) {                                                     \
                        const float *src = channel                                                          \
                            + (size_t)(p->pad_top + p->in_row_step * j + p->tap_row[t]) * in_row            \
                            + (size_t)(p->pad_left + STEP * i0 + p->tap_col[t]);                            \
                        V v[U];                                                                             \
                        /* the next chunk's lines of this row: rows of many channels are too many streams */ \
                        /* for the hardware prefetcher */                                                   \
                        __builtin_prefetch(src + 2 * W * U * STEP);                                         \
                        __builtin_prefetch(src + 2 * W * U * STEP + 16);                                    \
                        for (int u = 0; u < U; u++) {                                                       \
                            if (STEP == 1) {                                                                \
                                memcpy(&v[u], src + u * W, sizeof(V));                                      \
                            } else {                                                                        \
                                for (int x = 0; x < W; x++) v[u][x] = src[(u * W + x) * STEP];             \
                            }                                                                               \
                        }                                                                                   \
                        const float *w = wc + (size_t)t * OBK;                                              \
                        for (int b = 0; b < OBK; b++) {                                                     \
                            const V weight = (V)w[b];                                                       \
                            for (int u = 0; u < U; u++) acc[b][u] = __builtin_elementwise_fma(v[u], weight, acc[b][u]); \
                        }                                                                                   \
                    }                                                                                       \
                }                                                                                           \
                for (int b = 0; b < valid; b++) {                                                           \
                    float *row = p->output + (size_t)out_row * out_row_size                                 \
                        + (size_t)(ob * OBK + b) * (size_t)p->out_width + p->out_col0 + (long)p->out_col_step * i0; \
                    for (int u = 0; u < U; u++) {                                                           \
                        V r = acc[b][u];                                                                    \
                        ACTIVATE_VECTOR(V, r);                                                              \
                        const int first = u * W;                                                            \
                        const int count = p->phase_cols - i0 - first < W ? p->phase_cols - i0 - first : W;  \
                        if (count == W && p->out_col_step == 1) {                                           \
                            memcpy(row + first, &r, sizeof(V));                                             \
                        } else {                                                                            \
                            for (int x = 0; x < count; x++) row[(long)p->out_col_step * (first + x)] = r[x]; \
                        }                                                                                   \
                    }                                                                                       \
                }                                                                                           \
            }                                                                                               \
        }                                                                                                   \
    }

// One phase at one instruction set: the channel block the caller packed for, the column step.
#define PHASE_FUNCTION(name, attributes, V, W, U)                                                           \
    static attributes void name(const octarc_conv_phase *p) {                                               \
        const int step = p->in_col_step;                                                                    \
        switch (p->channel_block) {                                                                         \
        case 1:                                                                                             \
            if (step == 1) { PHASE_BODY(V, W, 2 * U, 1, 1) } else { PHASE_BODY(V, W, 2 * U, 1, step) }      \
            break;                                                                                          \
        case 4:                                                                                             \
            if (step == 1) { PHASE_BODY(V, W, U, 4, 1) } else { PHASE_BODY(V, W, U, 4, step) }              \
            break;                                                                                          \
        default:                                                                                            \
            if (step == 1) { PHASE_BODY(V, W, U, 8, 1) } else { PHASE_BODY(V, W, U, 8, step) }              \
        }                                                                                                   \
    }

PHASE_FUNCTION(phase_generic, , vf4, 4, 1)
PHASE_FUNCTION(phase_avx2, TARGET_AVX2, vf8, 8, 1)
PHASE_FUNCTION(phase_avx512, TARGET_AVX512, vf16, 16, 2)

int octarc_conv_phase_run(const octarc_conv_phase *phase, octarc_isa isa) {
    if (phase->phase_rows <= 0 || phase->phase_cols <= 0 || phase->out_channels <= 0) return 0;
    switch (octarc_clamp_isa(isa)) {
    case OCTARC_ISA_AVX512: phase_avx512(phase); break;
    case OCTARC_ISA_AVX2: phase_avx2(phase); break;
    default: phase_generic(phase);
    }
    return 0;
}
