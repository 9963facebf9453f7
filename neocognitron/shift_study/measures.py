"""Every shift measure of one fitted classifier on one canvas, and their summary over seeds.

A *model* is any fitted classifier with ``predict`` and ``transform``
(``NeocognitronClassifier``, ``ConvNetClassifier``); images are ``(n, H, W)``. The
measures (:mod:`neocognitron.metrics`):

* accuracy over a grid of shifts ``(dy, dx)`` and, from it, the accuracy at each shift
  distance ``d``: the mean over the grid shifts with ``max(|dy|, |dx|) = d`` (the ring at
  Chebyshev distance ``d``, :func:`by_distance`);
* consistency (Zhang 2019): how often two random shifts of the same image, each uniform on
  ``[-s, s]^2``, get the same predicted class (``s`` the largest shift);
* prediction change rate along a diagonal sweep (after Azulay & Weiss 2019): images
  shifted by ``dy = dx = t`` for ``t = 0 ... s``; the fraction whose class changes
  between ``t`` and ``t + 1``, per step and overall;
* representation similarity: the mean Pearson correlation between an image's features
  (``transform``) and those of its copy shifted by ``dy = dx = t``;
* robustness (:func:`robustness`): accuracy on precomputed deformed or noisy copies
  (:func:`perturbed_copies`).

A *canvas* is the square frame the digits are shown on: :func:`pad_to_canvas` centres them on a
larger one with a zero border, values unchanged (unlike the digit network's
:func:`~neocognitron.digits.cascade.to_canvas`, which also rescales each image to [0, 1]);
:func:`canvas_grid` lays out the shifts tested on it.
"""

import time

import numpy as np

from .. import transforms
from ..metrics import (
    accuracy_by_shift,
    consistency,
    prediction_change_rate,
    representation_similarity,
)

__all__ = ["shift_offsets", "by_distance", "pad_to_canvas", "canvas_grid", "evaluate_shifts",
           "perturbed_copies", "robustness", "mean_std", "summarise"]

#: the keys of :func:`evaluate_shifts` that :func:`summarise` averages over seeds
SUMMARY_KEYS = ("accuracy_grid", "accuracy_by_distance", "accuracy_unshifted", "consistency",
                "change_rate", "change_rate_per_step", "similarity", "fit_seconds",
                "eval_seconds")


def shift_offsets(max_shift, step=1):
    """The offsets ``-max_shift, -max_shift + step, ..., max_shift`` of one axis of a grid.

    Raises ``ValueError`` unless ``step`` divides ``max_shift`` (so that the grid holds
    0 and both extremes).
    """
    if max_shift % step:
        raise ValueError(f"grid step {step} does not divide the largest shift {max_shift}")
    return list(range(-max_shift, max_shift + 1, step))


def by_distance(pairs, values):
    """Mean of ``values`` over each ring ``max(|dy|, |dx|) = d`` of the shifts ``pairs``.

    Parameters
    ----------
    pairs : sequence of (dy, dx)
    values : sequence of float, one per pair

    Returns
    -------
    distances : list of int
        The distances present, ascending.
    means : list of float
        The mean value at each distance.
    """
    d = np.array([max(abs(dy), abs(dx)) for dy, dx in pairs])
    values = np.asarray(values, dtype=float)
    dists = sorted(set(d.tolist()))
    return dists, [float(values[d == k].mean()) for k in dists]


def pad_to_canvas(X, side):
    """Centre images ``X`` (n, H, W) on a ``side`` x ``side`` canvas (zero border; when
    ``side - H`` is odd the extra row goes below, likewise the extra column right)."""
    X = np.asarray(X)
    top, left = (side - X.shape[1]) // 2, (side - X.shape[2]) // 2
    return np.pad(X, ((0, 0), (top, side - X.shape[1] - top), (left, side - X.shape[2] - left)))


def canvas_grid(side, max_shift, step=1):
    """The shifts tested on a ``side`` x ``side`` canvas, as results.json records them.

    Returns ``{"side", "max_shift", "grid_step", "offsets"}`` (one axis of the grid of
    shifts, :func:`shift_offsets`), ``"distances"`` (the distances ``max(|dy|, |dx|)``
    on that grid, sorted) and ``"similarity_shifts"`` (``t = 0 ... max_shift`` of the
    diagonal sweep).
    """
    offsets = shift_offsets(max_shift, step)
    return {"side": side, "max_shift": max_shift, "grid_step": step, "offsets": offsets,
            "distances": sorted({max(abs(a), abs(b)) for a in offsets for b in offsets}),
            "similarity_shifts": list(range(max_shift + 1))}


def evaluate_shifts(model, X, y, max_shift, step=1, n_pairs=1000, random_state=None):
    """Every shift measure of one fitted model on one canvas.

    Parameters
    ----------
    model : fitted classifier with ``predict`` and ``transform``
    X : ndarray, shape (n, H, W)
        Test images, unshifted.
    y : ndarray, shape (n,)
        Their classes.
    max_shift : int
        Largest shift ``s`` per axis, of the grid, the consistency pairs and the sweep.
    step : int
        Spacing of the grid of shifts; must divide ``max_shift``.
    n_pairs : int
        Random draws of the consistency measure.
    random_state : int, Generator or None
        Seeds the consistency draws (pass the same for every model to compare them).

    Returns
    -------
    dict
        ``offsets``, ``accuracy_grid`` (``grid[i, j]`` at ``dy = offsets[i]``,
        ``dx = offsets[j]``), ``distances``, ``accuracy_by_distance``,
        ``accuracy_unshifted``, ``consistency``, ``change_rate``, ``change_rate_per_step``,
        ``similarity_shifts`` (``t = 0 ... s``), ``similarity`` and ``eval_seconds``.
    """
    t0 = time.perf_counter()
    offsets = shift_offsets(max_shift, step)
    pairs = [(dy, dx) for dy in offsets for dx in offsets]
    acc = accuracy_by_shift(model, X, y, pairs)["accuracy"]
    dists, acc_d = by_distance(pairs, acc)
    cons = consistency(model, X, max_shift, n_pairs=n_pairs, random_state=random_state)
    pcr = prediction_change_rate(model, X, max_shift)
    diag = list(range(max_shift + 1))
    sim = representation_similarity(model, X, [(t, t) for t in diag])["similarity"]
    return {
        "offsets": offsets,
        "accuracy_grid": acc.reshape(len(offsets), len(offsets)),
        "distances": dists,
        "accuracy_by_distance": acc_d,
        "accuracy_unshifted": float(acc[pairs.index((0, 0))]),
        "consistency": cons,
        "change_rate": pcr["rate"],
        "change_rate_per_step": pcr["per_step"],
        "similarity_shifts": diag,
        "similarity": sim,
        "eval_seconds": round(time.perf_counter() - t0, 2),
    }


def perturbed_copies(X, elastic_alpha, noise_p, elastic_sigma, noise_high, seed):
    """Deformed and noisy copies of ``X``, the input of :func:`robustness`.

    ``{"elastic": [transforms.elastic(X, a, elastic_sigma) for a in elastic_alpha],
    "noise": [transforms.salt_and_pepper(X, p, high=noise_high) for p in noise_p]}``, the
    ``i``-th strength of a kind drawn from ``default_rng([seed, 1, i])`` (elastic) or
    ``default_rng([seed, 2, i])`` (noise): the same copies on every call.
    """
    def rng(*key):
        return np.random.default_rng([seed, *key])

    return {
        "elastic": [transforms.elastic(X, a, elastic_sigma, random_state=rng(1, i))
                    for i, a in enumerate(elastic_alpha)],
        "noise": [transforms.salt_and_pepper(X, p, random_state=rng(2, i), high=noise_high)
                  for i, p in enumerate(noise_p)],
    }


def robustness(model, variants, y):
    """Accuracy on each precomputed set of deformed or noisy test images.

    Parameters
    ----------
    model : fitted classifier
    variants : dict of str -> list of ndarray (n, H, W)
        Per kind (e.g. ``"elastic"``, ``"noise"``), the test images at each strength.
    y : ndarray, shape (n,)

    Returns
    -------
    dict of str -> list of float
        Per kind, the accuracy at each strength.
    """
    return {kind: [float(np.mean(model.predict(X) == y)) for X in sets]
            for kind, sets in variants.items()}


def mean_std(values):
    """``{"mean", "std"}`` over the first axis (the seeds) of ``values``."""
    arr = np.asarray(values, dtype=float)
    return {"mean": arr.mean(axis=0), "std": arr.std(axis=0)}


def summarise(runs):
    """Mean and standard deviation over seeds of every measure of every model.

    Parameters
    ----------
    runs : dict canvas -> dict model -> list (one per seed) of :func:`evaluate_shifts`
        results, with ``fit_seconds`` added and optionally ``robustness``.

    Returns
    -------
    dict canvas -> dict model -> dict key -> :func:`mean_std`
    """
    out = {}
    for canvas, models in runs.items():
        out[canvas] = {}
        for name, seeds in models.items():
            s = {k: mean_std([r[k] for r in seeds]) for k in SUMMARY_KEYS}
            if "robustness" in seeds[0]:
                s["robustness"] = {kind: mean_std([r["robustness"][kind] for r in seeds])
                                   for kind in seeds[0]["robustness"]}
            out[canvas][name] = s
    return out
