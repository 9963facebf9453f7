"""Measuring the 1980 claim: one top-layer C-cell per pattern, kept under variations.

Fukushima (1980, Fig. 6) shows that after self-organisation each training pattern
elicits a response from one C-cell of the last layer, a different cell per pattern, and
that the same cell keeps answering when the pattern is shifted, deformed, resized, made
noisy or incomplete. :func:`pattern_variants` makes such variants (held out: drawn with
their own random state, never used in training) and :func:`winner_consistency` measures
how often each pattern's cell keeps winning.

The two measures are defined once, here, and used by this module and by the shift study
(:mod:`neocognitron.shift_study.fukushima1980`):

* :func:`kept`: a variant keeps its pattern's answer when the pattern's winning UC3 cell
  is a real cell and the variant's winner is that same cell. A pattern that leaves every
  UC3 cell silent (winner -1) has no answer to keep, so none of its variants counts as
  kept, silent ones included: a silent network recognises nothing, and counting "silent
  again" as kept would credit a network that never answers with perfect tolerance.
* :func:`distinct`: every pattern has its own live UC3 cell.

The paper's strict claim (one responding UC3 cell per pattern, none shared) is
:func:`strict_claim`, defined in :mod:`neocognitron.fukushima1980.claims` and re-exported
here.
"""

import numpy as np

from .. import transforms
from .._random import check_random_state, integers
from .claims import FRACTION as FRACTION
from .claims import strict_claim as strict_claim
from .claims import strict_claim_of as strict_claim_of

#: Kinds of variation of Fig. 6, in the order the figure shows them.
VARIANT_KINDS = ("shift", "resize", "deform", "noise", "erase")


def _thin(grey, n_ink):
    """Binarise each image to its ``n_ink`` strongest pixels.

    Bilinear resampling smears a one-pixel stroke over two pixels at half strength, and a
    fixed threshold then draws it twice as thick; keeping as many pixels as the stroke
    should have (the original ink, times the scale for a resize) redraws it with the same
    pen, as the paper's varied patterns are drawn.
    """
    flat = grey.reshape(len(grey), -1)
    out = np.zeros_like(flat)
    for i, (row, k) in enumerate(zip(flat, np.asarray(n_ink), strict=True)):
        k = int(min(max(round(k), 1), (row > 0).sum()))
        if k:
            out[i, np.argsort(-row, kind="stable")[:k]] = 1.0
    return out.reshape(grey.shape)


def resize_strokes(X, scale):
    """Resize binary patterns about their ink centroid, keeping the stroke width."""
    X = np.asarray(X, dtype=np.float64)
    ink = (X > 0).sum(axis=(1, 2))
    return _thin(transforms.resize(X, scale), ink * scale)


def deform_strokes(X, alpha, sigma, random_state):
    """Elastic deformation of binary patterns, keeping the stroke width."""
    X = np.asarray(X, dtype=np.float64)
    return _thin(transforms.elastic(X, alpha, sigma, random_state), (X > 0).sum(axis=(1, 2)))


def pattern_variants(patterns, n=20, max_shift=3, scale=(0.8, 1.25), alpha=8.0, sigma=3.0,
                     noise=0.03, erase_fraction=0.15, random_state=None):
    """Random variants of each pattern, by kind.

    Parameters
    ----------
    patterns : ndarray, shape (P, H, W)
        Binary patterns.
    n : int
        Variants per pattern and kind.
    max_shift : int
        Shifts are drawn from ``[-max_shift, max_shift]`` per axis, never cutting ink.
    scale : (float, float)
        Range of ``resize`` factors about the ink centroid (drawn log-uniformly).
    alpha, sigma : float
        Elastic deformation strength and smoothness (see :func:`transforms.elastic`).
    noise : float
        Fraction of pixels flipped by salt-and-pepper noise.
    erase_fraction : float
        Fraction of each pattern's ink erased as one contiguous piece.
    random_state : int, RandomState, Generator or None

    Returns
    -------
    variants : dict of str -> ndarray, shape (P, n, H, W)
        Keys :data:`VARIANT_KINDS`; resized and deformed patterns are redrawn with
        strokes as thin as the training patterns' (:func:`resize_strokes`,
        :func:`deform_strokes`), so all variants stay binary. Every variant except
        ``"shift"`` is also shifted at random, as in the paper's figure.
    """
    rng = check_random_state(random_state)
    P = np.asarray(patterns, dtype=np.float64)
    reps = np.repeat(P, n, axis=0)  # (P*n, H, W), pattern-major
    lo, hi = np.log(scale[0]), np.log(scale[1])
    scales = np.exp(rng.uniform(lo, hi, size=len(reps)))
    resized = np.concatenate([resize_strokes(x[None], s) for x, s in zip(reps, scales,
                                                                          strict=True)])

    def shifted(X):
        return transforms.random_shift(X, max_shift, random_state=rng)[0]

    kinds = {
        "shift": shifted(reps),
        "resize": shifted(resized),
        "deform": shifted(deform_strokes(reps, alpha, sigma, rng)),
        # noise after the shift, so that the shift cannot carry noise off the frame
        "noise": transforms.salt_and_pepper(shifted(reps), noise, rng),
        "erase": shifted(transforms.erase(reps, erase_fraction, rng)),
    }
    return {kind: X.reshape(P.shape[0], n, *P.shape[1:]) for kind, X in kinds.items()}


def kept(pattern_winners, variant_winners):
    """Whether each variant keeps its pattern's answer: the 1980 measure of tolerance.

    A variant keeps the answer when its pattern's winner is a real cell (not -1, silent)
    and the variant's winner is that same cell. A silent pattern keeps nothing, not even
    with a silent variant: a silent network recognises nothing, and "silent twice" is no
    evidence that the network tells this pattern from any other.

    Parameters
    ----------
    pattern_winners : array-like of int, shape (P,)
        The winning cell of each pattern (``model.winners(patterns)``), -1 where silent.
    variant_winners : array-like of int, shape (P, ...)
        The winning cells of variants; row ``i`` holds variants of pattern ``i``.

    Returns
    -------
    ndarray of bool, the shape of ``variant_winners``
    """
    w0 = np.asarray(pattern_winners)
    w = np.asarray(variant_winners)
    for name, arr in (("pattern_winners", w0), ("variant_winners", w)):
        if not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"{name} must hold cell indices (integers), got dtype {arr.dtype}")
    if w0.ndim != 1 or w.ndim < 1 or w.shape[0] != w0.shape[0]:
        raise ValueError(f"variant_winners must have one row per pattern: got shapes "
                         f"{w0.shape} (pattern_winners) and {w.shape} (variant_winners)")
    w0 = w0.reshape(w0.shape + (1,) * (w.ndim - 1))
    return (w0 >= 0) & (w == w0)


def distinct(winners):
    """Whether every pattern has its own live cell: no winner is -1 (silent) or shared.

    Parameters
    ----------
    winners : array-like of int, shape (P,)
        The winning cell of each pattern, -1 where silent.

    Returns
    -------
    bool
    """
    w = np.asarray(winners)
    if w.ndim != 1 or not np.issubdtype(w.dtype, np.integer):
        raise ValueError(f"winners must be a 1-d array of cell indices, got shape {w.shape} "
                         f"and dtype {w.dtype}")
    return bool(len(np.unique(w)) == len(w) and (w >= 0).all())


def winner_consistency(model, patterns, variants):
    """How often each pattern's top-layer cell keeps winning for its variants.

    Parameters
    ----------
    model : object with ``winners(X)``
        E.g. a fitted :class:`neocognitron.Neocognitron`.
    patterns : ndarray, shape (P, H, W)
    variants : dict of str -> ndarray, shape (P, n, H, W)
        From :func:`pattern_variants`.

    Returns
    -------
    result : dict
        ``winners`` (list of P cell indices, -1 if silent), ``distinct`` (every pattern has
        its own responding cell, :func:`distinct`), ``keep`` (kind -> fraction of variants
        that keep their pattern's cell, :func:`kept`), ``keep_by_pattern`` (kind -> list of
        P fractions) and ``keep_all`` (over every kind).
    """
    winners = np.asarray(model.winners(patterns))
    keep, by_pattern = {}, {}
    for kind, V in variants.items():
        P, n = V.shape[:2]
        w = np.asarray(model.winners(V.reshape(P * n, *V.shape[2:]))).reshape(P, n)
        hits = kept(winners, w)
        keep[kind] = float(hits.mean())
        by_pattern[kind] = hits.mean(axis=1).tolist()
    return {
        "winners": winners.tolist(),
        "distinct": distinct(winners),
        "keep": keep,
        "keep_by_pattern": by_pattern,
        "keep_all": float(np.mean(list(keep.values()))),
    }


#: Strength grids of :func:`tolerance_curves`, from none to well past the paper's examples.
STRENGTHS = {
    "shift": (0, 1, 2, 3),                     # pixels (Chebyshev distance, ink kept)
    "resize": (0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.4),  # scale factor
    "deform": (0.0, 4.0, 8.0, 12.0),           # elastic alpha at sigma = 3 pixels
    "noise": (0.0, 0.02, 0.04, 0.08),          # fraction of pixels flipped
    "erase": (0.0, 0.1, 0.2, 0.3),             # fraction of ink erased
}


def _variant(kind, P, strength, n, rng):
    """``n`` variants of every pattern at one strength, pattern-major ``(len(P)*n, H, W)``."""
    reps = np.repeat(P, n, axis=0)
    if kind == "shift":
        d = int(strength)
        # every shift at exactly this Chebyshev distance, cycled, ink kept by clipping
        ring = [(dy, dx) for dy in range(-d, d + 1) for dx in range(-d, d + 1)
                if max(abs(dy), abs(dx)) == d] or [(0, 0)]
        # the kind's own integers: uniform_integers would change the saved curves
        picks = integers(rng, 0, len(ring), size=len(reps))
        return np.stack([transforms.shift(x, *ring[i]) for x, i in zip(reps, picks,
                                                                         strict=True)])
    if kind == "resize":
        return resize_strokes(reps, strength)
    if kind == "deform":
        return deform_strokes(reps, strength, 3.0, rng)
    if kind == "noise":
        return transforms.salt_and_pepper(reps, strength, rng)
    return transforms.erase(reps, strength, rng)


def tolerance_curves(model, patterns, n=10, strengths=None, random_state=None):
    """Fraction of variants that keep their pattern's cell, as the variation grows.

    Parameters
    ----------
    model : object with ``winners(X)``
    patterns : ndarray, shape (P, H, W)
    n : int
        Variants per pattern and strength.
    strengths : dict of str -> sequence, optional
        Default :data:`STRENGTHS`.
    random_state : int, RandomState, Generator or None

    Returns
    -------
    curves : dict of str -> list of float
        For each kind, the fraction of variants :func:`kept` at each strength (shift
        variants are not moved otherwise; the others are not shifted, so each curve shows
        one kind alone).
    """
    rng = check_random_state(random_state)
    P = np.asarray(patterns, dtype=np.float64)
    winners = np.asarray(model.winners(P))
    strengths = STRENGTHS if strengths is None else strengths
    curves = {}
    for kind, values in strengths.items():
        curve = []
        for s in values:
            X = _variant(kind, P, s, n, rng)
            hits = kept(winners, np.asarray(model.winners(X)).reshape(len(P), n))
            curve.append(float(hits.mean()))
        curves[kind] = curve
    return curves
