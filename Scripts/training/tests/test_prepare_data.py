"""The training bands are cut with the margins convert uses for a DICOM frame of the device's row spacing."""
import json
import math

import prepare_data


def test_micrometre_margins_become_rows_of_the_device_spacing():
    given = json.dumps({"top_margin": 16, "bottom_margin": 32, "top_margin_um": 200, "bottom_margin_um": 400,
                        "band_height": 256})
    duke = json.loads(prepare_data.with_spacing(given, 3.87))
    assert duke["top_margin"] == math.ceil(200 / 3.87) == 52
    assert duke["bottom_margin"] == math.ceil(400 / 3.87) == 104
    assert duke["band_height"] == 256 and duke["top_margin_um"] == 200
    # A coarse spacing never shrinks the margins in rows (convert takes the larger of the two).
    coarse = json.loads(prepare_data.with_spacing(given, 50.0))
    assert (coarse["top_margin"], coarse["bottom_margin"]) == (16, 32)


def test_without_spacing_or_micrometre_margins_nothing_changes():
    given = json.dumps({"top_margin": 16, "bottom_margin": 32, "band_height": 256})
    assert prepare_data.with_spacing(given, 3.87) == json.dumps(json.loads(given))
    assert prepare_data.with_spacing(given, None) == given
    assert prepare_data.with_spacing(None, 3.87) is None
