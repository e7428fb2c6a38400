#!/usr/bin/env python3
"""What an inter-frame context would save (issue 12, "the third dimension"), measured before building it.

A shipped context profile's encoder codes every band of the Duke volumes (the training pack's
subjects for the tables, the dev pack's subject07 to measure); bands are cut as convert cuts them
(prepare_data.py), so band row r of neighbouring B-scans lies at the same depth below the ILM. For
each latent symbol it compares the ideal bits (the coder's normalized integer tables, within a
fraction of a percent of what rANS spends) of:
  neighbours-v1   the shipped contexts: left, up, previous channel (125 per channel)
  + previous      those and the co-located symbol of the previous B-scan of the volume (625)
  previous only   left, up and the previous B-scan instead of the previous channel (125)
with frames in groups of --group (the first frame of a group has no previous frame, so that random
access and parallel decoding stay possible). Tables are counted on train, bits measured on dev.

  python3 Scripts/training/interframe.py [--profile Profiles/cr50c] [--groups 4,8,61]
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from octcodec.data import load_pack  # noqa: E402
from octcodec.entropy_models.context import LIMIT, normalized  # noqa: E402
from octcodec.statistics import band_symbols  # noqa: E402
from octcodec.zoo import load_profile  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def volumes(pack: Path, device: str = "duke") -> list[list]:
    """The pack's bands of `device`, grouped by volume folder, in B-scan order."""
    by_volume = defaultdict(list)
    for band in load_pack(pack):
        if band.device == device:
            by_volume[band.name.rsplit("/", 1)[0]].append(band)
    return [sorted(bands, key=lambda b: b.name) for _, bands in sorted(by_volume.items())]


def clamped(symbols: np.ndarray, levels: int) -> np.ndarray:
    return np.clip(symbols.astype(np.int64) - (levels - 1) // 2, -LIMIT, LIMIT) + LIMIT


def context_sets(symbols: np.ndarray, previous: np.ndarray | None, levels: int) -> dict[str, np.ndarray]:
    """Per design, the context index of every symbol of one latent (C, H, W); `previous` is the same
    latent of the previous B-scan in the group (any height), or None."""
    d = clamped(symbols, levels)
    absent = np.full_like(d, LIMIT)
    left, up, channel, frame = absent.copy(), absent.copy(), absent.copy(), absent.copy()
    left[:, :, 1:] = d[:, :, :-1]
    up[:, 1:, :] = d[:, :-1, :]
    channel[1:] = d[:-1]
    if previous is not None:
        p = clamped(previous, levels)
        h, w = min(p.shape[1], d.shape[1]), min(p.shape[2], d.shape[2])
        frame[:, :h, :w] = p[:, :h, :w]
    return {"neighbours-v1": 25 * left + 5 * up + channel,
            "+ previous": 125 * frame + 25 * left + 5 * up + channel,
            "previous only": 25 * left + 5 * up + frame}


SIZES = {"neighbours-v1": 125, "+ previous": 625, "previous only": 125}


def walk(volume_symbols: list[list[dict]], group: int, levels: int):
    """Yields (latent name, symbols, contexts per design) for every band of every volume."""
    for bands in volume_symbols:
        for i, symbols in enumerate(bands):
            prior = bands[i - 1] if i % group else None
            for name, s in symbols.items():
                yield name, s, context_sets(s, None if prior is None else prior[name], levels)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--profile", type=Path, default=REPO / "Profiles" / "cr50c")
    p.add_argument("--train", type=Path, default=REPO / "data-cache" / "adaptive-um" / "train.npz")
    p.add_argument("--dev", type=Path, default=REPO / "data-cache" / "adaptive-um" / "dev.npz")
    p.add_argument("--groups", default="4,8,61", help="frames per group (61: the whole Duke volume)")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    model = load_profile(args.profile)
    levels = model.arch.levels
    channels = {n: c for n, c, _ in model.arch.latents()}

    def encode(vols):
        return [[{n: t.numpy() for n, t in s.items()} for s in band_symbols(model, bands)] for bands in vols]

    train, dev = encode(volumes(args.train)), encode(volumes(args.dev))
    frames = sum(len(v) for v in dev)
    print(f"{args.profile.name}: {sum(len(v) for v in train)} train B-scans in {len(train)} Duke volumes, "
          f"{frames} dev B-scans in {len(dev)}")
    print("| group | design | contexts per channel | bits per dev B-scan | vs neighbours-v1 |")
    print("|---|---|---|---|---|")
    for group in (int(g) for g in args.groups.split(",")):
        counts = {design: {n: np.zeros((c, size, levels), np.int64) for n, c in channels.items()}
                  for design, size in SIZES.items()}
        for name, s, ctx in walk(train, group, levels):
            ch = np.broadcast_to(np.arange(s.shape[0])[:, None, None], s.shape).ravel()
            for design, index in ctx.items():
                np.add.at(counts[design][name], (ch, index.ravel(), np.clip(s, 0, levels - 1).ravel()), 1)
        tables = {design: {n: normalized(c) for n, c in per.items()} for design, per in counts.items()}
        bits = dict.fromkeys(SIZES, 0.0)
        for name, s, ctx in walk(dev, group, levels):
            ch = np.broadcast_to(np.arange(s.shape[0])[:, None, None], s.shape)
            sym = np.where((s < 0) | (s >= levels), levels, s)
            for design, index in ctx.items():
                f = tables[design][name][ch, index, sym].astype(np.float64)
                bits[design] += 15 * f.size - np.log2(f).sum()
        base = bits["neighbours-v1"]
        for design, b in bits.items():
            print(f"| {group} | {design} | {SIZES[design]} | {b / frames / 8:.0f} B | {100 * (b / base - 1):+.1f}% |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
