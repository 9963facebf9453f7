"""Shift-invariance metrics for any classifier or feature extractor (duck-typed).

A *model* is anything with ``predict(X) -> labels`` (for the accuracy and prediction
metrics) or ``transform(X) -> features`` (for :func:`representation_similarity`). Images
``X`` are ``(n, H, W)``, or flat ``(n, H*W)`` together with ``image_shape=(H, W)``; the
model receives shifted copies in the same layout it was given. Shifts are whole pixels,
zero-filled (:func:`neocognitron.transforms.shift`): positive ``dy`` moves the image down,
positive ``dx`` to the right.

References
----------
.. [1] R. Zhang, "Making convolutional networks shift-invariant again", ICML 2019.
.. [2] A. Azulay and Y. Weiss, "Why do deep convolutional networks generalize so poorly
   to small image transformations?", JMLR 20(184), 2019.
.. [3] K. Fukushima, "Neocognitron: a self-organizing neural network model for a
   mechanism of pattern recognition unaffected by shift in position", Biol. Cybern. 36,
   1980.
"""

import numbers

import numpy as np

from ._random import check_random_state, uniform_integers
from ._validation import as_real_array, check_scalar, check_shape2
from .transforms import shift

__all__ = [
    "accuracy_by_shift",
    "consistency",
    "prediction_change_rate",
    "representation_similarity",
]


def _check_model(model, method):
    """``model`` must have a callable ``method`` (``"predict"`` or ``"transform"``)."""
    if not callable(getattr(model, method, None)):
        raise TypeError(f"model must have a callable {method}(X), got {type(model).__name__}")


def _as_images(X, image_shape):
    """Validate ``X``; return it as ``(n, H, W)`` and whether the model wants it flat."""
    arr = as_real_array(X, "X", ndim=(2, 3))
    if arr.ndim == 3:
        if image_shape is not None and check_shape2(image_shape, "image_shape") != arr.shape[1:]:
            raise ValueError(f"image_shape {tuple(image_shape)} does not match X of shape "
                             f"{arr.shape}")
        return arr, False
    if image_shape is None:
        raise ValueError(f"X has shape {arr.shape} (flat images); pass image_shape=(H, W)")
    H, W = check_shape2(image_shape, "image_shape")
    if arr.shape[1] != H * W:
        raise ValueError(f"X has {arr.shape[1]} columns but image_shape {(H, W)} needs {H * W}")
    return arr.reshape(len(arr), H, W), True


def _check_labels(y, n):
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n:
        raise ValueError(f"y must have shape ({n},) to match X, got {y.shape}")
    return y


def _check_shifts(shifts):
    """An int ``s`` (the grid ``[-s, s]^2``) or pairs ``(dy, dx)``; returns (pairs, s|None)."""
    if isinstance(shifts, numbers.Integral) and not isinstance(shifts, bool):
        s = check_scalar(shifts, "shifts", low=0, low_inclusive=True, integer=True)
        return [(dy, dx) for dy in range(-s, s + 1) for dx in range(-s, s + 1)], s
    try:
        pairs = [tuple(p) for p in shifts]
    except TypeError:
        raise TypeError("shifts must be an int or an iterable of (dy, dx) pairs, got "
                        f"{shifts!r}") from None
    if not pairs:
        raise ValueError("shifts is empty; expected at least one (dy, dx) pair")
    if any(len(p) != 2 for p in pairs):
        raise ValueError(f"shifts must hold (dy, dx) pairs, got {shifts!r}")
    return [tuple(check_scalar(v, "shifts", integer=True) for v in p) for p in pairs], None


def _run(model, method, images, flat):
    """One batched call of ``model.<method>`` on ``images`` (n, H, W)."""
    out = np.asarray(getattr(model, method)(images.reshape(len(images), -1) if flat else images))
    if out.ndim == 0 or len(out) != len(images):
        raise ValueError(f"model.{method} returned shape {out.shape} for {len(images)} images")
    return out


def _by_shift(values, pairs, s, key):
    """Package per-shift values; for the int form also the ``(2s+1, 2s+1)`` grid."""
    out = {"shifts": pairs, key: np.asarray(values, dtype=np.float64)}
    if s is not None:
        out["grid"] = out[key].reshape(2 * s + 1, 2 * s + 1)
    return out


def accuracy_by_shift(model, X, y, shifts, image_shape=None):
    """Accuracy of ``model.predict`` on copies of ``X`` translated by each shift.

    The measure of shift tolerance of Fukushima (1980) [3]_ applied to a whole test set:
    every image is moved by the same ``(dy, dx)`` and the accuracy recorded.

    Parameters
    ----------
    model : object with ``predict(X)``
    X : array-like of shape (n, H, W), or (n, H*W) with ``image_shape``
    y : array-like of shape (n,)
        True labels, compared with ``==`` to the predictions.
    shifts : int or iterable of (dy, dx) pairs of int
        An int ``s`` means every ``(dy, dx)`` with ``-s <= dy, dx <= s`` (row-major, dy
        slowest).
    image_shape : (H, W), optional
        Required when ``X`` is flat.

    Returns
    -------
    dict
        ``"shifts"``: list of ``(dy, dx)``; ``"accuracy"``: float array, one per shift;
        for an int ``shifts`` also ``"grid"``: ``(2s+1, 2s+1)`` array with
        ``grid[dy + s, dx + s]`` the accuracy at ``(dy, dx)``.
    """
    _check_model(model, "predict")
    images, flat = _as_images(X, image_shape)
    y = _check_labels(y, len(images))
    pairs, s = _check_shifts(shifts)
    acc = [np.mean(_run(model, "predict", shift(images, dy, dx), flat) == y)
           for dy, dx in pairs]
    return _by_shift(acc, pairs, s, "accuracy")


def consistency(model, X, max_shift, n_pairs=1000, random_state=None, image_shape=None):
    """Classification consistency under random shifts (Zhang, 2019 [1]_).

    ``n_pairs`` times, an image is drawn uniformly from ``X`` together with two independent
    shifts ``(dy, dx)``, each uniform on ``[-max_shift, max_shift]^2``; the result is the
    fraction of draws in which both shifted copies get the same predicted class. The two
    copies of all draws are each predicted in one batched call.

    Parameters
    ----------
    model : object with ``predict(X)``
    X : array-like of shape (n, H, W), or (n, H*W) with ``image_shape``
    max_shift : int, >= 0
    n_pairs : int, >= 1, default 1000
    random_state : None, int, np.random.Generator or np.random.RandomState
        The same seed gives the same draws and hence the same number.
    image_shape : (H, W), optional

    Returns
    -------
    float in [0, 1]
        1 for a model whose prediction does not depend on position.
    """
    _check_model(model, "predict")
    images, flat = _as_images(X, image_shape)
    m = check_scalar(max_shift, "max_shift", low=0, low_inclusive=True, integer=True)
    n_pairs = check_scalar(n_pairs, "n_pairs", low=1, low_inclusive=True, integer=True)
    rng = check_random_state(random_state)
    idx = uniform_integers(rng, 0, len(images) - 1, n_pairs)
    d = uniform_integers(rng, -m, m, (n_pairs, 4))
    first = _run(model, "predict", shift(images[idx], d[:, 0], d[:, 1]), flat)
    second = _run(model, "predict", shift(images[idx], d[:, 2], d[:, 3]), flat)
    return float(np.mean(first == second))


def prediction_change_rate(model, X, steps, image_shape=None):
    """How often the top class changes between neighbouring 1-pixel diagonal shifts.

    After Azulay & Weiss (2019) [2]_: each image is shifted by ``dy = dx = t`` for
    ``t = 0, 1, ..., steps`` (one batched prediction per ``t``), and each neighbouring
    pair ``(t, t + 1)`` counts as a change when the predicted classes differ.

    Parameters
    ----------
    model : object with ``predict(X)``
    X : array-like of shape (n, H, W), or (n, H*W) with ``image_shape``
    steps : int, >= 1
        Largest diagonal shift; there are ``steps`` neighbouring pairs per image.
    image_shape : (H, W), optional

    Returns
    -------
    dict
        ``"rate"``: float, the fraction of changes over all images and pairs;
        ``"per_step"``: float array of shape (steps,), entry ``t`` the fraction of images
        whose class changes between shifts ``t`` and ``t + 1``;
        ``"predictions"``: array (steps + 1, n), the predictions at each shift.
    """
    _check_model(model, "predict")
    images, flat = _as_images(X, image_shape)
    steps = check_scalar(steps, "steps", low=1, low_inclusive=True, integer=True)
    preds = np.stack([_run(model, "predict", shift(images, t, t), flat)
                      for t in range(steps + 1)])
    changes = preds[1:] != preds[:-1]
    changes = changes.reshape(steps, len(images), -1).any(axis=2)  # multi-output models
    return {"rate": float(changes.mean()), "per_step": changes.mean(axis=1),
            "predictions": preds}


def _rowwise_pearson(A, B):
    """Pearson correlation of each row of ``A`` with the same row of ``B``.

    A constant row has no defined correlation; by convention the value is 1.0 when both
    rows are constant and equal, and 0.0 otherwise (one constant, or two different
    constants).
    """
    A, B = A.astype(np.float64), B.astype(np.float64)
    const_a, const_b = np.ptp(A, axis=1) == 0, np.ptp(B, axis=1) == 0
    Ac, Bc = A - A.mean(1, keepdims=True), B - B.mean(1, keepdims=True)
    na, nb = np.linalg.norm(Ac, axis=1), np.linalg.norm(Bc, axis=1)
    ok = ~const_a & ~const_b & (na > 0) & (nb > 0)
    out = np.zeros(len(A))
    out[ok] = np.clip(np.sum(Ac[ok] * Bc[ok], axis=1) / (na[ok] * nb[ok]), -1.0, 1.0)
    out[const_a & const_b & np.all(A == B, axis=1)] = 1.0
    return out


def representation_similarity(model, X, shifts, image_shape=None):
    """Correlation between a model's features of each image and of its shifted copy.

    For each shift, the mean over images of the Pearson correlation between the flattened
    ``model.transform(x)`` and ``model.transform(shift(x, dy, dx))``: 1 for features that
    move with nothing (invariant), lower as the representation changes. An identity
    transform of an image with one bright pixel, shifted so the pixel stays in frame,
    gives ``-1 / (m - 1)`` for ``m`` pixels.

    Parameters
    ----------
    model : object with ``transform(X)``
        Its output for ``n`` images is flattened to ``(n, -1)``.
    X : array-like of shape (n, H, W), or (n, H*W) with ``image_shape``
    shifts : int or iterable of (dy, dx) pairs of int
        As in :func:`accuracy_by_shift`.
    image_shape : (H, W), optional

    Returns
    -------
    dict
        ``"shifts"``: list of ``(dy, dx)``; ``"similarity"``: float array, one per shift;
        for an int ``shifts`` also ``"grid"`` indexed ``[dy + s, dx + s]``. A constant
        feature vector counts as correlation 1.0 with an identical constant vector and
        0.0 with anything else.
    """
    _check_model(model, "transform")
    images, flat = _as_images(X, image_shape)
    pairs, s = _check_shifts(shifts)
    n = len(images)
    ref = _run(model, "transform", images, flat).reshape(n, -1)
    sims = []
    for dy, dx in pairs:
        feats = _run(model, "transform", shift(images, dy, dx), flat).reshape(n, -1)
        if feats.shape != ref.shape:
            raise ValueError(f"model.transform gave {feats.shape[1]} features after a shift "
                             f"but {ref.shape[1]} before")
        sims.append(np.mean(_rowwise_pearson(ref, feats)))
    return _by_shift(sims, pairs, s, "similarity")
