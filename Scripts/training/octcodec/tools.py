"""The octarc binary the training scripts run (band export, evaluation)."""
from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def octarc_binary(quiet: bool = False, repo: Path = REPO) -> Path:
    """Builds octarc (release) in `repo` and returns the binary's path; `quiet` hides the build's output."""
    subprocess.run(["swift", "build", "-c", "release", "--product", "octarc"], cwd=repo, check=True,
                   stdout=subprocess.DEVNULL if quiet else None)
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=repo, check=True,
                         capture_output=True, text=True).stdout.strip()
    return Path(out) / "octarc"
