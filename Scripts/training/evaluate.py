#!/usr/bin/env python3
"""Evaluate the profiles on the dev split and write Profiles/RESULTS.md and Profiles/results.png.

For each profile, the Swift product itself converts the dev archive (the whole dev split as DICOM,
made by `Scripts/make_samples.py --dev-archive`) and verifies it, exporting every frame's preprocessed
ROI band. Then JPEG, JPEG 2000, HTJ2K and JPEG XL code the identical bands at the identical byte
budget (each frame's octarc bitstream bytes) and are measured with the same MS-SSIM. The measured dev
numbers are also written into each profile.json ("measured"), which `octarc profiles` shows, and the
profile's floor is set to its lowest dev frame's MS-SSIM against the ROI less FLOOR_MARGIN.

  python3 Scripts/training/evaluate.py [--profiles cr10 cr20 cr40 cr80] [--archive data-cache/dev-dicom]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import multiprocessing
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from octcodec.classical import ALL as CLASSICAL  # noqa: E402
from octcodec.msssim import ms_ssim  # noqa: E402
from octcodec.tools import octarc_binary  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
# A profile's floor (verify fails a frame below it): its lowest dev frame's MS-SSIM against the ROI, less this.
FLOOR_MARGIN = 0.005
DEVICES = {"DUKE": "duke", "BIOPTIGEN": "bioptigen", "SPECTRALIS": "spectralis"}


def instances(archive: Path) -> dict[str, dict]:
    """SOP Instance UID -> device and bits stored, from the archive's files."""
    import pydicom
    out = {}
    for path in sorted(archive.rglob("*.dcm")):
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        device = next((d for prefix, d in DEVICES.items() if str(ds.PatientID).startswith(prefix)), "other")
        out[ds.SOPInstanceUID] = {"device": device, "bits": int(ds.BitsStored), "series": ds.SeriesInstanceUID}
    return out


def msssim_psnr(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    x = torch.from_numpy(a.astype(np.float32))[None, None]
    y = torch.from_numpy(b.astype(np.float32))[None, None]
    mse = float(((x - y) ** 2).mean())
    return float(ms_ssim(x, y)[0]), (math.inf if mse == 0 else 10 * math.log10(1 / mse))


def classical_frame(job) -> dict:
    path, bits, budget = job
    image = np.asarray(Image.open(path)).astype(np.float64)
    band = image / (255 if image.max() <= 255 and bits <= 8 else 65535)
    reference = np.round(band * ((1 << bits) - 1)) / ((1 << bits) - 1)
    out = {}
    for codec in CLASSICAL:
        r = codec.at_budget(band, bits, budget)
        if r is None:
            out[codec.name] = None
            continue
        m, p = msssim_psnr(reference, r.decoded)
        out[codec.name] = {"bytes": r.bytes, "msssim_roi": m, "psnr_roi": p,
                           "bits": bits if codec.supports(bits) else 8}
    return out


def evaluate_profile(binary: Path, profile: str, archive: Path, work: Path, info: dict) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(binary), "convert", str(archive), "--out", str(work / "octz"), "--profile", profile,
                    "--json"], check=True, stdout=open(work / "manifest-stdout.json", "w"))
    manifest = json.loads((work / "octz" / "manifest.json").read_text())
    verify = subprocess.run([str(binary), "verify", str(archive), str(work / "octz"), "--report", str(work / "report"),
                             "--export-roi", str(work / "roi"), "--json"], capture_output=True, text=True)
    report = json.loads(verify.stdout)
    profile_json = json.loads((REPO / "Profiles" / profile / "profile.json").read_text())
    symbols_per_pixel = sum(l["channels"] / l["stride"] ** 2 for l in profile_json["latents"])
    jobs = []
    for f in report["frames"]:
        name = f"{f['sop_instance_uid']}-f{f['frame']:03d}-roi.png"
        jobs.append((str(work / "roi" / name), info[f["sop_instance_uid"]]["bits"], f["bitstream_bytes"]))
    with multiprocessing.Pool(2) as pool:
        classical = pool.map(classical_frame, jobs)
    per_device: dict[str, dict] = {}
    for f, c in zip(report["frames"], classical):
        meta = info[f["sop_instance_uid"]]
        d = per_device.setdefault(meta["device"], {"frames": [], "classical": [], "series": set(), "bits": meta["bits"]})
        d["frames"].append(f)
        d["classical"].append(c)
        d["series"].add(meta["series"])
    results = {}
    for device, d in sorted(per_device.items()):
        frames = d["frames"]
        series = [s for s in manifest["series"] if s["series_instance_uid"] in d["series"]]
        stored = sum(s["original_pixel_bytes"] for s in series) / sum(s["output_bytes"] for s in series)
        band_pixels = [f["entropy_coded_cr"] * f["bitstream_bytes"] * 8 / d["bits"] for f in frames]
        bits_per_symbol = sum(f["bitstream_bytes"] * 8 for f in frames) / sum(p * symbols_per_pixel for p in band_pixels)
        r = {
            "frames": len(frames),
            "stored_cr": stored,
            "codec_cr": d["bits"] / (symbols_per_pixel * math.log2(profile_json["quantizer"]["levels"])),
            "entropy_coded_cr": sum(p * d["bits"] for p in band_pixels) / sum(f["bitstream_bytes"] * 8 for f in frames),
            "bits_per_symbol": bits_per_symbol,
            "msssim_roi": float(np.mean([f["msssim_roi"] for f in frames])),
            "msssim_roi_min": float(np.min([f["msssim_roi"] for f in frames])),
            "psnr_roi": float(np.mean([f["psnr_roi"] for f in frames])),
            "msssim_frame": float(np.mean([f["msssim_frame"] for f in frames])),
            "psnr_frame": float(np.mean([f["psnr_frame"] for f in frames])),
            "bitstream_bytes_mean": float(np.mean([f["bitstream_bytes"] for f in frames])),
            "classical": {},
        }
        for codec in CLASSICAL:
            values = [c[codec.name] for c in d["classical"] if c[codec.name]]
            if values:
                r["classical"][codec.name] = {
                    "msssim_roi": float(np.mean([v["msssim_roi"] for v in values])),
                    "psnr_roi": float(np.mean([v["psnr_roi"] for v in values])),
                    "bytes_mean": float(np.mean([v["bytes"] for v in values])),
                    "frames": len(values), "bits": values[0]["bits"],
                }
        results[device] = r
    return results


def cached_or_evaluated(binary: Path, build: str, profile: str, archive: Path, work: Path, info: dict) -> dict:
    """The results of an earlier run for the same weights, archive and octarc build (work/results.json), else a
    fresh evaluation."""
    key = {"weights_sha256": json.loads((REPO / "Profiles" / profile / "profile.json").read_text())["weights"]["sha256"],
           "archive": str(archive.resolve()), "octarc_sha256": build}
    cache = work / "results.json"
    if cache.exists():
        cached = json.loads(cache.read_text())
        if cached.get("key") == key:
            print(f"{profile}: results of an earlier evaluation of the same weights ({cache})")
            return cached["results"]
    results = evaluate_profile(binary, profile, archive, work, info)
    cache.write_text(json.dumps({"key": key, "results": results}, indent=1))
    return results


def write_measured(profile: str, results: dict) -> None:
    path = REPO / "Profiles" / profile / "profile.json"
    doc = json.loads(path.read_text())
    doc["measured"] = {device: {k: round(v, 5) for k, v in r.items() if isinstance(v, (int, float))}
                       for device, r in results.items()}
    lowest = min(r["msssim_roi_min"] for r in results.values())
    doc["floors"]["msssim_roi"] = math.floor((lowest - FLOOR_MARGIN) * 1000) / 1000
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=1) + "\n")
    tmp.replace(path)


def write_markdown(all_results: dict, out: Path, command: str) -> None:
    lines = ["# Profile results on the dev split", "",
             f"Generated by `{command}`; do not edit by hand.", "",
             "Dev split: Duke DME subject07 (Spectralis, 61 frames, 8 bit), Bioptigen subj13 and subj14 (10 frames, "
             "stored as 12 bit), Spectralis high-resolution crops (3 frames, 8 bit), as DICOM. octarc converts them; "
             "`octarc verify` measures them. MS-SSIM ROI: against the preprocessed ROI band (the codec's input, the "
             "paper's setting). MS-SSIM frame: against the original frame, padding excluded (the area outside the "
             "retina band is restored as a flat background, so this is low by design). Stored CR: original Pixel "
             "Data bytes / .octz bytes, everything counted. Codec CR: the paper's eq. 1. Entropy-coded CR: band "
             "pixels x bits / bitstream bits.", "",
             "Classical codecs code the identical preprocessed ROI bands (exported by `octarc verify --export-roi`) "
             "at the identical byte budget per frame (octarc's bitstream bytes for that frame; the classical files "
             "include their own headers) and are measured with the same MS-SSIM. JPEG is 8-bit only (cjpeg), so on "
             "12-bit data it codes the top 8 bits.", ""]
    lines += ["| profile | device | frames | stored CR | codec CR | entropy-coded CR | bits/symbol (fixed-length: log2 L) | "
              "MS-SSIM ROI (min) | PSNR ROI dB | MS-SSIM frame | PSNR frame dB | JPEG | JPEG 2000 | HTJ2K | JPEG XL | "
              "margin over best of J2K/JXL |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for profile, results in all_results.items():
        levels = json.loads((REPO / "Profiles" / profile / "profile.json").read_text())["quantizer"]["levels"]
        for device, r in results.items():
            c = r["classical"]

            def cm(name):
                return f"{c[name]['msssim_roi']:.4f}" if name in c else "-"

            best = max(c.get("JPEG 2000", {}).get("msssim_roi", 0), c.get("JPEG XL", {}).get("msssim_roi", 0))
            lines.append(
                f"| {profile} | {device} | {r['frames']} | {r['stored_cr']:.1f} | {r['codec_cr']:.1f} | "
                f"{r['entropy_coded_cr']:.1f} | {r['bits_per_symbol']:.2f} ({math.log2(levels):.2f}) | {r['msssim_roi']:.4f} ({r['msssim_roi_min']:.4f}) | "
                f"{r['psnr_roi']:.2f} | {r['msssim_frame']:.4f} | {r['psnr_frame']:.2f} | {cm('JPEG')} | {cm('JPEG 2000')} | "
                f"{cm('HTJ2K')} | {cm('JPEG XL')} | {r['msssim_roi'] - best:+.4f} |")
    lines += ["", "![MS-SSIM against stored CR](results.png)", ""]
    out.write_text("\n".join(lines))


def plot(all_results: dict, out: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    devices = sorted({d for r in all_results.values() for d in r})
    fig, axes = plt.subplots(1, len(devices), figsize=(5 * len(devices), 4), squeeze=False)
    for ax, device in zip(axes[0], devices):
        rows = sorted((r[device]["stored_cr"], r[device], p) for p, r in all_results.items() if device in r)
        ax.plot([x for x, _, _ in rows], [r["msssim_roi"] for _, r, _ in rows], "o-", label="octarc", lw=2)
        for codec in CLASSICAL:
            pts = [(x, r["classical"][codec.name]["msssim_roi"]) for x, r, _ in rows if codec.name in r["classical"]]
            if pts:
                ax.plot(*zip(*pts), "s--", label=codec.name, alpha=0.8)
        for x, r, p in rows:
            ax.annotate(p, (x, r["msssim_roi"]), textcoords="offset points", xytext=(4, 4), fontsize=8)
        ax.set_title(f"{device} (dev)")
        ax.set_xlabel("stored CR (classical codecs: same bytes per frame)")
        ax.set_ylabel("MS-SSIM vs preprocessed ROI")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--profiles", nargs="+", default=["cr10", "cr20", "cr40", "cr80"])
    p.add_argument("--archive", type=Path, default=REPO / "data-cache" / "dev-dicom")
    p.add_argument("--work", type=Path, default=REPO / "data-cache" / "eval")
    p.add_argument("--no-write", action="store_true", help="print results only; leave Profiles/ alone")
    args = p.parse_args(argv)
    if not args.archive.exists():
        subprocess.run([sys.executable, str(REPO / "Scripts" / "make_samples.py"), "--dev-archive", str(args.archive)],
                       check=True)
    binary = octarc_binary(quiet=True)
    build = hashlib.sha256(binary.read_bytes()).hexdigest()
    info = instances(args.archive)
    all_results = {}
    for profile in args.profiles:
        if not (REPO / "Profiles" / profile / "profile.json").exists():
            print(f"{profile}: no such profile, skipped")
            continue
        all_results[profile] = cached_or_evaluated(binary, build, profile, args.archive, args.work / profile, info)
        print(json.dumps({profile: all_results[profile]}, indent=1))
        if not args.no_write:
            write_measured(profile, all_results[profile])
    if not args.no_write and all_results:
        command = "python3 Scripts/training/evaluate.py --profiles " + " ".join(all_results)
        write_markdown(all_results, REPO / "Profiles" / "RESULTS.md", command)
        plot(all_results, REPO / "Profiles" / "results.png")
        (args.work / "results.json").write_text(json.dumps(all_results, indent=1))


if __name__ == "__main__":
    main()
