"""Training objectives (CompressAI's `losses`): distortion, estimated rate, and the controller that
steers the rate weight towards a target bit rate."""
from .rate_distortion import RateControl, bits_per_pixel, distortion_loss

__all__ = ["RateControl", "bits_per_pixel", "distortion_loss"]
