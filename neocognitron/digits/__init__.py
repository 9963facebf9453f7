"""Fukushima's later neocognitrons for handwritten digits (2003, 2007)."""

from .estimator import NeocognitronClassifier
from .params import DEEP, FUKUSHIMA2003, ONE_LEARNED_STAGE

__all__ = ["DEEP", "FUKUSHIMA2003", "NeocognitronClassifier", "ONE_LEARNED_STAGE"]
