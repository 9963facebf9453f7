"""Fukushima's later neocognitrons for handwritten digits (2003, 2007)."""

from .estimator import NeocognitronClassifier

__all__ = ["NeocognitronClassifier"]
