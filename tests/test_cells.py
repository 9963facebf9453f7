"""The cell kernels against independent references, hand-worked cases and properties.

Oracles: ``tests/naive.py`` (plain loops written from docs/design.md §1) for every grid,
and scipy's correlation for the "same" grid with odd receptive fields. Tolerances follow
the dtype: relative error <= 1e-11 in float64 and <= 1e-4 in float32, measured against the
size of the quantity (an S-cell's ``r`` sets the scale of the cancellation in
``num / den - 1``).
"""

import math

import naive
import numpy as np
import pytest
import scipy.ndimage
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

from neocognitron import _kernels, cells
from neocognitron._grid import field_starts

DTYPES = [np.float64, np.float32]
RTOL = {np.dtype(np.float64): 1e-11, np.dtype(np.float32): 1e-4}
# The paper's layer sizes 16 -> 16 -> 10 -> 8 -> 6 -> 2 -> 1 with their receptive fields
# (the grid rule itself is tested in test_grid.py).
PAPER_CHAIN = [("S", 16, 16, 5), ("C", 16, 10, 5), ("S", 10, 8, 5), ("C", 8, 6, 5),
               ("S", 6, 2, 5), ("C", 2, 1, 2)]


# ----------------------------------------------------------------------------- helpers


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
    _kernels._c_excitation(u, d, y0, x0, e)
    ref_e = [[naive.correlate(u[n, k], d, y0, x0) for k in range(Kp)] for n in range(N)]
    assert_close(e, ref_e)

    uc = np.full_like(e, np.nan)
    alpha = dtype(0.5)
    _kernels._c_layer_finish(e, alpha, uc)
    e64 = e.astype(np.float64)
    vs = e64.mean(axis=1, keepdims=True)
    x = np.maximum((1 + e64) / (1 + vs) - 1, 0)
    assert_close(uc, x / (0.5 + x), floor=1.0)


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


# ------------------------------------------------------------- hand-worked cases


def test_s_cell_by_hand():
    """One plane whose weights equal the pattern: a plus sign on 3x3, c uniform."""
    plus = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=np.float64)
    c = np.full((3, 3), 1 / 9)
    r, b = 4.0, 3.0
    # excitation sum a u = 5 (five ones), v_C = sqrt(5/9), 2r/(1+r) = 8/5
    e, v = 5.0, math.sqrt(5 / 9)
    expected = r * ((1 + e) / (1 + 8 / 5 * b * v) - 1)  # = 4 * (6 / (1 + 8 sqrt5 / 5) - 1)
    assert expected == pytest.approx(1.242797, abs=1e-6)
    got = cells.s_layer(plus[None], plus[None, None], [b], c, r, out_shape=(1, 1))
    assert got.shape == (1, 1, 1)
    assert got[0, 0, 0] == pytest.approx(expected, rel=1e-12)
    # no inhibition: u_S = r * (sum a u) = 20; strong inhibition silences the cell
    assert cells.s_layer(plus[None], plus[None, None], [0.0], c, r, (1, 1))[0, 0, 0] == 20.0
    assert cells.s_layer(plus[None], plus[None, None], [10.0], c, r, (1, 1))[0, 0, 0] == 0.0
    assert cells.v_c(plus[None], c, (1, 1))[0, 0] == pytest.approx(v, rel=1e-12)


def test_c_cell_by_hand():
    """Two planes, d uniform on 3x3: plane 0 all ones, plane 1 silent."""
    u = np.zeros((2, 3, 3))
    u[0] = 1.0
    d = np.full((3, 3), 1 / 9)
    # e0 = 1, e1 = 0, v_S = 1/2; x0 = 2 / 1.5 - 1 = 1/3; psi = (1/3) / (1/2 + 1/3) = 0.4
    got = cells.c_layer(u, d, 0.5, out_shape=(1, 1))
    np.testing.assert_allclose(got[:, 0, 0], [0.4, 0.0], rtol=1e-12, atol=0)
    # one plane alone: v_S equals its own excitation, so the C-cell is always silent
    # (up to rounding in (1 + e) / (1 + e) - 1)
    assert np.all(cells.c_layer(u[:1], d, 0.5) < 1e-12)
    # "same" grid, corner of plane 0: 4 of 9 taps inside, e = 4/9, v_S = 2/9
    x = (1 + 4 / 9) / (1 + 2 / 9) - 1
    assert cells.c_layer(u, d, 0.5)[0, 0, 0] == pytest.approx(x / (0.5 + x), rel=1e-12)


def test_psi_form_saturates_not_paper_misprint():
    """psi[x] = phi[x]/(alpha+phi[x]) is in [0, 1) and 0 for strong inhibition."""
    u = np.zeros((4, 3, 3))
    u[1:] = 50.0  # plane 0 silent, others strong: x0 = 1/(1+37.5) - 1 < -alpha
    d = np.full((3, 3), 1 / 9)
    got = cells.c_layer(u, d, 0.5, out_shape=(1, 1))
    assert got[0, 0, 0] == 0.0
    assert np.all((got >= 0) & (got < 1))


# ------------------------------------------------------------------- properties


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [-1, -2])
def test_shift_equivariance_us1(dtype, axis):
    """Shifting U0 by one pixel shifts US1's response by one pixel, away from the borders."""
    rng = np.random.default_rng(3)
    K, h = 6, 5
    x = rng.random((2, 1, 16, 16)).astype(dtype)
    a = (rng.random((K, 1, h, h)) * 0.2).astype(dtype)
    b = (rng.random(K) * 2).astype(dtype)
    c = gaussian(h, h).astype(dtype)
    shifted = np.zeros_like(x)
    if axis == -1:
        shifted[..., 1:] = x[..., :-1]
    else:
        shifted[..., 1:, :] = x[..., :-1, :]
    y = cells.s_layer(x, a, b, c, 4.0)
    ys = cells.s_layer(shifted, a, b, c, 4.0)
    # output j of x reads x[j-2 .. j+2]; output j+1 of the shifted image reads the same
    # pixels when all of them are inside both images: 2 <= j <= 12
    m = h // 2
    inner = slice(m, 16 - m - 1)
    inner_s = slice(m + 1, 16 - m)
    if axis == -1:
        got, ref = ys[..., inner_s], y[..., inner]
    else:
        got, ref = ys[..., inner_s, :], y[..., inner, :]
    assert np.count_nonzero(ref) > 0
    assert_close(got, ref, floor=4.0)
    # a pattern well inside the image shifts exactly everywhere
    z = np.zeros((1, 16, 16), dtype=dtype)
    z[0, 5:10, 6:9] = 1
    z[0, 7, 4:11] = 1
    zs = np.roll(z, 1, axis=axis)
    assert_close(np.roll(cells.s_layer(z, a, b, c, 4.0), 1, axis=axis),
                 cells.s_layer(zs, a, b, c, 4.0), floor=4.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("out_shape", [None, (10, 10), (3, 5)])
def test_zero_input_gives_zero(dtype, out_shape):
    rng = np.random.default_rng(0)
    _, a, b, c = random_layer(rng, 1, 3, 4, 12, 12, 5, 5, dtype)
    z = np.zeros((2, 3, 12, 12), dtype=dtype)
    out = cells.s_layer(z, a, b, c, 1.5, out_shape=out_shape)
    assert out.dtype == dtype and not np.any(out)
    assert not np.any(cells.v_c(z, c, out_shape=out_shape))
    assert not np.any(cells.c_layer(z, c, 0.5, out_shape=out_shape))


@pytest.mark.parametrize("r", [4.0, 1.5])
@pytest.mark.parametrize("Kp", [1, 3])
def test_reinforcement_with_growing_q_tends_to_one(r, Kp):
    """With a = q c u(n^+nu) and b = (q/2) v_C(n^) the S-output at n^ tends to 1.

    Then sum a u = q v^2 and 2r/(1+r) b v = r/(1+r) q v^2, so
    u_S = r [(1 + q v^2) / (1 + r/(1+r) q v^2) - 1], increasing in q towards
    r [(1+r)/r - 1] = 1.
    """
    rng = np.random.default_rng(int(r * 10) + Kp)
    u = (rng.random((Kp, 16, 16)) < 0.4).astype(np.float64)
    c = gaussian(5, 5, total=1.0 / Kp)
    ny, nx = 8, 7
    v = cells.v_c(u, c)[ny, nx]
    patch = u[:, ny - 2:ny + 3, nx - 2:nx + 3]
    values = []
    for q in [0.5, 1, 2, 4, 8, 16, 64, 256, 1e3, 1e4, 1e5]:
        a = (q * c[None] * patch)[None]
        b = np.array([q / 2 * v])
        got = cells.s_layer(u, a, b, c, r)[0, ny, nx]
        theory = r * ((1 + q * v**2) / (1 + r / (1 + r) * q * v**2) - 1)
        assert got == pytest.approx(theory, rel=1e-9)
        values.append(got)
    assert np.all(np.diff(values) > 0)
    assert values[-1] < 1 and values[-1] > 0.999
    assert values[0] < 0.8


@pytest.mark.parametrize(
    "u_dtype, w_dtype, want",
    [(np.float32, np.float32, np.float32), (np.float64, np.float64, np.float64),
     (np.float32, np.float64, np.float64), (np.float64, np.float32, np.float64),
     (np.uint8, np.float32, np.float32), (np.bool_, np.float32, np.float32),
     (np.int64, np.float32, np.float64), (np.bool_, np.float64, np.float64)],
)
def test_output_dtype_follows_input(u_dtype, w_dtype, want):
    rng = np.random.default_rng(0)
    u, a, b, c = random_layer(rng, 2, 2, 3, 8, 8, 3, 3, np.float64)
    u = u.astype(u_dtype) if np.issubdtype(u_dtype, np.floating) else (u > 0.5).astype(u_dtype)
    a, b, c = (t.astype(w_dtype) for t in (a, b, c))
    assert cells.s_layer(u, a, b, c, 1.5).dtype == want
    assert cells.s_layer(u[0], a, b, c, 1.5).dtype == want
    assert cells.v_c(u, c).dtype == want
    assert cells.c_layer(u, c, 0.5).dtype == want
    assert cells.c_layer(u, c, 0.5, out_shape=(3, 3)).dtype == want


# ------------------------------------------------------------------ bad input


def _good():
    rng = np.random.default_rng(0)
    u, a, b, c = random_layer(rng, 2, 2, 3, 8, 8, 3, 3, np.float64)
    return dict(u_c=u, a=a, b=b, c=c, r=1.5)


def _with(**changes):
    kw = _good()
    kw.update(changes)
    return kw


def _nan(x, value=np.nan):
    x = np.array(x, dtype=np.float64)
    x.flat[1] = value
    return x


G = _good()
S_LAYER_BAD = [
    ("nan u_c", _with(u_c=_nan(G["u_c"])), ValueError, "u_c"),
    ("inf u_c", _with(u_c=_nan(G["u_c"], np.inf)), ValueError, "u_c"),
    ("inf a", _with(a=_nan(G["a"], np.inf)), ValueError, "a"),
    ("nan b", _with(b=_nan(G["b"])), ValueError, "b"),
    ("nan c", _with(c=_nan(G["c"])), ValueError, "c"),
    ("2-D u_c", _with(u_c=G["u_c"][0, 0]), ValueError, "u_c"),
    ("5-D u_c", _with(u_c=G["u_c"][None]), ValueError, "u_c"),
    ("3-D a", _with(a=G["a"][0]), ValueError, "a"),
    ("2-D b", _with(b=G["b"][None]), ValueError, "b"),
    ("3-D c", _with(c=G["c"][None]), ValueError, "c"),
    ("mismatched K'", _with(a=G["a"][:, :1]), ValueError, "a"),
    ("b per plane", _with(b=G["b"][:2]), ValueError, "b"),
    ("c vs a field", _with(c=np.ones((5, 5)) / 25), ValueError, "c"),
    ("empty u_c", _with(u_c=np.zeros((0, 2, 8, 8))), ValueError, "u_c"),
    ("empty a", _with(a=np.zeros((0, 2, 3, 3)), b=np.zeros(0)), ValueError, "a"),
    ("negative u_c", _with(u_c=-G["u_c"] - 1), ValueError, "u_c"),
    ("negative a", _with(a=-G["a"] - 1), ValueError, "a"),
    ("negative b", _with(b=-G["b"] - 1), ValueError, "b"),
    ("negative c", _with(c=-G["c"] - 1), ValueError, "c"),
    ("r zero", _with(r=0.0), ValueError, "r"),
    ("r negative", _with(r=-1.0), ValueError, "r"),
    ("r nan", _with(r=float("nan")), ValueError, "r"),
    ("r inf", _with(r=float("inf")), ValueError, "r"),
    ("r string", _with(r="1.5"), TypeError, "r"),
    ("r array", _with(r=np.ones(2)), TypeError, "r"),
    ("string u_c", _with(u_c=np.full((2, 2, 8, 8), "x")), TypeError, "u_c"),
    ("string a", _with(a="weights"), TypeError, "a"),
    ("object b", _with(b=np.array([1, None, 2], dtype=object)), TypeError, "b"),
    ("complex c", _with(c=G["c"] + 1j), TypeError, "c"),
    ("None u_c", _with(u_c=None), TypeError, "u_c"),
    ("ragged u_c", _with(u_c=[[[1.0, 2.0], [1.0]]]), TypeError, "u_c"),
    ("image smaller than field", _with(u_c=G["u_c"][..., :2, :]), ValueError, "u_c"),
]


def _params(rows):
    return [pytest.param(*row[1:], id=row[0]) for row in rows]


@pytest.mark.parametrize("kw, exc, name", _params(S_LAYER_BAD))
def test_s_layer_bad_input(kw, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        cells.s_layer(**kw)


@pytest.mark.parametrize(
    "out_shape, exc",
    [((0, 4), ValueError), ((4, -1), ValueError), ((4,), ValueError), ((4, 4, 4), ValueError),
     ((4.5, 4), TypeError), (("4", 4), TypeError), ("ab", TypeError), (4, TypeError),
     ((True, 4), TypeError)],
)
def test_bad_out_shape(out_shape, exc):
    g = _good()
    d = np.ones((3, 3)) / 9
    for call in (lambda: cells.s_layer(**g, out_shape=out_shape),
                 lambda: cells.v_c(g["u_c"], g["c"], out_shape=out_shape),
                 lambda: cells.c_layer(g["u_c"], d, 0.5, out_shape=out_shape)):
        with pytest.raises(exc, match="out_shape"):
            call()


def test_out_shape_larger_than_input_rejected():
    """docs/design.md §2: a layer's grid is as large as, or smaller than, the one below."""
    g = _good()
    d = np.ones((3, 3)) / 9
    for shape in [(9, 8), (8, 9)]:
        with pytest.raises(ValueError, match="out_shape"):
            cells.s_layer(**g, out_shape=shape)
        with pytest.raises(ValueError, match="out_shape"):
            cells.v_c(g["u_c"], g["c"], out_shape=shape)
        with pytest.raises(ValueError, match="out_shape"):
            cells.c_layer(g["u_c"], d, 0.5, out_shape=shape)


C_LAYER_BAD = [
    ("nan u_s", dict(u_s=_nan(G["u_c"])), ValueError, "u_s"),
    ("inf d", dict(d=_nan(np.ones((3, 3)), np.inf)), ValueError, "d"),
    ("2-D u_s", dict(u_s=G["u_c"][0, 0]), ValueError, "u_s"),
    ("1-D d", dict(d=np.ones(3)), ValueError, "d"),
    ("empty u_s", dict(u_s=np.zeros((2, 0, 8, 8))), ValueError, "u_s"),
    ("negative u_s", dict(u_s=-G["u_c"] - 1), ValueError, "u_s"),
    ("negative d", dict(d=-np.ones((3, 3))), ValueError, "d"),
    ("alpha zero", dict(alpha=0.0), ValueError, "alpha"),
    ("alpha negative", dict(alpha=-0.5), ValueError, "alpha"),
    ("alpha nan", dict(alpha=float("nan")), ValueError, "alpha"),
    ("alpha string", dict(alpha="0.5"), TypeError, "alpha"),
    ("string u_s", dict(u_s=np.full((2, 8, 8), "x")), TypeError, "u_s"),
    ("image smaller than field", dict(d=np.ones((9, 3))), ValueError, "u_s"),
]


@pytest.mark.parametrize("kw, exc, name", _params(C_LAYER_BAD))
def test_c_layer_bad_input(kw, exc, name):
    args = dict(u_s=G["u_c"], d=np.ones((3, 3)) / 9, alpha=0.5)
    args.update(kw)
    with pytest.raises(exc, match=rf"\b{name}\b"):
        cells.c_layer(**args)


V_C_BAD = [
    ("nan u_c", dict(u_c=_nan(G["u_c"])), ValueError, "u_c"),
    ("negative c", dict(c=-np.ones((3, 3))), ValueError, "c"),
    ("string c", dict(c="c"), TypeError, "c"),
    ("1-D u_c", dict(u_c=np.ones(8)), ValueError, "u_c"),
    ("image smaller than field", dict(c=np.ones((3, 10))), ValueError, "u_c"),
]


@pytest.mark.parametrize("kw, exc, name", _params(V_C_BAD))
def test_v_c_bad_input(kw, exc, name):
    args = dict(u_c=G["u_c"], c=np.ones((3, 3)) / 9)
    args.update(kw)
    with pytest.raises(exc, match=rf"\b{name}\b"):
        cells.v_c(**args)


def test_inputs_not_modified_and_lists_accepted():
    g = _good()
    copies = {k: np.copy(v) for k, v in g.items()}
    out = cells.s_layer(**g)
    for k, v in g.items():
        np.testing.assert_array_equal(v, copies[k])
    listed = cells.s_layer(g["u_c"].tolist(), g["a"].tolist(), list(g["b"]), g["c"].tolist(),
                           1.5)
    np.testing.assert_array_equal(listed, out)
    # non-contiguous views give the same numbers
    big = np.zeros((2, 2, 16, 16))
    big[:, :, ::2, ::2] = g["u_c"]
    np.testing.assert_array_equal(cells.s_layer(big[:, :, ::2, ::2], g["a"], g["b"], g["c"],
                                                1.5), out)
