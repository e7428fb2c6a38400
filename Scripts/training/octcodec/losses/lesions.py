"""Synthetic lesions in training crops, and the loss term that makes the codec keep them (issue 11: at
equal bytes the codec kept less of small cysts than JPEG 2000 on the raw frame).

The lesions are those of the lesion benchmark (Scripts/lesions/insert.py), drawn on the despeckled bands
the codec is trained on: dark cysts (soft-edged ellipses of 3x5 ... 12x24 pixels scaling the intensity by
0.3) and bright foci (2x3 ... 4x6, raised to the crop's 90th percentile), at seeded positions in the
middle rows of the crop (a band's middle rows are retina). The crop with its lesions is the codec's input
and target; `lesion_loss` adds the squared error over the lesions' pixels, so that the few pixels that
carry a lesion weigh as much as the crop's whole MS-SSIM and MSE terms."""
from __future__ import annotations

import torch

CYSTS = [(3, 5), (5, 9), (8, 14), (12, 24)]
FOCI = [(2, 3), (3, 4), (4, 6)]


def ellipse(h: int, w: int) -> torch.Tensor:
    """A soft-edged ellipse of h x w pixels on an (h+4) x (w+4) grid: 1 inside, a 1-pixel linear ramp."""
    H, W = h + 4, w + 4
    y = torch.arange(H, dtype=torch.float32)[:, None]
    x = torch.arange(W, dtype=torch.float32)[None, :]
    r = (((y - (H - 1) / 2) / (h / 2)) ** 2 + ((x - (W - 1) / 2) / (w / 2)) ** 2).sqrt()
    return (0.5 - (r - 1) * min(h, w) / 2).clamp(0, 1)


def insert_lesions(x: torch.Tensor, generator: torch.Generator, per_image: int = 4
                   ) -> tuple[torch.Tensor, torch.Tensor]:
    """`x` (N, 1, H, W) with `per_image` lesions drawn into each crop, and the lesions' masks (N, 1, H, W;
    the soft weight of each pixel, 0 elsewhere). Kinds, sizes and places are drawn from `generator`."""
    out = x.clone()
    mask = torch.zeros_like(x)
    n, _, height, width = x.shape
    kinds = [("cyst", s) for s in CYSTS] + [("focus", s) for s in FOCI]
    for i in range(n):
        bright = torch.quantile(x[i, 0].flatten(), 0.9)
        for _ in range(per_image):
            kind, (h, w) = kinds[int(torch.randint(len(kinds), (1,), generator=generator))]
            m = ellipse(h, w)
            mh, mw = m.shape
            # Middle half of the rows: the band's retina, away from the vitreous and the choroid.
            y0 = int(torch.randint(height // 4, max(height // 4 + 1, 3 * height // 4 - mh), (1,), generator=generator))
            x0 = int(torch.randint(0, width - mw + 1, (1,), generator=generator))
            region = out[i, 0, y0:y0 + mh, x0:x0 + mw]
            target = region * 0.3 if kind == "cyst" else torch.maximum(region, bright.expand_as(region))
            out[i, 0, y0:y0 + mh, x0:x0 + mw] = region * (1 - m) + target * m
            mask[i, 0, y0:y0 + mh, x0:x0 + mw] = torch.maximum(mask[i, 0, y0:y0 + mh, x0:x0 + mw], m)
    return out, mask


def lesion_loss(x: torch.Tensor, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean squared error over the lesions' pixels (weighted by the soft masks); 0 without lesions."""
    total = mask.sum()
    if total <= 0:
        return torch.zeros((), device=x.device)
    return (mask * (y - x) ** 2).sum() / total
