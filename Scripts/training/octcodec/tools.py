"""The octarc binary the training scripts run (band export, evaluation), and what the dev archive's DICOM
files say about each instance."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parents[3]


def octarc_binary(quiet: bool = False, repo: Path = REPO) -> Path:
    """Builds octarc (release) in `repo` and returns the binary's path; `quiet` hides the build's output."""
    subprocess.run(["swift", "build", "-c", "release", "--product", "octarc"], cwd=repo, check=True,
                   stdout=subprocess.DEVNULL if quiet else None)
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=repo, check=True,
                         capture_output=True, text=True).stdout.strip()
    return Path(out) / "octarc"


def convert_afresh(binary: Path, archive: Path, out: Path, profile: str, *, earlier: tuple[Path, ...] = (),
                   json_to: IO | None = None) -> None:
    """`octarc convert archive --out out --profile profile`, after removing `out` and the `earlier`
    outputs of a previous run (an exported ROI, a report): a convert into an earlier run's folder resumes
    it and keeps the containers an earlier build made, so what is measured would not be this build's.
    With `json_to`, the convert's JSON summary goes there; otherwise its output is dropped."""
    for path in (out, *earlier):
        shutil.rmtree(path, ignore_errors=True)
    args = [str(binary), "convert", str(archive), "--out", str(out), "--profile", profile]
    subprocess.run(args + (["--json"] if json_to else []), check=True, stdout=json_to or subprocess.DEVNULL)


# The dev archive's Patient IDs start with the data set they come from (Scripts/make_samples.py).
DEVICES = {"DUKE": "duke", "BIOPTIGEN": "bioptigen", "SPECTRALIS": "spectralis"}


def device_of_patient(patient_id: str) -> str:
    """The device a dev-archive Patient ID names ("other" for none)."""
    return next((d for prefix, d in DEVICES.items() if str(patient_id).startswith(prefix)), "other")


def archive_instances(archive: Path) -> dict[str, dict]:
    """SOP Instance UID -> device, bits stored and series, from the archive's DICOM files."""
    import pydicom
    out = {}
    for path in sorted(archive.rglob("*.dcm")):
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        out[ds.SOPInstanceUID] = {"device": device_of_patient(ds.PatientID), "bits": int(ds.BitsStored),
                                  "series": ds.SeriesInstanceUID}
    return out
