"""Measuring the 1980 claim: one top-layer C-cell per pattern, kept under variations.

Fukushima (1980, Fig. 6) shows that after self-organisation each training pattern
elicits a response from one C-cell of the last layer, a different cell per pattern, and
that the same cell keeps answering when the pattern is shifted, deformed, resized, made
noisy or incomplete. :func:`pattern_variants` makes such variants, held out by
construction: none is pixel-identical to an image a fit can present (the patterns shifted
by up to ``config.max_shift`` pixels; :mod:`neocognitron.fukushima1980.heldout`), and
shifts within the training distances are reported apart ("shift<=2", shifts the network
was never shown) from shifts beyond them ("shift>=3"). :func:`winner_consistency`
measures how often each pattern's cell keeps winning; :func:`tolerance_curves` does so
along the whole range of each variation. The controls (a template matcher, the untrained
network) are in :mod:`neocognitron.fukushima1980.controls`.

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
from . import heldout
from .claims import FRACTION as FRACTION
from .claims import strict_claim as strict_claim
from .claims import strict_claim_of as strict_claim_of

#: Kinds of variation of Fig. 6, in the order the figure shows them; shifts within the
#: training distances (never presented to the network) apart from shifts beyond them.
VARIANT_KINDS = ("shift<=2", "shift>=3", "resize", "deform", "noise", "erase")
#: The training shift of the paper's preset (``config.max_shift``).
TRAIN_SHIFT = 2


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


def pattern_variants(patterns, n=20, train_shift=TRAIN_SHIFT, max_shift=3, scale=(0.8, 1.25),
                     alpha=8.0, sigma=3.0, noise=0.03, erase_fraction=0.15, presented=None,
                     random_state=None):
    """Random variants of each pattern, by kind, none of them a training presentation.

    Parameters
    ----------
    patterns : ndarray, shape (P, H, W)
        Binary patterns.
    n : int
        Variants per pattern and kind.
    train_shift : int
        The training shift (``config.max_shift``): no variant equals a pattern shifted by
        at most this much (:func:`~neocognitron.fukushima1980.heldout.training_presentations`).
    max_shift : int
        Shifts of every kind reach ``max_shift`` per axis, never cutting ink.
    scale : (float, float)
        Range of ``resize`` factors about the ink centroid (drawn log-uniformly).
    alpha, sigma : float
        Elastic deformation strength and smoothness (see :func:`transforms.elastic`).
    noise : float
        Fraction of pixels flipped by salt-and-pepper noise.
    erase_fraction : float
        Fraction of each pattern's ink erased as one contiguous piece.
    presented : ndarray, shape (m, H, W), optional
        The images one network was trained on (:meth:`Neocognitron.presentations`); when
        given, the kind ``"shift<=2"`` is made too.
    random_state : int, RandomState, Generator or None

    Returns
    -------
    variants : dict of str -> ndarray, shape (P, n, H, W)
        ``"shift<=2"`` (only with ``presented``): shifts at distances 1 to ``train_shift``
        that this network was never shown; ``"shift>=3"``: shifts at distances
        ``train_shift + 1`` to ``max_shift``; ``"resize"``, ``"deform"``, ``"noise"``,
        ``"erase"``: each also shifted at random by up to ``max_shift`` pixels per axis, as
        in the paper's figure, and drawn again while pixel-identical to a training
        presentation. Resized and deformed patterns are redrawn with strokes as thin as
        the training patterns' (:func:`resize_strokes`, :func:`deform_strokes`), so all
        variants stay binary.
    """
    if not max_shift > train_shift >= 0:
        raise ValueError(f"max_shift ({max_shift}) must exceed train_shift ({train_shift}) >= 0: "
                         f"the shifts beyond the training distances are a kind of variant")
    rng = check_random_state(random_state)
    P = np.asarray(patterns, dtype=np.float64)
    trained = heldout.training_presentations(P, train_shift)
    keys = heldout.image_keys(trained)
    lo, hi = np.log(scale[0]), np.log(scale[1])

    def shifted(X):
        return transforms.random_shift(X, max_shift, random_state=rng)[0]

    makers = {
        "resize": lambda R: shifted(np.concatenate(
            [resize_strokes(x[None], s) for x, s in
             zip(R, np.exp(rng.uniform(lo, hi, size=len(R))), strict=True)])),
        "deform": lambda R: shifted(deform_strokes(R, alpha, sigma, rng)),
        # noise after the shift, so that the shift cannot carry noise off the frame
        "noise": lambda R: transforms.salt_and_pepper(shifted(R), noise, rng),
        "erase": lambda R: shifted(transforms.erase(R, erase_fraction, rng)),
    }
    out = {}
    if presented is not None:
        out["shift<=2"] = heldout.unpresented_shifts(P, presented, n,
                                                     range(1, train_shift + 1), rng)
    out["shift>=3"] = heldout.unpresented_shifts(P, trained, n,
                                                 range(train_shift + 1, max_shift + 1), rng)
    reps = np.repeat(P, n, axis=0)  # (P*n, H, W), pattern-major
    for kind, make in makers.items():
        X, fresh = heldout.redraw_seen(make, reps, keys)
        if not fresh.all():
            raise RuntimeError(f"{kind}: {int((~fresh).sum())} variants stayed training "
                               f"presentations after every redraw")
        out[kind] = X.reshape(P.shape[0], n, *P.shape[1:])
    return out


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


#: Strength grids of :func:`tolerance_curves`, over the whole range where a variation keeps
#: the pattern drawable in the 16x16 frame; no strength 0, which is the pattern itself.
STRENGTHS = {
    "shift": (1, 2, 3, 4),                          # pixels (Chebyshev distance, ink kept)
    "resize": (0.6, 0.7, 0.8, 0.9, 1.1, 1.25, 1.4, 1.6),  # scale factor
    "deform": (4.0, 8.0, 12.0, 16.0, 20.0),         # elastic alpha at sigma = 3 pixels
    "noise": (0.01, 0.02, 0.04, 0.08, 0.12),        # fraction of pixels flipped
    "erase": (0.05, 0.1, 0.2, 0.3, 0.4),            # fraction of ink erased
}


def _curve_variants(kind, P, strength, n, keys, rng):
    """``n`` variants of every pattern at one strength, pattern-major ``(len(P)*n, H, W)``,
    and whether each is fresh (not in ``keys``)."""
    if kind == "shift":
        X, fresh = [], []
        for p in P:
            pool = heldout.shift_pool(p, (int(strength),), keys)
            picks = integers(rng, 0, max(len(pool), 1), size=n)
            X += [pool[i] if pool else p for i in picks]
            fresh += [bool(pool)] * n
        return np.array(X), np.array(fresh)
    make = {
        "resize": lambda R: resize_strokes(R, strength),
        "deform": lambda R: deform_strokes(R, strength, 3.0, rng),
        "noise": lambda R: transforms.salt_and_pepper(R, strength, rng),
        "erase": lambda R: transforms.erase(R, strength, rng),
    }[kind]
    return heldout.redraw_seen(make, np.repeat(P, n, axis=0), keys)


def tolerance_curves(model, patterns, n=10, strengths=None, presented=None,
                     train_shift=TRAIN_SHIFT, random_state=None):
    """Fraction of held-out variants that keep their pattern's cell, as the variation grows.

    Parameters
    ----------
    model : object with ``winners(X)``
    patterns : ndarray, shape (P, H, W)
    n : int
        Variants per pattern and strength.
    strengths : dict of str -> sequence, optional
        Default :data:`STRENGTHS`.
    presented : ndarray, shape (m, H, W), optional
        The images the network was trained on (:meth:`Neocognitron.presentations`). Shift
        variants avoid them; without them, shift variants avoid every image a fit could
        present (:func:`~neocognitron.fukushima1980.heldout.training_presentations`), which
        leaves no shift within ``train_shift``.
    train_shift : int
        The training shift: variants of the other kinds are drawn again while they equal
        a pattern shifted by at most this much.
    random_state : int, RandomState, Generator or None
        The variants depend on it alone (not on ``model``), so two models given the same
        seed and ``presented`` are measured on the same images.

    Returns
    -------
    curves : dict of str -> list of float or None
        For each kind, the fraction of its fresh variants :func:`kept` at each strength
        (None where no variant is fresh). Shift variants are not moved otherwise; the
        others are not shifted, so each curve shows one kind alone.
    """
    rng = check_random_state(random_state)
    P = np.asarray(patterns, dtype=np.float64)
    winners = np.asarray(model.winners(P))
    all_keys = heldout.image_keys(heldout.training_presentations(P, train_shift))
    shift_keys = all_keys if presented is None else heldout.image_keys(presented)
    strengths = STRENGTHS if strengths is None else strengths
    curves = {}
    for kind, values in strengths.items():
        curve = []
        for s in values:
            X, fresh = _curve_variants(kind, P, s, n, shift_keys if kind == "shift"
                                       else all_keys, rng)
            hits = kept(winners, np.asarray(model.winners(X)).reshape(len(P), n)).ravel()
            curve.append(float(hits[fresh].mean()) if fresh.any() else None)
        curves[kind] = curve
    return curves
