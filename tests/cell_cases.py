"""What the tests of the 1980 cell layers (``test_cells_*.py``) share: the dtypes and their
tolerances, a tolerance check scaled to the size of the quantity, and random layer
arguments.

Tolerances follow the dtype: relative error <= 1e-11 in float64 and <= 1e-4 in float32,
measured against the size of the quantity (an S-cell's ``r`` sets the scale of the
cancellation in ``num / den - 1``).
"""

import naive
import numpy as np

DTYPES = [np.float64, np.float32]
RTOL = {np.dtype(np.float64): 1e-11, np.dtype(np.float32): 1e-4}


def assert_close(got, ref, floor=0.0):
    """``|got - ref| <= rtol * (|ref| + scale)``, ``scale = max(max |ref|, floor)``."""
    got = np.asarray(got)
    rtol = RTOL[got.dtype]
    ref = np.asarray(ref, dtype=np.float64)
    assert got.shape == ref.shape
    scale = max(float(np.abs(ref).max(initial=0.0)), floor)
    np.testing.assert_allclose(got.astype(np.float64), ref, rtol=rtol, atol=rtol * scale)


def gaussian(h, w, sigma=1.5, total=1.0):
    """A normalised Gaussian falloff (the shape of ``c`` and ``d`` is free in 1980)."""
    yy = np.arange(h) - (h - 1) / 2
    xx = np.arange(w) - (w - 1) / 2
    g = np.exp(-(yy[:, None] ** 2 + xx[None, :] ** 2) / (2 * sigma**2))
    return g * (total / g.sum())


def random_layer(rng, N, Kp, K, H, W, h, w, dtype, sparsity=0.3, a_sparsity=0.0):
    """Random non-negative S-layer arguments with outputs both zero and positive."""
    u = rng.random((N, Kp, H, W))
    u[rng.random(u.shape) < sparsity] = 0.0
    a = rng.random((K, Kp, h, w)) * (4.0 / (Kp * h * w))
    b = rng.random(K) * 2.0
    c = rng.random((h, w)) + 0.1
    c /= Kp * c.sum()
    if a_sparsity:
        a[rng.random(a.shape) < a_sparsity] = 0.0
    return u.astype(dtype), a.astype(dtype), b.astype(dtype), c.astype(dtype)


def starts(n_in, n_out, size):
    return np.asarray(naive.grid_starts(n_in, n_out, size), dtype=np.int64)
