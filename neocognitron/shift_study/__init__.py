"""The building blocks of the shift-invariance study (``experiments/shift_invariance.py``).

:mod:`~neocognitron.shift_study.measures`
    every shift measure of one fitted classifier on one canvas (accuracy over a grid of
    shifts and by shift distance, consistency, change rate, representation similarity,
    robustness), their mean and standard deviation over seeds and their bootstrap
    intervals over test digits;
:mod:`~neocognitron.shift_study.outcomes`
    what each test digit did under zero-filled or circular shifts;
:mod:`~neocognitron.shift_study.bootstrap`
    percentile bootstrap intervals over test digits;
:mod:`~neocognitron.shift_study.controls`
    the neocognitron's test-time maximum over positions for any classifier, 1-NN on
    pixels, and ten class scores per digit for every model;
:mod:`~neocognitron.shift_study.models`
    the study's rows: the neocognitron, LeNet-5 and the controls;
:mod:`~neocognitron.shift_study.channels`
    the width of the global-pool CNNs, chosen on training digits;
:mod:`~neocognitron.shift_study.fukushima1980`
    the 1980 network against a CNN trained on the same shifted presentations;
:mod:`~neocognitron.shift_study.report`
    the study in words: the definitions of its numbers, its tables and ``results.md``.

The figures of the study are drawn by :mod:`neocognitron.plotting.shift_study`.
"""

from . import bootstrap, channels, controls, fukushima1980, measures, models, outcomes, report
from .measures import (
    by_distance,
    canvas_grid,
    collect_records,
    differences,
    evaluate_shifts,
    intervals,
    mean_std,
    pad_to_canvas,
    perturbed_copies,
    robustness,
    shift_offsets,
    summarise,
)

__all__ = ["bootstrap", "channels", "controls", "fukushima1980", "measures", "models",
           "outcomes", "report",
           "by_distance", "canvas_grid", "collect_records", "differences", "evaluate_shifts",
           "intervals",
           "mean_std", "pad_to_canvas", "perturbed_copies", "robustness", "shift_offsets",
           "summarise"]
