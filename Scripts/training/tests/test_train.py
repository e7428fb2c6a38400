"""train.py's warm starts: the whole codec from one source, the decoder from another (--init-decoder)."""
import torch

import export
import train
from octcodec.models import Architecture, Codec


def test_init_decoder_takes_the_decoder_alone_and_export_names_both_sources(tmp_path):
    arch = Architecture("t", (4, 6, 8, 8, 8), (3, 2, 2, 1), 3, 7, 1, "uniform")
    torch.manual_seed(1)
    whole = Codec(arch)
    torch.manual_seed(2)
    narrow = Codec(arch)
    torch.save({"model": whole.state_dict(), "step": 10, "elapsed": 60.0, "args": {"init": "None"}},
               tmp_path / "whole.pt")
    torch.save({"model": narrow.state_dict(), "step": 20, "elapsed": 120.0, "args": {"init": "None"}},
               tmp_path / "narrow.pt")
    torch.manual_seed(3)
    model = Codec(arch)
    train.load_init(model, tmp_path / "whole.pt")
    train.load_init(model, tmp_path / "narrow.pt", prefix="decoder.")
    state, from_whole, from_narrow = model.state_dict(), whole.state_dict(), narrow.state_dict()
    decoder = [k for k in state if k.startswith("decoder.")]
    assert decoder and len(decoder) < len(state)
    for k, v in state.items():
        assert torch.equal(v, (from_narrow if k.startswith("decoder.") else from_whole)[k]), k

    record = export.training_record({"step": 5, "elapsed": 30.0, "args": {
        "init": str(tmp_path / "whole.pt"), "init_decoder": str(tmp_path / "narrow.pt")}})
    assert record["initialized_from"]["steps"] == 10
    assert record["decoder_initialized_from"]["steps"] == 20
