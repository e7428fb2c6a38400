"""train.py's warm starts: the whole codec from one source, the decoder from another (--init-decoder)."""
import pytest
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


def _tiny(widths, decoder_widths, out_kernel):
    """A tiny uniform-quantizer codec architecture of these widths, as the pruning tests use."""
    return Architecture(latent_channels=(3, 2, 2, 1), refine_blocks=1, levels=7, quantizer="uniform",
                        widths=widths, decoder_widths=decoder_widths, out_kernel=out_kernel)


def _assert_gives_back_an_equal_network(prune, source, arch, prefix):
    """Pruning `source` to its own widths returns every `prefix` tensor unchanged."""
    same = prune(source, Codec(arch).state_dict())
    assert same.keys() == {k for k in source if k.startswith(prefix)}
    for k, v in same.items():
        assert torch.equal(v, source[k]), k


def test_prune_keeps_an_equal_decoder_and_narrows_a_wider_one(tmp_path):
    from octcodec.models.pruning import prune_decoder

    wide = _tiny((4, 6, 8, 8, 8), (4, 6, 8, 8, 8), 5)
    narrow = _tiny((4, 6, 8, 8, 8), (2, 3, 8, 8, 8), 3)
    torch.manual_seed(5)
    source = Codec(wide).state_dict()
    # The same widths: every decoder tensor comes back unchanged.
    _assert_gives_back_an_equal_network(prune_decoder, source, wide, "decoder.")
    # Make channel 3 of the half-resolution layer (ups.3) the one that matters most, channel 0 the least.
    source["decoder.ups.3.conv.weight"][:, 3] *= 100
    source["decoder.ups.4.conv.weight"][3] *= 100
    source["decoder.ups.3.conv.weight"][:, 0] *= 0.001
    pruned = prune_decoder(source, Codec(narrow).state_dict())
    model = Codec(narrow)
    model.load_state_dict({**model.state_dict(), **pruned})
    up3 = pruned["decoder.ups.3.conv.weight"]
    assert up3.shape == (8 + 1, 3, 4, 4)
    kept = [c for c in range(6) if any(torch.equal(up3[:, j], source["decoder.ups.3.conv.weight"][:, c])
                                       for j in range(3))]
    assert 3 in kept and 0 not in kept and len(kept) == 3
    # The next layer's inputs follow the kept channels; the output kernel keeps its centre.
    kept4 = _kept_outputs(source, pruned, "decoder.ups.4.conv.bias")
    assert len(kept4) == 2
    assert torch.equal(pruned["decoder.ups.4.conv.weight"], source["decoder.ups.4.conv.weight"][kept][:, kept4])
    assert torch.equal(pruned["decoder.out.conv.weight"], source["decoder.out.conv.weight"][:, kept4, 1:4, 1:4])
    # A decoder wider than its source cannot be pruned from it.
    with pytest.raises(ValueError):
        prune_decoder(Codec(narrow).state_dict(), Codec(wide).state_dict())


def test_prune_encoder_keeps_the_important_channels_and_the_latents_of_an_equal_encoder():
    from octcodec.models.pruning import prune_encoder

    wide = _tiny((4, 6, 8, 8, 8), (2, 3, 8, 8, 8), 3)
    narrow = _tiny((4, 6, 5, 6, 6), (2, 3, 8, 8, 8), 3)
    torch.manual_seed(6)
    source = Codec(wide).state_dict()
    # The same widths: every encoder tensor comes back unchanged.
    _assert_gives_back_an_equal_network(prune_encoder, source, wide, "encoder.")
    # Layer 2 (e3, which also feeds skip z3): channel 7 matters most (through the skip), channel 1 least.
    source["encoder.skips.z3.conv.weight"][:, 7] *= 100
    source["encoder.layers.2.conv.weight"][1] *= 0.001
    pruned = prune_encoder(source, Codec(narrow).state_dict())
    model = Codec(narrow)
    model.load_state_dict({**model.state_dict(), **pruned})
    kept = _kept_outputs(source, pruned, "encoder.layers.2.conv.bias")
    assert 7 in kept and 1 not in kept and len(kept) == 5
    assert torch.equal(pruned["encoder.skips.z3.conv.weight"], source["encoder.skips.z3.conv.weight"][:, kept])
    # The next layer keeps the inputs that follow the kept channels.
    kept3 = _kept_outputs(source, pruned, "encoder.layers.3.conv.bias")
    assert len(kept3) == 6
    assert torch.equal(pruned["encoder.layers.3.conv.weight"], source["encoder.layers.3.conv.weight"][kept3][:, kept])
    # The latent layer keeps all its outputs.
    assert pruned["encoder.layers.5.conv.weight"].shape == (3, 6, 3, 3)
    with pytest.raises(ValueError):
        prune_encoder(Codec(narrow).state_dict(), Codec(wide).state_dict())


def test_distillation_trains_a_narrow_encoder_behind_a_frozen_decoder(tmp_path):
    """A few steps of train.py with --prune-encoder --freeze-decoder --distill-weight: the decoder is
    the teacher's, unchanged; the encoder has the new widths."""
    import numpy as np

    from octcodec.data import Band, save_pack

    wide = _tiny((4, 6, 8, 8, 8), (2, 3, 8, 8, 8), 3)
    torch.manual_seed(7)
    teacher = Codec(wide)
    torch.save({"model": teacher.state_dict(), "arch": wide.to_json(), "step": 1, "elapsed": 1.0,
                "args": {"init": "None"}}, tmp_path / "teacher.pt")
    rng = np.random.default_rng(0)
    bands = [Band(pixels=rng.random((192, 224), dtype=np.float32), device="duke", name=f"b{i}") for i in range(3)]
    save_pack(tmp_path / "train.npz", bands)
    save_pack(tmp_path / "dev.npz", bands[:1])
    train.main(["--train", str(tmp_path / "train.npz"), "--dev", str(tmp_path / "dev.npz"),
                "--out", str(tmp_path / "run"), "--init", str(tmp_path / "teacher.pt"), "--prune-encoder",
                "--freeze-decoder", "--distill-weight", "10", "--widths", "4,6,5,6,6",
                "--decoder-widths", "2,3,8,8,8", "--out-kernel", "3", "--latent-channels", "3,2,2,1",
                "--levels", "7", "--quantizer", "uniform", "--crop", "192", "--batch", "2", "--steps", "3",
                "--l1-warmup", "0", "--threads", "1", "--eval-every", "100"])
    state = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=False)["model"]
    for k, v in teacher.state_dict().items():
        if k.startswith("decoder."):
            assert torch.equal(state[k], v), k
    assert state["encoder.layers.2.conv.weight"].shape == (5, 6, 3, 3)


def _kept_outputs(source, pruned, bias):
    """The source output channels of a layer that the pruned layer holds, by its `bias` tensor's values."""
    values = source[bias]
    return [c for c in range(len(values)) if bool((pruned[bias] == values[c]).any())]


def test_latent_step_divides_the_latents_and_the_decoder_reads_them_back(tmp_path):
    from octcodec.models.rescaling import rescale_latents

    arch = Architecture("t", (4, 6, 8, 8, 8), (3, 2, 2, 1), 3, 7, 1, "uniform")
    torch.manual_seed(6)
    # A step below 1 spreads a fresh codec's tiny latents over several symbols.
    original = rescale_latents(Codec(arch).eval(), 0.2)
    torch.save({"model": original.state_dict(), "step": 1, "elapsed": 1.0, "args": {"init": "None"}},
               tmp_path / "original.pt")
    rescaled = Codec(arch).eval()
    train.load_init(rescaled, tmp_path / "original.pt")
    rescale_latents(rescaled, 2.5)
    x = torch.rand(1, 1, 64, 64)
    with torch.no_grad():
        z, zs = original.encoder(x), rescaled.encoder(x)
        assert z.keys() == zs.keys() == {"z0", "z1", "z2", "z3"}
        for name in z:
            torch.testing.assert_close(zs[name] * 2.5, z[name], rtol=1e-5, atol=1e-6)
        # The decoder of the rescaled codec, given latents / 2.5, decodes what the original decodes.
        torch.testing.assert_close(rescaled.decoder({n: t / 2.5 for n, t in z.items()}), original.decoder(z),
                                   rtol=1e-4, atol=1e-5)
        # A coarser step leaves symbols closer to the center (fewer bits).
        spread = [torch.cat([(m.quantizer.symbols(t) - 3).abs().flatten() for t in m.encoder(x).values()])
                  .float().mean() for m in (original, rescaled)]
    assert 0 < spread[1] < spread[0] < 2.5
    with pytest.raises(ValueError):
        rescale_latents(Codec(arch), 0.0)
    with pytest.raises(ValueError):
        rescale_latents(Codec(Architecture("t", (4, 6, 8, 8, 8), (3, 2, 2, 1), 3, 7, 1, "learned")), 2.0)


def test_warm_start_rescales_the_init_codec_before_taking_the_other_decoder(tmp_path):
    """--init A --latent-step s --init-decoder B: A's encoder at step s, B's decoder exactly as trained."""
    from argparse import Namespace

    arch = Architecture("t", (4, 6, 8, 8, 8), (3, 2, 2, 1), 3, 7, 1, "uniform")
    sources = {}
    for seed, name in ((7, "encoder.pt"), (8, "decoder.pt")):
        torch.manual_seed(seed)
        sources[name] = Codec(arch).state_dict()
        torch.save({"model": sources[name], "step": 1, "elapsed": 1.0, "args": {"init": "None"}}, tmp_path / name)
    model = Codec(arch)
    train.warm_start(model, Namespace(init=tmp_path / "encoder.pt", init_decoder=tmp_path / "decoder.pt",
                                      latent_step=1.5, prune=False, prune_encoder=False))
    state = model.state_dict()
    producers = {"encoder.layers.5.conv."} | {f"encoder.skips.{k}.conv." for k in model.encoder.skips}
    rescaled = [k for k in state if any(k.startswith(p) for p in producers)]
    assert len(rescaled) == 2 * len(producers)  # weight and bias of each latent's producer
    for k, v in state.items():
        if k.startswith("decoder."):
            assert torch.equal(v, sources["decoder.pt"][k]), k
        elif k in rescaled:
            torch.testing.assert_close(v * 1.5, sources["encoder.pt"][k], msg=k)
        elif k.startswith("encoder."):
            assert torch.equal(v, sources["encoder.pt"][k]), k
