"""Training data: preprocessed ROI bands, packed into one compressed .npz per split.

Bands come from the Swift product itself (`octarc export-bands`), so that the codec is trained on
exactly what it will see. A pack holds every band of a split as 16-bit intensities (value / 65535)."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import torch

DEVICES = ("duke", "bioptigen", "topcon", "spectralis")


@dataclasses.dataclass
class Band:
    name: str
    device: str
    pixels: np.ndarray  # float32, (H, W), 0..1


def device_of(relative_path: str) -> str:
    for d in DEVICES:
        if d in relative_path:
            return d
    return "other"


def save_pack(path: Path, bands: list[Band]) -> None:
    flat = np.concatenate([np.round(b.pixels * 65535).astype(np.uint16).ravel() for b in bands])
    shapes = np.array([b.pixels.shape for b in bands], dtype=np.int64)
    np.savez_compressed(path, pixels=flat, shapes=shapes,
                        names=np.array([b.name for b in bands]), devices=np.array([b.device for b in bands]))


def load_pack(path: Path) -> list[Band]:
    z = np.load(path)
    flat = z["pixels"]  # each access to z[...] decompresses the array again: read it once
    bands, offset = [], 0
    for (h, w), name, device in zip(z["shapes"], z["names"], z["devices"]):
        n = int(h) * int(w)
        pixels = flat[offset:offset + n].reshape(int(h), int(w)).astype(np.float32) / 65535
        bands.append(Band(str(name), str(device), pixels))
        offset += n
    return bands


class CropSampler:
    """Random square crops with horizontal flips, balanced across devices (each device equally likely,
    then a band of that device uniformly), deterministic for a given seed."""

    def __init__(self, bands: list[Band], crop: int, seed: int):
        self.crop = crop
        self.by_device: dict[str, list[np.ndarray]] = {}
        for b in bands:
            self.by_device.setdefault(b.device, []).append(self._fit(b.pixels, crop))
        self.devices = sorted(self.by_device)
        self.rng = np.random.default_rng(seed)

    @staticmethod
    def _fit(p: np.ndarray, crop: int) -> np.ndarray:
        h, w = p.shape
        if h < crop or w < crop:
            p = np.pad(p, ((0, max(0, crop - h)), (0, max(0, crop - w))), mode="edge")
        return p

    def batch(self, size: int) -> tuple[torch.Tensor, list[str]]:
        """`size` crops and the device each came from."""
        out = np.empty((size, 1, self.crop, self.crop), dtype=np.float32)
        devices = []
        for i in range(size):
            devices.append(self.devices[self.rng.integers(len(self.devices))])
            pool = self.by_device[devices[-1]]
            p = pool[self.rng.integers(len(pool))]
            y = self.rng.integers(p.shape[0] - self.crop + 1)
            x = self.rng.integers(p.shape[1] - self.crop + 1)
            c = p[y:y + self.crop, x:x + self.crop]
            out[i, 0] = c[:, ::-1] if self.rng.random() < 0.5 else c
        return torch.from_numpy(out), devices

    def state(self) -> dict:
        return self.rng.bit_generator.state

    def restore(self, state: dict) -> None:
        self.rng.bit_generator.state = state
