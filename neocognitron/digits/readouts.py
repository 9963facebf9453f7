"""Both readouts of one fitted ``NeocognitronClassifier``, timed: the same fit is read out
by winner-take-all and by interpolating vectors (``set_params(readout=...)``, no refit)."""

import time

import numpy as np

__all__ = ["READOUTS", "time_readouts"]

READOUTS = ("wta", "interpolating")


def time_readouts(clf, X, y, readouts=READOUTS):
    """Predict ``X`` with each readout of the fitted ``clf`` and time it.

    Parameters
    ----------
    clf : NeocognitronClassifier, fitted
        Its ``readout`` is restored afterwards.
    X : array-like of images
    y : array-like of shape (n_samples,)
    readouts : sequence of {"wta", "interpolating"}

    Returns
    -------
    out : dict
        Per readout: ``error`` (fraction), ``errors`` (count), ``predict_seconds``,
        ``digits_per_second`` and ``pred`` (the predictions).
    """
    y = np.asarray(y)
    unknown = [r for r in readouts if r not in READOUTS]
    if unknown:
        raise ValueError(f"readouts must be among {READOUTS}, got {unknown}")
    original = clf.readout
    out = {}
    try:
        for readout in readouts:
            clf.set_params(readout=readout)
            t0 = time.perf_counter()
            pred = clf.predict(X)
            seconds = time.perf_counter() - t0
            if y.shape != pred.shape:
                raise ValueError(f"y of shape {y.shape} does not label the {len(pred)} "
                                 "images of X")
            out[readout] = {
                "error": float(np.mean(pred != y)),
                "errors": int(np.sum(pred != y)),
                "predict_seconds": round(seconds, 3),
                "digits_per_second": round(len(y) / seconds, 1),
                "pred": pred,
            }
    finally:
        clf.set_params(readout=original)
    return out
