#!/usr/bin/env python3
"""Reference tensors that prove the Swift inference engine (Sources/Neural) computes what PyTorch computes.

Three uses:

  make_parity.py
      Builds two tiny test codecs with fixed seeds and random weights (one slim-style with 3x3 stride-2
      kernels and a refinement block, one paper-style with 4x4 kernels), and writes for each a profile
      folder into Tests/Data/neural/<name>/: profile.json (encoder/decoder graphs, quantizer centers),
      weights.safetensors and reference.safetensors (a fixed-seed input and PyTorch's outputs).

  make_parity.py --profile Profiles/<name> [--height 256 --width 256] [--out FILE]
      Loads a real profile's networks into PyTorch (octcodec.model) and writes its reference tensors,
      by default to Profiles/<name>/reference.safetensors, where the Swift tests pick them up.

  make_parity.py --export-random slim|paper --out DIR
      Writes a profile folder with random (but well-scaled) weights and no reference tensors; the
      benchmark (Scripts/bench-neural) times both engines on it.

reference.safetensors holds tensors laid out channels last, shape [height, width, channels], as the
Swift `Tensor` and the symbol order of FORMAT.md: `input.image` (F32), `encoder.<latent>` (F32, the
encoder's output before quantization), `symbols.<latent>` (I32, nearest sorted center, ties to the lower
index), `decoder.image` (F32, the decoder applied to the dequantized PyTorch symbols, clipped to 0...1).
"""
from __future__ import annotations

import argparse
import json
import pathlib
import sys

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from octcodec import safetensors  # noqa: E402
from octcodec.model import Architecture, Codec  # noqa: E402
from octcodec.zoo import graph_tensors, load_profile, profile_document, sha256_file, write_json_atomic  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
TEST_DATA = REPO / "Tests" / "Data" / "neural"

# Tiny test architectures: small enough that the committed files stay a few tens of kB, but covering
# every op and activation the real networks use (odd and even stride-2 kernels, 1x1 skips, transposed
# convolutions, concat, add, clip).
TINY = {
    "tiny-slim": Architecture("tiny-slim", (4, 6, 8, 8, 8), (3, 2, 2, 1), 3, 7, 1),
    "tiny-paper": Architecture("tiny-paper", (4, 6, 8, 8, 8), (3, 2, 2, 1), 4, 7, 0),
}
TINY_SIZE = (64, 96)


def synthetic_image(height: int, width: int, seed: int) -> torch.Tensor:
    """An OCT-like test image in 0...1: wavy horizontal layers, a few blobs and speckle."""
    g = torch.Generator().manual_seed(seed)
    y = torch.linspace(0, 1, height).view(-1, 1)
    x = torch.linspace(0, 1, width).view(1, -1)
    img = torch.zeros(height, width)
    for _ in range(6):
        centre = torch.rand(1, generator=g) * 0.8 + 0.1
        wave = 0.05 * torch.sin(2 * torch.pi * (x * (1 + 3 * torch.rand(1, generator=g)) + torch.rand(1, generator=g)))
        thickness = 0.01 + 0.04 * torch.rand(1, generator=g)
        img += (0.3 + 0.5 * torch.rand(1, generator=g)) * torch.exp(-((y - centre - wave) / thickness) ** 2)
    for _ in range(4):
        cy, cx, r = torch.rand(3, generator=g)
        img += 0.4 * torch.exp(-(((y - cy) ** 2 + (x - cx) ** 2) / (0.002 + 0.02 * r)))
    img *= torch.exp(0.3 * torch.randn(height, width, generator=g))
    return img.clamp(0, 1).view(1, 1, height, width)


@torch.no_grad()
def calibrate(codec: Codec, seed: int) -> None:
    """Random weights, rescaled so that the test is sharp: latents spread over all quantizer centers and
    the decoder output mostly inside 0...1 rather than clipped."""
    arch = codec.arch
    g = torch.Generator().manual_seed(seed + 1)
    # Centers: sorted, unevenly spaced around zero.
    steps = 0.3 + 0.4 * torch.rand(arch.levels, generator=g)
    centers = torch.cumsum(steps, 0)
    codec.quantizer.centers.copy_(centers - centers.mean())
    # Gain-preserving weights and small biases, so that features follow the image rather than the biases.
    for module in codec.modules():
        if isinstance(module, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
            torch.nn.init.kaiming_normal_(module.weight, a=0.2, nonlinearity="leaky_relu", generator=g)
            torch.nn.init.uniform_(module.bias, -0.05, 0.05, generator=g)
    image = synthetic_image(64, 96, seed + 2)
    z = codec.encoder(image)
    spread = float(codec.quantizer.sorted_centers().abs().max())
    for name, t in z.items():
        # Each latent channel: zero mean, spread over the centers.
        layer = codec.encoder.layers[5] if name == "z0" else codec.encoder.skips[name]
        mean, std = t.mean(dim=(0, 2, 3)), t.std(dim=(0, 2, 3)).clamp_min(1e-6)
        scale = 0.6 * spread / std
        layer.conv.weight.mul_(scale.view(-1, 1, 1, 1))
        layer.conv.bias.sub_(mean).mul_(scale)
    c = codec.quantizer.sorted_centers()
    zq = {n: c[codec.quantizer.symbols(t)] for n, t in codec.encoder(image).items()}
    out = codec.decoder(zq)
    scale = 0.25 / float(out.std().clamp_min(1e-6))
    codec.decoder.out.conv.weight.mul_(scale)
    codec.decoder.out.conv.bias.mul_(scale).add_(0.5 - float(out.mean()) * scale)


def write_profile(codec: Codec, folder: pathlib.Path, name: str, description: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    arch = codec.arch
    weights = folder / "weights.safetensors"
    safetensors.save(graph_tensors(codec), weights, {"format": "pt", "architecture": json.dumps(arch.to_json())})
    profile = profile_document(codec, name, description, weights_sha256=sha256_file(weights),
                               weights_file=weights.name)
    write_json_atomic(folder / "profile.json", profile)


def channels_last(t: torch.Tensor) -> np.ndarray:
    """(1, C, H, W) -> [H, W, C] float32."""
    return np.ascontiguousarray(t[0].permute(1, 2, 0).numpy())


@torch.no_grad()
def write_reference(codec: Codec, path: pathlib.Path, height: int, width: int, seed: int) -> None:
    codec.eval()
    image = synthetic_image(height, width, seed)
    centers = codec.quantizer.sorted_centers()
    z = codec.encoder(image)
    symbols = {n: codec.quantizer.symbols(t) for n, t in z.items()}
    decoded = codec.decoder({n: centers[s] for n, s in symbols.items()}).clamp(0, 1)
    tensors = {"input.image": channels_last(image), "decoder.image": channels_last(decoded)}
    for n in z:
        tensors[f"encoder.{n}"] = channels_last(z[n])
        tensors[f"symbols.{n}"] = channels_last(symbols[n]).astype(np.int32)
    safetensors.save(tensors, path, {"seed": str(seed), "torch": torch.__version__})
    inside = float(((decoded > 0) & (decoded < 1)).float().mean())
    used = {n: len(torch.unique(s)) for n, s in symbols.items()}
    print(f"{path}: {height}x{width}, decoder output unclipped {inside:.0%}, distinct symbols {used}")


def random_codec(arch: Architecture, seed: int) -> Codec:
    torch.manual_seed(seed)
    codec = Codec(arch).eval()
    calibrate(codec, seed)
    return codec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", type=pathlib.Path, help="a real profile folder (Profiles/<name>)")
    parser.add_argument("--export-random", choices=["slim", "paper"], help="write a random-weight profile")
    parser.add_argument("--out", type=pathlib.Path, help="output file (--profile) or folder (--export-random)")
    parser.add_argument("--height", type=int, default=256)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--seed", type=int, default=2019)
    args = parser.parse_args()
    torch.set_num_threads(1)

    if args.profile:
        codec = load_profile(args.profile)
        write_reference(codec, args.out or args.profile / "reference.safetensors", args.height, args.width, args.seed)
    elif args.export_random:
        if not args.out:
            parser.error("--export-random needs --out")
        arch = Architecture() if args.export_random == "slim" else Architecture.paper()
        write_profile(random_codec(arch, args.seed), args.out, args.export_random,
                      f"random weights, {args.export_random} architecture, seed {args.seed} (benchmark only)")
    else:
        for index, (name, arch) in enumerate(TINY.items()):
            folder = TEST_DATA / name
            codec = random_codec(arch, args.seed + index)
            write_profile(codec, folder, name, f"tiny parity-test codec, random weights, seed {args.seed + index}")
            write_reference(codec, folder / "reference.safetensors", *TINY_SIZE, args.seed + 10 + index)


if __name__ == "__main__":
    main()
