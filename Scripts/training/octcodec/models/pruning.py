"""A narrower decoder warm-started from a wider one (structured pruning).

`prune_decoder` maps a trained decoder's tensors onto a decoder of smaller widths (and a smaller or
equal output kernel): each up layer keeps the output channels that matter most, ranked by the norm of
their incoming weights times the norm of their outgoing weights in the next layer; the next layer's
inputs are sliced to match (the concatenated skip latents are always kept); a smaller output kernel
keeps the centre of the trained one. Fine-tuning then starts from a network that already decodes
(train.py --init-decoder ... --prune), which converges far faster than a fresh narrow decoder.
"""
from __future__ import annotations

import torch

UP = "decoder.ups.{}.conv.{}"
OUT = "decoder.out.conv.{}"
REFINE = "decoder.refine."


def _ranked(importance: torch.Tensor, keep: int) -> torch.Tensor:
    """Indices of the `keep` largest entries, in ascending index order (so the layout stays stable)."""
    return torch.sort(torch.topk(importance, keep).indices).values


def _layer_count(template: str, state: dict[str, torch.Tensor]) -> int:
    """How many layers 0, 1, ... of `template` (e.g. UP) `state` holds weights for."""
    count = 0
    while template.format(count, "weight") in state:
        count += 1
    return count


def prune_decoder(source: dict[str, torch.Tensor], target: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The decoder tensors of `target`'s shapes (a state dict, e.g. `Codec(arch).state_dict()`) taken
    from `source`'s wider decoder. Raises ValueError when the two are not the same decoder graph with
    `target` no wider than `source` everywhere."""
    needed = [k for k in target if k.startswith("decoder.") and not k.startswith("decoder.ups.")]
    missing = [k for k in needed if k not in source]
    if missing:
        raise ValueError(f"the source decoder has no {', '.join(missing)}")
    ups = _layer_count(UP, target)
    if ups == 0 or any(UP.format(i, "weight") not in source for i in range(ups)):
        raise ValueError("source and target decoders have different up layers")
    # ConvTranspose2d weights are (in, out, kh, kw); the output conv's (out, in, kh, kw).
    src_w = [source[UP.format(i, "weight")] for i in range(ups)]
    dst_w = [target[UP.format(i, "weight")] for i in range(ups)]
    out_src, out_dst = source[OUT.format("weight")], target[OUT.format("weight")]
    if out_dst.shape[-1] > out_src.shape[-1] or out_dst.shape[-2] > out_src.shape[-2]:
        raise ValueError("the target's output kernel is larger than the source's")

    # Kept output channels of each up layer.
    kept: list[torch.Tensor] = []
    for i in range(ups):
        s_out, t_out = src_w[i].shape[1], dst_w[i].shape[1]
        if t_out > s_out:
            raise ValueError(f"up layer {i} is wider in the target ({t_out} > {s_out})")
        incoming = src_w[i].transpose(0, 1).reshape(s_out, -1).norm(dim=1)
        following = src_w[i + 1][:s_out] if i + 1 < ups else out_src.transpose(0, 1)
        outgoing = following.reshape(s_out, -1).norm(dim=1)
        kept.append(_ranked(incoming * outgoing, t_out))

    result: dict[str, torch.Tensor] = {}
    for i in range(ups):
        rows = torch.arange(src_w[i].shape[0])
        if i > 0:
            # Inputs: the previous layer's outputs, then this level's skip latents (all kept).
            previous = src_w[i - 1].shape[1]
            skips = src_w[i].shape[0] - previous
            if dst_w[i].shape[0] - dst_w[i - 1].shape[1] != skips:
                raise ValueError(f"up layer {i} has different skip channels in source and target")
            rows = torch.cat([kept[i - 1], previous + torch.arange(skips)])
        weight = src_w[i][rows][:, kept[i]]
        if weight.shape != dst_w[i].shape:
            raise ValueError(f"up layer {i}: {tuple(weight.shape)} does not fit {tuple(dst_w[i].shape)}")
        result[UP.format(i, "weight")] = weight.clone()
        result[UP.format(i, "bias")] = source[UP.format(i, "bias")][kept[i]].clone()

    # Refinement blocks at the first up layer's width: both convolutions sliced to its kept channels.
    for name, value in target.items():
        if name.startswith(REFINE):
            weight = source[name]
            weight = weight[kept[0]]
            if weight.dim() == 4:
                weight = weight[:, kept[0]]
            if weight.shape != value.shape:
                raise ValueError(f"{name}: {tuple(weight.shape)} does not fit {tuple(value.shape)}")
            result[name] = weight.clone()

    # The output layer: the last up layer's kept channels, the centre of the kernel.
    kh, kw = out_dst.shape[-2:]
    top, left = (out_src.shape[-2] - kh) // 2, (out_src.shape[-1] - kw) // 2
    result[OUT.format("weight")] = out_src[:, kept[-1], top:top + kh, left:left + kw].clone()
    result[OUT.format("bias")] = source[OUT.format("bias")].clone()
    missing = [k for k in target if k.startswith("decoder.") and k not in result]
    if missing:
        raise ValueError(f"no pruned tensor for {missing}")
    return result


ENC = "encoder.layers.{}.conv.{}"
SKIP = "encoder.skips.z{}.conv.{}"
# Which encoder layer's output each skip latent reads (as in Encoder: z1 <- layer 4, z2 <- 3, z3 <- 2).
SKIP_SOURCES = {1: 4, 2: 3, 3: 2}


def prune_encoder(source: dict[str, torch.Tensor], target: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The encoder tensors of `target`'s shapes taken from `source`'s wider encoder: each hidden layer
    keeps the output channels with the largest norm of incoming weights times the norm of their
    outgoing weights (into the next layer and into the skip latent that reads the layer, if any); the
    latent layers keep every output channel. Distillation (train.py --distill-weight) then starts from
    an encoder whose latents are already close to the source's. Raises ValueError when the two are
    not the same encoder graph with `target` no wider than `source` everywhere."""
    layers = _layer_count(ENC, target)
    if layers < 2 or any(ENC.format(i, "weight") not in source for i in range(layers)):
        raise ValueError("source and target encoders have different layers")
    src_w = [source[ENC.format(i, "weight")] for i in range(layers)]
    dst_w = [target[ENC.format(i, "weight")] for i in range(layers)]
    skips = {j: i for j, i in SKIP_SOURCES.items() if SKIP.format(j, "weight") in target}
    if any(SKIP.format(j, "weight") not in source for j in skips):
        raise ValueError("the source encoder lacks a skip latent of the target")
    kept: list[torch.Tensor] = []
    for i in range(layers):
        s_out, t_out = src_w[i].shape[0], dst_w[i].shape[0]
        if t_out > s_out:
            raise ValueError(f"encoder layer {i} is wider in the target ({t_out} > {s_out})")
        if i == layers - 1 or t_out == s_out:
            kept.append(torch.arange(s_out))
            continue
        incoming = src_w[i].reshape(s_out, -1).norm(dim=1)
        outgoing = src_w[i + 1].transpose(0, 1).reshape(s_out, -1).norm(dim=1) ** 2
        for j, reads in skips.items():
            if reads == i:
                skip = source[SKIP.format(j, "weight")].transpose(0, 1).reshape(s_out, -1)
                outgoing = outgoing + skip.norm(dim=1) ** 2
        kept.append(_ranked(incoming * outgoing.sqrt(), t_out))
    result: dict[str, torch.Tensor] = {}
    for i in range(layers):
        weight = src_w[i][kept[i]]
        if i > 0:
            weight = weight[:, kept[i - 1]]
        if weight.shape != dst_w[i].shape:
            raise ValueError(f"encoder layer {i}: {tuple(weight.shape)} does not fit {tuple(dst_w[i].shape)}")
        result[ENC.format(i, "weight")] = weight.clone()
        result[ENC.format(i, "bias")] = source[ENC.format(i, "bias")][kept[i]].clone()
    for j, reads in skips.items():
        weight = source[SKIP.format(j, "weight")][:, kept[reads]]
        fits = target[SKIP.format(j, "weight")].shape
        if weight.shape != fits:
            raise ValueError(f"skip z{j}: {tuple(weight.shape)} does not fit {tuple(fits)}")
        result[SKIP.format(j, "weight")] = weight.clone()
        result[SKIP.format(j, "bias")] = source[SKIP.format(j, "bias")].clone()
    return result
