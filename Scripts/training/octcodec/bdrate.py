"""Bjøntegaard delta rate (VCEG-M33; piecewise cubic interpolation as in VCEG-AL22 / JCTVC-L1100): the
average bitrate difference, in percent, of a test rate-distortion curve against a reference over the
quality range both cover. Negative: the test codec needs fewer bytes for the same quality."""
from __future__ import annotations

import math

import numpy as np
from scipy.interpolate import PchipInterpolator


def msssim_db(value: float) -> float:
    """MS-SSIM in dB, -10 log10(1 - MS-SSIM), the scale BD-rate in MS-SSIM is computed on."""
    return math.inf if value >= 1 else -10 * math.log10(1 - value)


def _curve(rates, qualities):
    r = np.asarray(rates, dtype=np.float64)
    q = np.asarray(qualities, dtype=np.float64)
    keep = np.isfinite(r) & np.isfinite(q) & (r > 0)
    r, q = r[keep], q[keep]
    order = np.argsort(q)
    q, logr = q[order], np.log(r[order])
    # Equal qualities would make the interpolant ill-defined: keep the lowest rate for each.
    uq, first = np.unique(q, return_index=True)
    return uq, logr[first]


def bd_rate(reference_rates, reference_quality, test_rates, test_quality) -> float | None:
    """Percent rate difference of the test curve against the reference; None when the curves have fewer than
    two points each or do not overlap in quality."""
    q1, r1 = _curve(reference_rates, reference_quality)
    q2, r2 = _curve(test_rates, test_quality)
    if len(q1) < 2 or len(q2) < 2:
        return None
    low, high = max(q1[0], q2[0]), min(q1[-1], q2[-1])
    if not high > low:
        return None
    f1, f2 = PchipInterpolator(q1, r1), PchipInterpolator(q2, r2)
    integral1 = f1.integrate(low, high)
    integral2 = f2.integrate(low, high)
    average = (integral2 - integral1) / (high - low)
    return float((math.exp(average) - 1) * 100)
