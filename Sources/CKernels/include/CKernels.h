#ifndef OCTARC_KERNELS_H
#define OCTARC_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Vector kernels in C, each compiled once per instruction set and chosen at run time: the
/// preprocessing stage's bilateral filter and layer search, and the exact convolutions that decode
/// every container (`ExactEngine` in Neural). Also the CRC-32C instruction for the container's
/// checksums (`CRC32C` in Container).
///
/// The instruction sets the kernels are built for; `octarc_kernels_best_isa` says which one this CPU
/// runs. Every level computes bit-identical results (the same IEEE operations in the same order per
/// output element; lanes of a vector never combine), so the choice changes speed only.
typedef enum {
    OCTARC_ISA_GENERIC = 0,
    OCTARC_ISA_AVX2 = 1,
    OCTARC_ISA_AVX512 = 2,
} octarc_isa;

/// The widest level this CPU and operating system support (CPUID and XGETBV; generic off x86-64).
octarc_isa octarc_kernels_best_isa(void);

/// `isa`, lowered to what this CPU runs: the level every kernel taking an `isa` runs at.
octarc_isa octarc_clamp_isa(octarc_isa isa);

/// MARK: - Preprocessing (no fused multiply-add: the arithmetic is the plain Swift it replaced)

/// The bilateral filter's inner loops (see Despeckler+Bilateral.swift for the filter itself).
/// `padded` holds the frame with `rx` columns and `ry` rows replicated on each side, rows of
/// `padded_width` floats; `spatial` lists the spatial weights of the (2·ry + 1) x (2·rx + 1) window
/// in row-major order, symmetric about the centre (spatial[t] == spatial[taps − 1 − t]). A
/// neighbour's weight is spatial × (1 + d² · exponent_scale)^256, zero where d² >= cutoff; each
/// pixel sums its taps in window order. `out` receives width × height floats. `isa` above what the
/// CPU supports is lowered to what it does. Returns 0, -1 when memory ran out, -2 when `spatial` is
/// not symmetric.
int octarc_bilateral(const float *padded, int padded_width, int width, int height, int rx, int ry,
                     const float *spatial, float exponent_scale, float cutoff, float *out, octarc_isa isa);

/// Minimum-cost left-to-right path through column-major `strength` (`x * height + y`), as
/// ShortestPath.swift describes: per column `x` only rows `lower[x]...upper[x]` (already clamped
/// to the grid, lower <= upper), steps of at most `max_step` rows, `penalties[m]` added for a step
/// of m rows. Ties go to the smaller row. Writes the path's row per column into `rows`.
/// Returns 0, or -1 when memory ran out.
int octarc_shortest_path(const float *strength, int width, int height, const int32_t *lower,
                         const int32_t *upper, int max_step, const float *penalties, int32_t *rows,
                         octarc_isa isa);

/// MARK: - Exact convolutions (decoder networks)

/// Activations applied to a convolution's output.
typedef enum {
    OCTARC_ACTIVATION_NONE = 0,
    OCTARC_ACTIVATION_RELU = 1,
    OCTARC_ACTIVATION_LEAKY_RELU = 2,  // x < 0 ? x * a : x
    OCTARC_ACTIVATION_CLIP = 3,        // min(max(x, a), b)
    OCTARC_ACTIVATION_SIGMOID = 4,     // 1 / (1 + exp(-x)), exp as octarc_exact_exp
    OCTARC_ACTIVATION_TANH = 5,        // 1 - 2 / (exp(2x) + 1)
} octarc_activation;

/// One phase of a convolution on tensors laid out (row, channel, column): the rows of every
/// channel at one height are adjacent, so the few input rows an output row needs stay in cache. Output element
/// (o, j, i) of the phase lands at row `out_row0 + out_row_step * j`, column
/// `out_col0 + out_col_step * i` of channel o, at `output + row · out_row_stride + o ·
/// out_channel_stride + column` (floats), and is
///
///     acc = bias[o] (0 without bias)
///     for c in 0 ..< in_channels, for t in 0 ..< taps:   (this order, always)
///         acc = fma(input(c, in_row_step·j + tap_row[t], in_col_step·i + tap_col[t]), weight(o, c, t), acc)
///     out = activation(acc)
///
/// with fma a single correctly rounded fused multiply-add and input() 0 outside the input plane.
/// `input` is the padded copy the caller made: `in_rows` rows of `in_channels` x `in_stride` floats,
/// element (c, pad_top + y, pad_left + x) at ((pad_top + y) · in_channels + c) · in_stride +
/// pad_left + x, zero in the padding; every read above stays inside it. `output` may be a plain
/// (row, channel, column) tensor (strides out_channels · width and width) or the next convolution's
/// padded copy (its row and channel strides, `output` at its first unpadded element and channel),
/// so that a layer writes straight into the copy its consumer reads.
/// `weights` are packed as [o / B][c][t][o % B] for B = `channel_block` (1, 4 or 8; zeros past
/// out_channels). `j` runs over
/// `first_row ..< first_row + phase_rows` (a part of the phase, so that parts run on several
/// threads), `i` over `0 ..< phase_cols`.
typedef struct {
    const float *input;
    int in_channels, in_rows, in_stride, pad_top, pad_left, in_row_step, in_col_step;
    const int32_t *tap_row, *tap_col;
    int taps;
    const float *weights, *bias;
    int channel_block, out_channels;
    float *output;
    long out_row_stride, out_channel_stride;
    int out_row0, out_col0, out_row_step, out_col_step, first_row, phase_rows, phase_cols;
    octarc_activation activation;
    float alpha, beta;
    /// Optional: a second phase computed in the same pass (NULL `pair_weights`: none). Its outputs
    /// are the columns between this phase's (out_col_step must be 2): with its own taps and weights
    /// (packed the same way), the same rows, columns and input. Each element's chain is unchanged;
    /// the two are only stored interleaved, whole vectors at a time instead of lane by lane.
    const int32_t *pair_tap_row, *pair_tap_col;
    int pair_taps;
    const float *pair_weights;
} octarc_conv_phase;

/// Columns the caller must leave readable (and zero, so that no denormal slows the lanes that are
/// computed and not stored) past each padded input row's last needed column, for a layer whose
/// phases compute `columns` output columns reading every `column_step`-th input column: the last
/// chunk of every build's kernels may run past the last column, up to its chunk width.
int octarc_conv_row_slack(int columns, int column_step);

/// Runs one phase (and its pair). Returns 0, or -1 for a pair whose column steps are not 1 (input)
/// and 2 (output).
int octarc_conv_phase_run(const octarc_conv_phase *phase, octarc_isa isa);

/// exp(x) in fixed arithmetic (range reduction and a polynomial in fma), the same bits everywhere.
float octarc_exact_exp(float x);

/// MARK: - CRC-32C

/// 1 where the CPU has a CRC-32C instruction `octarc_crc32c_update` uses (SSE 4.2), else 0.
int octarc_crc32c_available(void);

/// Continues a CRC-32C register `state` (the running value, before the final inversion) over
/// `count` bytes. Only where `octarc_crc32c_available()` says so.
uint32_t octarc_crc32c_update(uint32_t state, const uint8_t *bytes, size_t count);

#endif
