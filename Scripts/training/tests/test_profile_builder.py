"""The profile.json builder that export.py and make_parity.py share: it rebuilds the committed profiles
byte for byte from their weights, and export's use of it gives a complete profile."""
import json

import numpy as np
import pytest
import torch
from conftest import REPO

import export
import make_parity
from octcodec import safetensors
from octcodec.data import Band
from octcodec.models import Architecture, Codec
from octcodec.zoo import graph_tensors, profile_document, sha256_file

SHIPPED = sorted(p for p in (REPO / "Profiles").iterdir() if (p / "profile.json").exists())
TINY = [REPO / "Tests" / "Data" / "neural" / name for name in ("tiny-slim", "tiny-paper")]
# The complete profiles of the in-process pipeline tests (make_fixture_profiles.py).
FIXTURES = sorted(p for p in (REPO / "Tests" / "Data" / "profiles").iterdir() if (p / "profile.json").exists())


def text(document: dict) -> str:
    return json.dumps(document, indent=1) + "\n"


@pytest.mark.parametrize("folder", TINY, ids=lambda p: p.name)
def test_the_parity_fixtures_rebuild_byte_for_byte(folder):
    committed = (folder / "profile.json").read_text()
    old = json.loads(committed)
    codec = make_parity.load_profile(folder)
    rebuilt = profile_document(codec, old["name"], old["description"], weights_sha256=old["weights"]["sha256"],
                               weights_file=old["weights"]["file"])
    assert text(rebuilt) == committed
    weights = safetensors.load(folder / old["weights"]["file"])
    tensors = graph_tensors(codec)
    assert list(tensors) == sorted(weights)
    for name, value in tensors.items():
        assert np.array_equal(value, weights[name]), name
    assert sha256_file(folder / old["weights"]["file"]) == old["weights"]["sha256"]


@pytest.mark.parametrize("folder", SHIPPED + FIXTURES, ids=lambda p: p.name)
def test_the_shipped_profiles_rebuild_byte_for_byte(folder):
    committed = (folder / "profile.json").read_text()
    old = json.loads(committed)
    codec = make_parity.load_profile(folder)
    rebuilt = profile_document(
        codec, old["name"], old["description"], weights_sha256=old["weights"]["sha256"],
        weights_file=old["weights"]["file"], target_stored_cr=old["target_stored_cr"],
        preprocessing=old["preprocessing"], entropy_counts=old["entropy"]["counts"],
        entropy_context=old["entropy"].get("context"), floors=old["floors"], measured=old["measured"],
        training=old["training"])
    assert text(rebuilt) == committed


def test_the_fixture_profiles_are_complete_and_their_entropy_tables_fit_their_networks():
    assert [p.name for p in FIXTURES] == ["fixture-a", "fixture-b"]
    shipped = json.loads((SHIPPED[0] / "profile.json").read_text())
    for folder in FIXTURES:
        doc = json.loads((folder / "profile.json").read_text())
        assert list(doc) == list(shipped), folder.name  # every part a shipped profile has, in its order
        assert set(doc["preprocessing"]) == set(shipped["preprocessing"])
        assert set(doc["floors"]) == set(shipped["floors"])
        assert sha256_file(folder / doc["weights"]["file"]) == doc["weights"]["sha256"]
        for latent in doc["latents"]:
            counts = np.array(doc["entropy"]["counts"][latent["name"]])
            assert counts.shape == (latent["channels"], doc["quantizer"]["levels"])
            assert (counts.sum(axis=1) == counts.sum(axis=1)[0]).all() and counts.sum() > 0


def test_optional_parts_are_left_out_and_the_rest_keep_the_format_order():
    codec = Codec(Architecture("t", (4, 6, 8, 8, 8), (3, 2, 0, 1), 3, 5, 0, "uniform"))
    minimal = profile_document(codec, "t", "test")
    assert list(minimal) == ["format", "format_version", "name", "description", "weights", "architecture",
                             "input_multiple", "quantizer", "latents", "encoder", "decoder"]
    assert minimal["latents"] == [{"name": "z0", "channels": 3, "stride": 32},
                                  {"name": "z1", "channels": 2, "stride": 16},
                                  {"name": "z3", "channels": 1, "stride": 4}]
    assert minimal["quantizer"] == {"levels": 5, "centers": [-2.0, -1.0, 0.0, 1.0, 2.0]}
    full = profile_document(codec, "t", "test", target_stored_cr=40, preprocessing={}, entropy_counts={}, floor=0.9,
                            measured={}, training={})
    assert list(full) == list(json.loads((SHIPPED[0] / "profile.json").read_text()))


def test_export_builds_a_complete_profile_from_a_checkpoint():
    torch.manual_seed(0)
    arch = Architecture("t", (4, 6, 8, 8, 8), (3, 2, 2, 1), 3, 7, 1, "uniform")
    model = Codec(arch)
    checkpoint = {"arch": arch.to_json(), "model": model.state_dict(), "step": 120, "elapsed": 600.0,
                  "hardware": "cpu, 1 threads", "args": {"init": "None", "target_bpp": "0.3"},
                  "history": [{"step": s, "dev_msssim": {"duke": 0.9}} for s in (40, 80, 120, 160)]}
    generator = np.random.default_rng(1)
    bands = [Band(f"b{i}", "duke", generator.random((64, 96), dtype=np.float32)) for i in range(3)]
    bands.append(Band("odd", "duke", generator.random((50, 96), dtype=np.float32)))  # not a multiple of 32: skipped
    profile, tensors = export.build_profile(checkpoint, "t40", 40.0, {"size_multiple": 32}, 0.95, "test", bands)
    assert list(profile) == list(json.loads((SHIPPED[0] / "profile.json").read_text()))
    assert profile["weights"] == {"file": "weights.safetensors", "sha256": ""}  # filled in once written
    assert profile["floors"] == {"msssim_roi": 0.95} and profile["measured"] == {}
    assert profile["training"]["steps"] == 120 and profile["training"]["wall_minutes"] == 10.0
    assert profile["training"]["dev_msssim_history"] == checkpoint["history"][-3:]
    # Entropy tables: per latent, per channel, a count for each level over the three whole bands.
    for name, channels, stride in arch.latents():
        counts = np.array(profile["entropy"]["counts"][name])
        assert counts.shape == (channels, arch.levels)
        assert (counts.sum(axis=1) == 3 * (64 // stride) * (96 // stride)).all()
    expected = graph_tensors(model)
    assert list(tensors) == list(expected)
    assert all(np.array_equal(tensors[k], v) for k, v in expected.items())
