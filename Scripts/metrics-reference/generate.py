#!/usr/bin/env python3
"""Independent reference values for octarc's image metrics (PSNR, SSIM, MS-SSIM).

Computes the metrics in float64 with numpy/scipy (2-D 'valid' correlation with the full 11x11
Gaussian, no separable shortcut) and, where pytorch_msssim's convention coincides with ours (no
mask, every scale of even size), cross-checks against pytorch_msssim when it is installed.
Writes Tests/Data/metrics/reference.json, which ImagingTests compare against.

Convention (same as Sources/Imaging/Metrics+SSIM.swift):
  * Gaussian window 11, sigma 1.5, normalised; 'valid' filtering (no padding), as pytorch_msssim.
  * C1 = (0.01 L)^2, C2 = (0.03 L)^2, L = data range.
  * SSIM = mean of the SSIM map over window positions whose 11x11 window holds no excluded pixel.
  * MS-SSIM: 5 scales, weights 0.0448 0.2856 0.3001 0.2363 0.1333; contrast-structure means at
    scales 1-4, full SSIM mean at scale 5, each clamped at 0 (pytorch_msssim's relu) before the
    power. Between scales 2x2 block averaging; an odd trailing row/column is dropped (floor). A
    downsampled pixel is excluded when any of its 4 source pixels is.
  * PSNR = 10 log10(L^2 / MSE) over non-excluded pixels.

Usage: Scripts/metrics-reference/generate.py [SHARED_DATA_DIR]
"""
import json, os, sys
import numpy as np
from scipy.signal import correlate2d
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pngio import read_png

WEIGHTS = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]

def window():
    x = np.arange(11) - 5.0
    g = np.exp(-x ** 2 / (2 * 1.5 ** 2)); g /= g.sum()
    return np.outer(g, g)

def ssim_parts(x, y, excluded, L):
    w = window()
    f = lambda a: correlate2d(a, w, mode='valid')
    mx, my = f(x), f(y)
    sxx = f(x * x) - mx * mx; syy = f(y * y) - my * my; sxy = f(x * y) - mx * my
    c1, c2 = (0.01 * L) ** 2, (0.03 * L) ** 2
    cs = (2 * sxy + c2) / (sxx + syy + c2)
    ssim = (2 * mx * my + c1) / (mx * mx + my * my + c1) * cs
    valid = correlate2d(excluded.astype(np.float64), np.ones((11, 11)), mode='valid') == 0
    if not valid.any():
        raise ValueError('no valid window')
    return ssim[valid].mean(), cs[valid].mean()

def down(a):
    h, w = a.shape[0] // 2 * 2, a.shape[1] // 2 * 2
    a = a[:h, :w]
    return (a[0::2, 0::2] + a[1::2, 0::2] + a[0::2, 1::2] + a[1::2, 1::2]) / 4

def down_mask(m):
    h, w = m.shape[0] // 2 * 2, m.shape[1] // 2 * 2
    m = m[:h, :w]
    return m[0::2, 0::2] | m[1::2, 0::2] | m[0::2, 1::2] | m[1::2, 1::2]

def metrics(x, y, excluded, L):
    x = x.astype(np.float64); y = y.astype(np.float64)
    keep = ~excluded
    mse = np.mean((x[keep] - y[keep]) ** 2)
    psnr = float('inf') if mse == 0 else 10 * np.log10(L * L / mse)
    ssim, _ = ssim_parts(x, y, excluded, L)
    value = 1.0
    for i, wgt in enumerate(WEIGHTS):
        s, cs = ssim_parts(x, y, excluded, L)
        value *= max(s if i == 4 else cs, 0.0) ** wgt
        if i < 4:
            x, y, excluded = down(x), down(y), down_mask(excluded)
    return psnr, ssim, value

def pytorch_msssim_values(x, y, L):
    try:
        import torch
        from pytorch_msssim import ssim, ms_ssim
    except ImportError:
        return None
    tx = torch.from_numpy(x.astype(np.float64))[None, None]
    ty = torch.from_numpy(y.astype(np.float64))[None, None]
    return (float(ssim(tx, ty, data_range=L, size_average=True)),
            float(ms_ssim(tx, ty, data_range=L, size_average=True)))

def synthetic(width, height, seed):
    """8-bit test pattern from a 32-bit LCG, reproduced exactly by ImagingTests."""
    state = seed
    out = np.zeros((height, width), np.int64)
    for yy in range(height):
        for xx in range(width):
            state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
            base = (xx * 7 + yy * 3) % 200 + (40 if (xx // 32 + yy // 16) % 2 else 0)
            out[yy, xx] = min(255, base // 2 + (state >> 24) % 64)
    return out

def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '../../../shared/data')
    cases = []
    def add(name, a, b, excluded, L, inputs, compare_torch):
        psnr, s, ms = metrics(a, b, excluded, L)
        case = dict(name=name, inputs=inputs, data_range=L, psnr=psnr, ssim=s, ms_ssim=ms)
        if compare_torch:
            t = pytorch_msssim_values(a, b, L)
            if t is not None:
                assert abs(t[0] - s) < 1e-6 and abs(t[1] - ms) < 1e-6, (name, t, s, ms)
                case['pytorch_msssim'] = dict(ssim=t[0], ms_ssim=t[1])
        cases.append(case)
        print(name, psnr, s, ms, case.get('pytorch_msssim'))

    a, b = synthetic(768, 256, 1), synthetic(768, 256, 2)
    add('synthetic_256x768', a, b, np.zeros(a.shape, bool), 255.0,
        dict(kind='synthetic', width=768, height=256, seeds=[1, 2]), True)
    a, b = synthetic(517, 301, 3), synthetic(517, 301, 4)
    ex = np.zeros(a.shape, bool); ex[:40, :60] = True; ex[250:, 480:] = True
    add('synthetic_301x517_masked', a, b, ex, 255.0,
        dict(kind='synthetic', width=517, height=301, seeds=[3, 4],
             excluded_rects=[[0, 0, 60, 40], [480, 250, 37, 51]]), False)

    def png(rel):
        return read_png(os.path.join(shared, rel))[0].astype(np.float64) / 255.0
    b13 = 'dev/bioptigen/subj13/'
    add('bioptigen13_noisy_vs_averaged', png(b13 + 'noisy_test.png'), png(b13 + 'averaged.png'),
        np.zeros((450, 900), bool), 1.0, dict(kind='png', a=b13 + 'noisy_test.png', b=b13 + 'averaged.png', scale=255), False)
    d = 'dev/duke/subject07/'
    a, b = png(d + 'bscan01.png'), png(d + 'bscan02.png')
    ex = (a == 1.0) | (b == 1.0)
    add('duke07_b01_vs_b02_padding_excluded', a, b, ex, 1.0,
        dict(kind='png', a=d + 'bscan01.png', b=d + 'bscan02.png', scale=255, exclude='value 255 in either'), False)
    add('duke07_b30_vs_b31_rows96_352', png(d + 'bscan30.png')[96:352], png(d + 'bscan31.png')[96:352],
        np.zeros((256, 768), bool), 1.0,
        dict(kind='png', a=d + 'bscan30.png', b=d + 'bscan31.png', scale=255, rows=[96, 352]), True)

    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../Tests/Data/metrics/reference.json')
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, 'w') as f:
        json.dump(dict(generator='Scripts/metrics-reference/generate.py', cases=cases), f, indent=1)
        f.write('\n')

if __name__ == '__main__':
    main()
