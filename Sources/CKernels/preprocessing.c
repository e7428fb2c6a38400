// The preprocessing stage's vector loops: the bilateral filter and the layer search. No fused
// multiply-add (contraction off): each level performs exactly the operations of the plain scalar
// Swift these loops replaced, in the same order per element, so results are bit-identical across
// levels and to that arithmetic (PreprocessingKernelTests).
#include "isa.h"

#include <float.h>
#include <stdlib.h>

#pragma clang fp contract(off)

// MARK: - Bilateral filter

// The weight of the pair (value, n): spatial weight s times the range weight (see
// Despeckler+Bilateral.swift). Symmetric: (n − value)² and (value − n)² are the same bits.
#define BILATERAL_WEIGHT(w, n, value, s, exponent_scale, cutoff)                                          \
    const float difference = (n) - (value);                                                               \
    const float squared = difference * difference;                                                        \
    float w = 1 + squared * (exponent_scale);                                                             \
    w = w * w;                                                                                            \
    w = w * w;                                                                                            \
    w = w * w;                                                                                            \
    w = w * w;                                                                                            \
    w = w * w;                                                                                            \
    w = w * w;                                                                                            \
    w = w * w;                                                                                            \
    w = w * w;                                                                                            \
    w = squared >= (cutoff) ? 0.0f : w;                                                                   \
    w = w * (s);

// The window is symmetric: tap t at (dy, dx) and tap taps − 1 − t at (−dy, −dx) have the same
// spatial weight, so pixel p's weight for its neighbour p + o is the weight that neighbour gives p
// for −o. Each pair's weight is computed once, by the pair's upper (or, in one row, left) pixel —
// the "producer" — and added to both ends. Rows of producers run from −ry (the replicated rows
// above) to the last row; producer row Y computes its forward taps (after the centre in window
// order) into `pair`, and those serve
//   - the rows below, Y + 1 ... Y + ry, as their backward taps: row Y + d receives its taps of
//     window row −d, in window order, before any later window row (its producers come later);
//   - row Y itself: its backward taps of window row 0 (from the pixels to the left), the centre,
//     then its forward taps, in window order; then row Y is complete.
// So every pixel adds its taps in window order with the same operations as computing each weight
// where it is used: the same bits, with about half the multiplications.
typedef struct {
    const float *padded;
    int padded_width, width, height, rx, ry;
    const float *spatial;
    float exponent_scale, cutoff;
    float *pair;  // taps / 2 rows of width + 2·rx: forward tap f's weights, column x at x + rx
    float *sums;  // ry + 1 rows of 2 x width: the partial sums and weights of rows Y ... Y + ry
    float *out;
} bilateral_job;

// Columns per chunk: a chunk's sums stay in registers across its taps (2 AVX2 vectors).
#define BILATERAL_CHUNK 16

// Forward tap f's pair weights, indexed by column (−rx ... width + rx − 1).
static inline __attribute__((always_inline)) float *bilateral_pair_row(const bilateral_job *j, int f) {
    const int c = (2 * j->rx + 1) * (2 * j->ry + 1) / 2;
    return j->pair + (long)(f - c - 1) * (j->width + 2 * j->rx) + j->rx;
}

// One tap of N columns: neighbours n[x] with their weights pair[x], added to a chunk's sums.
static inline __attribute__((always_inline)) void bilateral_add(float *restrict sum, float *restrict weights,
                                                                const float *pair, const float *n, const int N) {
    for (int x = 0; x < N; x++) {
        sum[x] = sum[x] + pair[x] * n[x];
        weights[x] = weights[x] + pair[x];
    }
}

// Producer row Y's forward taps, each over the columns that the row itself and the rows below use.
static inline __attribute__((always_inline)) void bilateral_pairs(const bilateral_job *j, int Y) {
    const int K = 2 * j->rx + 1, taps = K * (2 * j->ry + 1), c = taps / 2;
    const float *centre = j->padded + (long)(Y + j->ry) * j->padded_width + j->rx;
    for (int f = c + 1; f < taps; f++) {
        const int dy = f / K - j->ry, dx = f % K - j->rx;
        const float *neighbour = centre + (long)dy * j->padded_width + dx;
        const float s = j->spatial[f];
        float *restrict pair = bilateral_pair_row(j, f);
        const int lo = dx > 0 ? -dx : 0, hi = dx > 0 ? j->width : j->width - dx;
        // 4 vectors at a time: each weight is a chain of 12 dependent operations (on an AMD EPYC,
        // AVX2, the whole filter took 5.0 instead of 6.1 ms per 496 x 768 frame)
#pragma clang loop interleave_count(4)
        for (int x = lo; x < hi; x++) {
            BILATERAL_WEIGHT(w, neighbour[x], centre[x], s, j->exponent_scale, j->cutoff)
            pair[x] = w;
        }
    }
}

// Row R = Y + d (d >= 1) receives its window row −d from producer row Y, columns x0 ..< x0 + N.
static inline __attribute__((always_inline)) void bilateral_ahead(const bilateral_job *j, int Y, int d, int x0,
                                                                  const int N) {
    const int K = 2 * j->rx + 1, taps = K * (2 * j->ry + 1);
    const float *centre = j->padded + (long)(Y + j->ry) * j->padded_width + j->rx;
    float *sums = j->sums + (long)((Y + d) % (j->ry + 1)) * 2 * j->width;
    float sum[BILATERAL_CHUNK], weights[BILATERAL_CHUNK];
    for (int x = 0; x < N; x++) {
        sum[x] = d == j->ry ? 0.0f : sums[x0 + x];  // window row −ry is a row's first
        weights[x] = d == j->ry ? 0.0f : sums[j->width + x0 + x];
    }
    for (int dx = -j->rx; dx <= j->rx; dx++) {
        const int f = taps - 1 - ((j->ry - d) * K + dx + j->rx);  // the producer's tap (d, −dx)
        bilateral_add(sum, weights, bilateral_pair_row(j, f) + dx + x0, centre + dx + x0, N);
    }
    for (int x = 0; x < N; x++) {
        sums[x0 + x] = sum[x];
        sums[j->width + x0 + x] = weights[x];
    }
}

// Row Y's window row 0 and the rows below it, columns x0 ..< x0 + N, then the output.
static inline __attribute__((always_inline)) void bilateral_finish(const bilateral_job *j, int Y, int x0,
                                                                   const int N) {
    const int K = 2 * j->rx + 1, taps = K * (2 * j->ry + 1), c = taps / 2;
    const float *centre = j->padded + (long)(Y + j->ry) * j->padded_width + j->rx;
    const float *sums = j->sums + (long)(Y % (j->ry + 1)) * 2 * j->width;
    float sum[BILATERAL_CHUNK], weights[BILATERAL_CHUNK];
    for (int x = 0; x < N; x++) {
        sum[x] = j->ry == 0 ? 0.0f : sums[x0 + x];
        weights[x] = j->ry == 0 ? 0.0f : sums[j->width + x0 + x];
    }
    for (int dx = -j->rx; dx < 0; dx++)  // from the left: the producer's tap (0, −dx)
        bilateral_add(sum, weights, bilateral_pair_row(j, c - dx) + dx + x0, centre + dx + x0, N);
    for (int x = 0; x < N; x++) {
        const float value = centre[x0 + x];
        BILATERAL_WEIGHT(w, value, value, j->spatial[c], j->exponent_scale, j->cutoff)
        sum[x] = sum[x] + w * value;
        weights[x] = weights[x] + w;
    }
    for (int f = c + 1; f < taps; f++) {
        const int dy = f / K - j->ry, dx = f % K - j->rx;
        bilateral_add(sum, weights, bilateral_pair_row(j, f) + x0, centre + (long)dy * j->padded_width + dx + x0, N);
    }
    float *out = j->out + (long)Y * j->width + x0;
    for (int x = 0; x < N; x++) out[x] = sum[x] / weights[x];
}

// The filter at one instruction set (the same body for each; see PATH_COLUMN_FN).
#define BILATERAL_FN(name, attributes)                                                                    \
    static attributes void name(const bilateral_job *j) {                                                 \
        const int chunks = j->width / BILATERAL_CHUNK * BILATERAL_CHUNK;                                  \
        for (int Y = -j->ry; Y < j->height; Y++) {                                                        \
            bilateral_pairs(j, Y);                                                                        \
            for (int d = j->ry; d >= 1; d--) {                                                            \
                if (Y + d < 0 || Y + d >= j->height) continue;                                            \
                for (int x0 = 0; x0 < chunks; x0 += BILATERAL_CHUNK)                                      \
                    bilateral_ahead(j, Y, d, x0, BILATERAL_CHUNK);                                        \
                for (int x0 = chunks; x0 < j->width; x0++) bilateral_ahead(j, Y, d, x0, 1);               \
            }                                                                                             \
            if (Y < 0) continue;                                                                          \
            for (int x0 = 0; x0 < chunks; x0 += BILATERAL_CHUNK) bilateral_finish(j, Y, x0, BILATERAL_CHUNK); \
            for (int x0 = chunks; x0 < j->width; x0++) bilateral_finish(j, Y, x0, 1);                     \
        }                                                                                                 \
    }
BILATERAL_FN(bilateral_generic, )
BILATERAL_FN(bilateral_avx2, TARGET_AVX2)
BILATERAL_FN(bilateral_avx512, TARGET_AVX512)

int octarc_bilateral(const float *padded, int padded_width, int width, int height, int rx, int ry,
                     const float *spatial, float exponent_scale, float cutoff, float *out, octarc_isa isa) {
    if (width <= 0 || height <= 0) return 0;
    const int taps = (2 * rx + 1) * (2 * ry + 1);
    for (int t = 0; t < taps / 2; t++)
        if (spatial[t] != spatial[taps - 1 - t]) return -2;
    float *pair = malloc(sizeof(float) * ((size_t)(taps / 2) * (size_t)(width + 2 * rx) + 2 * (size_t)(ry + 1) * (size_t)width));
    if (!pair) return -1;
    const bilateral_job job = {padded, padded_width, width, height, rx, ry, spatial, exponent_scale, cutoff,
                               pair, pair + (size_t)(taps / 2) * (size_t)(width + 2 * rx), out};
    switch (octarc_clamp_isa(isa)) {
    case OCTARC_ISA_AVX512: bilateral_avx512(&job); break;
    case OCTARC_ISA_AVX2: bilateral_avx2(&job); break;
    default: bilateral_generic(&job);
    }
    free(pair);
    return 0;
}

// MARK: - Shortest path

// One column: for every row y of [lower, upper], the cheapest reachable previous row (ties: the
// smaller row) among y - max_step ... y + max_step. `cost` is padded with max_step rows of FLT_MAX on
// either side (cost[-max_step] is valid) and holds FLT_MAX outside the previous column's range, so
// no bounds are needed: FLT_MAX plus a penalty rounds to FLT_MAX, which never wins.
static inline __attribute__((always_inline)) void path_column(
    const float *cost, int lower, int upper, int max_step, const float *penalties, float *restrict best,
    int32_t *restrict from) {
    const int count = upper - lower + 1;
    for (int i = 0; i < count; i++) {
        best[i] = FLT_MAX;
        from[i] = lower + i;
    }
    for (int d = -max_step; d <= max_step; d++) {
        const float penalty = penalties[d < 0 ? -d : d];
        const float *source = cost + lower + d;
        for (int i = 0; i < count; i++) {
            const float total = source[i] + penalty;
            const int better = total < best[i];
            best[i] = better ? total : best[i];
            from[i] = better ? lower + i + d : from[i];
        }
    }
}

#define PATH_COLUMN_FN(name, attributes)                                                                  \
    static attributes void name(const float *cost, int lower, int upper, int max_step,                  \
                                const float *penalties, float *best, int32_t *from) {                    \
        path_column(cost, lower, upper, max_step, penalties, best, from);                                \
    }
PATH_COLUMN_FN(path_column_generic, )
PATH_COLUMN_FN(path_column_avx2, TARGET_AVX2)
PATH_COLUMN_FN(path_column_avx512, TARGET_AVX512)

int octarc_shortest_path(const float *strength, int width, int height, const int32_t *lower,
                         const int32_t *upper, int max_step, const float *penalties, int32_t *rows,
                         octarc_isa isa) {
    if (width <= 0 || height <= 0) return 0;
    void (*column)(const float *, int, int, int, const float *, float *, int32_t *);
    switch (octarc_clamp_isa(isa)) {
    case OCTARC_ISA_AVX512: column = path_column_avx512; break;
    case OCTARC_ISA_AVX2: column = path_column_avx2; break;
    default: column = path_column_generic;
    }
    const size_t padded = (size_t)height + 2 * (size_t)max_step;
    float *cost_store = malloc(sizeof(float) * (2 * padded + (size_t)height));
    int32_t *links = malloc(sizeof(int32_t) * (size_t)width * (size_t)height);
    if (!cost_store || !links) {
        free(cost_store);
        free(links);
        return -1;
    }
    for (size_t i = 0; i < 2 * padded; i++) cost_store[i] = FLT_MAX;
    float *cost = cost_store + max_step, *next = cost_store + padded + max_step;
    float *best = cost_store + 2 * padded;
    int previous_lower = lower[0], previous_upper = upper[0];
    for (int y = previous_lower; y <= previous_upper; y++) cost[y] = 0;
    for (int x = 1; x < width; x++) {
        const float *column_before = strength + (long)(x - 1) * height;
        const float *here = strength + (long)x * height;
        int32_t *link = links + (long)x * height;
        // Reached cost minus the strength of the pixel it ends on.
        for (int y = previous_lower; y <= previous_upper; y++) cost[y] = cost[y] - column_before[y];
        const int lo = lower[x], hi = upper[x];
        column(cost, lo, hi, max_step, penalties, best, link + lo);
        int reached = 0;
        for (int y = lo; y <= hi; y++) {
            const float b = best[y - lo];
            if (b < FLT_MAX) {
                next[y] = b + 2 - here[y] + 1e-5f;
                reached = 1;
            } else {
                next[y] = FLT_MAX;
            }
        }
        // A column out of reach of the previous one (ranges too far apart) restarts the path at the
        // best row so far rather than failing.
        if (!reached) {
            int best_row = previous_lower;
            for (int y = previous_lower; y <= previous_upper; y++)
                if (cost[y] < cost[best_row]) best_row = y;
            for (int y = lo; y <= hi; y++) {
                next[y] = cost[best_row] + 2 - here[y];
                link[y] = best_row;
            }
        }
        for (int y = previous_lower; y <= previous_upper; y++) cost[y] = FLT_MAX;
        float *swap = cost;
        cost = next;
        next = swap;
        previous_lower = lo;
        previous_upper = hi;
    }
    int row = previous_lower;
    for (int y = previous_lower; y <= previous_upper; y++)
        if (cost[y] < cost[row]) row = y;
    for (int x = width - 1; x >= 0; x--) {
        rows[x] = row;
        if (x > 0) row = links[(long)x * height + row];
    }
    free(cost_store);
    free(links);
    return 0;
}
