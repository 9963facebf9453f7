"""How wide the global-pooling CNNs of the shift study are: chosen on training digits.

A CNN that averages each feature map to one number (``global_pool=True``, and the APS
network, ``pooling="aps", padding="circular", global_pool=True``) keeps only
``conv_channels[-1]`` numbers for its dense layers: with LeNet-5's 16, it learns slowly.
:func:`search_conv_channels` fits each candidate width on the study's training digits
(the first ``n_train`` MNIST training digits) and scores it on a validation split of the
*training* set (digits 50,000 on, never used to train the study's models nor a test
digit); the study then uses the width of best validation accuracy for the global-pool and
APS rows.

Run (20 minutes measured on 2 busy cores)::

    python -c "from neocognitron.shift_study.channels import main; main()"

Measured (seed 0, 10,000 training digits, 15 epochs, validation digits 50,000-51,999):
validation accuracy per ``conv_channels`` in :data:`MEASURED`; the best width, (32, 64),
for both rows (the rule of :func:`best`, written before the run).
"""

import time

import numpy as np

from ..cnn import ConvNetClassifier
from ..datasets import load_mnist
from .models import WIDE

__all__ = ["CANDIDATES", "VARIANTS", "MEASURED", "search_conv_channels", "best", "describe",
           "main"]

#: the widths tried, narrowest first (the first is LeNet-5's)
CANDIDATES = ((6, 16), (16, 32), (32, 64))
#: the global-pool rows of the study whose width is chosen here
VARIANTS = {"global_pool": {"global_pool": True},
            "aps": {"pooling": "aps", "padding": "circular", "global_pool": True}}
#: validation accuracy of each variant and width and its fit time, as :func:`main` printed
#: it (commit 5192a8c, 2 cores shared with two other long runs, load average 4-6); the
#: study uses the best (:func:`best`): (32, 64) for both. (16, 32) would fit 3-5 times
#: faster for 0.25 (APS) and 0.6 (global pool) points less.
MEASURED = {
    "global_pool": {(6, 16): (0.9305, 21.2), (16, 32): (0.963, 73.8), (32, 64): (0.969, 389.2)},
    "aps": {(6, 16): (0.9145, 37.0), (16, 32): (0.9605, 123.9), (32, 64): (0.963, 404.3)},
}
VALIDATION = (50000, 52000)  # training digits 50,000-51,999


def search_conv_channels(X, y, X_val, y_val, candidates=CANDIDATES, variants=None, seed=0,
                         max_iter=15):
    """Validation accuracy of every variant at every width.

    Parameters
    ----------
    X, y : training digits (n, H, W) and their classes
    X_val, y_val : validation digits, disjoint from ``X``
    candidates : sequence of tuple of int
        ``conv_channels`` to try.
    variants : dict name -> ConvNetClassifier parameters, default :data:`VARIANTS`
    seed : int
        ``random_state`` of every fit.
    max_iter : int
        Epochs of every fit.

    Returns
    -------
    dict name -> list of {"conv_channels", "val_accuracy", "fit_seconds"}, one per candidate
    """
    out = {}
    for name, params in (variants or VARIANTS).items():
        out[name] = []
        for ch in candidates:
            clf = ConvNetClassifier(conv_channels=tuple(ch), max_iter=max_iter,
                                    random_state=seed, **params)
            t0 = time.perf_counter()
            clf.fit(X, y)
            acc = float(np.mean(clf.predict(X_val) == y_val))
            out[name].append({"conv_channels": list(ch), "val_accuracy": acc,
                              "fit_seconds": round(time.perf_counter() - t0, 1)})
            print(name, ch, out[name][-1], flush=True)
    return out


def best(results):
    """Per variant, the ``conv_channels`` of best validation accuracy (narrowest on ties)."""
    return {name: tuple(max(rows, key=lambda r: (r["val_accuracy"],
                                                 -sum(r["conv_channels"])))["conv_channels"])
            for name, rows in results.items()}


def describe():
    """The choice as results.json records it: the width used, the rule, the measurements."""
    return {"conv_channels": list(WIDE),
            "rows": "global_pool, blurpool_global_pool (the global-pool width), aps",
            "rule": "best validation accuracy (narrowest on ties), seed 0, 10,000 training "
                    f"digits, 15 epochs, validation = training digits {VALIDATION[0]:,}-"
                    f"{VALIDATION[1] - 1:,}",
            "measured": {name: [{"conv_channels": list(ch), "val_accuracy": acc,
                                 "fit_seconds": sec} for ch, (acc, sec) in rows.items()]
                         for name, rows in MEASURED.items()}}


def main(n_train=10000, data_home=None):
    """Run the search on the study's training digits; prints and returns the results."""
    X, y = load_mnist("train", data_home=data_home)
    lo, hi = VALIDATION
    res = search_conv_channels(X[:n_train].astype(np.float32), y[:n_train],
                               X[lo:hi].astype(np.float32), y[lo:hi])
    print("best:", best(res))
    return res
