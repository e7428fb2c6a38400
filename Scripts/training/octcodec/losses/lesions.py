"""Synthetic lesions in training crops, and the loss term that makes the codec keep them (issue 11: at
equal bytes the codec kept less of small cysts than JPEG 2000 on the raw frame).

The lesions are those of the lesion benchmark (Scripts/lesions/insert.py), drawn on the despeckled bands
the codec is trained on: dark cysts (soft-edged ellipses of 3x5 ... 12x24 pixels scaling the intensity by
0.3) and bright foci (2x3 ... 4x6, raised to the crop's 90th percentile), at seeded positions in the
middle rows of the crop (a band's middle rows are retina), and optionally (`gaps=True`) gaps of 10 and 30
pixels in the brightest thin line of the crop's middle rows (in a band, the IS/OS or RPE line), dimmed to
the rows 6 above as the benchmark dims the IS/OS line. The crop with its lesions is the codec's input and
target; `lesion_loss` adds the squared error over the lesions' pixels, so that the few pixels that carry a
lesion weigh as much as the crop's whole MS-SSIM and MSE terms.

By default every lesion pixel weighs the same, so a 12x24 cyst outweighs a 3x5 one 19 times over; with
`balanced=True` each lesion's weights sum to one and the loss is the mean over lesions of each one's mean
squared error: the smallest lesions, the ones the codec loses first, weigh as much as the largest."""
from __future__ import annotations

import torch

CYSTS = [(3, 5), (5, 9), (8, 14), (12, 24)]
FOCI = [(2, 3), (3, 4), (4, 6)]
GAPS = [10, 30]
GAP_ROWS = 3


def ellipse(h: int, w: int) -> torch.Tensor:
    """A soft-edged ellipse of h x w pixels on an (h+4) x (w+4) grid: 1 inside, a 1-pixel linear ramp."""
    H, W = h + 4, w + 4
    y = torch.arange(H, dtype=torch.float32)[:, None]
    x = torch.arange(W, dtype=torch.float32)[None, :]
    r = (((y - (H - 1) / 2) / (h / 2)) ** 2 + ((x - (W - 1) / 2) / (w / 2)) ** 2).sqrt()
    return (0.5 - (r - 1) * min(h, w) / 2).clamp(0, 1)


def insert_lesions(x: torch.Tensor, generator: torch.Generator, per_image: int = 4, gaps: bool = False,
                   balanced: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """`x` (N, 1, H, W) with `per_image` lesions drawn into each crop, and the lesions' masks (N, 1, H, W;
    the soft weight of each pixel, 0 elsewhere; with `balanced`, each lesion's weights sum to one). Kinds,
    sizes and places are drawn from `generator`; `gaps` adds line gaps to the kinds drawn."""
    out = x.clone()
    mask = torch.zeros_like(x)
    n, _, height, width = x.shape
    kinds = [("cyst", s) for s in CYSTS] + [("focus", s) for s in FOCI]
    if gaps:
        kinds += [("gap", (GAP_ROWS, w)) for w in GAPS]
    for i in range(n):
        bright = torch.quantile(x[i, 0].flatten(), 0.9)
        for _ in range(per_image):
            kind, (h, w) = kinds[int(torch.randint(len(kinds), (1,), generator=generator))]
            if kind == "gap":
                x0 = int(torch.randint(0, width - w + 1, (1,), generator=generator))
                # The brightest thin line in the middle half of the rows, over the gap's columns.
                rows = out[i, 0, :, x0:x0 + w].mean(dim=1)
                strips = rows.unfold(0, h, 1).mean(dim=1)
                lo, hi = max(height // 4, 6), max(height // 4 + 1, 3 * height // 4 - h)
                y0 = lo + int(torch.argmax(strips[lo:hi]))
                m = torch.ones(h, w)
                region = out[i, 0, y0:y0 + h, x0:x0 + w]
                target = torch.minimum(region, out[i, 0, y0 - 6:y0 - 6 + h, x0:x0 + w])
            else:
                m = ellipse(h, w)
                mh, mw = m.shape
                # Middle half of the rows: the band's retina, away from the vitreous and the choroid.
                y0 = int(torch.randint(height // 4, max(height // 4 + 1, 3 * height // 4 - mh), (1,),
                                       generator=generator))
                x0 = int(torch.randint(0, width - mw + 1, (1,), generator=generator))
                region = out[i, 0, y0:y0 + mh, x0:x0 + mw]
                target = region * 0.3 if kind == "cyst" else torch.maximum(region, bright.expand_as(region))
            mh, mw = m.shape
            out[i, 0, y0:y0 + mh, x0:x0 + mw] = region * (1 - m) + target * m
            window = mask[i, 0, y0:y0 + mh, x0:x0 + mw]
            if balanced:
                mask[i, 0, y0:y0 + mh, x0:x0 + mw] = window + m / (m.sum() * per_image * n)
            else:
                mask[i, 0, y0:y0 + mh, x0:x0 + mw] = torch.maximum(window, m)
    return out, mask


def lesion_loss(x: torch.Tensor, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean squared error over the lesions' pixels (weighted by the soft masks); 0 without lesions. With
    balanced masks (weights summing to one over all lesions) this is the mean over lesions of each
    lesion's mean squared error."""
    total = mask.sum()
    if total <= 0:
        return torch.zeros((), device=x.device)
    return (mask * (y - x) ** 2).sum() / total
