"""Builds a profile's profile.json document and its weights (Profiles/FORMAT.md)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import torch

from .. import safetensors
from ..model import Architecture, Codec

FORMAT = "octarc-profile"
FORMAT_VERSION = 1
# Band sides must be multiples of this (the encoder's total stride).
INPUT_MULTIPLE = 32


def graph_tensors(codec: Codec) -> dict[str, np.ndarray]:
    """Every weight the encoder and decoder graphs name, by the name the graph uses (sorted)."""
    state = codec.state_dict()
    names = set()
    for graph in (codec.encoder.graph(), codec.decoder.graph()):
        for node in graph["nodes"]:
            names.update(node[k] for k in ("weight", "bias") if k in node)
    return {n: state[n].detach().float().numpy() for n in sorted(names)}


def profile_document(codec: Codec, name: str, description: str, *, weights_sha256: str = "",
                     weights_file: str = "weights.safetensors", target_stored_cr: float | None = None,
                     preprocessing: dict | None = None, entropy_counts: dict | None = None,
                     entropy_context: str | None = None, floor: float | None = None, measured: dict | None = None,
                     training: dict | None = None, floors: dict | None = None) -> dict:
    """profile.json of `codec`: its architecture, graphs and quantizer, with the optional parts a shipped
    profile has (target, preprocessing, entropy tables, floors, measurements, training record) where
    given. Keys come in the order of FORMAT.md; a part left as None is left out. `floors` (every verify floor,
    as Scripts/measure-floors writes them) wins over `floor` (the ROI-band floor alone)."""
    arch = codec.arch
    parts = [
        ("format", FORMAT),
        # Version 2 marks context coding, so that an octarc that cannot code it refuses the profile.
        ("format_version", FORMAT_VERSION + 1 if entropy_context else FORMAT_VERSION),
        ("name", name),
        ("description", description),
        ("target_stored_cr", target_stored_cr),
        ("weights", {"file": weights_file, "sha256": weights_sha256}),
        ("architecture", arch.to_json()),
        ("input_multiple", INPUT_MULTIPLE),
        ("preprocessing", preprocessing),
        ("quantizer", {"levels": arch.levels, "centers": codec.quantizer.sorted_centers().tolist()}),
        ("latents", [{"name": n, "channels": c, "stride": s} for n, c, s in arch.latents()]),
        ("encoder", codec.encoder.graph()),
        ("decoder", codec.decoder.graph()),
        ("entropy", None if entropy_counts is None else
            {"counts": entropy_counts} | ({"context": entropy_context} if entropy_context else {})),
        ("floors", floors if floors is not None else None if floor is None else {"msssim_roi": floor}),
        ("measured", measured),
        ("training", training),
    ]
    return {key: value for key, value in parts if value is not None}


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_json_atomic(path: Path, value: dict) -> None:
    """Writes `value` as profile.json is written (indent 1, final newline) under a temporary name, then
    renames it into place."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, indent=1) + "\n")
    tmp.replace(path)


def load_profile(folder: Path) -> Codec:
    """The codec of a profile folder (profile.json and its weights), in eval mode, as octarc would run it."""
    profile = json.loads((folder / "profile.json").read_text())
    arch = Architecture.from_json(profile["architecture"])
    codec = Codec(arch)
    tensors = safetensors.load(folder / profile["weights"]["file"])
    state = codec.state_dict()
    missing = [n for n in graph_tensors(codec) if n not in tensors]
    if missing:
        raise SystemExit(f"{folder}: weights lack {missing[:5]}")
    for n, value in tensors.items():
        if n in state:
            state[n] = torch.from_numpy(value)
    state["quantizer.centers"] = torch.tensor(profile["quantizer"]["centers"], dtype=torch.float32)
    codec.load_state_dict(state)
    if codec.encoder.graph() != profile["encoder"] or codec.decoder.graph() != profile["decoder"]:
        print(f"warning: {folder}/profile.json graphs differ from octcodec.model's; the reference follows the model")
    return codec.eval()
