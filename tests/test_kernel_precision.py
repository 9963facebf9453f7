"""What fastmath must not change in the cell kernels: decisions, and float64 accuracy.

* **Decisions.** An S-cell answers when ``(1 + e) / (1 + bk v) - 1 > 0``. When its
  excitation ``e`` equals its inhibition ``bk v`` exactly, the cell is silent; under
  fastmath, ``1 + bk * v`` was contracted into a fused multiply-add, rounded once instead
  of twice, and about 2 % of such cells answered with ``2e-16`` (float64) or ``1e-7``
  (float32). Winners, representatives and add-if-silent all branch on these outputs.
* **float64 stays float64.** On inputs where summing in float32 errs by more than 1e-7
  (relative), the float64 kernels agree with the plain loops of ``tests/naive.py`` to
  1e-11, so a kernel that accumulated in float32 cannot pass.
"""

import naive
import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from neocognitron import _kernels, cells
from neocognitron._grid import field_starts
from neocognitron.digits import competitive

DTYPES = [np.float64, np.float32]


def equal_excitation_and_inhibition(dtype, a_scale):
    """One input plane, 1x1 fields, ``c = 1``: ``v = u`` and ``e = a u`` exactly; with
    ``a = a_scale * b`` (a power of two) every cell's excitation equals its inhibition."""
    rng = np.random.default_rng(0)
    u = (rng.random((1, 1, 64, 64)) * 10).astype(dtype)
    b = (rng.random(16) * 10).astype(dtype)
    a = (a_scale * b).reshape(16, 1, 1, 1)
    c = np.ones((1, 1), dtype=dtype)
    assert np.array_equal(cells.v_c(u, c), u[:, 0])  # v = sqrt(u^2) = u, exactly
    return u, a, b, c


@pytest.mark.parametrize("dtype", DTYPES)
def test_s_cell_is_silent_when_excitation_equals_inhibition(dtype):
    u, a, b, c = equal_excitation_and_inhibition(dtype, 1.0)
    # r = 1: 2r/(1+r) = 1 exactly, so the inhibition is b v = b u = a u, the excitation
    u_s = cells.s_layer(u, a, b, c, 1.0)
    assert u_s.dtype == dtype
    assert np.count_nonzero(u_s) == 0, f"{np.count_nonzero(u_s)} of {u_s.size} cells answer"


@pytest.mark.parametrize("dtype", DTYPES)
def test_threshold_s_cell_is_silent_at_its_threshold(dtype):
    u, a, b, c = equal_excitation_and_inhibition(dtype, 0.5)
    # theta = 1/2: the inhibition theta b v = b u / 2 = a u, the excitation
    u_s = cells.s_layer_theta(u, a, b, c, 0.5)
    assert np.count_nonzero(u_s) == 0, f"{np.count_nonzero(u_s)} of {u_s.size} cells answer"
    # so add-if-silent sees every active position as silent
    assert competitive._silent_mask(u_s[0], u[0, 0], 0.0).all()


def test_float64_kernels_do_not_accumulate_in_float32():
    rng = np.random.default_rng(2024)
    N, Kp, K, H, h, r = 2, 16, 4, 10, 5, 1.5
    u = rng.random((N, Kp, H, H))
    a = rng.random((K, Kp, h, h)) * (4.0 / (Kp * h * h))
    b = rng.random(K) * 2.0
    c = rng.random((h, h)) + 0.1
    c /= Kp * c.sum()
    y0 = field_starts(H, H, h)  # the "same" grid: fields start h // 2 before each cell
    assert y0.tolist() == list(range(-(h // 2), H - h // 2))
    e_ref = np.array([[sum(naive.correlate(u[n, kp], a[k, kp], y0, y0) for kp in range(Kp))
                       for k in range(K)] for n in range(N)])
    scale = np.abs(e_ref).max()

    # the same 400 products per cell, summed one by one in float32
    padded = np.pad(u, ((0, 0), (0, 0), (h // 2, h // 2), (h // 2, h // 2)))
    windows = sliding_window_view(padded, (h, h), axis=(2, 3))  # (N, Kp, H, H, h, h)
    products = np.einsum("npyxij,kpij->nkyxpij", windows, a).reshape(N, K, H, H, -1)
    e32 = np.cumsum(products.astype(np.float32), axis=-1, dtype=np.float32)[..., -1]
    assert np.abs(e32 - e_ref).max() / scale > 1e-7  # these inputs tell float32 apart

    e = np.empty((N, K, H, H))
    _kernels._correlate(u, a, y0, y0, e)
    assert np.abs(e - e_ref).max() / scale <= 1e-11
    u_s = cells.s_layer(u, a, b, c, r)
    ref = naive.s_layer(u, a, b, c, r)
    assert 0 < np.count_nonzero(ref) < ref.size
    np.testing.assert_allclose(u_s, ref, rtol=1e-11, atol=1e-11 * r)
