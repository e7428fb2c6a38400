#!/usr/bin/env python3
"""What a hyperprior would save over the shipped context tables (issue 12, "a conditional entropy
model"), measured on a shipped encoder's latents before building one.

A shipped profile's encoder codes every band of the training and dev packs (cut as convert cuts them).
Its latents stay fixed; only entropy models are fitted on the training latents and measured on dev:

  per-channel    one static table per channel (the first format)
  context        the shipped tables: left, up and previous-channel neighbours (125 per channel)
  scale          a hyperprior (Ballé et al. 2018): per latent, a hyper-encoder (three 3x3 convolutions,
                 two of stride 2) reads the latent, its output is rounded and coded with one learned
                 Laplace distribution per channel, and a hyper-decoder (two transposed convolutions)
                 gives each symbol the scale of a discretized Laplace distribution about the centre
  mean-scale     the same with a mean per symbol too (Minnen et al. 2018, without its autoregressive
                 context)

Bits of the static tables are the coder's (normalized 15-bit integer tables); those of the
hyperpriors are ideal (-log2 of each discretized probability), and include the hyper-latents' own
bits. A product would quantize the scales to a table index through the exact decoder kernels
(ExactEngine runs the hyper-decoder to the same bits on every CPU), which costs a fraction of a
percent more. Bits are reported per dev band, by device.

  python3 Scripts/training/hyperprior.py [--profile Profiles/cr50c] [--steps 3000] [--threads 1]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from octcodec.data import load_pack  # noqa: E402
from octcodec.entropy_models.context import contexts, ideal_bits, normalized  # noqa: E402
from octcodec.statistics import band_symbols, whole_bands  # noqa: E402
from octcodec.zoo import load_profile  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
LN2 = float(np.log(2))


def laplace_mass(x: torch.Tensor, mean: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Probability of the integer bin [x - 0.5, x + 0.5] under Laplace(mean, scale), floored at 2^-16
    (a coder's tables give every symbol at least that)."""
    def cdf(v):
        z = (v - mean) / scale
        return 0.5 + 0.5 * torch.sign(z) * (1 - torch.exp(-z.abs()))
    return (cdf(x + 0.5) - cdf(x - 0.5)).clamp_min(2.0 ** -16)


class Hyperprior(nn.Module):
    """A hyperprior for one latent of C channels: hyper-latents of M channels at a quarter of its
    size, and per symbol a scale (and with `means`, a mean) about the quantizer's centre."""

    def __init__(self, channels: int, hidden: int = 32, hyper: int = 8, means: bool = True):
        super().__init__()
        self.means = means
        self.encode = nn.Sequential(
            nn.Conv2d(channels, hidden, 3, padding=1), nn.ReLU(),
            nn.Conv2d(hidden, hidden, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(hidden, hyper, 3, stride=2, padding=1))
        self.decode = nn.Sequential(
            nn.ConvTranspose2d(hyper, hidden, 4, stride=2, padding=1), nn.ReLU(),
            nn.ConvTranspose2d(hidden, hidden, 4, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(hidden, 2 * channels, 3, padding=1))
        # The hyper-latents' own prior: one Laplace per channel about 0.
        self.hyper_scale = nn.Parameter(torch.zeros(hyper))

    def bits(self, y: torch.Tensor, training: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """Bits of the hyper-latents and of `y` (centred symbols, N x C x H x W): the hyper-encoder reads
        `y` padded to multiples of 4, the hyper-decoder's output is cut back to its size."""
        height, width = y.shape[-2:]
        h = self.encode(F.pad(y, (0, -width % 4, 0, -height % 4)))
        h = h + torch.empty_like(h).uniform_(-0.5, 0.5) if training else torch.round(h)
        p_h = laplace_mass(h, torch.zeros_like(h), F.softplus(self.hyper_scale).view(1, -1, 1, 1) + 0.05)
        out = self.decode(h)[..., :height, :width]
        mean, raw = out.chunk(2, dim=1)
        if not self.means:
            mean = torch.zeros_like(mean)
        scale = F.softplus(raw) + 0.05
        p_y = laplace_mass(y, mean, scale)
        return -torch.log(p_h).sum() / LN2, -torch.log(p_y).sum() / LN2


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--profile", type=Path, default=REPO / "Profiles" / "cr50c")
    p.add_argument("--train", type=Path, default=REPO / "data-cache" / "adaptive-um" / "train.npz")
    p.add_argument("--dev", type=Path, default=REPO / "data-cache" / "adaptive-um" / "dev.npz")
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = load_profile(args.profile)
    levels = model.arch.levels
    centre = (levels - 1) // 2
    channels = {n: c for n, c, _ in model.arch.latents()}

    def encode(pack):
        bands = whole_bands(load_pack(pack))
        with torch.no_grad():
            return [(b.device, {n: s.numpy() for n, s in symbols.items()})
                    for b, symbols in zip(bands, band_symbols(model, bands))]

    t0 = time.time()
    train, dev = encode(args.train), encode(args.dev)
    print(f"{args.profile.name}: {len(train)} train bands, {len(dev)} dev bands encoded in {time.time() - t0:.0f} s",
          flush=True)

    # The static tables, counted on train.
    context = {n: np.zeros((c, 125, levels), np.int64) for n, c in channels.items()}
    for _, symbols in train:
        for n, s in symbols.items():
            ch = np.broadcast_to(np.arange(s.shape[0])[:, None, None], s.shape).ravel()
            np.add.at(context[n], (ch, contexts(s, levels).ravel(), np.clip(s, 0, levels - 1).ravel()), 1)
    context_tables = {n: normalized(c) for n, c in context.items()}
    # A channel's counts are its contexts' counts summed (as export.py counts them); the same table in
    # every context slot lets ideal_bits price the per-channel design too.
    per_channel_tables = {n: np.repeat(normalized(c.sum(axis=1, keepdims=True)), 125, axis=1)
                          for n, c in context.items()}

    def static_bits(symbols, tables):
        return sum(ideal_bits(s, tables[n], levels) for n, s in symbols.items())

    results: dict[str, dict[str, list[float]]] = {}
    for device, symbols in dev:
        r = results.setdefault(device, {})
        r.setdefault("per-channel", []).append(static_bits(symbols, per_channel_tables))
        r.setdefault("context", []).append(static_bits(symbols, context_tables))

    def tensors(items):
        return [{n: torch.from_numpy(s.astype(np.float32) - centre)[None] for n, s in symbols.items()}
                for _, symbols in items]

    train_t, dev_t = tensors(train), tensors(dev)
    for design, means in (("scale", False), ("mean-scale", True)):
        priors = nn.ModuleDict({n: Hyperprior(c, means=means) for n, c in channels.items()})
        optimizer = torch.optim.Adam(priors.parameters(), lr=1e-3)
        t0 = time.time()
        for step in range(args.steps):
            if step == int(args.steps * 0.8):
                for g in optimizer.param_groups:
                    g["lr"] = 1e-4
            batch = [train_t[i] for i in torch.randint(len(train_t), (4,)).tolist()]
            loss = torch.zeros(())
            pixels = 0
            for symbols in batch:
                for n, y in symbols.items():
                    hb, yb = priors[n].bits(y, training=True)
                    loss = loss + hb + yb
                pixels += 1
            optimizer.zero_grad()
            (loss / pixels / 8000).backward()
            optimizer.step()
            if step % 500 == 0:
                print(f"{design} step {step}: {float(loss.detach()) / pixels / 8:.0f} B per train band "
                      f"({time.time() - t0:.0f} s)", flush=True)
        with torch.no_grad():
            for (device, _), symbols in zip(dev, dev_t):
                total = 0.0
                for n, y in symbols.items():
                    hb, yb = priors[n].bits(y, training=False)
                    total += float(hb + yb)
                results[device].setdefault(design, []).append(total)

    print()
    print("| device | dev bands | design | bytes per band | vs context tables |")
    print("|---|---|---|---|---|")
    for device, r in sorted(results.items()):
        base = np.mean(r["context"])
        for design, values in r.items():
            print(f"| {device} | {len(values)} | {design} | {np.mean(values) / 8:.0f} | "
                  f"{100 * (np.mean(values) / base - 1):+.1f}% |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
