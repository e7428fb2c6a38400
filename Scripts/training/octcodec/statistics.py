"""Symbol statistics of a trained codec: the entropy tables a profile ships."""
from __future__ import annotations

import torch

from .model import Codec


def whole_bands(bands) -> list:
    """The bands the product codes as they are: sizes multiples of 32."""
    return [b for b in bands if b.pixels.shape[0] % 32 == 0 and b.pixels.shape[1] % 32 == 0]


@torch.no_grad()
def band_symbols(model: Codec, bands):
    """Per band, the hard symbols of each latent, `{name: (C, h, w) tensor}`, over whole bands (sizes
    multiples of 32, as the product codes them; other bands are skipped)."""
    model.eval()
    for b in whole_bands(bands):
        h, w = b.pixels.shape
        z = model.encoder(torch.from_numpy(b.pixels).view(1, 1, h, w))
        yield {name: model.quantizer.symbols(t)[0] for name, t in z.items()}


def symbol_counts(model: Codec, bands) -> dict[str, list[list[int]]]:
    """Per latent, per channel, how often each hard symbol occurs over whole bands."""
    levels = model.arch.levels
    counts = {n: torch.zeros(c, levels, dtype=torch.int64) for n, c, _ in model.arch.latents()}
    for symbols in band_symbols(model, bands):
        for name, s in symbols.items():
            for c in range(s.shape[0]):
                counts[name][c] += torch.bincount(s[c].flatten(), minlength=levels)
    return {n: v.tolist() for n, v in counts.items()}
