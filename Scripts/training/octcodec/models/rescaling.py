"""More profiles from one trained codec: its latents quantized with a coarser (or finer) step.

The uniform quantizer rounds each latent to the nearest integer. Rounding `z / step` instead, and giving
the decoder `step * symbol`, quantizes the same latents with step `step`: a coarser step leaves fewer
distinct symbols and much smaller entropy-coded streams, at the cost of detail. Both scalings fold into
the networks' weights, so that a rescaled codec is an ordinary profile (same graph, same Swift engine,
same cost per pixel, no format change):

- every layer that outputs a latent (the encoder's last convolution and its 1x1 skip convolutions) is
  linear, so dividing its weight and bias by `step` divides the latent by `step`;
- every decoder layer that reads a latent is linear in it before its activation, so multiplying the
  input-channel slice of its weight that the latent feeds by `step` gives it `step * symbol`.

The entropy tables must be counted again on the rescaled latents (export.py does that), and a decoder
fine-tuned at the new step (train.py --latent-step S --freeze-encoder) recovers part of what the coarser
step loses. This is variable-rate coding by a quantization step, as in the "gain unit" literature
(Cui et al. 2021), without a learned gain per channel.
"""
from __future__ import annotations

import math

import torch

from ..model import Codec


@torch.no_grad()
def rescale_latents(model: Codec, step: float) -> Codec:
    """Rescales `model` in place so that its latents are quantized with step `step` (see the module text)
    and returns it. Raises ValueError for a learned quantizer (its centers are not a uniform grid) or a
    step that is not positive and finite."""
    if model.arch.quantizer != "uniform":
        raise ValueError("a latent step needs the uniform quantizer")
    if not (step > 0 and math.isfinite(step)):
        raise ValueError(f"the latent step must be positive and finite, not {step}")
    producers = [model.encoder.layers[5].conv] + [skip.conv for skip in model.encoder.skips.values()]
    for conv in producers:
        conv.weight.div_(step)
        conv.bias.div_(step)
    channels = model.arch.latent_channels
    # z0 is the whole input of the first up layer; z1..z3 are the last input channels of up layers
    # 1..3 (concatenated after the decoder features). ConvTranspose2d weights are (in, out, kh, kw).
    model.decoder.ups[0].conv.weight.mul_(step)
    for level in (1, 2, 3):
        if channels[level] > 0:
            model.decoder.ups[level].conv.weight[-channels[level]:].mul_(step)
    return model
