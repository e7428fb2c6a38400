"""What the latents cost (CompressAI's `entropy_models`): the quantizer with its rate estimate, the
running symbol histograms of the learned quantizer, and the entropy tables a profile ships."""
from ..model import Quantizer
from ..statistics import symbol_counts
from .context import context_counts
from .symbol_statistics import SymbolStatistics

__all__ = ["Quantizer", "SymbolStatistics", "context_counts", "symbol_counts"]
