"""Controls for the digit neocognitron's top stage: classifiers that store every training
digit, on the same features the top stage reads.

The top stage of :class:`~neocognitron.digits.NeocognitronClassifier` condenses the
training digits into labelled prototypes. Whether that condensation, or the learned layers
below it, carry the recognition is measured against two classifiers that condense nothing,
on the top stage's own input (:func:`top_features`: the last C-layer, raised to
``top_exponent``, as one vector per digit):

* :func:`nearest_neighbour`: the class of the training vector of largest cosine (1-NN);
* :func:`interpolating_all`: interpolating vectors (Fukushima 2007, :mod:`.interpolating`)
  with every training vector a reference vector.

Both compute in float32 and in batches of test vectors, so that 50,000 training vectors of
5,000 numbers (1 GB) fit with a few hundred MB besides. :func:`time_controls` runs both on
one set of cosines and times each as if it ran alone.
"""

import time

import numpy as np
from sklearn.utils.validation import check_is_fitted

from . import _fitting
from .interpolating import _class_grams, _interpolate_predict

__all__ = ["top_features", "unit_rows", "nearest_neighbour", "interpolating_all",
           "time_controls", "CONTROLS"]

#: The controls :func:`time_controls` runs, by name.
CONTROLS = ("1nn", "interpolating")


def top_features(clf, X):
    """What the top stage of a fitted ``clf`` reads, one flat vector per image.

    The last C-layer's output raised to ``top_exponent`` (the top S-cells' input), over the
    whole layer (the top planes see windows of it, ``top_slack`` cells smaller per side).

    Parameters
    ----------
    clf : NeocognitronClassifier, fitted
    X : array-like of shape (n_samples, H, W) or (n_samples, H * W)
        Images of the shape ``fit`` saw.

    Returns
    -------
    features : ndarray of float32, shape (n_samples, K * H_top * W_top)
    """
    check_is_fitted(clf)
    images, _ = clf._images(X, reset=False)
    u = _fitting.top_input(clf, images, verbose=False)
    u = _fitting.top_response(u, clf.top_exponent)
    return np.ascontiguousarray(u.reshape(len(u), -1), dtype=np.float32)


def unit_rows(A):
    """Rows of ``A`` as float32 scaled to unit length; an all-zero row stays zero (its
    cosine with anything is then 0)."""
    A = np.asarray(A)
    if A.ndim != 2:
        raise ValueError(f"expected a 2-D array of vectors, got shape {A.shape}")
    if A.dtype.kind not in "fiub":
        raise TypeError(f"expected real numbers, got dtype {A.dtype}")
    A = np.array(A, dtype=np.float32)  # a copy, scaled in place: one array of its size
    if not np.isfinite(A).all():
        raise ValueError("the vectors hold NaN or infinity")
    norms = np.linalg.norm(A, axis=1, keepdims=True)
    A /= np.where(norms > 0, norms, 1)
    return A


def _check(train, labels, test):
    train, test = unit_rows(train), unit_rows(test)
    labels = np.asarray(labels)
    if labels.shape != (len(train),):
        raise ValueError(f"labels of shape {labels.shape} do not label the {len(train)} "
                         "training vectors")
    if len(train) == 0:
        raise ValueError("no training vector")
    if test.shape[1] != train.shape[1]:
        raise ValueError(f"test vectors have {test.shape[1]} numbers, training vectors "
                         f"{train.shape[1]}")
    classes, yi = np.unique(labels, return_inverse=True)
    return train, classes, yi, test


def _batches(n, batch_size):
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
    return range(0, n, int(batch_size))


def nearest_neighbour(train, labels, test, batch_size=500):
    """1-NN by cosine: the label of the training vector most similar to each test vector.

    Parameters
    ----------
    train : array-like of shape (n_train, D)
    labels : array-like of shape (n_train,)
    test : array-like of shape (n_test, D)
    batch_size : int, default=500
        Test vectors per product (``batch_size * n_train`` float32 cosines at a time).

    Returns
    -------
    pred : ndarray of shape (n_test,), values of ``labels``
        Ties go to the first training vector.
    """
    return time_controls(train, labels, test, controls=("1nn",),
                         batch_size=batch_size)["1nn"]["pred"]


def interpolating_all(train, labels, test, n_neighbors=8, batch_size=500):
    """Interpolating vectors over every training vector (no condensation).

    Each test vector pairs its ``n_neighbors`` most similar training vectors of each class
    (:func:`~neocognitron.digits.interpolating._interpolate_predict`); the class of the
    most similar segment (or single vector) is the answer.

    Parameters
    ----------
    train, labels, test, batch_size
        As :func:`nearest_neighbour`.
    n_neighbors : int, default=8

    Returns
    -------
    pred : ndarray of shape (n_test,), values of ``labels``
    """
    return time_controls(train, labels, test, controls=("interpolating",),
                         n_neighbors=n_neighbors, batch_size=batch_size)["interpolating"]["pred"]


def time_controls(train, labels, test, controls=CONTROLS, n_neighbors=8, batch_size=500):
    """Run the chosen controls on one set of cosines and time each as if it ran alone.

    Parameters
    ----------
    train, labels, test, batch_size
        As :func:`nearest_neighbour`.
    controls : sequence of {"1nn", "interpolating"}
    n_neighbors : int, default=8
        For ``"interpolating"``.

    Returns
    -------
    out : dict
        Per control: ``pred`` and ``seconds`` (the cosines' time plus its own: the
        per-class cosines between training vectors and the segments for
        ``"interpolating"``, the largest cosine for ``"1nn"``).
    """
    unknown = [c for c in controls if c not in CONTROLS]
    if unknown or not controls:
        raise ValueError(f"controls must be among {CONTROLS}, got {list(controls)}")
    if "interpolating" in controls and (int(n_neighbors) != n_neighbors or n_neighbors < 1):
        raise ValueError(f"n_neighbors must be a positive integer, got {n_neighbors}")
    train, classes, yi, test = _check(train, labels, test)
    own = dict.fromkeys(controls, 0.0)
    shared = 0.0
    if "interpolating" in controls:
        t0 = time.perf_counter()
        grams = _class_grams(train, yi, len(classes))
        own["interpolating"] += time.perf_counter() - t0
    preds = {c: np.empty(len(test), dtype=np.int64) for c in controls}
    for i in _batches(len(test), batch_size):
        t0 = time.perf_counter()
        cos = test[i : i + batch_size] @ train.T
        t1 = time.perf_counter()
        shared += t1 - t0
        if "1nn" in controls:
            preds["1nn"][i : i + len(cos)] = yi[np.argmax(cos, axis=1)]
            t0, t1 = t1, time.perf_counter()
            own["1nn"] += t1 - t0
        if "interpolating" in controls:
            best = _interpolate_predict(cos, train, yi, len(classes), int(n_neighbors), grams)
            preds["interpolating"][i : i + len(cos)] = np.argmax(best, axis=1)
            own["interpolating"] += time.perf_counter() - t1
    return {c: {"pred": classes[preds[c]], "seconds": shared + own[c]} for c in controls}
