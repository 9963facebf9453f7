"""What a learned S-layer of the digit neocognitron responds to, shown in pixels.

A plane of ``U_S2`` or ``U_S3`` has its pattern over the C-cells below it, which says
little to the eye. Its *preferred input* is shown instead: over a set of digits, the
pixel patches under its receptive field where it answered most strongly, averaged
(:func:`preferred_inputs`). The receptive field of a cell is traced down through every
layer (:func:`receptive_field`): each S-cell's field and each C-cell's ``d``, in the
spacing of the grid it reads, and the contrast kernel of ``U_G``; the grids lie over each
other by the centred rule of :mod:`neocognitron._grid` (cell ``i`` of ``M`` over ``N``
positions at ``(i + 1/2) N / M - 1/2``).
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .cascade import _c_grid, _forward, _to_canvas

__all__ = ["receptive_field", "preferred_inputs"]


def _check_layer(clf, layer):
    check_is_fitted(clf)
    n_s = len(clf.stages_)
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) \
            or not 1 <= layer <= n_s:
        raise ValueError(f"layer must be an S-layer of the cascade, 1 to {n_s} (U_S1 to "
                         f"U_S{n_s}), got {layer!r}")
    return int(layer)


def _grids(clf):
    """Side (rows, columns) of the grid of every S-layer, ``U_S1`` first."""
    sides = [tuple(clf.canvas_shape_)]
    for st in clf.stages_[:-1]:
        sides.append(_c_grid(sides[-1], st.stride))
    return sides


def receptive_field(clf, layer):
    """Where the cells of S-layer ``layer`` sit on the canvas and how far they see.

    Parameters
    ----------
    clf : NeocognitronClassifier, fitted
    layer : int
        1 for ``U_S1``, 2 for ``U_S2``, ... (the cascade's S-layers below the top).

    Returns
    -------
    centres : (ndarray, ndarray)
        Canvas coordinates (pixels, may be half-integers) of the cells' rows and columns.
    half : float
        Half the side of the receptive field in pixels: every pixel a cell's output
        depends on lies within ``half`` of its centre (the taps of ``U_G``, of each
        S-cell's field and of each C-cell's ``d``, each in the spacing of its grid).
    """
    layer = _check_layer(clf, layer)
    sides = _grids(clf)
    H0 = sides[0]
    # C-layer l-1 (the grid of U_S l) over the canvas: compose the centred rule per axis
    centres = []
    for axis in (0, 1):
        c = np.arange(sides[layer - 1][axis], dtype=float)
        for below in range(layer - 1, 0, -1):
            n_in, n_out = sides[below - 1][axis], sides[below][axis]
            c = (c + 0.5) * n_in / n_out - 0.5
        centres.append(c)
    half = (np.asarray(clf.a_g_).shape[0] - 1) / 2
    for i, st in enumerate(clf.stages_[:layer]):
        spacing = H0[0] / sides[i][0]  # pixels between neighbouring cells of S-layer i + 1
        half += spacing * (st.c.shape[0] - 1) / 2
        if i < layer - 1:  # the C-layer on top of it is below the layer asked for
            half += spacing * (st.d.shape[0] - 1) / 2
    return tuple(centres), float(half)


def preferred_inputs(clf, X, layer, n_planes=32, n_best=20, batch_size=100):
    """Preferred inputs of the most used planes of S-layer ``layer``, in pixels.

    Every image is run through the cascade. A plane's *use* is the sum of its cells'
    outputs over every image and position; the ``n_planes`` most used are shown. For each,
    the ``n_best`` images in which it answered most strongly (its largest output over
    positions) give one patch each: the canvas around that strongest cell, of side
    ``2 ceil(half) + 1`` (:func:`receptive_field`) but at most the canvas's, zero outside
    the canvas. The preferred input is their mean.

    Parameters
    ----------
    clf : NeocognitronClassifier, fitted
    X : array-like of shape (n_samples, H, W) or (n_samples, H * W)
        Images of the shape ``fit`` saw.
    layer : int
        The S-layer: 2 for ``U_S2``, 3 for ``U_S3`` (1, ``U_S1``'s fixed edges, works too).
    n_planes : int, default=32
        Planes shown (fewer if the layer has fewer).
    n_best : int, default=20
        Images averaged per plane (fewer if ``X`` has fewer).
    batch_size : int, default=100

    Returns
    -------
    out : dict
        ``patches`` (n_shown, P, P) float32, ``planes`` (their indices, most used first),
        ``use`` (their summed outputs), ``answered`` (in how many images each answered
        somewhere), ``peak`` (each plane's mean output at its ``n_best`` strongest
        images), ``n_planes`` (the layer's planes), ``n_images``, ``n_best``, ``patch``
        (P) and ``field`` (``2 half + 1``, the receptive field's side in pixels, before
        clipping to the canvas).
    """
    layer = _check_layer(clf, layer)
    for name, v in (("n_planes", n_planes), ("n_best", n_best), ("batch_size", batch_size)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    images, _ = clf._images(X, reset=False)  # refuses no image, or another shape
    peak, where, use, canvases = [], [], 0.0, []
    for i in range(0, len(images), batch_size):
        canvas = _to_canvas(images[i : i + batch_size], clf.canvas_shape_)
        u = _forward(canvas, clf.a_g_, clf.stages_, keep=True)[f"US{layer}"]
        flat = u.reshape(u.shape[0], u.shape[1], -1).astype(np.float64)
        peak.append(flat.max(axis=2))
        where.append(flat.argmax(axis=2))
        use = use + flat.sum(axis=(0, 2))
        canvases.append(canvas)
    peak, where, canvas = np.concatenate(peak), np.concatenate(where), np.concatenate(canvases)
    grid_w = u.shape[3]
    planes = np.argsort(-use, kind="stable")[:n_planes]
    (cy, cx), half = receptive_field(clf, layer)
    P = min(2 * int(np.ceil(half)) + 1, *canvas.shape[1:])
    best = np.argsort(-peak[:, planes], axis=0, kind="stable")[:n_best]  # (n_best, n_shown)
    patches = np.zeros((len(planes), P, P), dtype=np.float32)
    for k, plane in enumerate(planes):
        for img in best[:, k]:
            pos = where[img, plane]
            patches[k] += _patch(canvas[img], cy[pos // grid_w], cx[pos % grid_w], P)
    n = best.shape[0]
    return {"patches": patches / n, "planes": planes, "use": use[planes],
            "answered": (peak[:, planes] > 0).sum(axis=0),
            "peak": np.take_along_axis(peak[:, planes], best, axis=0).mean(axis=0),
            "n_planes": int(peak.shape[1]), "n_images": len(images), "n_best": int(n),
            "patch": int(P), "field": 2 * half + 1}


def _patch(canvas, y, x, P):
    """The ``P x P`` square of ``canvas`` centred (to the nearest pixel) on ``(y, x)``,
    zero outside the canvas."""
    y0, x0 = int(np.floor(y + 0.5)) - P // 2, int(np.floor(x + 0.5)) - P // 2
    out = np.zeros((P, P), dtype=np.float32)
    H, W = canvas.shape
    ys, xs = slice(max(y0, 0), min(y0 + P, H)), slice(max(x0, 0), min(x0 + P, W))
    out[ys.start - y0 : ys.stop - y0, xs.start - x0 : xs.stop - x0] = canvas[ys, xs]
    return out
