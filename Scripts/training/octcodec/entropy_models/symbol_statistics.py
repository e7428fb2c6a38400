"""Running per-channel symbol histograms of the learned quantizer (for its rate estimate)."""
from __future__ import annotations

import torch

from ..model import Architecture


class SymbolStatistics:
    """Running per-channel symbol histograms (for the rate estimate and the entropy tables)."""

    def __init__(self, arch: Architecture):
        self.counts = {n: torch.ones(c, arch.levels, dtype=torch.float64) for n, c, _ in arch.latents()}

    def update(self, name: str, probs: torch.Tensor, decay: float = 0.99):
        # probs: (N, C, h, w, L) soft assignments.
        hist = probs.detach().double().sum(dim=(0, 2, 3)).cpu()
        self.counts[name] = decay * self.counts[name] + hist

    def bits_per_image(self, name: str, probs: torch.Tensor) -> torch.Tensor:
        p = self.counts[name] / self.counts[name].sum(dim=1, keepdim=True)
        logp = torch.log2(p.float().to(probs.device))  # (C, L)
        return -(probs * logp.view(1, -1, 1, 1, logp.shape[1])).flatten(1).sum(1)
