#!/usr/bin/env python3
"""Train one octarc codec profile (the networks of Guo, Li and Li 2019, octcodec/model.py).

Objective: L1 for a short warm-up, then lambda * (1 - MS-SSIM) + gan_weight * LSGAN generator loss
+ rate_weight * bits per pixel (octcodec/losses).
MS-SSIM alone for the first `--gan-start` steps (warm-up), then the 70x70 PatchGAN (spectral norm,
least-squares loss, its own Adam at `--d-lr`). Adam lr 2e-4, betas (0.5, 0.999), linear decay over the
second half. Checkpoints atomically every `--checkpoint-every` steps and on SIGTERM/SIGINT; run the
same command again to resume. Works on CPU (small crops, a time budget) and on a GPU (--device cuda).

Example (CPU, 2 threads, 2 hours of training):
  python3 Scripts/training/train.py --train data-cache/train.npz --dev data-cache/dev.npz \
      --latent-channels 32,16,4,1 --budget-minutes 120 --out runs/cr40
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from octcodec.data import CropSampler, load_pack  # noqa: E402
from octcodec.entropy_models import SymbolStatistics  # noqa: E402
from octcodec.losses import RateControl, bits_per_pixel, distortion_loss, insert_lesions, lesion_loss  # noqa: E402
from octcodec.model import Architecture, Codec, PatchDiscriminator  # noqa: E402
from octcodec.models.pruning import prune_decoder, prune_encoder  # noqa: E402
from octcodec.models.rescaling import rescale_latents  # noqa: E402
from octcodec.msssim import ms_ssim  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--train", type=Path, required=True, help="training pack (.npz of ROI bands)")
    p.add_argument("--dev", type=Path, required=True, help="dev pack, for validation only")
    p.add_argument("--out", type=Path, required=True, help="run folder (checkpoint, log)")
    p.add_argument("--arch", choices=("slim", "paper"), default="slim")
    p.add_argument("--latent-channels", default="32,8,4,2", help="C0,C1,C2,C3 (0 disables a skip)")
    p.add_argument("--refine-blocks", type=int, default=1)
    p.add_argument("--levels", type=int, default=7, help="quantizer levels L")
    p.add_argument("--quantizer", choices=("learned", "uniform"), default="learned",
                   help="learned: the paper's L learned centers; uniform: integer levels with a rate estimate")
    p.add_argument("--no-skips", action="store_true", help="ablation: no skip connections (C1=C2=C3=0)")
    p.add_argument("--widths", help="the encoder's widths W0,..,W4 (default: the slim architecture's)")
    p.add_argument("--decoder-widths", help="the decoder's own widths W0,..,W4 (default: the encoder's)")
    p.add_argument("--out-kernel", type=int, default=7, help="kernel of the decoder's last layer")
    p.add_argument("--freeze-encoder", action="store_true",
                   help="train the decoder alone: the encoder and quantizer of --init stay as they are, so the "
                        "latents, the entropy tables and the stored bytes do not change")
    p.add_argument("--init", type=Path, help="warm start from another run's checkpoint (matching tensors)")
    p.add_argument("--init-decoder", type=Path,
                   help="then take the decoder's tensors from this checkpoint or profile instead (matching "
                        "shapes), as trained, after any --latent-step: a decoder trained elsewhere behind "
                        "--init's encoder")
    p.add_argument("--latent-step", type=float, default=1.0,
                   help="quantize the --init codec's latents with this step (octcodec.models.rescaling): above 1 "
                        "fewer bytes, below 1 more; folded into the weights at the warm start, before "
                        "--init-decoder")
    p.add_argument("--prune", action="store_true",
                   help="with --init-decoder: narrow that (wider) decoder to --decoder-widths and --out-kernel, "
                        "keeping its most important channels, instead of taking matching tensors")
    p.add_argument("--prune-encoder", action="store_true",
                   help="narrow the (wider) encoder of --init to --widths, keeping its most important channels")
    p.add_argument("--freeze-decoder", action="store_true",
                   help="train the encoder alone behind --init's decoder (e.g. a cheaper encoder for it)")
    p.add_argument("--distill-weight", type=float, default=0.0,
                   help="weight of the squared difference between the latents and those of --init's encoder "
                        "(before quantization), so that a new encoder keeps the teacher's latents and rate")
    p.add_argument("--crop", type=int, default=192)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--steps", type=int, default=100000, help="stop after this many steps in all")
    p.add_argument("--budget-minutes", type=float, default=120,
                   help="total training wall time across resumes; the lr schedule (constant, then linear decay to 0 "
                        "over the second half) follows the fraction of it spent, so a busy machine still ends well")
    p.add_argument("--minutes", type=float, default=0, help="stop this session (resumable) after this wall time")
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--msssim-weight", type=float, default=100.0, help="the paper's lambda")
    p.add_argument("--mse-weight", type=float, default=0.0, help="weight of the mean squared error (0..1 intensities)")
    p.add_argument("--lesion-weight", type=float, default=0.0,
                   help="weight of the squared error over synthetic lesions drawn into each crop (0: none)")
    p.add_argument("--lesions-per-crop", type=int, default=4)
    p.add_argument("--lesion-gaps", action="store_true",
                   help="also draw 10- and 30-px gaps into the brightest thin line (IS/OS, RPE) of each crop")
    p.add_argument("--lesion-balanced", action="store_true",
                   help="weigh every lesion the same, whatever its size (default: every lesion pixel)")
    p.add_argument("--l1-warmup", type=int, default=300,
                   help="steps of L1 loss before MS-SSIM (MS-SSIM has no gradient at a random start)")
    p.add_argument("--gan-weight", type=float, default=0.0, help="0 disables the discriminator")
    p.add_argument("--gan-start", type=int, default=2000, help="MS-SSIM-only warm-up steps")
    p.add_argument("--d-lr", type=float, default=5e-5)
    p.add_argument("--density-lr", type=float, default=1e-2, help="learning rate of the rate model")
    p.add_argument("--rate-weight", type=float, default=0.0, help="weight of the estimated bits per pixel")
    p.add_argument("--target-bpp", type=float, default=0.0,
                   help="steer the rate weight so that the estimated bits per pixel of Duke crops reach this "
                        "(uniform quantizer); 0 keeps --rate-weight fixed")
    p.add_argument("--rate-device", default="duke", help="the device whose crops the rate target applies to")
    p.add_argument("--rate-step", type=float, default=0.005,
                   help="how fast --target-bpp steers: largest change of log(rate weight) per step")
    p.add_argument("--eval-every", type=int, default=500)
    p.add_argument("--checkpoint-every", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu")
    return p.parse_args(argv)


def architecture(args) -> Architecture:
    channels = tuple(int(c) for c in args.latent_channels.split(","))
    if args.no_skips:
        channels = (channels[0], 0, 0, 0)
    if args.arch == "paper":
        return Architecture.paper(channels)
    decoder = tuple(int(w) for w in args.decoder_widths.split(",")) if args.decoder_widths else None
    widths = tuple(int(w) for w in args.widths.split(",")) if args.widths else Architecture.widths
    return Architecture(widths=widths, latent_channels=channels, refine_blocks=args.refine_blocks,
                        levels=args.levels, quantizer=args.quantizer, decoder_widths=decoder,
                        out_kernel=args.out_kernel)


def load_state(path: Path) -> dict[str, torch.Tensor]:
    """The tensors of another run's checkpoint.pt, or of a shipped profile's folder (its
    weights.safetensors: the networks only)."""
    if path.is_dir():
        from octcodec import safetensors
        return {k: torch.from_numpy(v.copy()) for k, v in safetensors.load(path / "weights.safetensors").items()}
    return torch.load(path, map_location="cpu", weights_only=False)["model"]


def matching(state: dict[str, torch.Tensor], own: dict[str, torch.Tensor], prefix: str = "") -> dict[str, torch.Tensor]:
    """The tensors of `state` whose names start with `prefix` and that `own` has, in the same shape."""
    return {k: v for k, v in state.items() if k.startswith(prefix) and k in own and own[k].shape == v.shape}


def load_teacher(path: Path, device) -> Codec:
    """The codec of a run's checkpoint or a profile folder, frozen, for --distill-weight."""
    if path.is_dir():
        arch = Architecture.from_json(json.loads((path / "profile.json").read_text())["architecture"])
    else:
        arch = Architecture.from_json(torch.load(path, map_location="cpu", weights_only=False)["arch"])
    teacher = Codec(arch)
    own = teacher.state_dict()
    own.update(matching(load_state(path), own))
    teacher.load_state_dict(own)
    teacher.to(device, memory_format=torch.channels_last).eval()
    for param in teacher.parameters():
        param.requires_grad_(False)
    return teacher


def load_init(model: Codec, path: Path, prefix: str = "", prune: bool = False, prune_encoder_too: bool = False):
    """Matching tensors from another run's checkpoint.pt, or from a shipped profile's folder (its
    weights.safetensors: the networks only; the rate model starts afresh). With `prefix`, only the
    tensors whose names start with it. With `prune`, the decoder of `path` is narrowed to this
    model's decoder widths instead, and with `prune_encoder_too` its encoder to this model's widths
    (octcodec.models.pruning)."""
    state = load_state(path)
    own = model.state_dict()
    if prune:
        try:
            taken = prune_decoder(state, own)
        except ValueError as error:
            sys.exit(f"train.py: cannot prune the decoder of {path} to this architecture: {error}")
    else:
        taken = matching(state, own, prefix)
    if prune_encoder_too:
        try:
            taken |= prune_encoder(state, own)
        except ValueError as error:
            sys.exit(f"train.py: cannot prune the encoder of {path} to this architecture: {error}")
    if prefix and not taken:
        sys.exit(f"train.py: {path} holds no {prefix}* tensor of this architecture's shapes")
    own.update(taken)
    model.load_state_dict(own)
    print(f"warm start: {len(taken)}/{len(own)} tensors from {path}", flush=True)


@torch.no_grad()
def evaluate(model: Codec, bands, device) -> dict:
    model.eval()
    per_device: dict[str, list[float]] = {}
    for b in bands:
        h, w = b.pixels.shape
        if h < 176 or w < 176:
            continue
        x = torch.from_numpy(b.pixels).view(1, 1, h, w).to(device)
        y = model.reconstruct(x)
        per_device.setdefault(b.device, []).append(float(ms_ssim(x, y)[0]))
    model.train()
    return {d: float(np.mean(v)) for d, v in per_device.items()}


def save_atomic(obj, path: Path):
    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def warm_start(model, args):
    """Loads --init into `model`, rescales its latents to --latent-step, then takes --init-decoder's decoder.

    The rescaling comes before the other decoder: that decoder is taken as it was trained, at its own
    profile's step, which is how one encoder is put in front of a decoder trained at a coarser step (a
    light encoder for cr80lt: --init cr50le --latent-step 1.15 --init-decoder cr80lt). Exits with a message
    naming --latent-step for a step that rescale_latents refuses."""
    load_init(model, args.init, prune_encoder_too=args.prune_encoder)
    if args.latent_step != 1.0:
        try:
            rescale_latents(model, args.latent_step)
        except ValueError as error:
            sys.exit(f"train.py: --latent-step {args.latent_step}: {error}")
        print(f"latents rescaled: quantization step {args.latent_step}", flush=True)
    if args.init_decoder:
        load_init(model, args.init_decoder, prefix="decoder.", prune=args.prune)


def main(argv=None):
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    args.out.mkdir(parents=True, exist_ok=True)
    ckpt_path = args.out / "checkpoint.pt"

    train_bands = load_pack(args.train)
    dev_bands = load_pack(args.dev)
    sampler = CropSampler(train_bands, args.crop, args.seed)
    arch = architecture(args)
    model = Codec(arch).to(device, memory_format=torch.channels_last)
    disc = PatchDiscriminator().to(device) if args.gan_weight > 0 else None
    if args.init_decoder and not args.init:
        sys.exit("train.py: --init-decoder needs --init (the rest of the codec)")
    if args.latent_step != 1.0 and not args.init:
        sys.exit("train.py: --latent-step needs --init (the codec whose latents it rescales)")
    if args.prune and not args.init_decoder:
        sys.exit("train.py: --prune needs --init-decoder (the decoder to narrow)")
    if args.prune_encoder and not args.init:
        sys.exit("train.py: --prune-encoder needs --init (the encoder to narrow)")
    if args.distill_weight and not args.init:
        sys.exit("train.py: --distill-weight needs --init (the encoder to learn from)")
    if args.freeze_decoder:
        if not args.init or args.freeze_encoder:
            sys.exit("train.py: --freeze-decoder needs --init (the decoder to keep) and not --freeze-encoder")
        for name, param in model.named_parameters():
            if name.startswith("decoder."):
                param.requires_grad_(False)
    teacher = load_teacher(args.init, device) if args.distill_weight else None
    if args.freeze_encoder:
        if not args.init:
            sys.exit("train.py: --freeze-encoder needs --init (the encoder to keep)")
        if args.target_bpp or args.rate_weight:
            sys.exit("train.py: --freeze-encoder trains no rate: leave --target-bpp and --rate-weight at 0")
        for name, param in model.named_parameters():
            if not name.startswith("decoder."):
                param.requires_grad_(False)
    # The rate model's few parameters (per-channel location and scale) get a much higher learning rate:
    # at the generator's rate they would take thousands of steps to fit the latents.
    trained = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    density = [p for n, p in trained if n.startswith("quantizer.density")]
    others = [p for n, p in trained if not n.startswith("quantizer.density")]
    opt = torch.optim.Adam([{"params": others, "base_lr": args.lr},
                            {"params": density, "base_lr": args.density_lr}], lr=args.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=args.d_lr, betas=(0.5, 0.999)) if disc else None
    stats = SymbolStatistics(arch)
    step, elapsed, history = 0, 0.0, []
    # The rate weight: fixed (--rate-weight) or steered towards --target-bpp.
    rate_control = RateControl(args.rate_weight, args.target_bpp, args.rate_step)
    # Where the synthetic lesions go (--lesion-weight): seeded, and resumed with the rest.
    lesion_rng = torch.Generator().manual_seed(args.seed)

    if ckpt_path.exists():
        ck = torch.load(ckpt_path, map_location=device, weights_only=False)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        if disc and ck.get("disc"):
            disc.load_state_dict(ck["disc"])
            opt_d.load_state_dict(ck["opt_d"])
        stats.counts = ck["stats"]
        sampler.restore(ck["sampler"])
        step, elapsed, history = ck["step"], ck["elapsed"], ck["history"]
        rate_control.state = ck.get("rate_control", rate_control.state)
        if ck.get("lesion_rng") is not None:
            lesion_rng.set_state(ck["lesion_rng"])
        torch.set_rng_state(ck["torch_rng"])
        print(f"resumed at step {step} ({elapsed / 60:.1f} min trained)", flush=True)
    elif args.init:
        warm_start(model, args)

    def checkpoint():
        save_atomic({
            "model": model.state_dict(), "opt": opt.state_dict(),
            "disc": disc.state_dict() if disc else None, "opt_d": opt_d.state_dict() if opt_d else None,
            "stats": stats.counts, "sampler": sampler.state(), "step": step, "elapsed": elapsed,
            "history": history, "torch_rng": torch.get_rng_state(), "rate_control": rate_control.state,
            "lesion_rng": lesion_rng.get_state(),
            "arch": arch.to_json(),
            "args": {k: str(v) for k, v in vars(args).items()},
            "hardware": f"{device.type}, {args.threads} threads" + (
                f", {torch.cuda.get_device_name()}" if device.type == "cuda" else ""),
        }, ckpt_path)

    stop = {"now": False}

    def on_signal(signum, frame):
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    t0 = time.time() - elapsed
    session_start = time.time()
    log = open(args.out / "log.jsonl", "a")
    budget = args.budget_minutes * 60
    while step < args.steps and elapsed < budget and not stop["now"]:
        if args.minutes and time.time() - session_start > args.minutes * 60:
            break
        progress = max(step / args.steps, elapsed / budget)
        lr_scale = 1.0 if progress < 0.5 else max(0.0, 2.0 * (1 - progress))
        for g in opt.param_groups:
            g["lr"] = g["base_lr"] * lr_scale
        x, devices = sampler.batch(args.batch)
        lesions = None
        if args.lesion_weight > 0:
            x, lesions = insert_lesions(x, lesion_rng, args.lesions_per_crop, args.lesion_gaps,
                                        args.lesion_balanced)
        x = x.to(device, memory_format=torch.channels_last)
        y, z, rate = model(x)
        msssim = ms_ssim(x, y)
        loss = distortion_loss(x, y, msssim, step, args.l1_warmup, args.msssim_weight, args.mse_weight)
        if lesions is not None:
            loss = loss + args.lesion_weight * lesion_loss(x, y, lesions.to(device))
        if teacher is not None:
            with torch.no_grad():
                target = teacher.encoder(x)
            loss = loss + args.distill_weight * sum(((z[n] - target[n]) ** 2).mean() for n in z)
        bpp_images = bits_per_pixel(rate, arch.quantizer == "uniform", x[0].numel(), x.shape[0], stats)
        bpp = bpp_images.mean()
        rate_control.observe(bpp_images, devices, args.rate_device)
        if rate_control.active:
            loss = loss + rate_control.penalty(bpp.to(device))
        gan_on = disc is not None and step >= args.gan_start
        if gan_on:
            loss = loss + args.gan_weight * ((disc(y) - 1) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        d_loss = 0.0
        if gan_on:
            real, fake = disc(x), disc(y.detach())
            dl = 0.5 * (((real - 1) ** 2).mean() + (fake ** 2).mean())
            opt_d.zero_grad(set_to_none=True)
            dl.backward()
            opt_d.step()
            d_loss = float(dl)
        step += 1
        elapsed = time.time() - t0
        if step % 50 == 0:
            rec = {"step": step, "min": round(elapsed / 60, 2), "loss": round(loss.item(), 4),
                   "msssim": round(float(msssim.detach().mean()), 5), "bpp_est": round(float(bpp.detach()), 4),
                   "rate_weight": round(rate_control.weight, 4),
                   "d_loss": round(d_loss, 4), "lr": args.lr * lr_scale}
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n")
            log.flush()
        if step % args.eval_every == 0:
            ev = evaluate(model, dev_bands, device)
            history.append({"step": step, "dev_msssim": ev})
            print(json.dumps({"step": step, "dev_msssim": ev}), flush=True)
        if step % args.checkpoint_every == 0:
            checkpoint()
    done = step >= args.steps or elapsed >= budget
    if done:
        history.append({"step": step, "dev_msssim": evaluate(model, dev_bands, device)})
    checkpoint()
    print(json.dumps({"stopped_at": step, "finished": done, "minutes": round(elapsed / 60, 1)}), flush=True)


if __name__ == "__main__":
    main()
