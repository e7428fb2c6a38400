"""The neighbour-context entropy model (bitstream version 2, Sources/EntropyCoding/BITSTREAM.md).

A latent symbol's table is chosen by its left and upper neighbours in the same channel and the previous
channel at the same position (the product lays symbols out height, width, channel), each as its offset
from the center symbol (L - 1) // 2 clamped to -2..2: 125 contexts per channel. Absent neighbours count
as the center. The counts a profile ships are the I32 weights tensors `entropy.<latent>` (C x 125 x L).
This module computes the same contexts as the Swift coder, counts them on training bands, and gives
the ideal bits of symbols under the tables (what the coder spends, to within a fraction of a percent)."""
from __future__ import annotations

import numpy as np

from ..statistics import band_symbols

CONTEXTS = 125
LIMIT = 2
KIND = "neighbours-v1"


def contexts(symbols: np.ndarray, levels: int) -> np.ndarray:
    """Context index (0..124) of every symbol of one latent, `symbols` shaped (C, H, W)."""
    d = np.clip(symbols.astype(np.int64) - (levels - 1) // 2, -LIMIT, LIMIT) + LIMIT
    absent = np.full_like(d, LIMIT)
    left, up, previous = absent.copy(), absent.copy(), absent.copy()
    left[:, :, 1:] = d[:, :, :-1]
    up[:, 1:, :] = d[:, :-1, :]
    previous[1:] = d[:-1]
    return 25 * left + 5 * up + previous


def accumulate(counts: np.ndarray, symbols: np.ndarray, levels: int) -> None:
    """Adds one latent's symbols (C, H, W) to `counts` (C, 125, L)."""
    c = symbols.shape[0]
    ctx = contexts(symbols, levels)
    channel = np.broadcast_to(np.arange(c)[:, None, None], symbols.shape)
    s = np.clip(symbols, 0, levels - 1)
    np.add.at(counts, (channel.ravel(), ctx.ravel(), s.ravel()), 1)


def context_counts(model, bands) -> dict[str, np.ndarray]:
    """Per latent, the (C, 125, L) int32 counts of the hard symbols over whole bands (as
    statistics.band_symbols gives them)."""
    levels = model.arch.levels
    counts = {n: np.zeros((c, CONTEXTS, levels), np.int64) for n, c, _ in model.arch.latents()}
    for symbols in band_symbols(model, bands):
        for name, s in symbols.items():
            accumulate(counts[name], s.numpy(), levels)
    if max(int(v.max()) for v in counts.values()) >= 2**31:
        raise ValueError("context counts overflow int32: count on fewer bands")
    return {n: v.astype(np.int32) for n, v in counts.items()}


def normalized(counts: np.ndarray, precision_bits: int = 15) -> np.ndarray:
    """The coder's integer frequency tables of raw counts (..., L) -> (..., L + 1), escape last: every
    symbol gets 1, the rest in proportion, the leftover to the largest remainders (ties to the lower
    symbol), as SymbolModel.normalize does."""
    flat = counts.reshape(-1, counts.shape[-1]).astype(np.int64)
    levels = flat.shape[1]
    spare = (1 << precision_bits) - (levels + 1)
    out = np.ones((flat.shape[0], levels + 1), np.int64)
    for i, row in enumerate(flat):
        total = int(row.sum())
        if total == 0:
            out[i, :levels] += spare // levels
            out[i, :spare % levels] += 1
            continue
        share = row * spare
        q, r = share // total, share % total
        out[i, :levels] += q
        left = spare - int(q.sum())
        order = np.lexsort((np.arange(levels), -r))
        out[i, order[:left]] += 1
    return out.reshape(*counts.shape[:-1], levels + 1)


def ideal_bits(symbols: np.ndarray, tables: np.ndarray, levels: int, precision_bits: int = 15) -> float:
    """Bits the coder spends on one latent's symbols (C, H, W) with normalized tables (C, 125, L + 1),
    escapes' payloads left out."""
    ctx = contexts(symbols, levels)
    channel = np.broadcast_to(np.arange(symbols.shape[0])[:, None, None], symbols.shape)
    s = np.where((symbols < 0) | (symbols >= levels), levels, symbols)
    f = tables[channel, ctx, s].astype(np.float64)
    return float(precision_bits * f.size - np.log2(f).sum())
