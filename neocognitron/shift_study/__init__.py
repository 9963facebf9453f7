"""The building blocks of the shift-invariance study (``experiments/shift_invariance.py``).

:mod:`~neocognitron.shift_study.measures`
    every shift measure of one fitted classifier on one canvas (accuracy over a grid of
    shifts and by shift distance, consistency, change rate, representation similarity,
    robustness), and their mean and standard deviation over seeds;
:mod:`~neocognitron.shift_study.fukushima1980`
    the 1980 network against a CNN trained on the same shifted presentations;
:mod:`~neocognitron.shift_study.report`
    the study in words: the definitions of its numbers, its tables and ``results.md``.

The figures of the study are drawn by :mod:`neocognitron.plotting.shift_study`.
"""

from . import fukushima1980, measures, report
from .measures import (
    by_distance,
    canvas_grid,
    evaluate_shifts,
    mean_std,
    pad_to_canvas,
    perturbed_copies,
    robustness,
    shift_offsets,
    summarise,
)

__all__ = ["fukushima1980", "measures", "report", "by_distance", "canvas_grid",
           "evaluate_shifts", "mean_std", "pad_to_canvas", "perturbed_copies", "robustness",
           "shift_offsets", "summarise"]
