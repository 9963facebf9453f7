"""What the tests of the digit neocognitron's cells (``test_digits_cells_*.py``) share: the
tolerance of hand-worked values, a centre-surround kernel, S-cell weights written out from
their definition, and an unnormalised Gaussian. (The dtypes and their tolerances are those
of ``cell_cases.py``.)"""

import numpy as np

# hand-worked values: a handful of roundings from the exact result
HAND = {np.dtype(np.float64): 1e-12, np.dtype(np.float32): 1e-6}
# a centre-surround kernel whose taps sum to zero
LAPLACE = np.array([[-1.0, -1.0, -1.0], [-1.0, 8.0, -1.0], [-1.0, -1.0, -1.0]])


def theta_weights(X, c):
    """``a = c * X`` and ``b = sqrt(sum a^2 / c)``, written out independently."""
    a = c[None, None] * X
    b = np.array([np.sqrt(np.sum(a[k] ** 2 / c[None])) for k in range(len(X))])
    return a, b


def gaussian(h, w, sigma):
    yy = np.arange(h) - (h - 1) / 2
    xx = np.arange(w) - (w - 1) / 2
    return np.exp(-(yy[:, None] ** 2 + xx[None, :] ** 2) / (2 * sigma**2))

