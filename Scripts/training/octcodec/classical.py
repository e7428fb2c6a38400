"""Classical codecs at a byte budget, for comparisons on identical preprocessed ROI bands:
JPEG (cjpeg/djpeg), JPEG 2000 (opj_compress -I / opj_decompress), HTJ2K (ojph_compress / ojph_expand)
and JPEG XL (cjxl / djxl). Each is driven to the largest file that fits the budget by bisection on its
own quality knob."""
from __future__ import annotations

import dataclasses
import math
import subprocess
import tempfile
from pathlib import Path

import numpy as np


def write_pgm(path: Path, pixels: np.ndarray, maxval: int) -> None:
    h, w = pixels.shape
    header = f"P5\n{w} {h}\n{maxval}\n".encode()
    data = pixels.astype(">u2" if maxval > 255 else "u1").tobytes()
    path.write_bytes(header + data)


def read_pgm(path: Path) -> np.ndarray:
    data = path.read_bytes()
    fields, pos = [], 2
    while len(fields) < 3:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(int(data[pos:end]))
        pos = end
    w, h, maxval = fields
    pos += 1
    dtype = ">u2" if maxval > 255 else "u1"
    return np.frombuffer(data[pos:], dtype=dtype, count=w * h).reshape(h, w).astype(np.float64), maxval


@dataclasses.dataclass
class Result:
    codec: str
    bytes: int
    decoded: np.ndarray  # intensities 0..1


def _run(args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Codec:
    name = ""
    low: float
    high: float
    log_scale = False
    bigger_when_higher = True  # does a higher knob value give a bigger file?
    ext = ""

    def encode(self, pgm: Path, out: Path, knob: float, bits: int) -> None:
        raise NotImplementedError

    def decode(self, coded: Path, pgm: Path) -> None:
        raise NotImplementedError

    def supports(self, bits: int) -> bool:
        return True

    def at_budget(self, band: np.ndarray, bits: int, budget: int, iterations: int = 12) -> Result | None:
        """The largest encoding of `band` (0..1) at bit depth `bits` that fits `budget` bytes."""
        depth = bits if self.supports(bits) else 8
        maxval = (1 << depth) - 1
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            pgm = tmp / "in.pgm"
            write_pgm(pgm, np.round(band * maxval), maxval)
            best = None
            lo, hi = (math.log(self.low), math.log(self.high)) if self.log_scale else (self.low, self.high)
            for _ in range(iterations):
                mid = (lo + hi) / 2
                knob = math.exp(mid) if self.log_scale else mid
                out = tmp / f"x{self.ext}"
                try:
                    self.encode(pgm, out, knob, depth)
                    size = out.stat().st_size
                except subprocess.CalledProcessError:
                    size = budget + 1
                fits = size <= budget
                if fits and (best is None or size > best[1]):
                    best = (knob, size, out.read_bytes())
                # Move towards bigger files when it fits, smaller otherwise.
                if fits == self.bigger_when_higher:
                    lo = mid
                else:
                    hi = mid
            if best is None:
                return None
            coded = tmp / f"best{self.ext}"
            coded.write_bytes(best[2])
            decoded_path = tmp / "out.pgm"
            self.decode(coded, decoded_path)
            decoded, dmax = read_pgm(decoded_path)
            return Result(self.name, best[1], decoded / dmax)


class JPEG(Codec):
    name, low, high, ext = "JPEG", 1, 100, ".jpg"

    def supports(self, bits):
        return bits <= 8

    def encode(self, pgm, out, knob, bits):
        _run(["cjpeg", "-quality", str(int(round(knob))), "-optimize", "-outfile", str(out), str(pgm)])

    def decode(self, coded, pgm):
        _run(["djpeg", "-pnm", "-outfile", str(pgm), str(coded)])


class JPEG2000(Codec):
    name, low, high, ext, log_scale, bigger_when_higher = "JPEG 2000", 1.5, 2000, ".j2k", True, False

    def encode(self, pgm, out, knob, bits):
        _run(["opj_compress", "-I", "-r", f"{knob:.4f}", "-i", str(pgm), "-o", str(out)])

    def decode(self, coded, pgm):
        _run(["opj_decompress", "-i", str(coded), "-o", str(pgm)])


class HTJ2K(Codec):
    name, low, high, ext, log_scale, bigger_when_higher = "HTJ2K", 0.0005, 0.5, ".j2c", True, False

    def encode(self, pgm, out, knob, bits):
        _run(["ojph_compress", "-i", str(pgm), "-o", str(out), "-qstep", f"{knob:.6f}"])

    def decode(self, coded, pgm):
        _run(["ojph_expand", "-i", str(coded), "-o", str(pgm)])


class JPEGXL(Codec):
    name, low, high, ext, log_scale, bigger_when_higher = "JPEG XL", 0.05, 25, ".jxl", True, False

    def encode(self, pgm, out, knob, bits):
        _run(["cjxl", str(pgm), str(out), "-d", f"{knob:.4f}", "--quiet"])

    def decode(self, coded, pgm):
        _run(["djxl", str(coded), str(pgm), "--quiet"])


ALL = (JPEG(), JPEG2000(), HTJ2K(), JPEGXL())
