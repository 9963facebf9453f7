"""Private numba kernels of the digit network's top stage. They assume valid input.

:func:`neocognitron.digits.top.top_max_scores` checks the arguments and calls the kernel
here; the cell layers' kernels are in :mod:`neocognitron._kernels`. Cached on disk like
every kernel of the package (:mod:`neocognitron._numba`).
"""

import numpy as np

from .._numba import njit_exact, prange


# Without fastmath: the scores must be bit-for-bit those of the numpy expression in
# neocognitron.digits.top._top_scores, so that both readouts pick the same winners.
@njit_exact(parallel=True)
def _top_max_scores(dots, norms, b, theta, out):
    """out[i, k] = max_p (1 + dots[i, p, k]) / (1 + theta * norms[i, p] * b[k]).

    float32 throughout (the caller converts), evaluated in the order numpy evaluates
    ``(1 + dots) / (1 + theta * norms[..., None] * b)``.
    """
    one = np.float32(1.0)
    for i in prange(dots.shape[0]):
        for p in range(dots.shape[1]):
            tn = theta * norms[i, p]
            for k in range(dots.shape[2]):
                s = (one + dots[i, p, k]) / (one + tn * b[k])
                if p == 0 or s > out[i, k]:
                    out[i, k] = s
