"""The rate-distortion objective that train.py optimizes: distortion, estimated rate, rate control."""
import math

import pytest
import torch

from octcodec.entropy_models import SymbolStatistics
from octcodec.losses import RateControl, bits_per_pixel, distortion_loss
from octcodec.models import Architecture


def test_distortion_is_l1_during_the_warm_up_then_one_minus_msssim():
    x = torch.zeros(2, 1, 4, 4)
    y = torch.full((2, 1, 4, 4), 0.25)
    msssim = torch.tensor([0.9, 0.7])
    assert float(distortion_loss(x, y, msssim, step=0, l1_warmup=10, msssim_weight=100)) == pytest.approx(25.0)
    assert float(distortion_loss(x, y, msssim, step=9, l1_warmup=10, msssim_weight=100)) == pytest.approx(25.0)
    assert float(distortion_loss(x, y, msssim, step=10, l1_warmup=10, msssim_weight=100)) == pytest.approx(20.0)
    assert float(distortion_loss(x, y, msssim, step=0, l1_warmup=0, msssim_weight=2)) == pytest.approx(0.4)
    # The squared error term: 0.25^2 = 0.0625 per pixel, weighted, added after the warm-up only.
    assert float(distortion_loss(x, y, msssim, step=10, l1_warmup=10, msssim_weight=100,
                                 mse_weight=1000)) == pytest.approx(20.0 + 62.5)
    assert float(distortion_loss(x, y, msssim, step=0, l1_warmup=10, msssim_weight=100,
                                 mse_weight=1000)) == pytest.approx(25.0)


def test_uniform_rate_is_the_quantizers_bits_over_the_pixels():
    rate = {"z0": torch.tensor([64.0, 32.0]), "z1": torch.tensor([16.0, 0.0])}
    bpp = bits_per_pixel(rate, uniform=True, pixels=16, batch=2)
    assert bpp.tolist() == [5.0, 2.0]


def test_learned_rate_costs_soft_assignments_by_the_running_histograms():
    arch = Architecture(latent_channels=(2, 0, 0, 0), levels=4)
    stats = SymbolStatistics(arch)  # starts flat
    flat = torch.full((3, 2, 2, 2, 4), 0.25)  # (N, C, h, w, L) soft assignments, 8 symbols an image
    bpp = bits_per_pixel({"z0": flat}, uniform=False, pixels=4, batch=3, stats=stats)
    assert bpp.tolist() == pytest.approx([8 * 2 / 4] * 3)  # flat histograms: log2(4) = 2 bits a symbol
    # Symbols that all take level 0 make level 0 cheap in the histograms, and so in the estimate.
    peaked = torch.zeros(3, 2, 2, 2, 4)
    peaked[..., 0] = 1
    first = bits_per_pixel({"z0": peaked}, uniform=False, pixels=4, batch=3, stats=stats)
    second = bits_per_pixel({"z0": peaked}, uniform=False, pixels=4, batch=3, stats=stats)
    assert (first < 4).all() and (second < first).all()


def test_a_fixed_weight_stays_and_no_weight_means_no_rate_term():
    fixed = RateControl(rate_weight=0.5)
    fixed.observe(torch.tensor([9.0]), ["duke"], "duke")
    assert fixed.active and fixed.weight == pytest.approx(0.5)
    assert float(fixed.penalty(torch.tensor(2.0))) == pytest.approx(1.0)
    off = RateControl()
    assert not off.active and off.state["log_weight"] == -math.inf


@pytest.mark.parametrize("observed, direction", [(0.6, 1), (0.1, -1)])
def test_steering_moves_the_weight_towards_the_target_by_at_most_one_step(observed, direction):
    control = RateControl(target_bpp=0.3, rate_step=0.05)
    assert control.weight == 1.0
    previous = control.state["log_weight"]
    for _ in range(400):
        control.observe(torch.tensor([observed, 5.0]), ["duke", "bioptigen"], "duke")
        change = control.state["log_weight"] - previous
        assert 0 <= direction * change <= 0.05 + 1e-12
        previous = control.state["log_weight"]
    assert control.state["log_weight"] == pytest.approx(6.0 * direction)  # clamped at weight e^(+-6)


def test_batches_without_the_target_device_do_not_steer():
    control = RateControl(target_bpp=0.3)
    control.observe(torch.tensor([3.0, 3.0]), ["bioptigen", "spectralis"], "duke")
    assert control.state == {"log_weight": 0.0}


def test_the_controller_computes_what_train_py_computed_inline():
    """The loop body train.py had before the controller moved out, as the reference."""
    target, rate_step = 0.342, 0.03
    reference = {"log_weight": 0.0}
    control = RateControl(target_bpp=target, rate_step=rate_step)
    generator = torch.Generator().manual_seed(3)
    for _ in range(300):
        bpp_images = torch.rand(4, generator=generator)
        devices = ["duke" if bool(torch.rand(1, generator=generator) < 0.5) else "bioptigen" for _ in range(4)]
        steered = [i for i, d in enumerate(devices) if d == "duke"]
        if steered:
            observed = float(bpp_images[steered].mean())
            reference["ema"] = 0.98 * reference.get("ema", observed) + 0.02 * observed
            step_size = rate_step * max(-1.0, min(1.0, reference["ema"] / target - 1))
            reference["log_weight"] = min(6.0, max(-6.0, reference["log_weight"] + step_size))
        control.observe(bpp_images, devices, "duke")
        assert control.state == reference


def test_a_checkpointed_state_resumes():
    control = RateControl(target_bpp=0.3)
    control.observe(torch.tensor([0.9]), ["duke"], "duke")
    saved = dict(control.state)
    resumed = RateControl(target_bpp=0.3, state=dict(saved))
    control.observe(torch.tensor([0.9]), ["duke"], "duke")
    resumed.observe(torch.tensor([0.9]), ["duke"], "duke")
    assert resumed.state == control.state


def test_lesions_darken_cysts_brighten_foci_and_only_their_pixels_count():
    from octcodec.losses import insert_lesions, lesion_loss
    x = torch.full((3, 1, 64, 96), 0.5)
    x[:, :, :, 48:] = 0.2  # two levels, so that a focus is raised to the crop's 90th percentile (0.5)
    with_lesions, mask = insert_lesions(x, torch.Generator().manual_seed(3), per_image=5)
    changed = (with_lesions != x)
    assert changed.any()
    assert (mask[changed] > 0).all()  # nothing changes outside a lesion
    assert mask.sum() > 0 and float(mask.max()) == pytest.approx(1.0)
    # Cysts scale by 0.3 at their centres; foci never darken.
    assert float(with_lesions.min()) == pytest.approx(0.2 * 0.3, abs=1e-6) or float(with_lesions.min()) == \
        pytest.approx(0.5 * 0.3, abs=1e-6)
    # Middle half of the rows only.
    rows = mask.sum(dim=(0, 1, 3))
    assert rows[:16].sum() == 0 and rows[48 + 4:].sum() == 0
    # Seeded: the same generator state draws the same lesions.
    again, _ = insert_lesions(x, torch.Generator().manual_seed(3), per_image=5)
    assert torch.equal(again, with_lesions)
    # The loss is the mask-weighted squared error: 0 for a perfect copy, the error elsewhere ignored.
    y = with_lesions.clone()
    assert float(lesion_loss(with_lesions, y, mask)) == 0.0
    y[mask == 0] += 1.0
    assert float(lesion_loss(with_lesions, y, mask)) == 0.0
    y = with_lesions + 0.1
    assert float(lesion_loss(with_lesions, y, mask)) == pytest.approx(0.01, rel=1e-4)
    assert float(lesion_loss(x, x, torch.zeros_like(x))) == 0.0


def test_lesion_gaps_dim_the_bright_line_and_balanced_weights_sum_to_one_per_lesion():
    from octcodec.losses import insert_lesions, lesion_loss
    from octcodec.losses.lesions import GAP_ROWS
    x = torch.full((2, 1, 64, 96), 0.3)
    x[:, :, 40:43, :] = 0.9  # one bright thin line (an IS/OS) in the middle rows
    found_gap = False
    for seed in range(20):
        out, mask = insert_lesions(x, torch.Generator().manual_seed(seed), per_image=1, gaps=True, balanced=True)
        # One lesion a crop, so none overlaps. Balanced: each lesion's weights sum to 1 / (lesions in
        # the batch); all of them sum to one.
        assert float(mask.sum()) == pytest.approx(1.0, rel=1e-5)
        # A gap copies the rows 6 above (0.3) over the line's GAP_ROWS rows, the same columns in each.
        gap = out[:, 0, 40:40 + GAP_ROWS, :] == 0.3
        if gap.any():
            found_gap = True
            assert torch.equal(gap[:, 0], gap[:, 1]) and torch.equal(gap[:, 0], gap[:, 2])
            assert mask[:, 0, 40:40 + GAP_ROWS, :][gap].min() > 0
        # Loss: mean over lesions of each lesion's MSE, so a uniform error of 0.1 gives 0.01.
        assert float(lesion_loss(out, out + 0.1, mask)) == pytest.approx(0.01, rel=1e-4)
    assert found_gap
