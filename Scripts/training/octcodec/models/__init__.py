"""The codec networks (CompressAI's `models`): the architecture description, encoder, decoder, the
whole codec and the ablation's discriminator. Defined in `octcodec.model`, which stays importable."""
from ..model import Architecture, Codec, Conv, Decoder, Encoder, PatchDiscriminator, Residual

__all__ = ["Architecture", "Codec", "Conv", "Decoder", "Encoder", "PatchDiscriminator", "Residual"]
