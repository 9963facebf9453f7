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
    original = clf.readout
    out = {}
    try:
        for readout in readouts:
            clf.set_params(readout=readout)
            t0 = time.perf_counter()
            pred = clf.predict(X)
            seconds = time.perf_counter() - t0
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
