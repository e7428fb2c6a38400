#!/usr/bin/env python3
"""Export a trained run (runs/NAME/checkpoint.pt) as an octarc profile: Profiles/NAME/profile.json and
weights.safetensors, in the format Profiles/FORMAT.md defines.

  python3 Scripts/training/export.py runs/cr40 --name cr40 --target-cr 40 --train data-cache/train.npz \
      --preprocessing data-cache/preprocessing.json --floor 0.95
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from octcodec import safetensors  # noqa: E402
from octcodec.data import load_pack  # noqa: E402
from octcodec.entropy_models import context  # noqa: E402
from octcodec.model import Architecture, Codec  # noqa: E402
from octcodec.statistics import symbol_counts  # noqa: E402
from octcodec.zoo import graph_tensors, profile_document, sha256_file, write_json_atomic  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def build_profile(ck: dict, name: str, target_cr: float, preprocessing: dict, floor: float,
                  description: str, train_bands, context_entropy: bool = False) -> tuple[dict, dict]:
    """profile.json and the weights file's tensors. With `context_entropy`, the neighbour-context tables
    (counted on `train_bands`) go into the weights file as `entropy.<latent>` and the profile codes with
    them (bitstream version 2)."""
    arch = Architecture.from_json(ck["arch"])
    model = Codec(arch)
    model.load_state_dict(ck["model"])
    model.eval()
    if context_entropy:  # one pass over the bands: a channel's counts are its contexts' counts summed
        by_context = context.context_counts(model, train_bands)
        per_channel = {n: v.sum(axis=1).tolist() for n, v in by_context.items()}
    else:
        per_channel = symbol_counts(model, train_bands)
    profile = profile_document(
        model, name, description, target_stored_cr=target_cr, preprocessing=preprocessing,
        entropy_counts=per_channel, entropy_context=context.KIND if context_entropy else None, floor=floor,
        measured={}, training=training_record(ck) | {"dev_msssim_history": ck["history"][-3:]})
    tensors = graph_tensors(model)
    if context_entropy:
        tensors |= {f"entropy.{n}": v for n, v in by_context.items()}
    return profile, tensors


def training_record(ck: dict) -> dict:
    """Steps, wall time, hardware and arguments of a run, and of the run it was initialized from (--init),
    so that a fine-tuned profile names its whole lineage."""
    record = {"steps": ck["step"], "wall_minutes": round(ck["elapsed"] / 60, 1),
              "hardware": ck.get("hardware", "unknown"), "arguments": ck["args"]}
    for argument, key in (("init", "initialized_from"), ("init_decoder", "decoder_initialized_from")):
        source = ck["args"].get(argument, "None")
        if source != "None":
            record[key] = lineage(source)
    return record


def lineage(path: str) -> dict:
    """What a warm start came from: a shipped profile (its name, weights and its own training record) or
    another run's checkpoint (its training record)."""
    if (REPO / path).is_dir():
        doc = json.loads((REPO / path / "profile.json").read_text())
        return {"profile": doc["name"], "weights_sha256": doc["weights"]["sha256"], "training": doc.get("training")}
    parent = torch.load(REPO / path, map_location="cpu", weights_only=False) if (REPO / path).exists() else None
    return training_record(parent) if parent else {"checkpoint": path, "missing": True}


def take_entropy(profile: dict, tensors: dict, source: Path) -> None:
    """Replaces the entropy tables of `profile` and `tensors` by those of the profile in `source`, after
    checking that the two share their encoder, quantizer and latents (otherwise the tables would not fit)."""
    other = json.loads((source / "profile.json").read_text())
    other_tensors = safetensors.load(source / other["weights"]["file"])
    for key in ("quantizer", "latents", "encoder"):
        if profile[key] != other[key]:
            raise SystemExit(f"--entropy-from {source}: its {key} differs from this profile's")
    encoder = {n["weight"] for n in profile["encoder"]["nodes"] if "weight" in n} | \
        {n["bias"] for n in profile["encoder"]["nodes"] if n.get("bias")}
    for name in sorted(encoder):
        if not torch.equal(torch.as_tensor(tensors[name]), torch.as_tensor(other_tensors[name])):
            raise SystemExit(f"--entropy-from {source}: encoder tensor {name} differs")
    for name in [n for n in tensors if n.startswith("entropy.")]:
        del tensors[name]
    tensors.update({n: t for n, t in other_tensors.items() if n.startswith("entropy.")})
    profile["entropy"] = other["entropy"]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run", type=Path, help="run folder holding checkpoint.pt")
    p.add_argument("--name", required=True)
    p.add_argument("--target-cr", type=float, required=True)
    p.add_argument("--preprocessing", type=Path, required=True, help="JSON of the preprocessing parameters")
    p.add_argument("--train", type=Path, required=True, help="training pack: the entropy tables are counted on it")
    p.add_argument("--floor", type=float, default=0.95, help="minimum per-frame MS-SSIM against the ROI")
    p.add_argument("--description", default="")
    p.add_argument("--out", type=Path, help="default: Profiles/NAME")
    p.add_argument("--floors-from", type=Path,
                   help="a profile folder whose verify floors to take (one with the same networks and preprocessing "
                        "restores the same pixels); default: --floor alone, set the rest with Scripts/measure-floors")
    p.add_argument("--context-entropy", action="store_true",
                   help="code latents with neighbour-context tables (bitstream version 2)")
    p.add_argument("--entropy-from", type=Path,
                   help="a profile folder with the same encoder and quantizer whose entropy tables to take, so that "
                        "this profile stores exactly its bytes (a decoder trained behind its frozen encoder); "
                        "counting again can differ by a few symbols where PyTorch rounds differently")
    args = p.parse_args(argv)

    ck = torch.load(args.run / "checkpoint.pt", map_location="cpu", weights_only=False)
    profile, tensors = build_profile(ck, args.name, args.target_cr, json.loads(args.preprocessing.read_text()),
                                     args.floor, args.description, load_pack(args.train), args.context_entropy)
    if args.entropy_from:
        take_entropy(profile, tensors, args.entropy_from)
    out = args.out or REPO / "Profiles" / args.name
    out.mkdir(parents=True, exist_ok=True)
    weights = out / "weights.safetensors"
    safetensors.save(tensors, weights, {"profile": args.name})
    profile["weights"]["sha256"] = sha256_file(weights)
    if args.floors_from:
        profile["floors"] = json.loads((args.floors_from / "profile.json").read_text())["floors"]
    old = out / "profile.json"
    if old.exists():  # keep measurements of an earlier evaluation only if the weights are unchanged
        previous = json.loads(old.read_text())
        if previous.get("weights", {}).get("sha256") == profile["weights"]["sha256"]:
            profile["measured"] = previous.get("measured", {})
    write_json_atomic(old, profile)
    print(f"exported {out} ({weights.stat().st_size / 1e6:.2f} MB weights, "
          f"sha256 {profile['weights']['sha256'][:16]}...)")


if __name__ == "__main__":
    main()
