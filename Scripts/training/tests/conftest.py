"""Makes `octcodec` and the scripts importable without installing the package (`pip install -e
Scripts/training` also works), and skips the suite where PyTorch is missing."""
import sys
from pathlib import Path

import pytest

TRAINING = Path(__file__).resolve().parents[1]
REPO = TRAINING.parents[1]
if str(TRAINING) not in sys.path:
    sys.path.insert(0, str(TRAINING))

pytest.importorskip("torch")
