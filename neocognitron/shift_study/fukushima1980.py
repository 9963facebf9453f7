"""The 1980 network against a CNN trained on the same shifted presentations.

``Neocognitron.fukushima1980(random_state=seed)`` self-organises without a teacher on the
patterns "0"-"4" (16×16), each presented 20 times at a random shift of at most 2 pixels.
A LeNet-5 (``ConvNetClassifier``, 16×16 input) is trained with labels on exactly the same
presentations: the same shifted images in the same order, from
:meth:`Neocognitron.presentations`, the code ``Neocognitron.fit`` draws them with. Both are
tested on every shift of the patterns with ``|dy|, |dx| <= max_shift`` (3 keeps the ink of
the 1980 patterns on the input).

The 1980 network has no classes; its measure is the one of the paper and of
:mod:`neocognitron.fukushima1980.evaluation`: the fraction of shifted patterns that keep
the unshifted pattern's winning UC3 cell (``Neocognitron.winners``, the most active top
C-cell), by the one rule :func:`~neocognitron.fukushima1980.evaluation.kept` (a pattern
whose unshifted input leaves every UC3 cell silent is never kept). The CNN's measures: the
fraction classified correctly, and the fraction given the same class as the unshifted
pattern.
"""

import time

import numpy as np

from ..cnn import ConvNetClassifier
from ..fukushima1980.evaluation import distinct, kept
from ..fukushima1980.network import Neocognitron
from ..metrics import accuracy_by_shift
from .measures import by_distance, mean_std

__all__ = ["KeptPredictor", "WinnerClassPredictor", "compare_with_cnn", "summarise_runs",
           "MEASURES"]

#: (model, measures) of :func:`compare_with_cnn`
MEASURES = (("neocognitron1980", ("same_cell", "class_accuracy")),
            ("cnn", ("accuracy", "same_prediction")))


class KeptPredictor:
    """A fitted 1980 network as a "classifier" answering whether each input keeps its
    pattern's top C-cell.

    Parameters
    ----------
    net : fitted Neocognitron
    winners : ndarray of int, shape (n_patterns,)
        ``net.winners(patterns)``.

    ``predict(X)``, for ``X`` holding one variant of each pattern in pattern order, is
    :func:`~neocognitron.fukushima1980.evaluation.kept` of ``winners`` and
    ``net.winners(X)``: True where the variant keeps its pattern's cell.
    """

    def __init__(self, net, winners):
        self.net = net
        self.winners = np.asarray(winners)

    def predict(self, X):
        return kept(self.winners, self.net.winners(X))


class WinnerClassPredictor:
    """Maps the winning top C-cell to the pattern whose unshifted input alone won it.

    Parameters
    ----------
    net : fitted Neocognitron
    winners : ndarray of int, shape (n_patterns,)
        ``net.winners(patterns)``. A cell won by exactly one pattern maps to that
        pattern's index; every other winner (shared, or -1) predicts -1.
    """

    def __init__(self, net, winners):
        self.net = net
        cells, counts = np.unique(winners[winners >= 0], return_counts=True)
        self.cell_to_class = {int(c): int(np.flatnonzero(winners == c)[0])
                              for c, k in zip(cells, counts, strict=True) if k == 1}

    def predict(self, X):
        return np.array([self.cell_to_class.get(int(w), -1) for w in self.net.winners(X)])


def compare_with_cnn(patterns, seed, cnn_params=None, max_shift=3):
    """Fit the 1980 network and a CNN on the same presentations; measure both on shifts.

    Parameters
    ----------
    patterns : ndarray, shape (n, 16, 16)
        The training patterns (e.g. ``fukushima1980_patterns()``); their index is the
        CNN's class.
    seed : int
        ``random_state`` of both models (the network's draws its presentations).
    cnn_params : dict, optional
        More parameters of the ``ConvNetClassifier``.
    max_shift : int
        Test on every shift with ``|dy|, |dx| <= max_shift``.

    Returns
    -------
    dict
        ``seed``, ``winners`` (the network's winners on the unshifted patterns),
        ``distinct`` (a different live cell per pattern, :func:`distinct`),
        ``cnn_train_accuracy``, ``presentation_shifts_seen``, ``fit_seconds``, and for
        each model and measure of :data:`MEASURES` the ``grid`` of fractions over the
        shifts, its ``mean``, the ``distances`` and the fraction ``by_distance``
        (:func:`by_distance`).
    """
    t0 = time.perf_counter()
    net = Neocognitron.fukushima1980(random_state=seed).fit(patterns)
    fit_net = time.perf_counter() - t0
    Xp, yp, _ = net.presentations(patterns)
    t0 = time.perf_counter()
    cnn = ConvNetClassifier(random_state=seed, **(cnn_params or {})).fit(Xp, yp)
    fit_cnn = time.perf_counter() - t0
    classes = np.arange(len(patterns))
    w0 = net.winners(patterns)
    every_kept = np.ones(len(patterns), dtype=bool)
    measures = {
        "neocognitron1980": {
            "same_cell": accuracy_by_shift(KeptPredictor(net, w0), patterns, every_kept,
                                           max_shift),
            "class_accuracy": accuracy_by_shift(WinnerClassPredictor(net, w0), patterns,
                                                classes, max_shift),
        },
        "cnn": {
            "accuracy": accuracy_by_shift(cnn, patterns, classes, max_shift),
            "same_prediction": accuracy_by_shift(cnn, patterns, cnn.predict(patterns),
                                                 max_shift),
        },
    }
    out = {"seed": seed, "winners": w0.tolist(),
           "distinct": distinct(w0),
           "cnn_train_accuracy": float(np.mean(cnn.predict(Xp) == yp)),
           "presentation_shifts_seen": int(len(Xp)),
           "fit_seconds": {"neocognitron1980": round(fit_net, 2), "cnn": round(fit_cnn, 2)}}
    for model, ms in measures.items():
        out[model] = {}
        for key, r in ms.items():
            dists, acc_d = by_distance(r["shifts"], r["accuracy"])
            out[model][key] = {"grid": r["grid"], "mean": float(np.mean(r["accuracy"])),
                               "distances": dists, "by_distance": acc_d}
    return out


def summarise_runs(runs):
    """Mean and standard deviation over seeds of :func:`compare_with_cnn` results.

    Returns, per model and measure, :func:`mean_std` of ``by_distance``, ``grid`` and
    ``mean``; and ``distances`` and ``n_distinct`` (seeds with a different cell per
    pattern).
    """
    out = {}
    for model, keys in MEASURES:
        out[model] = {k: {"by_distance": mean_std([r[model][k]["by_distance"] for r in runs]),
                          "grid": mean_std([r[model][k]["grid"] for r in runs]),
                          "mean": mean_std([r[model][k]["mean"] for r in runs])}
                      for k in keys}
    out["distances"] = runs[0]["cnn"]["accuracy"]["distances"]
    out["n_distinct"] = int(sum(r["distinct"] for r in runs))
    return out
