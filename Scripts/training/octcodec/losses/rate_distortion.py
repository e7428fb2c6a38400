"""The rate-distortion objective of train.py: loss = distortion + rate weight x estimated bits per pixel,
with the rate weight fixed (--rate-weight) or steered so that one device's crops reach a target bit rate
(--target-bpp)."""
from __future__ import annotations

import math

import torch


def distortion_loss(x: torch.Tensor, y: torch.Tensor, msssim: torch.Tensor, step: int, l1_warmup: int,
                    msssim_weight: float, mse_weight: float = 0.0) -> torch.Tensor:
    """lambda x L1 for the first `l1_warmup` steps (MS-SSIM has no useful gradient at a random start), then
    lambda x (1 - MS-SSIM) averaged over the batch, plus `mse_weight` x the mean squared error (intensities
    in 0..1; MS-SSIM alone leaves PSNR, the other half of the rate-distortion comparison, untended).
    `msssim` holds the batch's per-image MS-SSIM."""
    if step < l1_warmup:
        return msssim_weight * (y - x).abs().mean()
    loss = msssim_weight * (1 - msssim.mean())
    if mse_weight > 0:
        loss = loss + mse_weight * ((y - x) ** 2).mean()
    return loss


def bits_per_pixel(rate: dict[str, torch.Tensor], uniform: bool, pixels: int, batch: int,
                   stats=None) -> torch.Tensor:
    """Estimated bits per pixel of each image of a batch, from the quantizer's rate information: the
    uniform quantizer's bits per image, or (learned quantizer) the soft assignments costed by the running
    histograms in `stats` (a SymbolStatistics, which this updates)."""
    if uniform:
        bits = sum(rate.values())  # per image
    else:
        bits = torch.zeros(batch)
        for name, p in rate.items():
            stats.update(name, p)
            bits = bits + stats.bits_per_image(name, p).cpu()
    return bits / pixels


class RateControl:
    """The rate weight, as its logarithm: fixed (`rate_weight` > 0), steered towards `target_bpp` (> 0;
    starts at weight 1), or off (both 0). Steering follows an exponential moving average of the target
    device's estimated bits per pixel and changes log(weight) by at most `rate_step` a step, within
    [-6, 6]. `state` is the plain dict that checkpoints store ("log_weight", and "ema" once steering ran).
    """

    def __init__(self, rate_weight: float = 0.0, target_bpp: float = 0.0, rate_step: float = 0.005,
                 state: dict | None = None):
        self.target_bpp = target_bpp
        self.rate_step = rate_step
        self.state = state if state is not None else {
            "log_weight": math.log(rate_weight) if rate_weight > 0 else (0.0 if target_bpp > 0 else -math.inf)}

    @property
    def weight(self) -> float:
        return math.exp(self.state["log_weight"])

    @property
    def active(self) -> bool:
        return self.state["log_weight"] > -20

    def observe(self, bpp_images: torch.Tensor, devices: list[str], rate_device: str) -> None:
        """Steers the weight by the bits per pixel of the batch's images from `rate_device` (if any)."""
        steered = [i for i, d in enumerate(devices) if d == rate_device]
        if self.target_bpp > 0 and steered:
            observed = float(bpp_images[steered].mean())
            self.state["ema"] = 0.98 * self.state.get("ema", observed) + 0.02 * observed
            step_size = self.rate_step * max(-1.0, min(1.0, self.state["ema"] / self.target_bpp - 1))
            self.state["log_weight"] = min(6.0, max(-6.0, self.state["log_weight"] + step_size))

    def penalty(self, bpp: torch.Tensor) -> torch.Tensor:
        """The rate term to add to the loss (when `active`): weight x mean bits per pixel."""
        return math.exp(self.state["log_weight"]) * bpp
