"""The private cell kernels (``neocognitron._kernels``) against plain loops
(``tests/naive.py``, written from docs/design.md §1) on every grid, and a textbook
correlation worked by hand."""


import naive
import numpy as np
import pytest
from cell_cases import DTYPES, assert_close, gaussian, random_layer, starts

from neocognitron import _kernels, _kernels_c
from neocognitron._grid import field_starts

# ------------------------------------------------------------- textbook correlation

TEXTBOOK_X = np.array(
    [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]],
    dtype=np.float64,
)
TEXTBOOK_W = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "st0, expected",
    [([0, 1, 2], [[4, 3, 4], [2, 4, 3], [2, 3, 4]]), ([0, 2], [[4, 4], [2, 4]])],
    ids=["valid", "stride2"],
)
def test_textbook_correlation(dtype, st0, expected):
    x = TEXTBOOK_X.astype(dtype)[None, None]
    w = TEXTBOOK_W.astype(dtype)[None, None]
    s = np.array(st0, dtype=np.int64)
    out = np.full((1, 1, len(s), len(s)), np.nan, dtype=dtype)
    _kernels._correlate(x, w, s, s, out)
    np.testing.assert_array_equal(out[0, 0], expected)
    np.testing.assert_array_equal(naive.correlate(TEXTBOOK_X, TEXTBOOK_W, s, s), expected)


# ------------------------------------------------------------- private kernels


def test_unit_step_and_valid_range():
    cases = [np.arange(-2, 14), np.arange(3, 4), field_starts(16, 10, 5), field_starts(6, 2, 5),
             field_starts(16, 16, 4), np.array([0, 2, 4]), np.array([-3, -3, 0, 1])]
    for s in cases:
        s = np.asarray(s, dtype=np.int64)
        assert bool(_kernels._unit_step(s)) == bool(np.all(np.diff(s) == 1))
        for n in (1, 3, 8, 16):
            for offset in range(-1, 6):
                lo, hi = _kernels._valid_range(s, offset, n)
                want = [j for j in range(len(s)) if 0 <= s[j] + offset < n]
                got = list(range(lo, hi))
                assert got == want, (s, offset, n)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "H, W, h, w, Ho, Wo",
    [(7, 9, 3, 3, 7, 9), (7, 9, 4, 2, 7, 9), (16, 16, 5, 5, 10, 10), (8, 6, 5, 5, 6, 2),
     (2, 2, 2, 2, 1, 1), (5, 5, 5, 5, 1, 1), (6, 11, 1, 6, 3, 4), (9, 9, 2, 3, 9, 4)],
)
def test_correlate_plane(dtype, H, W, h, w, Ho, Wo):
    rng = np.random.default_rng(H * 100 + W * 10 + h)
    x = rng.random((H, W)).astype(dtype)
    wt = rng.random((h, w)).astype(dtype)
    y0, x0 = starts(H, Ho, h), starts(W, Wo, w)
    ref = naive.correlate(x, wt, y0, x0)
    paths = [bool(_kernels._unit_step(x0))] + [False]
    for unit in set(paths):
        acc = np.ones((Ho, Wo), dtype=dtype)
        _kernels._correlate_plane(x, wt, y0, x0, unit, acc)
        assert acc.dtype == dtype
        assert_close(acc, ref + 1.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "N, Kp, K, H, W, h, w, Ho, Wo",
    [(1, 1, 1, 5, 5, 3, 3, 5, 5), (3, 2, 4, 9, 7, 3, 5, 9, 7), (2, 3, 2, 10, 10, 4, 4, 10, 10),
     (2, 3, 5, 16, 16, 5, 5, 10, 10), (1, 4, 3, 6, 6, 5, 5, 2, 2), (2, 2, 2, 7, 8, 2, 3, 3, 5)],
)
def test_private_kernels(dtype, N, Kp, K, H, W, h, w, Ho, Wo):
    rng = np.random.default_rng(N + 7 * Kp + 31 * K + H)
    u, a, b, c = random_layer(rng, N, Kp, K, H, W, h, w, dtype)
    y0, x0 = starts(H, Ho, h), starts(W, Wo, w)
    r = dtype(2.5)

    out = np.full((N, K, Ho, Wo), np.nan, dtype=dtype)
    _kernels._correlate(u, a, y0, x0, out)
    ref = [[sum(naive.correlate(u[n, kp], a[k, kp], y0, x0) for kp in range(Kp))
            for k in range(K)] for n in range(N)]
    assert_close(out, ref)

    v = np.full((N, Ho, Wo), np.nan, dtype=dtype)
    _kernels._v_c(u, c, y0, x0, v)
    assert_close(v, naive.v_c(u, c, (Ho, Wo)))

    us = np.full((N, K, Ho, Wo), np.nan, dtype=dtype)
    _kernels._s_layer(u, a, b, v, r, y0, x0, us)
    ref_s = naive.s_layer(u, a, b, c, float(r), (Ho, Wo))
    assert_close(us, ref_s, floor=float(r))
    assert 0 < np.count_nonzero(ref_s) < ref_s.size  # both branches of phi exercised

    d = gaussian(h, w).astype(dtype)
    e = np.full((N, Kp, Ho, Wo), np.nan, dtype=dtype)
    _kernels_c._c_excitation(u, d, y0, x0, e)
    ref_e = [[naive.correlate(u[n, k], d, y0, x0) for k in range(Kp)] for n in range(N)]
    assert_close(e, ref_e)

    uc = np.full_like(e, np.nan)
    alpha = dtype(0.5)
    _kernels._c_layer_finish(e, alpha, uc)
    e64 = e.astype(np.float64)
    vs = e64.mean(axis=1, keepdims=True)
    x = np.maximum((1 + e64) / (1 + vs) - 1, 0)
    assert_close(uc, x / (0.5 + x), floor=1.0)
