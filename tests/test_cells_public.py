"""The public cell functions (``cells.s_layer``, ``c_layer``, ``v_c``) against independent
references: ``tests/naive.py`` (plain loops written from docs/design.md §1) for every
grid, the paper's chain of layer sizes, random shapes, and scipy's correlation for the
"same" grid with odd receptive fields. Tolerances: ``tests/cell_cases.py``."""


import naive
import numpy as np
import pytest
import scipy.ndimage
import scipy.signal
from cell_cases import DTYPES, assert_close, gaussian, random_layer
from hypothesis import given, settings
from hypothesis import strategies as st

from neocognitron import _kernels, cells
from neocognitron._grid import field_starts

# The paper's layer sizes 16 -> 16 -> 10 -> 8 -> 6 -> 2 -> 1 with their receptive fields
# (the grid rule itself is tested in test_grid.py).
PAPER_CHAIN = [("S", 16, 16, 5), ("C", 16, 10, 5), ("S", 10, 8, 5), ("C", 8, 6, 5),
               ("S", 6, 2, 5), ("C", 2, 1, 2)]


# ------------------------------------------------------------- public functions


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("single", [False, True])
@pytest.mark.parametrize(
    "N, Kp, K, H, W, h, w, out_shape",
    [(2, 1, 1, 8, 8, 3, 3, None), (3, 3, 4, 9, 11, 5, 3, None), (2, 2, 3, 10, 10, 4, 4, None),
     (2, 4, 2, 12, 10, 2, 5, (5, 7)), (1, 2, 5, 16, 16, 5, 5, (10, 10)),
     (2, 3, 2, 6, 6, 6, 6, (1, 1)), (2, 2, 2, 9, 9, 1, 1, (9, 9))],
)
def test_public_functions_match_naive(dtype, single, N, Kp, K, H, W, h, w, out_shape):
    rng = np.random.default_rng(N * 1000 + Kp * 100 + K * 10 + h)
    u, a, b, c = random_layer(rng, N, Kp, K, H, W, h, w, dtype)
    if single:
        u = u[0]
    r = 1.5
    v = cells.v_c(u, c, out_shape=out_shape)
    assert v.dtype == dtype
    assert_close(v, naive.v_c(u, c, out_shape))

    us = cells.s_layer(u, a, b, c, r, out_shape=out_shape)
    assert us.dtype == dtype
    assert_close(us, naive.s_layer(u, a, b, c, r, out_shape), floor=r)

    d = gaussian(h, w, sigma=2.0).astype(dtype)
    uc = cells.c_layer(u, d, 0.5, out_shape=out_shape)
    assert uc.dtype == dtype
    assert_close(uc, naive.c_layer(u, d, 0.5, out_shape), floor=1.0)
    assert np.all((uc >= 0) & (uc < 1))


@pytest.mark.parametrize("dtype", DTYPES)
def test_paper_chain(dtype):
    """The paper's sizes 16->16->10->8->6->2->1, each stage against naive on its own input."""
    rng = np.random.default_rng(1980)
    K = 5
    x = (rng.random((2, 1, 16, 16)) < 0.3).astype(dtype)
    for kind, n_in, n_out, h in PAPER_CHAIN:
        assert x.shape[-1] == n_in
        if kind == "S":
            Kp = x.shape[1]
            a = (rng.random((K, Kp, h, h)) * 3 / (Kp * h * h)).astype(dtype)
            b = (rng.random(K) * 2).astype(dtype)
            c = gaussian(h, h, total=1.0 / Kp).astype(dtype)
            y = cells.s_layer(x, a, b, c, 1.5, out_shape=(n_out, n_out))
            ref = naive.s_layer(x, a, b, c, 1.5, (n_out, n_out))
            assert_close(y, ref, floor=1.5)
        else:
            d = gaussian(h, h).astype(dtype)
            y = cells.c_layer(x, d, 0.5, out_shape=(n_out, n_out))
            ref = naive.c_layer(x, d, 0.5, (n_out, n_out))
            assert_close(y, ref, floor=1.0)
        assert y.shape == (2, K, n_out, n_out) and y.dtype == dtype
        x = y
    assert x.shape == (2, K, 1, 1)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("K", [1, 2, 3, 4, 5, 7])
@pytest.mark.parametrize("out_shape", [None, (6, 5)])
def test_zero_weights_and_plane_blocks(dtype, K, out_shape):
    """Sparse weights, an all-zero plane and taps zero in every plane (skipped by kernels).

    Also C-cells whose ``d`` has zero taps.
    """
    rng = np.random.default_rng(K)
    u, a, b, c = random_layer(rng, 2, 3, K, 9, 8, 3, 4, dtype, a_sparsity=0.6)
    a[:, :, 1, :] = 0  # a whole row of taps is zero in every plane
    a[K // 2] = 0  # one plane has no excitatory weight at all
    us = cells.s_layer(u, a, b, c, 2.0, out_shape=out_shape)
    assert_close(us, naive.s_layer(u, a, b, c, 2.0, out_shape), floor=2.0)
    assert not np.any(us[:, K // 2])  # 1 / (1 + inhibition) - 1 <= 0
    a[:] = 0
    assert not np.any(cells.s_layer(u, a, b, c, 2.0, out_shape=out_shape))
    d = gaussian(3, 4).astype(dtype)
    d[1, :] = 0
    d[0, 0] = 0
    assert_close(cells.c_layer(u, d, 0.5, out_shape=out_shape),
                 naive.c_layer(u, d, 0.5, out_shape), floor=1.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("N, K", [(50, 8), (20, 20), (64, 3), (3, 20)])
def test_large_batches_group_planes_per_job(dtype, N, K):
    """Large batches compute several plane blocks per job (one padded window per sample)."""
    rng = np.random.default_rng(N + K)
    u, a, b, c = random_layer(rng, N, 2, K, 6, 7, 3, 3, dtype)
    us = cells.s_layer(u, a, b, c, 1.5)
    assert_close(us, naive.s_layer(u, a, b, c, 1.5), floor=1.5)
    for n in (0, N // 2, N - 1):  # the same numbers as a batch of one
        assert_close(cells.s_layer(u[n], a, b, c, 1.5), us[n].astype(np.float64), floor=1.5)


@given(
    N=st.integers(1, 3), Kp=st.integers(1, 4), K=st.integers(1, 4),
    h=st.integers(1, 6), w=st.integers(1, 6),
    dH=st.integers(0, 6), dW=st.integers(0, 6),
    fy=st.floats(0.05, 1.0), fx=st.floats(0.05, 1.0),
    use_f32=st.booleans(), single=st.booleans(), seed=st.integers(0, 2**32 - 1),
    r=st.floats(0.1, 10.0), a_sparsity=st.sampled_from([0.0, 0.5, 0.9]),
)
@settings(deadline=None, max_examples=40)
def test_random_shapes(N, Kp, K, h, w, dH, dW, fy, fx, use_f32, single, seed, r, a_sparsity):
    dtype = np.float32 if use_f32 else np.float64
    H, W = h + dH, w + dW
    out_shape = (max(1, round(fy * H)), max(1, round(fx * W)))
    rng = np.random.default_rng(seed)
    u, a, b, c = random_layer(rng, N, Kp, K, H, W, h, w, dtype, a_sparsity=a_sparsity)
    if single:
        u = u[0]
    us = cells.s_layer(u, a, b, c, r, out_shape=out_shape)
    assert us.dtype == dtype
    assert_close(us, naive.s_layer(u, a, b, c, r, out_shape), floor=r)
    d = c * Kp
    uc = cells.c_layer(u, d, 0.25, out_shape=out_shape)
    assert_close(uc, naive.c_layer(u, d, 0.25, out_shape), floor=1.0)
    assert_close(cells.v_c(u, c, out_shape=out_shape), naive.v_c(u, c, out_shape))


# ----------------------------------------------------- scipy as a second oracle


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("h, w", [(1, 1), (3, 3), (5, 5), (3, 7), (5, 1)])
def test_same_grid_against_scipy(dtype, h, w):
    rng = np.random.default_rng(h * 10 + w)
    N, Kp, K, H, W = 2, 3, 4, 13, 11
    u, a, b, c = random_layer(rng, N, Kp, K, H, W, h, w, dtype)
    u64, a64, b64, c64 = (t.astype(np.float64) for t in (u, a, b, c))
    e = np.zeros((N, K, H, W))
    e2 = np.zeros((N, K, H, W))
    for n in range(N):
        for k in range(K):
            for kp in range(Kp):
                e[n, k] += scipy.ndimage.correlate(u64[n, kp], a64[k, kp], mode="constant")
                e2[n, k] += scipy.signal.correlate(u64[n, kp], a64[k, kp], mode="same")
    np.testing.assert_allclose(e, e2, rtol=1e-12, atol=1e-12)
    out = np.full((N, K, H, W), np.nan, dtype=dtype)
    y0, x0 = field_starts(H, H, h), field_starts(W, W, w)
    _kernels._correlate(u, a, y0, x0, out)
    assert_close(out, e)

    v = np.sqrt(sum(scipy.ndimage.correlate(u64[:, kp] ** 2, c64[None], mode="constant")
                    for kp in range(Kp)))
    assert_close(cells.v_c(u, c), v)
    r = 4.0
    ref = r * np.maximum((1 + e) / (1 + 2 * r / (1 + r) * b64[None, :, None, None]
                                    * v[:, None]) - 1, 0)
    assert_close(cells.s_layer(u, a, b, c, r), ref, floor=r)

    d = gaussian(h, w)
    es = scipy.ndimage.correlate(u64, d[None, None], mode="constant")
    x = np.maximum((1 + es) / (1 + es.mean(axis=1, keepdims=True)) - 1, 0)
    assert_close(cells.c_layer(u, d.astype(dtype), 0.5), x / (0.5 + x), floor=1.0)
