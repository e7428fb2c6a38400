import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from octcodec.bdrate import bd_rate, msssim_db  # noqa: E402


def test_identical_curves_differ_by_nothing():
    rates, psnr = [1000, 2000, 4000, 8000], [30, 33, 36, 39]
    assert abs(bd_rate(rates, psnr, rates, psnr)) < 1e-9


def test_a_codec_at_half_the_bytes_saves_half():
    rates, psnr = [1000, 2000, 4000, 8000], [30, 33, 36, 39]
    half = [r / 2 for r in rates]
    assert abs(bd_rate(rates, psnr, half, psnr) + 50) < 1e-6
    assert abs(bd_rate(half, psnr, rates, psnr) - 100) < 1e-6


def test_only_the_common_quality_range_counts():
    # The test curve equals the reference where they overlap, and goes further: no difference.
    assert abs(bd_rate([1, 2, 4], [30, 33, 36], [1, 2, 4, 8], [30, 33, 36, 39])) < 1e-9


def test_no_overlap_or_too_few_points_gives_none():
    assert bd_rate([1, 2], [30, 31], [1, 2], [40, 41]) is None
    assert bd_rate([1], [30], [1, 2], [30, 31]) is None


def test_msssim_db():
    assert abs(msssim_db(0.99) - 20) < 1e-9
    assert math.isinf(msssim_db(1.0))
