"""The codec networks of Guo, Li and Li (2019), parameterised so that one description builds both the
PyTorch modules used in training and the graph in profile.json that the Swift engine runs.

Encoder ("compression CNN"): a 7x7 convolution at full resolution, then five stride-2 convolutions down
to H/32 x W/32 x C0. Three skip connections from encoder layers 3, 4 and 5 (H/4, H/8, H/16) are reduced
by 1x1 convolutions to C3, C2, C1 channels. All four outputs are quantized to L levels.
Decoder ("reconstruction CNN"): the mirror image with transposed convolutions and ReLU; each dequantized
skip tensor is concatenated to the decoder features of the same resolution.
"""
from __future__ import annotations

import dataclasses
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclasses.dataclass
class Architecture:
    """Widths and latent channels of a codec. `widths[i]` is the output width of encoder layer i+1
    (layer 6 outputs `latent_channels[0]`). `latent_channels` = (C0 at H/32, C1 at H/16, C2 at H/8,
    C3 at H/4); a zero disables that skip connection. `down_kernel` is the kernel of the stride-2
    layers (paper-width networks: 4, slim: 3). `refine_blocks` residual blocks follow the first
    decoder layer (H/16), where they are cheap. The slim widths keep the full- and half-resolution
    layers narrow: they dominate the cost, and despeckled OCT has little detail there to carry.
    `decoder_widths` (default: `widths`) sets the decoder's widths on their own and `out_kernel` its
    last layer's kernel: encoding runs once per archive, decoding on every read, so a decoder can be
    made cheaper than the encoder that feeds it (the same latents, hence the same entropy tables)."""

    name: str = "slim"
    widths: tuple[int, ...] = (16, 32, 64, 128, 128)
    latent_channels: tuple[int, int, int, int] = (32, 8, 4, 2)
    down_kernel: int = 3
    levels: int = 7
    refine_blocks: int = 1
    quantizer: str = "learned"
    decoder_widths: tuple[int, ...] | None = None
    out_kernel: int = 7

    @staticmethod
    def paper(latent_channels=(64, 16, 8, 4)) -> Architecture:
        return Architecture("paper", (64, 128, 256, 512, 512), tuple(latent_channels), 4, 7, 0, "learned")

    def to_json(self) -> dict:
        d = dataclasses.asdict(self)
        # Written only when they differ from the defaults, so that older profiles stay byte-identical.
        if d["decoder_widths"] is None:
            del d["decoder_widths"]
        if d["out_kernel"] == 7:
            del d["out_kernel"]
        return d

    @staticmethod
    def from_json(d: dict) -> Architecture:
        d = dict(d)
        d["widths"] = tuple(d["widths"])
        d["latent_channels"] = tuple(d["latent_channels"])
        if d.get("decoder_widths") is not None:
            d["decoder_widths"] = tuple(d["decoder_widths"])
        return Architecture(**d)

    # Latent tensors: name, channels, stride relative to the input.
    def latents(self) -> list[tuple[str, int, int]]:
        strides = (32, 16, 8, 4)
        return [(f"z{i}", c, s) for i, (c, s) in enumerate(zip(self.latent_channels, strides)) if c > 0]

    def symbols_per_pixel(self) -> float:
        return sum(c / (s * s) for _, c, s in self.latents())

    def codec_cr(self, bits_per_pixel: int = 8) -> float:
        """The paper's eq. (1): input bits / (latent symbols x log2 L)."""
        return bits_per_pixel / (self.symbols_per_pixel() * math.log2(self.levels))


class Conv(nn.Module):
    """A convolution (or transposed convolution) with a fused activation, as the Swift engine runs it."""

    def __init__(self, cin, cout, k, stride=1, padding=0, transposed=False, activation="none"):
        super().__init__()
        cls = nn.ConvTranspose2d if transposed else nn.Conv2d
        self.conv = cls(cin, cout, k, stride=stride, padding=padding)
        self.transposed = transposed
        self.activation = activation

    def forward(self, x):
        x = self.conv(x)
        if self.activation == "relu":
            return F.relu(x)
        if self.activation == "leaky_relu":
            return F.leaky_relu(x, 0.2)
        return x

    def node(self, name: str, inputs: list[str], prefix: str) -> dict:
        c = self.conv
        node = {
            "name": name,
            "op": "conv_transpose2d" if self.transposed else "conv2d",
            "inputs": inputs,
            "weight": f"{prefix}.conv.weight",
            "bias": f"{prefix}.conv.bias",
            "kernel": list(c.kernel_size),
            "stride": list(c.stride),
            "padding": list(c.padding),
            "activation": self.activation,
        }
        if self.activation == "leaky_relu":
            node["alpha"] = 0.2
        return node


class Residual(nn.Module):
    """x + conv(relu(conv(x))): a refinement block at one resolution."""

    def __init__(self, width):
        super().__init__()
        self.a = Conv(width, width, 3, padding=1, activation="relu")
        self.b = Conv(width, width, 3, padding=1)

    def forward(self, x):
        return x + self.b(self.a(x))

    def nodes(self, name, x, prefix) -> tuple[list[dict], str]:
        a = self.a.node(f"{name}_a", [x], f"{prefix}.a")
        b = self.b.node(f"{name}_b", [a["name"]], f"{prefix}.b")
        add = {"name": name, "op": "add", "inputs": [x, b["name"]]}
        return [a, b, add], name


class Encoder(nn.Module):
    def __init__(self, arch: Architecture):
        super().__init__()
        self.arch = arch
        w = arch.widths
        k = arch.down_kernel
        p = (k - 1) // 2 if k % 2 == 1 else 1
        self.layers = nn.ModuleList([Conv(1, w[0], 7, padding=3, activation="leaky_relu")])
        for i in range(1, 5):
            self.layers.append(Conv(w[i - 1], w[i], k, stride=2, padding=p, activation="leaky_relu"))
        self.layers.append(Conv(w[4], arch.latent_channels[0], k, stride=2, padding=p))
        # Skips from layers 5, 4, 3 (H/16, H/8, H/4) -> C1, C2, C3.
        self.skips = nn.ModuleDict()
        for j, layer in ((1, 5), (2, 4), (3, 3)):
            if arch.latent_channels[j] > 0:
                self.skips[f"z{j}"] = Conv(w[layer - 1], arch.latent_channels[j], 1)

    def forward(self, x) -> dict[str, torch.Tensor]:
        feats = []
        for layer in self.layers:
            x = layer(x)
            feats.append(x)
        out = {"z0": feats[5]}
        for j, layer in ((1, 5), (2, 4), (3, 3)):
            if f"z{j}" in self.skips:
                out[f"z{j}"] = self.skips[f"z{j}"](feats[layer - 1])
        return out

    def graph(self) -> dict:
        nodes, x = [], "image"
        names = []
        for i, layer in enumerate(self.layers):
            name = "z0" if i == 5 else f"e{i + 1}"
            nodes.append(layer.node(name, [x], f"encoder.layers.{i}"))
            x = name
            names.append(name)
        for j, layer in ((1, 5), (2, 4), (3, 3)):
            if f"z{j}" in self.skips:
                nodes.append(self.skips[f"z{j}"].node(f"z{j}", [names[layer - 1]], f"encoder.skips.z{j}"))
        return {
            "inputs": [{"name": "image", "channels": 1}],
            "outputs": [n for n, _, _ in self.arch.latents()],
            "nodes": nodes,
        }


class Decoder(nn.Module):
    def __init__(self, arch: Architecture):
        super().__init__()
        self.arch = arch
        w = arch.decoder_widths or arch.widths
        c = arch.latent_channels
        # Up layers: H/32 -> H/16 -> H/8 -> H/4 -> H/2 -> H. Input widths include concatenated skips.
        ins = [c[0], w[4] + c[1], w[3] + c[2], w[2] + c[3], w[1]]
        outs = [w[4], w[3], w[2], w[1], w[0]]
        self.ups = nn.ModuleList(
            Conv(i, o, 4, stride=2, padding=1, transposed=True, activation="relu") for i, o in zip(ins, outs)
        )
        self.refine = nn.ModuleList(Residual(outs[0]) for _ in range(arch.refine_blocks))
        self.out = Conv(w[0], 1, arch.out_kernel, padding=arch.out_kernel // 2)

    def _refiners(self, level: int):
        return list(range(self.arch.refine_blocks)) if level == 0 else []

    def forward(self, z: dict[str, torch.Tensor]) -> torch.Tensor:
        x = z["z0"]
        for level, up in enumerate(self.ups):
            x = up(x)
            for r in self._refiners(level):
                x = self.refine[r](x)
            skip = f"z{level + 1}"
            if level < 3 and skip in z:
                x = torch.cat([x, z[skip]], dim=1)
        return self.out(x)

    def graph(self) -> dict:
        nodes, x = [], "z0"
        for level, up in enumerate(self.ups):
            name = f"d{level + 1}"
            nodes.append(up.node(name, [x], f"decoder.ups.{level}"))
            x = name
            for r in self._refiners(level):
                block, x = self.refine[r].nodes(f"r{r + 1}", x, f"decoder.refine.{r}")
                nodes += block
            skip = f"z{level + 1}"
            if level < 3 and self.arch.latent_channels[level + 1] > 0:
                nodes.append({"name": f"{name}_cat", "op": "concat", "inputs": [x, skip]})
                x = f"{name}_cat"
        out = self.out.node("image", [x], "decoder.out")
        out["activation"] = "clip"
        out["clip"] = [0.0, 1.0]
        nodes.append(out)
        return {
            "inputs": [{"name": n, "channels": ch} for n, ch, _ in self.arch.latents()],
            "outputs": ["image"],
            "nodes": nodes,
        }


class Quantizer(nn.Module):
    """Scalar quantizer with L levels.

    `learned` (the paper's, Agustsson et al. 2017): L learned centers, soft assignment (softmax over
    -sigma * distance^2) in the backward pass, the nearest center in the forward value (straight-through).
    `uniform`: the integers -(L-1)/2 ... (L-1)/2 as fixed centers, rounding with a straight-through
    gradient, and a per-channel logistic density (learned location and scale) that estimates the bits a
    static per-channel entropy table will spend, so that training can trade rate against distortion.
    """

    def __init__(self, levels: int = 7, kind: str = "learned", channels: dict[str, int] | None = None):
        super().__init__()
        self.kind = kind
        self.levels = levels
        if kind == "learned":
            self.centers = nn.Parameter(torch.linspace(-1.5, 1.5, levels))
        else:
            self.register_buffer("centers", torch.arange(levels, dtype=torch.float32) - (levels - 1) / 2)
            self.density = nn.ParameterDict({
                name: nn.Parameter(torch.zeros(2, c)) for name, c in (channels or {}).items()})
        self.sigma = 1.0

    def sorted_centers(self) -> torch.Tensor:
        return torch.sort(self.centers.detach())[0]

    def symbols(self, z: torch.Tensor) -> torch.Tensor:
        """Index of the nearest sorted center, as the Swift quantizer computes it."""
        c = self.sorted_centers()
        return torch.argmin((z.unsqueeze(-1) - c).abs(), dim=-1)

    def forward(self, z: torch.Tensor, name: str) -> tuple[torch.Tensor, torch.Tensor]:
        """The quantized tensor (straight-through) and, per image, the estimated bits (uniform) or the
        soft assignments (learned)."""
        if self.kind == "learned":
            d = (z.unsqueeze(-1) - self.centers) ** 2
            soft_p = torch.softmax(-self.sigma * d, dim=-1)
            soft = (soft_p * self.centers).sum(-1)
            hard = self.centers[torch.argmin(d, dim=-1)]
            return soft + (hard - soft).detach(), soft_p
        half = (self.levels - 1) / 2
        zc = z.clamp(-half, half)
        q = zc + (torch.round(zc) - zc).detach()
        loc, log_scale = self.density[name]
        loc = loc.view(1, -1, 1, 1)
        scale = torch.exp(log_scale).view(1, -1, 1, 1) + 0.05
        upper = torch.sigmoid((q + 0.5 - loc) / scale)
        lower = torch.sigmoid((q - 0.5 - loc) / scale)
        # The extreme levels take the whole tail, as a table over the L levels does.
        upper = torch.where(q >= half, torch.ones_like(upper), upper)
        lower = torch.where(q <= -half, torch.zeros_like(lower), lower)
        bits = -torch.log2((upper - lower).clamp_min(1e-9))
        return q, bits.flatten(1).sum(1)


class Codec(nn.Module):
    def __init__(self, arch: Architecture):
        super().__init__()
        self.arch = arch
        self.encoder = Encoder(arch)
        self.decoder = Decoder(arch)
        self.quantizer = Quantizer(arch.levels, arch.quantizer, {n: c for n, c, _ in arch.latents()})

    def forward(self, x):
        """Reconstruction, latents, and per latent the quantizer's rate information (see Quantizer)."""
        z = self.encoder(x)
        zq, rate = {}, {}
        for name, t in z.items():
            zq[name], rate[name] = self.quantizer(t, name)
        return self.decoder(zq), z, rate

    @torch.no_grad()
    def reconstruct(self, x):
        """Inference as the product runs it: hard quantization to sorted centers, output clipped."""
        c = self.quantizer.sorted_centers()
        z = self.encoder(x)
        zq = {n: c[self.quantizer.symbols(t)] for n, t in z.items()}
        return self.decoder(zq).clamp(0, 1)


class PatchDiscriminator(nn.Module):
    """70x70 PatchGAN (pix2pix): four 4x4 convolutions (three of stride 2), LeakyReLU 0.2, then a one-channel
    map. Spectral norm replaces instance norm: it keeps the discriminator from winning outright, which
    collapsed the generator in an earlier attempt. Outputs logits (the least-squares loss needs no sigmoid)."""

    def __init__(self, base: int = 32):
        super().__init__()
        sn = nn.utils.spectral_norm
        w = [base, base * 2, base * 4, base * 8]
        layers, cin = [], 1
        for i, cout in enumerate(w):
            stride = 2 if i < 3 else 1
            layers += [sn(nn.Conv2d(cin, cout, 4, stride, 1)), nn.LeakyReLU(0.2, True)]
            cin = cout
        layers.append(sn(nn.Conv2d(cin, 1, 4, 1, 1)))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)
