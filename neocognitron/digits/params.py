"""Hyper-parameter checks of ``NeocognitronClassifier`` (called by ``fit``)."""

import numpy as np

from .._validation import check_scalar

#: The 2003 layout with one learned stage between U_C1 and the top (the defaults until
#: November 2026): ``NeocognitronClassifier(**ONE_LEARNED_STAGE)``. U_S2 learns 32 planes
#: over 3x3 U_C1 cells by winner-take-all and add-if-silent; the top reads U_C2 as it is.
ONE_LEARNED_STAGE = dict(max_planes=(32,), thresholds=(0.55, 0.5), learning_thresholds=(0.75,),
                         fields=(7, 3), blurs=(1.2, 1.2), strides=(2, 2),
                         top_learning_threshold=0.9, top_exponent=1.0)

#: Fukushima's 2003 layout, ``NeocognitronClassifier(**FUKUSHIMA2003)``: ``U_G -> U_S1
#: -> U_C1 -> U_S2 (learned) -> U_C2 -> U_S3 (learned) -> U_C3 -> U_S4 (top, supervised)
#: -> U_C4``, with dual thresholds (``learning_thresholds`` above ``thresholds``), an
#: inhibitory surround in every C-layer's ``d``, the staggered arrangement (each C-cell
#: midway between two S-cells) and the 2003 learning rules (winner-take-all and
#: add-if-silent; ``learning_rule="frozen"`` is the 2013/2014 rule: :data:`DEEP`). Layer
#: sizes on a 28x28 digit (``margin=6``, a 40x40 canvas): U_G, U_S1 and U_C1 40x40 (U_C1
#: blurs without thinning, so it is not staggered); U_S2 40x40 (3x3 U_C1 cells); U_C2
#: 20x20 (d of 8x8 taps); U_S3 20x20; U_C3 10x10 (8x8); U_S4 a 10x10 field over the whole
#: U_C3 (``top_slack=0``); U_C4 one cell per class. The sizes are our choices (the paper's
#: are not known here); the geometry (``strides``, ``fields``), the thresholds,
#: ``top_slack``, ``top_exponent``, ``n_unsupervised`` and the room to grow
#: (``max_planes``, never reached) were chosen on validation split A by
#: ``experiments/search_digits_hierarchy.py`` (setting "R4 n_unsupervised 3000 + fields
#: 7/3/3", whose rule is DEEP's): the first values tried, learning thresholds 0.7 and
#: ``top_slack=1``, filled any cap of planes within about ten digits and erred 19 % at
#: 1,000 training digits.
FUKUSHIMA2003 = dict(margin=6, max_planes=(1000, 1000), thresholds=(0.55, 0.45, 0.3),
                     learning_thresholds=(0.5, 0.35), fields=(7, 3, 3),
                     blurs=(1.2, 1.2, 1.2), strides=(1, 2, 2), surrounds=(0.5, 0.5, 0.5),
                     stagger=True, top_slack=0, top_learning_threshold=0.9,
                     top_exponent=0.5, n_unsupervised=3000)

#: The deep layout as chosen on validation split A: :data:`FUKUSHIMA2003` with the 2013/2014
#: rule for U_S2 and U_S3 (add-if-silent, cells never modified after they are created). In
#: the search's round 4 (seed 0, 3,000 training digits, split A) it erred 3.5 % by
#: winner-take-all against 5.4 % with the 2003 rule ("R4 base", "R4 wta").
DEEP = dict(FUKUSHIMA2003, learning_rule="frozen")


def _tuple(value, name, n, kind):
    try:
        values = tuple(value)
    except TypeError:
        raise TypeError(f"{name} must be a tuple of {kind}, got {value!r}") from None
    if len(values) != n:
        raise ValueError(f"{name} must have {n} entries (one per layer), got {len(values)}")
    return values


def surround_strengths(est):
    """``surrounds`` checked, one strength per C-layer (``None``: 0 everywhere)."""
    n_s = len(tuple(est.max_planes)) + 1
    if est.surrounds is None:
        return (0.0,) * n_s
    values = _tuple(est.surrounds, "surrounds", n_s, "numbers, one per C-layer")
    return tuple(check_scalar(k, "surrounds", low=0, low_inclusive=True) for k in values)


def staggered(est, i):
    """Whether C-layer ``i + 1`` is staggered: ``stagger`` and a stride above 1 (at stride 1
    each S-cell has its own C-cell, which stays on it)."""
    return bool(est.stagger) and est.strides[i] != 1


def check_layers(est, canvas_shape, kernels):
    """Refuse a layout whose grids cannot carry its C-layers, before anything is learned.

    ``kernels[i]`` is the shape of C-layer ``i + 1``'s ``d``. Every S-layer keeps the grid
    of the layer below; C-layer ``i + 1`` thins it to ``ceil(side / strides[i])``. A ``d``
    larger than its S-layer is refused (naming ``blurs`` and ``surrounds``), and with
    ``stagger`` so is a stride that does not divide its S-layer's side: the C-cells would
    then not lie exactly midway between S-cells (docs/design.md §3).
    """
    sides = tuple(canvas_shape)
    for i, (stride, kernel) in enumerate(zip(est.strides, kernels, strict=True)):
        if kernel[0] > sides[0] or kernel[1] > sides[1]:
            raise ValueError(
                f"blurs[{i}]={est.blurs[i]} (surrounds: {est.surrounds}) gives U_C{i + 1} a "
                f"{kernel[0]}x{kernel[1]} d, larger than the {sides[0]}x{sides[1]} U_S{i + 1}")
        if est.stagger and (sides[0] % stride or sides[1] % stride):
            raise ValueError(
                f"stagger=True needs strides[{i}]={stride} to divide U_S{i + 1}'s "
                f"{sides[0]}x{sides[1]} cells (the canvas is {canvas_shape[0]}x"
                f"{canvas_shape[1]}): choose margin or strides so that it does")
        sides = (-(-sides[0] // stride), -(-sides[1] // stride))


def check_params(est):
    """Validate every hyper-parameter; return the number of learned intermediate layers."""
    try:
        n_mid = len(tuple(est.max_planes))
    except TypeError:
        raise TypeError(f"max_planes must be a tuple of ints, got {est.max_planes!r}") from None
    for v in est.max_planes:
        check_scalar(v, "max_planes", low=0, integer=True)
    n_s = n_mid + 1  # U_S1 and the learned layers
    for name in ("thresholds", "fields", "blurs", "strides"):
        _tuple(getattr(est, name), name, n_s, "numbers, one per S-layer")
    learn = _tuple(est.learning_thresholds, "learning_thresholds", n_mid, "numbers")
    for name, values in (("thresholds", est.thresholds), ("learning_thresholds", learn),
                         ("top_threshold", (est.top_threshold,)),
                         ("top_learning_threshold", (est.top_learning_threshold,))):
        for th in values:
            th = check_scalar(th, name, low=0)
            if th >= 1:
                raise ValueError(f"{name} must lie in (0, 1), got {th}")
    for f in est.fields:
        f = check_scalar(f, "fields", low=0, integer=True)
        if f % 2 == 0:
            raise ValueError(f"fields must be odd receptive-field sides, got {f}")
    for s in est.blurs:
        check_scalar(s, "blurs", low=0)
    for s in est.strides:
        check_scalar(s, "strides", low=0, integer=True)
    surround_strengths(est)
    if not isinstance(est.stagger, (bool, np.bool_)):
        raise TypeError(f"stagger must be True or False, got {est.stagger!r}")
    if est.stagger and any(s % 2 and s != 1 for s in est.strides):
        raise ValueError(f"stagger=True puts each C-cell midway between two S-cells, which "
                         f"needs even strides (or 1: that layer is not staggered), got "
                         f"strides={tuple(est.strides)}")
    check_scalar(est.margin, "margin", low=0, low_inclusive=True, integer=True)
    check_scalar(est.n_orientations, "n_orientations", low=1, integer=True)
    lo, hi, gain = _tuple(est.contrast, "contrast", 3, "(sigma_centre, sigma_surround, gain)")
    lo, hi = check_scalar(lo, "contrast", low=0), check_scalar(hi, "contrast", low=0)
    if hi <= lo:
        raise ValueError(f"contrast needs sigma_surround > sigma_centre, got {lo}, {hi}")
    check_scalar(gain, "contrast", low=0)
    check_scalar(est.top_slack, "top_slack", low=0, low_inclusive=True, integer=True)
    check_scalar(est.top_exponent, "top_exponent", low=0)
    check_scalar(est.q, "q", low=0)
    check_scalar(est.competition_area, "competition_area", low=0, integer=True)
    m = check_scalar(est.min_activity, "min_activity", low=0, low_inclusive=True)
    if m > 1:
        raise ValueError(f"min_activity must lie in [0, 1], got {m}")
    check_scalar(est.n_unsupervised, "n_unsupervised", low=0, integer=True)
    check_scalar(est.n_epochs, "n_epochs", low=0, integer=True)
    check_scalar(est.n_neighbors, "n_neighbors", low=0, integer=True)
    check_scalar(est.batch_size, "batch_size", low=0, integer=True)
    for name, allowed in (("readout", ("wta", "interpolating")),
                          ("top_learning", ("wta", "interpolating")),
                          ("learning_rule", ("wta", "frozen"))):
        if not isinstance(getattr(est, name), str) or getattr(est, name) not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, "
                             f"got {getattr(est, name)!r}")
    return n_mid
