"""Fukushima's later neocognitrons for handwritten digits (2003, 2007)."""

from .estimator import NeocognitronClassifier
from .params import ONE_LEARNED_STAGE

__all__ = ["NeocognitronClassifier", "ONE_LEARNED_STAGE"]
