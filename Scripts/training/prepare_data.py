#!/usr/bin/env python3
"""Build the training and dev packs from the shared OCT data through the Swift product's own
preprocessing (`octarc export-bands`), so the codec trains on exactly what convert feeds it.

  python3 Scripts/training/prepare_data.py [--data ../shared/data] [--out data-cache]

Writes OUT/train.npz and OUT/dev.npz (16-bit bands, see octcodec/data.py), and
OUT/preprocessing.json (the parameters the bands were made with; export.py copies them into the profile).
Bioptigen `averaged.png` frames are left out: they are a denoising reference, not what a scanner exports.

Training frames are PNGs without Pixel Spacing, while convert sizes the band margins of a DICOM frame
from its Pixel Spacing (top_margin_um, bottom_margin_um). So that the bands are the ones convert makes,
each device's frames are cut with the margins in rows that its scanner's row spacing gives
(`--row-spacing`, defaults: the spacings the DICOM dev archive of Scripts/make_samples.py carries).

`--raw` writes OUT/train-raw.npz and OUT/dev-raw.npz instead: whole frames without despeckling or ROI
extraction (padded to multiples of 32 by edge replication, Duke padding replaced by the frame's median),
for the paper's "no preprocessing" ablation.
"""
from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from octcodec.data import Band, device_of, save_pack  # noqa: E402
from octcodec.tools import octarc_binary  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def inputs(split_root: Path) -> list[Path]:
    return sorted(p for p in split_root.rglob("*.png") if p.name != "averaged.png")


# Row spacing in micrometres of each device's B-scans, as Scripts/make_samples.py writes Pixel Spacing.
ROW_SPACING_UM = {"duke": 3.87, "bioptigen": 4.5, "spectralis": 3.9}


def with_spacing(preprocessing: str | None, spacing_um: float | None) -> str | None:
    """The parameters that cut, from a frame without Pixel Spacing, the band convert cuts from a frame of
    `spacing_um` rows: the micrometre margins as rows (rounded up), as PreprocessingParameters.margins does."""
    if preprocessing is None or spacing_um is None:
        return preprocessing
    p = json.loads(preprocessing)
    for rows, um in (("top_margin", "top_margin_um"), ("bottom_margin", "bottom_margin_um")):
        if p.get(um) is not None:
            p[rows] = max(p[rows], math.ceil(p[um] / spacing_um))
    return json.dumps(p)


def bands_for(octarc: Path, split_root: Path, work: Path, preprocessing: str | None = None,
              row_spacing: dict[str, float] | None = None) -> list[Band]:
    """The split's bands, one `octarc export-bands` run per device (each with its row spacing's margins)."""
    frames: dict[str, list[Path]] = {}
    for p in inputs(split_root):
        frames.setdefault(device_of(str(p.relative_to(split_root))), []).append(p)
    bands = []
    for device, paths in sorted(frames.items()):
        spacing = (row_spacing or {}).get(device)
        bands += device_bands(octarc, split_root, paths, work / device, with_spacing(preprocessing, spacing))
    return bands


def device_bands(octarc: Path, split_root: Path, paths: list[Path], work: Path,
                 preprocessing: str | None) -> list[Band]:
    staging = work / "in"
    staging.mkdir(parents=True, exist_ok=True)
    for p in paths:  # link the frames to use into one tree that mirrors the data's layout
        target = staging / p.relative_to(split_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(p)
    out = work / "out"
    out.mkdir(parents=True, exist_ok=True)
    extra = ["--preprocessing", preprocessing] if preprocessing else []
    subprocess.run([str(octarc), "export-bands", str(staging), "--out", str(out),
                    "--parameters-out", str(work / "preprocessing.json")] + extra, check=True)
    bands = []
    if not paths:
        return bands
    for line in (out / "geometry.jsonl").read_text().splitlines():
        info = json.loads(line)
        pixels = np.asarray(Image.open(out / info["band"]), dtype=np.float32) / 65535
        bands.append(Band(info["input"], device_of(info["input"]), pixels))
    return bands


def raw_bands(split_root: Path) -> list[Band]:
    bands = []
    for p in inputs(split_root):
        a = np.asarray(Image.open(p), dtype=np.float32) / 255
        if "duke" in str(p):
            a = np.where(a >= 1, np.median(a), a)
        h, w = a.shape
        a = np.pad(a, ((0, -h % 32), (0, -w % 32)), mode="edge")
        relative = str(p.relative_to(split_root))
        bands.append(Band(relative, device_of(relative), a))
    return bands


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    p.add_argument("--out", type=Path, default=REPO / "data-cache")
    p.add_argument("--row-spacing", nargs="*", default=[f"{d}={v}" for d, v in ROW_SPACING_UM.items()],
                   metavar="DEVICE=UM", help="row spacing per device in micrometres (none: margins in rows as given)")
    p.add_argument("--raw", action="store_true", help="whole raw frames, for the no-preprocessing ablation")
    p.add_argument("--preprocessing", type=Path,
                   help="a JSON file with the preprocessing parameters (default: octarc's built-in ones), e.g. "
                        "Scripts/training/preprocessing-adaptive.json for the lesion-preserving despeckler")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.raw:
        for split in ("train", "dev"):
            bands = raw_bands(args.data / split)
            save_pack(args.out / f"{split}-raw.npz", bands)
            print(f"{split}: {len(bands)} raw frames")
        return
    octarc = octarc_binary()
    spacing = {k: float(v) for k, v in (item.split("=") for item in args.row_spacing)}
    text = args.preprocessing.read_text() if args.preprocessing else None
    for split in ("train", "dev"):
        with tempfile.TemporaryDirectory() as tmp:
            bands = bands_for(octarc, args.data / split, Path(tmp), text, spacing)
            save_pack(args.out / f"{split}.npz", bands)
        # The profile's parameters are the ones given (margins in micrometres), not a device's rows.
        with tempfile.TemporaryDirectory() as tmp:
            device_bands(octarc, args.data / split, [], Path(tmp), text)
            shutil.copy(Path(tmp) / "preprocessing.json", args.out / "preprocessing.json")
        counts = {}
        for b in bands:
            counts[b.device] = counts.get(b.device, 0) + 1
        print(f"{split}: {len(bands)} bands {counts}")


if __name__ == "__main__":
    main()
