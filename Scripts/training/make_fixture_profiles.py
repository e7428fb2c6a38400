#!/usr/bin/env python3
"""The fixture profiles of the in-process pipeline tests (Tests/Data/profiles/<name>/): tiny codecs,
trained for a few hundred steps on real ROI bands and written by the builder of the shipped profiles
(octcodec.zoo.profile_document, as export.py), so that they are complete profiles: preprocessing,
entropy tables counted on the training bands, every verify floor, weights and their SHA-256.

  python3 Scripts/training/make_fixture_profiles.py --octarc .build/debug/octarc [--data ../shared/data]

(`Scripts/regenerate-fixture-profiles` builds octarc and runs this.) Steps:

1. Bands: `octarc export-bands` (the product's own preprocessing, with its built-in parameters, which go
   into profile.json) of a fixed list of frames of the shared training split (Duke and Bioptigen).
2. Training: fixed seed, one thread, L1 then MS-SSIM (train.py's distortion loss), uniform quantizer.
3. profile.json: profile_document(...) with the preprocessing, symbol_counts(...) on the bands, and
   provisional floors; weights.safetensors beside it.
4. Floors: `octarc convert` + `octarc verify --json` of Samples/ with the profile, and the floors set
   from the frames' scores as Scripts/measure-floors sets them from the dev split (lowest score minus a
   margin; thickness limit 1.25 x the largest error + 2 um), so that the samples pass and a frame
   clearly worse than any sample fails.

The same torch version on the same kind of CPU gives the same bytes; the Python tests rebuild the
committed profile.json byte for byte from its weights (tests/test_profile_builder.py).
"""
from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from octcodec import safetensors  # noqa: E402
from octcodec.data import Band, CropSampler, device_of  # noqa: E402
from octcodec.losses import distortion_loss  # noqa: E402
from octcodec.model import Architecture, Codec  # noqa: E402
from octcodec.msssim import ms_ssim  # noqa: E402
from octcodec.statistics import symbol_counts  # noqa: E402
from octcodec.zoo import graph_tensors, profile_document, sha256_file, write_json_atomic  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "Tests" / "Data" / "profiles"

# A narrow network (the shipped slim layout at a fraction of its widths) with the shipped quantizer
# (31 integer levels). Two profiles, so that tests can convert with one and rerun with the other:
# fixture-a after STEPS steps, fixture-b after MORE_STEPS further steps (other weights, same quality).
ARCHITECTURE = Architecture("fixture", (4, 8, 8, 16, 16), (16, 8, 4, 2), 3, 31, 1, "uniform")
SEED = 2019
STEPS = 300
MORE_STEPS = 50
L1_WARMUP = 100
CROP = 192  # a multiple of 32 that MS-SSIM takes (>= 176)
BATCH = 4
# Frames of the shared training split the bands are made from (Duke Spectralis and noisy Bioptigen).
FRAMES = [f"duke/subject0{s}/bscan{b:02d}.png" for s in (1, 3, 5) for b in (10, 30, 50)] + [
    f"bioptigen/subj0{s}/noisy_nb{n}.png" for s in (1, 2, 3) for n in (1, 3)]
MARGIN = 0.005  # as Scripts/measure-floors
NOISY = 8 / 255


def bands(octarc: Path, data: Path, work: Path) -> tuple[list[Band], dict]:
    staging = work / "in"
    for relative in FRAMES:
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(data / "train" / relative)
    out = work / "bands"
    # `octarc export-bands` (before it had a command of its own: `octarc debug bands`).
    usage = subprocess.run([str(octarc), "--help"], capture_output=True, text=True).stdout
    command = ["export-bands"] if "export-bands" in usage else ["debug", "bands"]
    subprocess.run([str(octarc), *command, str(staging), "--out", str(out),
                    "--parameters-out", str(work / "preprocessing.json")], check=True, stdout=subprocess.DEVNULL)
    found = []
    for line in (out / "geometry.jsonl").read_text().splitlines():
        info = json.loads(line)
        pixels = np.asarray(Image.open(out / info["band"]), dtype=np.float32) / 65535
        found.append(Band(info["input"], device_of(info["input"]), pixels))
    return found, json.loads((work / "preprocessing.json").read_text())


class Trainer:
    """train.py's loop, reduced: Adam, L1 for the first steps then MS-SSIM, device-balanced crops."""

    def __init__(self, training: list[Band]):
        torch.manual_seed(SEED)
        self.model = Codec(ARCHITECTURE)
        self.sampler = CropSampler(training, CROP, SEED)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3, betas=(0.5, 0.999))
        self.step = 0

    def run(self, steps: int) -> Codec:
        self.model.train()
        for _ in range(steps):
            x, _ = self.sampler.batch(BATCH)
            y, _, _ = self.model(x)
            loss = distortion_loss(x, y, ms_ssim(x, y), self.step, L1_WARMUP, 100.0)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
            self.step += 1
        return self.model.eval()


def write(model: Codec, folder: Path, name: str, steps: int, training: list[Band], preprocessing: dict,
          counts: dict, floors: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    weights = folder / "weights.safetensors"
    safetensors.save(graph_tensors(model), weights, {"profile": name})
    description = f"test fixture: tiny codec, {steps} steps on {len(training)} bands, seed {SEED}"
    profile = profile_document(model, name, description, weights_sha256=sha256_file(weights),
                               weights_file=weights.name, target_stored_cr=40.0, preprocessing=preprocessing,
                               entropy_counts=counts, floors=floors, measured={},
                               training={"steps": steps, "crop": CROP, "batch": BATCH, "seed": SEED,
                                         "frames": FRAMES, "torch": torch.__version__.split("+")[0]})
    write_json_atomic(folder / "profile.json", profile)


def measured_floors(octarc: Path, profiles: Path, name: str, work: Path) -> dict:
    """Floors from the samples' scores, by Scripts/measure-floors' rule."""
    out = work / f"octz-{name}"
    env = {"OCTARC_PROFILES": str(profiles), "PATH": "/usr/bin:/bin"}
    subprocess.run([str(octarc), "convert", str(REPO / "Samples"), "--out", str(out), "--profile", name],
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run = subprocess.run([str(octarc), "verify", str(REPO / "Samples"), str(out), "--json"],
                         env=env, capture_output=True, text=True)
    frames = json.loads(run.stdout)["frames"]

    def lowest(values):
        values = [v for v in values if v is not None and math.isfinite(v)]
        return round(min(values) - MARGIN, 3)

    clean = [f for f in frames if (f.get("noise_sigma") or 0) <= NOISY]
    noisy = [f for f in frames if (f.get("noise_sigma") or 0) > NOISY]
    thickness = max(f["thickness_error_um"] for f in frames if f.get("thickness_error_um") is not None)
    return {"msssim_roi": lowest(f["msssim_roi"] for f in frames),
            "msssim_retina": lowest(f["msssim_retina"] for f in clean),
            "msssim_retina_noisy": lowest(f["msssim_retina"] for f in noisy),
            "thickness_error_um": round(thickness * 1.25 + 2, 1)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--octarc", type=Path, required=True, help="the octarc binary (debug or release)")
    p.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        training, preprocessing = bands(args.octarc, args.data, work)
        trainer = Trainer(training)
        for name, steps in (("fixture-a", STEPS), ("fixture-b", MORE_STEPS)):
            model = trainer.run(steps)
            counts = symbol_counts(model, training)
            # Provisional floors while the samples are measured, then the measured ones.
            write(model, args.out / name, name, trainer.step, training, preprocessing, counts,
                  {"msssim_roi": 0.0, "msssim_retina": 0.0, "msssim_retina_noisy": 0.0, "thickness_error_um": 1e9})
            floors = measured_floors(args.octarc, args.out, name, work)
            write(model, args.out / name, name, trainer.step, training, preprocessing, counts, floors)
            print(f"{args.out / name}: floors {floors}", flush=True)


if __name__ == "__main__":
    main()
