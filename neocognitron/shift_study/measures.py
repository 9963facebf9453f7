"""Every shift measure of one fitted classifier on one canvas, and their summary over seeds.

A *model* is any fitted classifier with ``predict`` whose class scores
:func:`~neocognitron.shift_study.controls.class_scores` reads (``NeocognitronClassifier``,
``ConvNetClassifier``, the study's controls); images are ``(n, H, W)``. The measures
(:mod:`neocognitron.metrics`, and per digit :mod:`.outcomes`):

* accuracy over a grid of shifts ``(dy, dx)`` and, from it, the accuracy at each shift
  distance ``d``: the mean over the grid shifts with ``max(|dy|, |dx|) = d`` (the ring at
  Chebyshev distance ``d``, :func:`by_distance`), under zero-filled and circular shifts;
* consistency (Zhang 2019): how often two random shifts of the same image, each uniform on
  ``[-s, s]^2``, get the same predicted class (``s`` the largest shift), under both kinds;
* prediction change rate along a diagonal sweep (after Azulay & Weiss 2019): images
  shifted by ``dy = dx = t`` for ``t = 0 ... s``; the fraction whose class changes
  between ``t`` and ``t + 1``, per step and overall (zero fill);
* representation similarity: the mean Pearson correlation between an image's class scores
  (ten numbers for every model, :func:`~neocognitron.shift_study.controls.class_scores`)
  and those of its copy shifted by ``dy = dx = t`` (zero fill);
* robustness (:func:`robustness`): accuracy on precomputed deformed or noisy copies
  (:func:`perturbed_copies`);
* 95 % bootstrap intervals over test digits of the accuracies by distance and the
  consistency (:func:`intervals`, :mod:`.bootstrap`).

A *canvas* is the square frame the digits are shown on: :func:`pad_to_canvas` centres them on a
larger one with a zero border, values unchanged (unlike the digit network's
:func:`~neocognitron.digits.cascade.to_canvas`, which also rescales each image to [0, 1]);
:func:`canvas_grid` lays out the shifts tested on it.
"""

import time

import numpy as np

from .. import transforms
from ..metrics import prediction_change_rate, representation_similarity
from .bootstrap import bootstrap_interval, difference_interval
from .controls import ClassScores
from .outcomes import KINDS, consistency_outcomes, grid_outcomes, wraps_ink

__all__ = ["shift_offsets", "by_distance", "pad_to_canvas", "canvas_grid", "evaluate_shifts",
           "digit_successes", "perturbed_copies", "robustness", "mean_std", "summarise",
           "intervals", "differences", "collect_records"]

#: the keys of :func:`evaluate_shifts` that :func:`summarise` averages over seeds
SUMMARY_KEYS = ("accuracy_grid", "accuracy_by_distance", "accuracy_unshifted", "consistency",
                "change_rate", "change_rate_per_step", "similarity", "fit_seconds",
                "eval_seconds")
#: the keys of every other kind of shift (``result["circular"]``) averaged over seeds
KIND_KEYS = ("accuracy_grid", "accuracy_by_distance", "accuracy_unshifted", "consistency")


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


def evaluate_shifts(model, X, y, max_shift, step=1, n_pairs=1000, random_state=None,
                    kinds=KINDS):
    """Every shift measure of one fitted model on one canvas, and what each digit did.

    Parameters
    ----------
    model : fitted classifier with ``predict`` (and class scores, :func:`.class_scores`)
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
        Seeds the consistency draws (pass the same for every model to compare them; each
        kind of shift gets the same draws).
    kinds : sequence of {"zero", "circular"}
        The kinds of shift of the accuracy grid and the consistency
        (:mod:`.outcomes`); ``"zero"`` first and always.

    Returns
    -------
    result : dict
        ``offsets``, ``distances``, ``similarity_shifts`` (``t = 0 ... s``); for zero fill
        ``accuracy_grid`` (``grid[i, j]`` at ``dy = offsets[i]``, ``dx = offsets[j]``),
        ``accuracy_by_distance``, ``accuracy_unshifted``, ``consistency``,
        ``change_rate``, ``change_rate_per_step`` and ``similarity`` (of the class
        scores); per other kind ``result[kind]``: the grid, by distance, unshifted and
        consistency, and ``same_images_as_zero_fill`` (no ink within ``s`` of the frame,
        so the shifted images are those of zero fill and the numbers are copied);
        ``eval_seconds``.
    outcomes : dict of str -> ndarray
        Per kind, ``<kind>_correct`` (uint8, (n_shifts, n): digit right at each grid
        shift), ``<kind>_pair_digit`` and ``<kind>_pair_same`` (the consistency draws),
        for :func:`intervals`.
    """
    if tuple(kinds)[:1] != ("zero",) or not set(kinds) <= set(KINDS):
        raise ValueError(f"kinds must start with 'zero' and lie in {KINDS}, got {kinds!r}")
    t0 = time.perf_counter()
    offsets = shift_offsets(max_shift, step)
    pairs = [(dy, dx) for dy in offsets for dx in offsets]
    result = {"offsets": offsets}
    outcomes = {}
    same_as_zero = not wraps_ink(X, max_shift)
    for kind in kinds:
        if kind != "zero" and same_as_zero:
            correct, (digit, same) = outcomes["zero_correct"], (
                outcomes["zero_pair_digit"], outcomes["zero_pair_same"])
        else:
            correct = grid_outcomes(model, X, y, pairs, kind).astype(np.uint8)
            digit, same = consistency_outcomes(model, X, max_shift, n_pairs,
                                               random_state=random_state, kind=kind)
        outcomes.update({f"{kind}_correct": correct, f"{kind}_pair_digit": digit,
                         f"{kind}_pair_same": same})
        acc = correct.mean(axis=1)
        dists, acc_d = by_distance(pairs, acc)
        measures = {"accuracy_grid": acc.reshape(len(offsets), len(offsets)),
                    "accuracy_by_distance": acc_d,
                    "accuracy_unshifted": float(acc[pairs.index((0, 0))]),
                    "consistency": float(same.mean())}
        if kind == "zero":
            result.update(distances=dists, **measures)
        else:
            result[kind] = dict(measures, same_images_as_zero_fill=same_as_zero)
    pcr = prediction_change_rate(model, X, max_shift)
    diag = list(range(max_shift + 1))
    sim = representation_similarity(ClassScores(model), X, [(t, t) for t in diag])
    result.update(change_rate=pcr["rate"], change_rate_per_step=pcr["per_step"],
                  similarity_shifts=diag, similarity=sim["similarity"],
                  eval_seconds=round(time.perf_counter() - t0, 2))
    return result, outcomes


def digit_successes(outcomes, kind, offsets, n_digits):
    """What :func:`.bootstrap.bootstrap_interval` resamples, from :func:`evaluate_shifts`'s
    outcomes of one kind: per digit, its right answers and shifts at each distance
    (``(n, n_distances)`` each, distances as in :func:`canvas_grid`), and its agreeing
    draws and draws of the consistency measure (``(n,)`` each)."""
    pairs = [(dy, dx) for dy in offsets for dx in offsets]
    d = np.array([max(abs(dy), abs(dx)) for dy, dx in pairs])
    dists = sorted(set(d.tolist()))
    correct = np.asarray(outcomes[f"{kind}_correct"], dtype=np.int64)
    right = np.stack([correct[d == k].sum(axis=0) for k in dists], axis=1)
    shifts = np.array([np.sum(d == k) for k in dists])
    digit = np.asarray(outcomes[f"{kind}_pair_digit"])
    agree = np.bincount(digit, weights=outcomes[f"{kind}_pair_same"], minlength=n_digits)
    draws = np.bincount(digit, minlength=n_digits)
    return right, shifts, agree, draws


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
    dict canvas -> dict model -> dict key -> :func:`mean_std`; the other kinds of shift
    under their names (``"circular"``), each with :data:`KIND_KEYS`.
    """
    out = {}
    for canvas, models in runs.items():
        out[canvas] = {}
        for name, seeds in models.items():
            s = {k: mean_std([r[k] for r in seeds]) for k in SUMMARY_KEYS}
            for kind in KINDS[1:]:
                if kind in seeds[0]:
                    s[kind] = {k: mean_std([r[kind][k] for r in seeds]) for k in KIND_KEYS}
            if "robustness" in seeds[0]:
                s["robustness"] = {kind: mean_std([r["robustness"][kind] for r in seeds])
                                   for kind in seeds[0]["robustness"]}
            out[canvas][name] = s
    return out


def _resampled_parts(outcomes, offsets, kind):
    """Per seed and digit, (right answers, shifts) at each distance and (agreeing draws,
    draws) of the consistency: what the bootstrap resamples."""
    n = outcomes[0]["zero_correct"].shape[1]
    parts = [digit_successes(o, kind, offsets, n) for o in outcomes]
    return ((np.stack([p[0] for p in parts]), parts[0][1]),
            (np.stack([p[2] for p in parts]), np.stack([p[3] for p in parts])))


def _pairs(low, high):
    return np.stack([low, high], axis=-1).tolist()


def intervals(outcomes, offsets, kinds=KINDS, n_resamples=1000, level=0.95, random_state=0):
    """Bootstrap intervals over test digits (:func:`.bootstrap.bootstrap_interval`) of the
    accuracy at each distance and of the consistency, each the mean over seeds.

    Parameters
    ----------
    outcomes : list of dict
        One :func:`evaluate_shifts` outcomes per seed, on the same test digits.
    offsets : list of int
        One axis of the grid of shifts.
    kinds : sequence of str
    n_resamples, level, random_state
        Of the bootstrap (the same ``random_state`` for every model resamples the same
        digits for all).

    Returns
    -------
    dict kind -> {"accuracy_by_distance": [[low, high] per distance],
    "consistency": [low, high]}
    """
    kw = {"n_resamples": n_resamples, "level": level, "random_state": random_state}
    out = {}
    for kind in kinds:
        accuracy, consistency = _resampled_parts(outcomes, offsets, kind)
        out[kind] = {"accuracy_by_distance": _pairs(*bootstrap_interval(*accuracy, **kw)),
                     "consistency": _pairs(*bootstrap_interval(*consistency, **kw))}
    return out


def differences(outcomes, reference, offsets, kinds=KINDS, n_resamples=1000, level=0.95,
                random_state=0):
    """A model's accuracy at each distance and consistency less a reference model's, with
    paired bootstrap intervals over the test digits (:func:`.bootstrap.difference_interval`).

    Parameters
    ----------
    outcomes, reference : list of dict
        :func:`evaluate_shifts` outcomes, one per seed, of the model and of the reference,
        on the same test digits and grid (the number of seeds may differ).
    offsets, kinds, n_resamples, level, random_state
        As for :func:`intervals`.

    Returns
    -------
    dict kind -> {"accuracy_by_distance": {"difference": [per distance], "interval":
    [[low, high] per distance]}, "consistency": {"difference": float, "interval":
    [low, high]}}; each difference is the model's mean over its seeds less the
    reference's.
    """
    kw = {"n_resamples": n_resamples, "level": level, "random_state": random_state}
    out = {}
    for kind in kinds:
        out[kind] = {}
        for name, mine, ref in zip(("accuracy_by_distance", "consistency"),
                                   _resampled_parts(outcomes, offsets, kind),
                                   _resampled_parts(reference, offsets, kind), strict=True):
            point = [(s.sum(axis=1) / np.broadcast_to(c, s.shape).sum(axis=1)).mean(axis=0)
                     for s, c in (mine, ref)]
            out[kind][name] = {"difference": np.asarray(point[0] - point[1]).tolist(),
                               "interval": _pairs(*difference_interval(*mine, *ref, **kw))}
    return out


def collect_records(found, read_arrays, names, canvases, bootstrap, reference=None):
    """The study's runs, intervals, differences and parameters from its records.

    Parameters
    ----------
    found : dict key -> record
        Records with ``canvas`` (a canvas, or ``"fukushima1980"``), ``model``, ``seed``
        (None for a model without one), ``config["model"]`` and ``result`` (an
        :func:`evaluate_shifts` result, or a 1980 comparison).
    read_arrays : callable key -> dict
        A record's outcomes (:func:`evaluate_shifts`'s second return).
    names, canvases : iterables of the models and canvases, in the order of the output
    bootstrap : dict
        Keyword arguments of :func:`intervals`.
    reference : str, optional
        The model every other is compared with (:func:`differences`).

    Returns
    -------
    runs : dict canvas -> model -> list of results, by seed (models without records left
        out)
    ci : dict canvas -> model -> :func:`intervals`
    diffs : dict canvas -> model -> :func:`differences` from ``reference`` (empty without
        one, or on a canvas without its records)
    params : dict model -> canvas -> parameters
    runs_1980 : list of the 1980 comparisons, by seed
    """
    by_model = {c: {n: [] for n in names} for c in canvases}
    runs_1980, params = [], {}
    for key, rec in sorted(found.items(), key=lambda kv: (kv[1]["seed"] is None,
                                                          kv[1]["seed"] or 0)):
        if rec["canvas"] == "fukushima1980":
            runs_1980.append(rec["result"])
            continue
        by_model[rec["canvas"]][rec["model"]].append((key, rec["result"]))
        params.setdefault(rec["model"], {})[rec["canvas"]] = rec["config"]["model"]
    runs = {c: {n: [r for _, r in v] for n, v in m.items() if v} for c, m in by_model.items()}
    outcomes = {c: {n: [read_arrays(k) for k, _ in v] for n, v in m.items() if v}
                for c, m in by_model.items()}
    ci = {c: {n: intervals(o, runs[c][n][0]["offsets"], **bootstrap) for n, o in m.items()}
          for c, m in outcomes.items()}
    diffs = {c: {n: differences(o, m[reference], runs[c][n][0]["offsets"], **bootstrap)
                 for n, o in m.items() if n != reference}
             if reference in m else {} for c, m in outcomes.items()}
    return runs, ci, diffs, params, runs_1980
