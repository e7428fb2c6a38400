"""The neighbour-context model of octcodec matches the Swift coder: the same contexts (checked against
a plain per-symbol definition) and the same tables (the ideal size of the golden version 2 stream, which
the Swift coder wrote, equals its real size to within the coder's few bytes of overhead)."""
import json
import math

import numpy as np
from conftest import REPO

from octcodec.entropy_models import context

GOLDEN = REPO / "Tests" / "Data" / "container" / "latent"


def plain_context(s: np.ndarray, c: int, y: int, x: int, levels: int) -> int:
    m = (levels - 1) // 2

    def o(v):
        return min(max(int(v) - m, -2), 2) + 2
    left = o(s[c, y, x - 1]) if x > 0 else 2
    up = o(s[c, y - 1, x]) if y > 0 else 2
    previous = o(s[c - 1, y, x]) if c > 0 else 2
    return 25 * left + 5 * up + previous


def test_contexts_follow_the_definition():
    rng = np.random.default_rng(3)
    s = rng.integers(-3, 12, size=(4, 5, 6))
    ctx = context.contexts(s, 9)
    for c, y, x in np.ndindex(*s.shape):
        assert ctx[c, y, x] == plain_context(s, c, y, x, 9)


def test_counts_add_up_per_channel_and_context():
    rng = np.random.default_rng(4)
    s = rng.integers(0, 7, size=(3, 8, 10))
    counts = np.zeros((3, context.CONTEXTS, 7), np.int64)
    context.accumulate(counts, s, 7)
    assert counts.sum() == s.size
    assert counts[1, plain_context(s, 1, 2, 3, 7), s[1, 2, 3]] >= 1


def escape_bits(v: int, levels: int) -> int:
    d = 2 * (v - levels) if v >= 0 else 2 * (-v - 1) + 1
    return 6 + int(math.floor(math.log2(d + 1)))


def test_the_ideal_size_of_the_golden_v2_stream_is_its_real_size():
    golden = json.loads((GOLDEN / "latent-v2.json").read_text())
    real_bits = 8 * (GOLDEN / golden["bitstream"]).stat().st_size
    ideal = 0.0
    for t in golden["tensors"]:
        symbols = np.array(t["symbols"], np.int64)
        if t.get("contextCounts") is not None:
            counts = np.array(t["contextCounts"], np.int64)
            channels, _, levels = counts.shape
            chw = symbols.reshape(-1, t["width"], channels).transpose(2, 0, 1)
            ideal += context.ideal_bits(chw, context.normalized(counts, t["precisionBits"]), levels, t["precisionBits"])
        else:
            counts = np.array(t["counts"], np.int64)
            channels, levels = counts.shape
            table = context.normalized(counts, t["precisionBits"])
            s = np.where((symbols < 0) | (symbols >= levels), levels, symbols)
            f = table[np.arange(len(symbols)) % channels, s]
            ideal += t["precisionBits"] * len(s) - np.log2(f).sum()
        ideal += sum(escape_bits(int(v), levels) for v in symbols if v < 0 or v >= levels)
    # rANS writes its 32-bit final state on top of the ideal bits.
    assert ideal <= real_bits <= ideal + 40
