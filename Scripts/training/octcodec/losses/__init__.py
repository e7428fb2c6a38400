"""Training objectives (CompressAI's `losses`): distortion, estimated rate, the controller that steers
the rate weight towards a target bit rate, and synthetic lesions with their loss term."""
from .lesions import insert_lesions, lesion_loss
from .rate_distortion import RateControl, bits_per_pixel, distortion_loss

__all__ = ["RateControl", "bits_per_pixel", "distortion_loss", "insert_lesions", "lesion_loss"]
