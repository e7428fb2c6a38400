"""The false-lesion measure of Scripts/bench-lesions (Scripts/lesions/insert.py), on a real Spectralis
frame of Samples/: a blur adds no false lesion, a dark spot or a bright dot added to the frame is counted
once, in its size class."""
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[3]
pydicom = pytest.importorskip("pydicom")
ndi = pytest.importorskip("scipy.ndimage")
sys.path.insert(0, str(REPO / "Scripts"))
from lesions import insert as lesions  # noqa: E402


@pytest.fixture(scope="module")
def frame():
    """The middle frame of the Duke sample, its tissue region (columns filled between the first and last
    bright rows of a smoothed copy: retina and choroid) and its non-padding pixels."""
    pixels = pydicom.dcmread(REPO / "Samples" / "duke-subject07-8bit.dcm").pixel_array
    f = pixels[len(pixels) // 2].astype(np.float64)
    valid = f < 255  # the scanner's padding wedges are 255
    bright = (ndi.gaussian_filter(np.where(valid, f, 0), 3) > 60) & valid
    rows = np.arange(f.shape[0])[:, None]
    has = bright.any(axis=0)
    first = np.where(has, bright.argmax(axis=0), f.shape[0])
    last = np.where(has, f.shape[0] - 1 - bright[::-1].argmax(axis=0), -1)
    region = (rows >= first[None, :]) & (rows <= last[None, :])
    assert region.sum() > 20_000  # the sample frame has a retina
    return f, region, valid


def blur(f, valid, sigma):
    """A Gaussian blur of the image pixels alone (padding neither read nor changed)."""
    weight = ndi.gaussian_filter(valid.astype(np.float64), sigma)
    blurred = ndi.gaussian_filter(np.where(valid, f, 0), sigma) / np.maximum(weight, 1e-6)
    return np.where(valid, blurred, f)


def place(region, valid, h, w):
    """The first position, scanning the middle columns, where an h x w lesion and its ring fit."""
    core = lesions.template_core(h, w)
    fits = ndi.binary_erosion(region, structure=ndi.binary_dilation(core, iterations=6), border_value=0) & \
        ndi.binary_erosion(valid, structure=ndi.binary_dilation(core, iterations=6), border_value=0)
    ys, xs = np.nonzero(fits[:, fits.shape[1] // 3:])
    return int(ys[len(ys) // 2]), int(xs[len(xs) // 2]) + fits.shape[1] // 3


def paste(image, y, x, h, w, value):
    """`value(pixels)` over an h x w soft ellipse centred at (y, x)."""
    m = lesions.ellipse_mask(h, w)
    out = image.copy()
    y0, x0 = y - m.shape[0] // 2, x - m.shape[1] // 2
    window = out[y0:y0 + m.shape[0], x0:x0 + m.shape[1]]
    window[:] = window * (1 - m) + m * value(window)
    return out


def test_the_original_and_blurs_of_it_add_no_false_lesion(frame):
    f, region, valid = frame
    measure = lesions.FalseLesions(f, region, valid)
    assert sum(measure.count(f).values()) == 0
    for sigma in (1, 2, 4):
        assert measure.count(blur(f, valid, sigma)) == {name: 0 for name in measure.count(f)}, sigma


def test_a_dark_spot_is_one_false_cyst_and_a_bright_dot_one_false_focus(frame):
    f, region, valid = frame
    measure = lesions.FalseLesions(f, region, valid)
    smooth = blur(f, valid, 2)  # a pipeline that keeps no speckle
    y, x = place(region, valid, 8, 14)
    cyst = paste(smooth, y, x, 8, 14, lambda p: p * 0.3)
    counts = measure.count(cyst)
    assert counts["cyst 8x14"] == 1
    assert all(n == 0 for name, n in counts.items() if name.startswith("focus"))

    ring_mean = smooth[y - 10:y + 11, x - 14:x + 15].mean()
    dot = paste(smooth, y, x, 3, 4, lambda p: np.maximum(p, 2.5 * ring_mean))
    counts = measure.count(dot)
    assert counts["focus 3x4"] == 1
    assert all(n == 0 for name, n in counts.items() if name.startswith("cyst"))

    # A spot the original already has is not false: the same cyst in both is no false lesion.
    assert measure.count(cyst)["cyst 8x14"] == 1
    assert lesions.FalseLesions(paste(f, y, x, 8, 14, lambda p: p * 0.3), region, valid).count(cyst)[
        "cyst 8x14"] == 0


def test_counting_within_a_mask_is_counting_over_the_smaller_region(frame):
    """`counts(restored, [None, mask])` measures the restored frame once and gives what a FalseLesions
    over `region & mask` gives (the bench's "64 edge columns left out" column), here for a frame with
    dark spots on both sides of the mask's edge."""
    f, region, valid = frame
    smooth = blur(f, valid, 2)
    y, x = place(region, valid, 5, 9)
    spotted = smooth
    for dx in (-40, -4, 0, 4, 40):
        spotted = paste(spotted, y, x + dx, 5, 9, lambda p: p * 0.3)
    mask = np.zeros_like(region)
    mask[:, x:] = True  # through the middle spot
    everywhere, within = lesions.FalseLesions(f, region, valid).counts(spotted, [None, mask])
    assert everywhere == lesions.FalseLesions(f, region, valid).count(spotted)
    assert within == lesions.FalseLesions(f, region & mask, valid).count(spotted)
    assert 0 < sum(within.values()) < sum(everywhere.values())


def test_a_lesion_that_inserted_nothing_has_no_retention_and_no_detectability(frame):
    """A focus placed where the tissue is already at the local 90th percentile inserts nothing: both
    measures skip it (seed 1 of the bench met one) instead of failing the whole run."""
    f = frame[0]
    mask = np.zeros_like(f)
    mask[200:202, 300:303] = 1.0
    lesion = {"kind": "focus", "mask": mask, "delta": np.zeros_like(f)}
    assert lesions.retention(f, f, lesion) is None
    assert lesions.detectability(f, lesion, np.zeros_like(f, dtype=bool)) is None
