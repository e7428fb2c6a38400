#!/usr/bin/env python3
"""Build the training and dev packs from the shared OCT data through the Swift product's own
preprocessing (`octarc debug bands`), so the codec trains on exactly what convert feeds it.

  python3 Scripts/training/prepare_data.py [--data ../shared/data] [--out data-cache]

Writes OUT/train.npz and OUT/dev.npz (16-bit bands, see octcodec/data.py), and
OUT/preprocessing.json (the parameters the bands were made with; export.py copies them into the profile).
Bioptigen `averaged.png` frames are left out: they are a denoising reference, not what a scanner exports.

`--raw` writes OUT/train-raw.npz and OUT/dev-raw.npz instead: whole frames without despeckling or ROI
extraction (padded to multiples of 32 by edge replication, Duke padding replaced by the frame's median),
for the paper's "no preprocessing" ablation.
"""
from __future__ import annotations

import argparse
import json
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


def bands_for(octarc: Path, split_root: Path, work: Path, preprocessing: str | None = None) -> list[Band]:
    staging = work / "in"
    for p in inputs(split_root):  # link the frames to use into one tree that mirrors the data's layout
        target = staging / p.relative_to(split_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(p)
    out = work / "out"
    extra = ["--preprocessing", preprocessing] if preprocessing else []
    subprocess.run([str(octarc), "export-bands", str(staging), "--out", str(out),
                    "--parameters-out", str(work / "preprocessing.json")] + extra, check=True)
    bands = []
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
    for split in ("train", "dev"):
        with tempfile.TemporaryDirectory() as tmp:
            bands = bands_for(octarc, args.data / split, Path(tmp),
                              args.preprocessing.read_text() if args.preprocessing else None)
            save_pack(args.out / f"{split}.npz", bands)
            shutil.copy(Path(tmp) / "preprocessing.json", args.out / "preprocessing.json")
        counts = {}
        for b in bands:
            counts[b.device] = counts.get(b.device, 0) + 1
        print(f"{split}: {len(bands)} bands {counts}")


if __name__ == "__main__":
    main()
