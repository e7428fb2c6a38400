"""Differentiable MS-SSIM as ARCHITECTURE.md defines it: Wang, Simoncelli and Bovik 2003, 5 scales,
Gaussian window 11 / sigma 1.5 ('valid' filtering), weights 0.0448 0.2856 0.3001 0.2363 0.1333,
K1 0.01, K2 0.03, 2x2 average pooling between scales."""
from __future__ import annotations

import torch
import torch.nn.functional as F

WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def _window(size: int = 11, sigma: float = 1.5, device=None, dtype=torch.float32) -> torch.Tensor:
    x = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2
    g = torch.exp(-(x ** 2) / (2 * sigma ** 2))
    return g / g.sum()


def _blur(x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    c = x.shape[1]
    x = F.conv2d(x, g.view(1, 1, 1, -1).expand(c, 1, 1, -1), groups=c)
    return F.conv2d(x, g.view(1, 1, -1, 1).expand(c, 1, -1, 1), groups=c)


def _ssim_cs(x, y, g, data_range):
    c1 = (0.01 * data_range) ** 2
    c2 = (0.03 * data_range) ** 2
    # One grouped blur over the five moment maps is several times faster on a CPU than five blurs.
    mx, my, xx, yy, xy = _blur(torch.cat([x, y, x * x, y * y, x * y], dim=1), g).split(x.shape[1], dim=1)
    sxx = xx - mx * mx
    syy = yy - my * my
    sxy = xy - mx * my
    cs = (2 * sxy + c2) / (sxx + syy + c2)
    ssim = ((2 * mx * my + c1) / (mx * mx + my * my + c1)) * cs
    return ssim.flatten(1).mean(1), cs.flatten(1).mean(1)


def ms_ssim(x: torch.Tensor, y: torch.Tensor, data_range: float = 1.0) -> torch.Tensor:
    """Per-image MS-SSIM of two (N, 1, H, W) batches; needs H, W >= 176."""
    g = _window(device=x.device, dtype=x.dtype)
    w = torch.tensor(WEIGHTS, device=x.device, dtype=x.dtype)
    values = []
    for scale in range(5):
        ssim, cs = _ssim_cs(x, y, g, data_range)
        if scale < 4:
            values.append(F.relu(cs))
            x = F.avg_pool2d(x, 2)
            y = F.avg_pool2d(y, 2)
        else:
            values.append(F.relu(ssim))
    stack = torch.stack(values, dim=0)
    return torch.prod(stack ** w.view(-1, 1), dim=0)
