#!/usr/bin/env python3
"""Build the training and dev packs from the shared OCT data through the Swift product's own
preprocessing (`octarc debug bands`), so the codec trains on exactly what convert feeds it.

  python3 Scripts/training/prepare_data.py [--data ../shared/data] [--out data-cache]

Writes OUT/train.npz and OUT/dev.npz (16-bit bands, see octcodec/data.py), and
OUT/preprocessing.json (the parameters the bands were made with; export.py copies them into the profile).
Bioptigen `averaged.png` frames are left out: they are a denoising reference, not what a scanner exports.
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

REPO = Path(__file__).resolve().parents[2]


def octarc_binary() -> Path:
    subprocess.run(["swift", "build", "-c", "release", "--product", "octarc"], cwd=REPO, check=True)
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout.strip()
    return Path(out) / "octarc"


def inputs(split_root: Path) -> list[Path]:
    return sorted(p for p in split_root.rglob("*.png") if p.name != "averaged.png")


def bands_for(octarc: Path, split_root: Path, work: Path) -> list[Band]:
    staging = work / "in"
    for p in inputs(split_root):  # link the frames to use into one tree that mirrors the data's layout
        target = staging / p.relative_to(split_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(p)
    out = work / "out"
    subprocess.run([str(octarc), "debug", "bands", str(staging), "--out", str(out),
                    "--parameters-out", str(work / "preprocessing.json")], check=True)
    bands = []
    for line in (out / "geometry.jsonl").read_text().splitlines():
        info = json.loads(line)
        pixels = np.asarray(Image.open(out / info["band"]), dtype=np.float32) / 65535
        bands.append(Band(info["input"], device_of(info["input"]), pixels))
    return bands


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    p.add_argument("--out", type=Path, default=REPO / "data-cache")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    octarc = octarc_binary()
    for split in ("train", "dev"):
        with tempfile.TemporaryDirectory() as tmp:
            bands = bands_for(octarc, args.data / split, Path(tmp))
            save_pack(args.out / f"{split}.npz", bands)
            shutil.copy(Path(tmp) / "preprocessing.json", args.out / "preprocessing.json")
        counts = {}
        for b in bands:
            counts[b.device] = counts.get(b.device, 0) + 1
        print(f"{split}: {len(bands)} bands {counts}")


if __name__ == "__main__":
    main()
