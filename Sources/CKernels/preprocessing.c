// The preprocessing stage's vector loops: the bilateral filter and the layer search. No fused
// multiply-add (contraction off): each level performs exactly the operations of the plain scalar
// Swift these loops replaced, in the same order per element, so results are bit-identical across
// levels and to that arithmetic (PreprocessingKernelTests).
#include "isa.h"

#include <float.h>
#include <stdlib.h>

#pragma clang fp contract(off)

// MARK: - Bilateral filter

static inline __attribute__((always_inline)) void bilateral_row(
    const float *centre, const int32_t *offsets, const float *spatial, int taps, float exponent_scale,
    float cutoff, int width, float *restrict sum, float *restrict weights, float *restrict out) {
    for (int x = 0; x < width; x++) {
        sum[x] = 0;
        weights[x] = 0;
    }
    for (int t = 0; t < taps; t++) {
        const float *neighbour = centre + offsets[t];
        const float s = spatial[t];
        for (int x = 0; x < width; x++) {
            const float value = centre[x];
            const float n = neighbour[x];
            const float difference = n - value;
            const float squared = difference * difference;
            float w = 1 + squared * exponent_scale;
            w = w * w;
            w = w * w;
            w = w * w;
            w = w * w;
            w = w * w;
            w = w * w;
            w = w * w;
            w = w * w;
            w = squared >= cutoff ? 0.0f : w;
            w = w * s;
            sum[x] = sum[x] + w * n;
            weights[x] = weights[x] + w;
        }
    }
    for (int x = 0; x < width; x++) out[x] = sum[x] / weights[x];
}

// The filter's rows at one instruction set (the same body for each; see PATH_COLUMN_FN).
#define BILATERAL_FN(name, attributes)                                                                    \
    static attributes void name(const float *padded, int padded_width, int width, int height, int rx,    \
                                int ry, const int32_t *offsets, const float *spatial, int taps,          \
                                float exponent_scale, float cutoff, float *sum, float *weights,          \
                                float *out) {                                                             \
        for (int y = 0; y < height; y++) {                                                                \
            const float *centre = padded + (long)(y + ry) * padded_width + rx;                            \
            bilateral_row(centre, offsets, spatial, taps, exponent_scale, cutoff, width, sum, weights,    \
                          out + (long)y * width);                                                         \
        }                                                                                                 \
    }
BILATERAL_FN(bilateral_generic, )
BILATERAL_FN(bilateral_avx2, TARGET_AVX2)
BILATERAL_FN(bilateral_avx512, TARGET_AVX512)

void octarc_bilateral(const float *padded, int padded_width, int width, int height, int rx, int ry,
                      const int32_t *offsets, const float *spatial, int taps, float exponent_scale,
                      float cutoff, float *out, octarc_isa isa) {
    if (width <= 0 || height <= 0) return;
    float *scratch = malloc(sizeof(float) * 2 * (size_t)width);
    if (!scratch) {  // too little memory for two rows: one pixel at a time
        float one[2];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bilateral_row(padded + (long)(y + ry) * padded_width + rx + x, offsets, spatial, taps,
                              exponent_scale, cutoff, 1, one, one + 1, out + (long)y * width + x);
        return;
    }
    float *sum = scratch, *weights = scratch + width;
    switch (octarc_clamp_isa(isa)) {
    case OCTARC_ISA_AVX512:
        bilateral_avx512(padded, padded_width, width, height, rx, ry, offsets, spatial, taps, exponent_scale,
                         cutoff, sum, weights, out);
        break;
    case OCTARC_ISA_AVX2:
        bilateral_avx2(padded, padded_width, width, height, rx, ry, offsets, spatial, taps, exponent_scale,
                       cutoff, sum, weights, out);
        break;
    default:
        bilateral_generic(padded, padded_width, width, height, rx, ry, offsets, spatial, taps, exponent_scale,
                          cutoff, sum, weights, out);
    }
    free(scratch);
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
