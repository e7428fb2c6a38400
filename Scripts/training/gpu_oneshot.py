#!/usr/bin/env python3
"""One-shot GPU training of a profile (issue 12: "a one-shot GPU script that trains a profile in at most
10 minutes on one GPU with its data in at most 64 MiB").

Here, on the CPU machine, `prepare` packs what the GPU machine needs into one ignored folder, at most
64 MiB in all: a random subset of the training pack, a subset of the dev pack, and the warm-start
profile if any. The GPU machine gets a copy of the working tree plus that folder (the device tool's
`carry`), runs `train`, and brings the run folder back; `export.py --context-entropy` then makes the
profile here, counting its entropy tables on the whole training pack.

  python3 Scripts/training/gpu_oneshot.py prepare --train data-cache/adaptive/train.npz \\
      --dev data-cache/adaptive/dev.npz --init Profiles/cr40a --out gpu-carry
  # on the GPU machine, from the repository root (carry: gpu-carry):
  python3 Scripts/training/gpu_oneshot.py train --carry gpu-carry --out "$OUT/run" --minutes 8 \\
      -- --latent-channels 32,16,8,4 --levels 31 --quantizer uniform --target-bpp 0.30 --rate-step 0.03
  python3 Scripts/training/export.py RUN --name NAME --target-cr CR --context-entropy \\
      --preprocessing data-cache/adaptive/preprocessing.json --train data-cache/adaptive/train.npz

`train` passes everything after `--` to train.py, adding --device cuda, a larger batch and the time
budget; the run records all of it in its checkpoint (and export.py in profile.json)."""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from octcodec.data import load_pack, save_pack  # noqa: E402

LIMIT_MIB = 64


def subset(src: Path, dst: Path, max_mib: float, seed: int) -> int:
    """Writes a random subset of the bands of `src` (every device kept) to `dst`, at most `max_mib`."""
    bands = load_pack(src)
    order = np.random.default_rng(seed).permutation(len(bands))
    keep = len(bands)
    while True:
        chosen = sorted(order[:keep])
        save_pack(dst, [bands[i] for i in chosen])
        size = dst.stat().st_size / 2**20
        if size <= max_mib:
            return keep
        keep = max(1, int(keep * max_mib / size * 0.97))


def prepare(args) -> None:
    out: Path = args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    if args.init:
        shutil.copytree(args.init, out / "init", ignore=shutil.ignore_patterns("*.png", "*.md"))
    used = sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 2**20
    dev_kept = subset(args.dev, out / "dev.npz", args.dev_mib, args.seed)
    used += (out / "dev.npz").stat().st_size / 2**20
    train_kept = subset(args.train, out / "train.npz", LIMIT_MIB - used - 1, args.seed)
    total = sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 2**20
    print(f"{out}: {train_kept} training bands, {dev_kept} dev bands, {total:.1f} MiB in all (limit {LIMIT_MIB})")


def train(args, rest: list[str]) -> None:
    carry: Path = args.carry
    command = [sys.executable, str(HERE / "train.py"), "--train", str(carry / "train.npz"),
               "--dev", str(carry / "dev.npz"), "--out", str(args.out), "--device", args.device,
               "--batch", str(args.batch), "--threads", "8", "--budget-minutes", str(args.minutes),
               "--eval-every", "1000", "--checkpoint-every", "500"]
    if (carry / "init").exists():
        command += ["--init", str(carry / "init")]
    print(" ".join(command + rest), flush=True)
    subprocess.run(command + rest, check=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("prepare", help="pack the data and warm start, at most 64 MiB")
    a.add_argument("--train", type=Path, required=True)
    a.add_argument("--dev", type=Path, required=True)
    a.add_argument("--init", type=Path, help="profile folder to start from")
    a.add_argument("--out", type=Path, default=Path("gpu-carry"))
    a.add_argument("--dev-mib", type=float, default=8)
    a.add_argument("--seed", type=int, default=1)
    b = sub.add_parser("train", help="train on the GPU machine (arguments after -- go to train.py)")
    b.add_argument("--carry", type=Path, default=Path("gpu-carry"))
    b.add_argument("--out", type=Path, required=True)
    b.add_argument("--minutes", type=float, default=8)
    b.add_argument("--batch", type=int, default=32)
    b.add_argument("--device", default="cuda")
    argv = sys.argv[1:]
    rest = argv[argv.index("--") + 1:] if "--" in argv else []
    args = p.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    prepare(args) if args.command == "prepare" else train(args, rest)


if __name__ == "__main__":
    main()
