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
    // exp(r) by its Taylor polynomial of degree 7 in Horner form (|r| <= 0.347; relative error below
    // 4e-7 over -80 ... 80, ExactEngineTests). rintf and ldexpf are exact, so the same everywhere.
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

// Where each tap reads, relative to the chunk's first input column: TAP_ROW[t] rows of `in_row`
// floats down, TAP_COL[t] columns across (computed once per phase, not per channel and tap).
#define TAP_OFFSETS(OFFSETS, TAPS, TAP_ROW, TAP_COL)                                                        \
    long OFFSETS[(TAPS) + 1];                                                                               \
    for (int t = 0; t < (TAPS); t++) OFFSETS[t] = (long)(TAP_ROW)[t] * (long)in_row + (TAP_COL)[t];

// The accumulators of one chunk of one phase: acc[b][u] for output channel ob·OBK + b and columns
// i0 + u·W ... of phase row j, from TAPS taps (at OFFSETS, see TAP_OFFSETS) and the weight block
// WBLOCK. The chain per element: bias, then channels ascending, then taps in order.
#define ACCUMULATE(V, W, U, OBK, STEP, PF, TAPS, OFFSETS, WBLOCK)                                           \
    for (int b = 0; b < OBK; b++)                                                                           \
        for (int u = 0; u < U; u++) acc[b][u] = (V)((p->bias && b < valid) ? p->bias[ob * OBK + b] : 0.0f); \
    for (int c = 0; c < p->in_channels; c++) {                                                              \
        const float *channel = p->input + (size_t)(p->pad_top + p->in_row_step * j) * in_row                \
            + (size_t)(p->pad_left + STEP * i0) + (size_t)c * (size_t)p->in_stride;                         \
        const float *wc = (WBLOCK) + (size_t)c * (size_t)(TAPS) * OBK;                                      \
        for (int t = 0; t < (TAPS); t++) {                                                                  \
            const float *src = channel + (OFFSETS)[t];                                                      \
            V v[U];                                                                                         \
            /* PF: the next chunk's lines of this row (rows of many channels are more streams than */       \
            /* some hardware prefetchers follow; where they do, the prefetches only cost load slots) */     \
            if (PF >= 1) __builtin_prefetch(src + 2 * W * U * STEP);                                        \
            if (PF >= 2) __builtin_prefetch(src + 2 * W * U * STEP + 16);                                   \
            for (int u = 0; u < U; u++) {                                                                   \
                if (STEP == 1) {                                                                            \
                    memcpy(&v[u], src + u * W, sizeof(V));                                                  \
                } else {                                                                                    \
                    for (int x = 0; x < W; x++) v[u][x] = src[(u * W + x) * STEP];                          \
                }                                                                                           \
            }                                                                                               \
            const float *w = wc + (size_t)t * OBK;                                                          \
            for (int b = 0; b < OBK; b++) {                                                                 \
                const V weight = (V)w[b];                                                                   \
                for (int u = 0; u < U; u++) acc[b][u] = __builtin_elementwise_fma(v[u], weight, acc[b][u]); \
            }                                                                                               \
        }                                                                                                   \
    }

// Lanes of a and b interleaved (a0 b0 a1 b1 ...): the first and the second half.
#define INTERLEAVE_LO_4(a, b) __builtin_shufflevector(a, b, 0, 4, 1, 5)
#define INTERLEAVE_HI_4(a, b) __builtin_shufflevector(a, b, 2, 6, 3, 7)
#define INTERLEAVE_LO_8(a, b) __builtin_shufflevector(a, b, 0, 8, 1, 9, 2, 10, 3, 11)
#define INTERLEAVE_HI_8(a, b) __builtin_shufflevector(a, b, 4, 12, 5, 13, 6, 14, 7, 15)
#define INTERLEAVE_LO_16(a, b)                                                                              \
    __builtin_shufflevector(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23)
#define INTERLEAVE_HI_16(a, b)                                                                              \
    __builtin_shufflevector(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31)

// The body of one phase for vectors of type V with W lanes, U vectors of output columns per chunk
// and OBK output channels per weight block. STEP is the input column step (1, or the convolution's
// stride). Chunks past the last column compute on the row slack and are not stored.
#define PHASE_BODY(V, W, U, OBK, STEP, PF)                                                                  \
    const int blocks = (p->out_channels + OBK - 1) / OBK;                                                   \
    const size_t in_row = (size_t)p->in_channels * (size_t)p->in_stride;                                    \
    TAP_OFFSETS(tap_offset, p->taps, p->tap_row, p->tap_col)                                                \
    for (int j = p->first_row; j < p->first_row + p->phase_rows; j++) {                                     \
        const long out_row = (long)p->out_row0 + (long)p->out_row_step * j;                                 \
        for (int ob = 0; ob < blocks; ob++) { /* the input rows of row j stay in cache across blocks */     \
            const size_t block_size = (size_t)ob * (size_t)p->in_channels * OBK;                            \
            const int valid = p->out_channels - ob * OBK < OBK ? p->out_channels - ob * OBK : OBK;          \
            for (int i0 = 0; i0 < p->phase_cols; i0 += W * U) {                                             \
                V acc[OBK][U];                                                                              \
                ACCUMULATE(V, W, U, OBK, STEP, PF, p->taps, tap_offset,                                     \
                           p->weights + block_size * (size_t)p->taps)                                       \
                /* to memory whole (see PAIRED_BODY) */                                                     \
                memcpy(kept, acc, sizeof(acc));                                                             \
                for (int b = 0; b < valid; b++) {                                                           \
                    float *row = p->output + out_row * p->out_row_stride                                    \
                        + (long)(ob * OBK + b) * p->out_channel_stride + p->out_col0 + (long)p->out_col_step * i0; \
                    for (int u = 0; u < U; u++) {                                                           \
                        V r;                                                                                \
                        memcpy(&r, kept + (b * U + u) * W, sizeof(V));                                      \
                        ACTIVATE_VECTOR(V, r);                                                              \
                        const int at = u * W;                                                               \
                        const int count = p->phase_cols - i0 - at < W ? p->phase_cols - i0 - at : W;        \
                        if (count == W && p->out_col_step == 1) {                                           \
                            memcpy(row + at, &r, sizeof(V));                                                \
                        } else {                                                                            \
                            for (int x = 0; x < count; x++) row[(long)p->out_col_step * (at + x)] = r[x];   \
                        }                                                                                   \
                    }                                                                                       \
                }                                                                                           \
            }                                                                                               \
        }                                                                                                   \
    }

// A phase and its pair (p->pair_weights): each chunk of the first phase goes to `kept` (memory the
// caller gave, so it stays out of the registers the pair's chunk needs), then the pair's chunk is
// computed and the two are stored interleaved, whole vectors at a time.
#define PAIRED_BODY(V, W, U, OBK, PF)                                                                       \
    const int blocks = (p->out_channels + OBK - 1) / OBK;                                                   \
    const size_t in_row = (size_t)p->in_channels * (size_t)p->in_stride;                                    \
    TAP_OFFSETS(tap_offset, p->taps, p->tap_row, p->tap_col)                                                \
    TAP_OFFSETS(pair_offset, p->pair_taps, p->pair_tap_row, p->pair_tap_col)                                \
    for (int j = p->first_row; j < p->first_row + p->phase_rows; j++) {                                     \
        const long out_row = (long)p->out_row0 + (long)p->out_row_step * j;                                 \
        for (int ob = 0; ob < blocks; ob++) {                                                               \
            const size_t block_size = (size_t)ob * (size_t)p->in_channels * OBK;                            \
            const int valid = p->out_channels - ob * OBK < OBK ? p->out_channels - ob * OBK : OBK;          \
            for (int i0 = 0; i0 < p->phase_cols; i0 += W * U) {                                             \
                V acc[OBK][U];                                                                              \
                ACCUMULATE(V, W, U, OBK, 1, PF, p->taps, tap_offset,                                        \
                           p->weights + block_size * (size_t)p->taps)                                       \
                memcpy(kept, acc, sizeof(acc));                                                             \
                ACCUMULATE(V, W, U, OBK, 1, PF, p->pair_taps, pair_offset,                                  \
                           p->pair_weights + block_size * (size_t)p->pair_taps)                             \
                /* to memory whole: indexing the accumulators by the store loop's channel count (not */     \
                /* fixed) would keep them in memory during the sums */                                      \
                memcpy(kept + OBK * U * W, acc, sizeof(acc));                                               \
                for (int b = 0; b < valid; b++) {                                                           \
                    float *row = p->output + out_row * p->out_row_stride                                    \
                        + (long)(ob * OBK + b) * p->out_channel_stride + p->out_col0 + 2 * (long)i0;        \
                    for (int u = 0; u < U; u++) {                                                           \
                        V first, second;                                                                    \
                        memcpy(&first, kept + (b * U + u) * W, sizeof(V));                                  \
                        memcpy(&second, kept + ((OBK + b) * U + u) * W, sizeof(V));                         \
                        ACTIVATE_VECTOR(V, first);                                                          \
                        ACTIVATE_VECTOR(V, second);                                                         \
                        const int at = u * W;                                                               \
                        const int count = p->phase_cols - i0 - at < W ? p->phase_cols - i0 - at : W;        \
                        if (count == W) {                                                                   \
                            const V lo = INTERLEAVE_LO_##W(first, second);                                  \
                            const V hi = INTERLEAVE_HI_##W(first, second);                                  \
                            memcpy(row + 2 * at, &lo, sizeof(V));                                           \
                            memcpy(row + 2 * at + W, &hi, sizeof(V));                                       \
                        } else {                                                                            \
                            for (int x = 0; x < count; x++) {                                               \
                                row[2 * (at + x)] = first[x];                                               \
                                row[2 * (at + x) + 1] = second[x];                                          \
                            }                                                                               \
                        }                                                                                   \
                    }                                                                                       \
                }                                                                                           \
            }                                                                                               \
        }                                                                                                   \
    }

// Lanes k ... k + W - 1 of the concatenation of a and b (k a constant): a window shifted by k columns.
#define SHIFT_4(a, b, k) __builtin_shufflevector(a, b, (k) + 0, (k) + 1, (k) + 2, (k) + 3)
#define SHIFT_8(a, b, k) __builtin_shufflevector(a, b, (k) + 0, (k) + 1, (k) + 2, (k) + 3, (k) + 4, (k) + 5, (k) + 6, (k) + 7)
#define SHIFT_16(a, b, k) __builtin_shufflevector(a, b, (k) + 0, (k) + 1, (k) + 2, (k) + 3, (k) + 4, (k) + 5, (k) + 6, (k) + 7, (k) + 8, (k) + 9, (k) + 10, (k) + 11, (k) + 12, (k) + 13, (k) + 14, (k) + 15)

// Tap column K of the input row in v[] for the two output rows: row j takes it with the weights of
// tap row r (wrow0), row j + 1 with those of tap row r − 1 (wrow1).
#define GRID_TAP(V, W, U, K)                                                                                \
    if ((K) < W && (K) < kw) {                                                                              \
        V shifted[U];                                                                                       \
        for (int u = 0; u < U; u++) shifted[u] = SHIFT_##W(v[u], v[u + 1], (K) < W ? (K) : 0);              \
        if (first) {                                                                                        \
            const V weight = (V)wrow0[K];                                                                   \
            for (int u = 0; u < U; u++) acc0[u] = __builtin_elementwise_fma(shifted[u], weight, acc0[u]);   \
        }                                                                                                   \
        if (second) {                                                                                       \
            const V weight = (V)wrow1[K];                                                                   \
            for (int u = 0; u < U; u++) acc1[u] = __builtin_elementwise_fma(shifted[u], weight, acc1[u]);   \
        }                                                                                                   \
    }

// A one-channel phase whose taps are a full grid (tap t at row tap_row[0] + t / kw, column
// tap_col[0] + t % kw, kw <= W) and whose steps are 1: the image layers of the decoders. Two output
// rows at a time; each input row segment they read is loaded once per channel, as U + 1 vectors, and
// shifted in registers for the kw taps of its row (loading every tap's window unaligned cost twice as
// much). The chain per element is unchanged: bias, channels ascending, tap rows and then tap columns
// ascending. Reads reach W · (U + 1) − kw columns past the last needed one, within the row slack.
#define GRID_BODY(V, W, U)                                                                                  \
    const int kw = grid_columns;                                                                            \
    const int kh = p->taps / kw;                                                                            \
    const size_t in_row = (size_t)p->in_channels * (size_t)p->in_stride;                                    \
    const int last = p->first_row + p->phase_rows;                                                          \
    for (int j = p->first_row; j < last; j += 2) {                                                          \
        const int two = j + 1 < last;                                                                       \
        float *row0 = p->output + ((long)p->out_row0 + (long)p->out_row_step * j) * p->out_row_stride + p->out_col0; \
        float *row1 = row0 + (long)p->out_row_step * p->out_row_stride;                                     \
        for (int i0 = 0; i0 < p->phase_cols; i0 += W * U) {                                                 \
            V acc0[U], acc1[U];                                                                             \
            for (int u = 0; u < U; u++) acc0[u] = acc1[u] = (V)(p->bias ? p->bias[0] : 0.0f);               \
            for (int c = 0; c < p->in_channels; c++) {                                                      \
                const float *wc = p->weights + (size_t)c * (size_t)p->taps;                                 \
                const float *channel = p->input + (size_t)c * (size_t)p->in_stride                          \
                    + (size_t)(p->pad_left + i0 + p->tap_col[0]);                                           \
                for (int r = 0; r < kh + two; r++) {                                                        \
                    const float *src = channel + (size_t)(p->pad_top + j + p->tap_row[0] + r) * in_row;     \
                    V v[U + 1];                                                                             \
                    for (int u = 0; u <= U; u++) memcpy(&v[u], src + u * W, sizeof(V));                     \
                    const int first = r < kh, second = two && r >= 1;                                       \
                    const float *wrow0 = wc + (size_t)(first ? r : 0) * kw;                                 \
                    const float *wrow1 = wc + (size_t)(second ? r - 1 : 0) * kw;                            \
                    GRID_TAP(V, W, U, 0) GRID_TAP(V, W, U, 1) GRID_TAP(V, W, U, 2) GRID_TAP(V, W, U, 3) GRID_TAP(V, W, U, 4) GRID_TAP(V, W, U, 5) GRID_TAP(V, W, U, 6) GRID_TAP(V, W, U, 7) GRID_TAP(V, W, U, 8) GRID_TAP(V, W, U, 9) GRID_TAP(V, W, U, 10) GRID_TAP(V, W, U, 11) GRID_TAP(V, W, U, 12) GRID_TAP(V, W, U, 13) GRID_TAP(V, W, U, 14) GRID_TAP(V, W, U, 15) \
                }                                                                                           \
            }                                                                                               \
            const int count = p->phase_cols - i0 < W * U ? p->phase_cols - i0 : W * U;                      \
            for (int u = 0; u < U; u++) {                                                                   \
                ACTIVATE_VECTOR(V, acc0[u]);                                                                \
                ACTIVATE_VECTOR(V, acc1[u]);                                                                \
            }                                                                                               \
            memcpy(kept, acc0, sizeof(acc0));                                                               \
            memcpy(kept + W * U, acc1, sizeof(acc1));                                                       \
            memcpy(row0 + i0, kept, (size_t)count * sizeof(float));                                         \
            if (two) memcpy(row1 + i0, kept + W * U, (size_t)count * sizeof(float));                        \
        }                                                                                                   \
    }

#define GRID_FUNCTION(name, attributes, V, W, U)                                                            \
    static attributes __attribute__((noinline)) void name(const octarc_conv_phase *p, int grid_columns, float *kept) { \
        GRID_BODY(V, W, U)                                                                                  \
    }

GRID_FUNCTION(grid_generic, , vf4, 4, 4)
GRID_FUNCTION(grid_avx2, TARGET_AVX2, vf8, 8, 4)
GRID_FUNCTION(grid_avx512, TARGET_AVX512, vf16, 16, 3)

// The columns of a grid phase's tap rows (see GRID_BODY), or 0 when its taps are no full grid of at
// most `lanes` columns, or its steps or channel block rule the grid kernel out.
static int grid_columns(const octarc_conv_phase *p, int lanes) {
    if (p->channel_block != 1 || p->out_channels != 1 || p->in_col_step != 1 || p->in_row_step != 1
        || p->out_col_step != 1 || p->pair_weights || p->taps <= 0) return 0;
    int kw = 1;
    while (kw < p->taps && p->tap_row[kw] == p->tap_row[0]) kw++;
    if (kw > lanes || p->taps % kw) return 0;
    for (int t = 0; t < p->taps; t++)
        if (p->tap_row[t] != p->tap_row[0] + t / kw || p->tap_col[t] != p->tap_col[0] + t % kw) return 0;
    return kw;
}

// One phase at one instruction set: the channel block the caller packed for, the column step. U1,
// U4 and U8 vectors of columns per chunk for blocks of 1, 4 and 8 output channels; PF and PF8 the
// input lines prefetched per tap and chunk (0 to 2) for blocks of 1 and 4, and of 8.
// - AVX-512 (32 registers): 3 x 8 accumulators leave registers for the inputs and the weight; the
//   chunk (48 columns) re-reads each broadcast weight for 3 vectors instead of 2, which made the
//   8-channel layers 10-40 % faster (on an Intel Xeon).
// - AVX2 (16 registers): ExactEngine packs blocks of 4 there, and each takes 2 vectors: 8
//   independent accumulators hide the latency of the fused multiply-add where 4 left half of it
//   idle, and a weight broadcast serves 2 vectors. A chunk is then one 64-byte line, so one
//   prefetch per tap covers the next lines; a second only took load slots. On an AMD EPYC (Zen,
//   AVX2), octarc restore of the Duke dev volume (cr50lt, one core, builds run alternately) took
//   18 % less CPU time than with blocks of 8, one vector and two prefetches (1.12 -> 0.92 s).
#define PHASE_FUNCTION(name, attributes, V, W, U1, U4, U8, PF, PF8)                                         \
    static attributes __attribute__((noinline)) void name(const octarc_conv_phase *p, float *kept) {        \
        const int step = p->in_col_step;                                                                    \
        switch (p->channel_block) {                                                                         \
        case 1:                                                                                             \
            if (step == 1) { PHASE_BODY(V, W, U1, 1, 1, PF) } else { PHASE_BODY(V, W, U1, 1, step, PF) }    \
            break;                                                                                          \
        case 4:                                                                                             \
            if (step == 1) { PHASE_BODY(V, W, U4, 4, 1, PF) } else { PHASE_BODY(V, W, U4, 4, step, PF) }    \
            break;                                                                                          \
        default:                                                                                            \
            if (step == 1) { PHASE_BODY(V, W, U8, 8, 1, PF8) } else { PHASE_BODY(V, W, U8, 8, step, PF8) }  \
        }                                                                                                   \
    }

// A phase with its pair at one instruction set (input column step 1: pairs come from transposed
// convolutions). `kept` holds two chunks of 8 channels x U vectors.
#define PAIRED_FUNCTION(name, attributes, V, W, U1, U4, U8, PF, PF8)                                        \
    static attributes __attribute__((noinline)) void name(const octarc_conv_phase *p, float *kept) {        \
        switch (p->channel_block) {                                                                         \
        case 1: { PAIRED_BODY(V, W, U1, 1, PF) } break;                                                     \
        case 4: { PAIRED_BODY(V, W, U4, 4, PF) } break;                                                     \
        default: { PAIRED_BODY(V, W, U8, 8, PF8) }                                                          \
        }                                                                                                   \
    }

PHASE_FUNCTION(phase_generic, , vf4, 4, 2, 1, 1, 2, 2)
PHASE_FUNCTION(phase_avx2, TARGET_AVX2, vf8, 8, 2, 2, 1, 1, 0)
PHASE_FUNCTION(phase_avx512, TARGET_AVX512, vf16, 16, 4, 3, 3, 2, 2)
PAIRED_FUNCTION(paired_generic, , vf4, 4, 2, 1, 1, 2, 2)
PAIRED_FUNCTION(paired_avx2, TARGET_AVX2, vf8, 8, 2, 2, 1, 1, 0)
PAIRED_FUNCTION(paired_avx512, TARGET_AVX512, vf16, 16, 4, 3, 3, 2, 2)

int octarc_conv_row_slack(int columns, int column_step) {
    // Every chunk width above (W x U1, W x U4, W x U8, and the grid's W x U at each build) divides one of
    // these or is one; the grid kernel also reads one vector (at most 16 columns) past its chunk.
    static const int chunks[] = {64, 48, 32, 16, 8, 4};
    int over = 0;
    for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
        const int rounded = (columns + chunks[k] - 1) / chunks[k] * chunks[k];
        if (rounded - columns > over) over = rounded - columns;
    }
    return over * (column_step > 0 ? column_step : 1) + 16;
}

int octarc_conv_phase_run(const octarc_conv_phase *phase, octarc_isa isa) {
    if (phase->phase_rows <= 0 || phase->phase_cols <= 0 || phase->out_channels <= 0) return 0;
    float kept[2 * 8 * 4 * 16] __attribute__((aligned(64)));  // two of the widest chunk: 8 channels, 64 columns
    if (phase->pair_weights) {
        if (phase->out_col_step != 2 || phase->in_col_step != 1) return -1;
        switch (octarc_clamp_isa(isa)) {
        case OCTARC_ISA_AVX512: paired_avx512(phase, kept); break;
        case OCTARC_ISA_AVX2: paired_avx2(phase, kept); break;
        default: paired_generic(phase, kept);
        }
        return 0;
    }
    const octarc_isa level = octarc_clamp_isa(isa);
    const int lanes = level == OCTARC_ISA_AVX512 ? 16 : level == OCTARC_ISA_AVX2 ? 8 : 4;
    const int kw = grid_columns(phase, lanes);
    switch (level) {
    case OCTARC_ISA_AVX512: kw ? grid_avx512(phase, kw, kept) : phase_avx512(phase, kept); break;
    case OCTARC_ISA_AVX2: kw ? grid_avx2(phase, kw, kept) : phase_avx2(phase, kept); break;
    default: kw ? grid_generic(phase, kw, kept) : phase_generic(phase, kept);
    }
    return 0;
}
