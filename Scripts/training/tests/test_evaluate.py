"""evaluate.py's outputs: a comparison of a few profiles must not overwrite RESULTS.md's plot."""
from pathlib import Path

import evaluate


def test_the_plot_goes_beside_its_table():
    assert evaluate.plot_beside(Path("Profiles/RESULTS.md")) == Path("Profiles/results.png")
    assert evaluate.plot_beside(Path("Profiles/RESULTS-le.md")) == Path("Profiles/results-le.png")
    assert evaluate.plot_beside(Path("/tmp/eval80.md")) == Path("/tmp/eval80.png")
