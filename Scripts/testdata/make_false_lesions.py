#!/usr/bin/env python3
"""Generates Tests/Data/false-lesions/: the parity fixture of the false-lesion measure, which Swift's
verify (Sources/Imaging/FalseLesions.swift) and the lesion benchmark (Scripts/lesions/insert.py,
FalseLesions) must count alike.

A crop of the middle frame of Samples/duke-subject07-8bit.dcm (real Spectralis, with a padding wedge),
its retina (ILM .. BM found by `octarc debug roi` on the whole frame) and its image pixels, and three
"restored" versions of it: JPEG 2000 at 1/100 of its bytes (blocky dark spots), the original with seeded
noise of sigma 8 (bright dots), and a blur of sigma 2 (nothing added). expected.json holds, per version
and size, the false lesions insert.py counts and how many positions it marks, and each size's template
runs.

  python3 Scripts/testdata/make_false_lesions.py     # needs the release build, pydicom, scipy, opj_compress
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pydicom
from PIL import Image
from scipy import ndimage as ndi

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Scripts"))
sys.path.insert(0, str(REPO / "Scripts" / "training"))
from lesions import insert as lesions
from octcodec.classical import JPEG2000
from octcodec.tools import octarc_binary

OUT = REPO / "Tests" / "Data" / "false-lesions"
# Rows and columns of the crop: the temporal side of the fovea, with the padding wedge at its top.
ROWS, COLUMNS = slice(0, 256), slice(0, 320)


def save(name, pixels):
    Image.fromarray(pixels.astype(np.uint8)).save(OUT / name, optimize=True)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    frames = pydicom.dcmread(REPO / "Samples" / "duke-subject07-8bit.dcm").pixel_array
    frame = frames[len(frames) // 2]
    with tempfile.TemporaryDirectory() as scratch:
        png = Path(scratch) / "frame.png"
        Image.fromarray(frame).save(png)
        result = subprocess.run([str(octarc_binary(quiet=True)), "debug", "roi", str(png), "--out",
                                 str(Path(scratch) / "roi"), "--json"], check=True, capture_output=True, text=True)
    analysis = json.loads(result.stdout)
    rows = np.arange(frame.shape[0])[:, None]
    retina = (rows >= np.array(analysis["ilm"])[None, :]) & (rows <= np.array(analysis["bm"])[None, :])
    original = frame[ROWS, COLUMNS].astype(np.float64)
    region = retina[ROWS, COLUMNS]
    valid = original < 255
    save("original.png", original)
    save("region.png", region * 255)
    save("valid.png", valid * 255)

    versions = {}
    j2k = JPEG2000().at_budget(original / 255, 8, original.size // 100)
    versions["restored-j2k.png"] = np.where(valid, np.round(j2k.decoded * 255), 255)
    noise = np.random.default_rng(7).normal(0, 8, original.shape)
    versions["restored-noise.png"] = np.where(valid, np.clip(np.round(original + noise), 0, 254), 255)
    weight = ndi.gaussian_filter(valid.astype(float), 2)
    blurred = ndi.gaussian_filter(np.where(valid, original, 0), 2) / np.maximum(weight, 1e-6)
    versions["restored-blur.png"] = np.where(valid, np.round(blurred), 255)

    measure = lesions.FalseLesions(original, region, valid)
    expected = {"templates": {}, "versions": {}}
    for h, w in lesions.CYSTS + lesions.FOCI:
        t = lesions.template(h, w)
        expected["templates"][f"{h}x{w}"] = {k: [list(r) for r in t[k]] for k in ("core", "inner", "outer")}
    for name, pixels in versions.items():
        save(name, pixels)
        maps = measure.maps(pixels)
        counts = measure.count(pixels)
        expected["versions"][name] = {size: {"count": counts[size], "positions": int(hit.sum())}
                                      for size, hit in maps.items()}
        print(name, counts)
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    main()
