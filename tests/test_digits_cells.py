"""The cells of the digit neocognitron (Fukushima 2003): ``contrast_layer``,
``s_layer_theta`` and ``c_layer_blur`` against plain loops (``tests/naive.py``, written
from their docstrings), hand-worked cases and bad input.

Tolerances follow the dtype: relative error <= 1e-11 in float64 and <= 1e-4 in float32,
measured against the size of the layer's output.
"""

import naive
import numpy as np
import pytest

from neocognitron import cells

DTYPES = [np.float64, np.float32]
RTOL = {np.dtype(np.float64): 1e-11, np.dtype(np.float32): 1e-4}
# hand-worked values: a handful of roundings from the exact result
HAND = {np.dtype(np.float64): 1e-12, np.dtype(np.float32): 1e-6}
# (H, W, field h, field w, out_shape): "same" grids, smaller grids, even fields, rectangles
GRIDS = [
    (12, 12, 3, 3, None),
    (12, 12, 5, 5, None),
    (12, 12, 5, 5, (6, 6)),
    (12, 12, 4, 4, (7, 5)),
    (9, 11, 3, 5, (4, 6)),
    (8, 8, 8, 8, (1, 1)),
]
GRID_IDS = ["same3", "same5", "half", "even-field", "rect", "one-cell"]


def assert_close(got, ref, dtype):
    """``got`` has ``dtype``; ``|got - ref| <= rtol * (|ref| + max |ref|)``."""
    got = np.asarray(got)
    assert got.dtype == np.dtype(dtype)
    ref = np.asarray(ref, dtype=np.float64)
    assert got.shape == ref.shape
    rtol = RTOL[got.dtype]
    scale = float(np.abs(ref).max(initial=0.0))
    np.testing.assert_allclose(got.astype(np.float64), ref, rtol=rtol, atol=rtol * scale)


def theta_weights(X, c):
    """``a = c * X`` and ``b = sqrt(sum a^2 / c)``, written out independently."""
    a = c[None, None] * X
    b = np.array([np.sqrt(np.sum(a[k] ** 2 / c[None])) for k in range(len(X))])
    return a, b


def gaussian(h, w, sigma):
    yy = np.arange(h) - (h - 1) / 2
    xx = np.arange(w) - (w - 1) / 2
    return np.exp(-(yy[:, None] ** 2 + xx[None, :] ** 2) / (2 * sigma**2))


def cweighted_cos(x, X, c):
    return np.sum(c * x * X) / np.sqrt(np.sum(c * x * x) * np.sum(c * X * X))


# ------------------------------------------------------------------ against naive loops


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("H, W, h, w, out", GRIDS, ids=GRID_IDS)
def test_contrast_layer_matches_naive(dtype, H, W, h, w, out):
    rng = np.random.default_rng(1000 + H * 31 + h)
    u0 = rng.random((3, H, W))
    u0[rng.random(u0.shape) < 0.4] = 0.0
    a_g = rng.standard_normal((h, w))
    a_g -= a_g.mean()  # a centre-surround kernel sums to zero; any sign
    u0, a_g = u0.astype(dtype), a_g.astype(dtype)
    got = cells.contrast_layer(u0, a_g, out)
    ref = naive.contrast_layer(u0, a_g, out)
    assert_close(got, ref, dtype)
    # both on- and off-centre cells are active somewhere, never at the same place
    assert (ref[:, 0] > 0).any() and (ref[:, 1] > 0).any()
    assert not ((got[:, 0] > 0) & (got[:, 1] > 0)).any()
    # one image (H, W) gives the batch's first entry
    assert_close(cells.contrast_layer(u0[1], a_g, out), ref[1], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("H, W, h, w, out", GRIDS, ids=GRID_IDS)
def test_s_layer_theta_matches_naive(dtype, H, W, h, w, out):
    rng = np.random.default_rng(2000 + H * 31 + h)
    Kp, K = 2, 3
    u = rng.random((2, Kp, H, W))
    u[rng.random(u.shape) < 0.5] = 0.0
    c = gaussian(h, w, 1.2)
    X = rng.random((K, Kp, h, w))
    # plane 0's pattern, drawn over the noise somewhere in each input, makes it answer
    ys = [s for s in naive.grid_starts(H, (out or (H, W))[0], h) if 0 <= s <= H - h]
    xs = [s for s in naive.grid_starts(W, (out or (H, W))[1], w) if 0 <= s <= W - w]
    for n, (y, x) in enumerate([(ys[0], xs[0]), (ys[-1], xs[-1])]):
        u[n, :, y : y + h, x : x + w] = np.maximum(u[n, :, y : y + h, x : x + w], 3 * X[0])
    a, b = theta_weights(X, c)
    theta = 0.85
    u, a, b, c = (t.astype(dtype) for t in (u, a, b, c))
    got = cells.s_layer_theta(u, a, b, c, theta, out)
    ref = naive.s_layer_theta(u, a, b, c, theta, out)
    assert_close(got, ref, dtype)
    assert (ref > 0).any() and (ref == 0).any()  # the threshold is crossed
    assert (ref[:, 0] > 0).any(axis=(1, 2)).all()
    assert_close(cells.s_layer_theta(u[0], a, b, c, theta, out), ref[0], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("theta", [0.2, 0.55, 0.9])
def test_s_layer_theta_matches_naive_arbitrary_weights(dtype, theta):
    # weights that are not those of learning: a and b free, b sometimes zero
    rng = np.random.default_rng(int(theta * 100))
    u = rng.random((2, 3, 10, 10))
    a = rng.random((4, 3, 3, 3)) * 0.3
    b = rng.random(4) * 3.0
    b[1] = 0.0
    c = rng.random((3, 3)) + 0.05
    u, a, b, c = (t.astype(dtype) for t in (u, a, b, c))
    for out in (None, (5, 7)):
        got = cells.s_layer_theta(u, a, b, c, theta, out)
        ref = naive.s_layer_theta(u, a, b, c, theta, out)
        assert_close(got, ref, dtype)
        assert (ref[:, 1] > 0).all()  # b = 0: no inhibition, 1 + sum a u > 1


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("H, W, h, w, out", GRIDS, ids=GRID_IDS)
def test_c_layer_blur_matches_naive(dtype, H, W, h, w, out):
    rng = np.random.default_rng(3000 + H * 31 + h)
    u = rng.random((2, 3, H, W)) * 2.0
    u[rng.random(u.shape) < 0.6] = 0.0
    g1, g2 = gaussian(h, w, 0.7), gaussian(h, w, 2.5)
    d = g1 / g1.sum() - 0.5 * g2 / g2.sum()  # sums to 0.5, inhibitory surround
    assert (d < 0).any() and (d > 0).any()
    u, d = u.astype(dtype), d.astype(dtype)
    got = cells.c_layer_blur(u, d, out)
    ref = naive.c_layer_blur(u, d, out)
    assert_close(got, ref, dtype)
    assert (ref == 0).any() and (ref > 0).any()
    assert got.min() >= 0 and got.max() < 1
    assert_close(cells.c_layer_blur(u[1], d, out), ref[1], dtype)


@pytest.mark.parametrize(
    "fn, args",
    [
        (cells.contrast_layer, lambda d: (np.ones((6, 6), d), np.eye(3, dtype=d) - 1 / 3)),
        (cells.c_layer_blur, lambda d: (np.ones((1, 6, 6), d), np.ones((3, 3), d) / 9)),
        (cells.s_layer_theta,
         lambda d: (np.ones((1, 6, 6), d), np.ones((1, 1, 3, 3), d), np.ones(1, d),
                    np.ones((3, 3), d), 0.5)),
    ],
    ids=["contrast", "blur", "s_theta"],
)
def test_result_dtype_follows_inputs(fn, args):
    assert fn(*args(np.float32)).dtype == np.float32
    assert fn(*args(np.float64)).dtype == np.float64
    mixed = list(args(np.float32))
    mixed[0] = mixed[0].astype(np.float64)
    assert fn(*mixed).dtype == np.float64


# ------------------------------------------------------------------ hand-worked cases

LAPLACE = np.array([[-1.0, -1.0, -1.0], [-1.0, 8.0, -1.0], [-1.0, -1.0, -1.0]])


@pytest.mark.parametrize("dtype", DTYPES)
def test_contrast_uniform_image_is_silent_inside(dtype):
    u0 = np.full((7, 9), 0.75, dtype=dtype)  # exact in binary: the sums are exact
    u_g = cells.contrast_layer(u0, LAPLACE.astype(dtype))
    # wherever the kernel lies inside the image it sums to zero: no response at all
    np.testing.assert_array_equal(u_g[:, 1:-1, 1:-1], 0.0)
    # at the border the surround is cut off: on-centre cells answer, 0.75 * (8 - 5) on a
    # side, 0.75 * (8 - 3) in a corner
    np.testing.assert_allclose(u_g[0, 0, 1:-1], 0.75 * 3, rtol=HAND[u_g.dtype])
    np.testing.assert_allclose(u_g[0, 1:-1, -1], 0.75 * 3, rtol=HAND[u_g.dtype])
    np.testing.assert_allclose(u_g[0, [0, 0, -1, -1], [0, -1, 0, -1]], 0.75 * 5,
                               rtol=HAND[u_g.dtype])
    np.testing.assert_array_equal(u_g[1], 0.0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_contrast_library_kernel_uniform_image_is_near_silent(dtype):
    from neocognitron.digits.layers import _contrast_kernel

    a_g = _contrast_kernel(9, 1.0, 2.0, 16.0)
    assert abs(a_g.sum()) < 1e-12
    u0 = np.ones((14, 14), dtype=dtype)
    u_g = cells.contrast_layer(u0, a_g.astype(dtype))
    assert np.abs(u_g[:, 4:-4, 4:-4]).max() < 1e-5 * 16
    assert u_g[0, 0, 0] > 0.5  # the corner sees a bright centre and a half-dark surround


@pytest.mark.parametrize("dtype", DTYPES)
def test_contrast_step_edge_hand_worked(dtype):
    # dark left half, bright right half: sum a_G u0 = 8 - 5 = 3 just right of the edge
    # (5 bright neighbours), 0 - 3 = -3 just left of it (3 bright neighbours)
    u0 = np.zeros((5, 6), dtype=dtype)
    u0[:, 3:] = 1.0
    on, off = cells.contrast_layer(u0, LAPLACE.astype(dtype))
    exp_on = np.zeros((5, 6))
    exp_off = np.zeros((5, 6))
    exp_on[1:-1, 3] = 3.0
    exp_off[1:-1, 2] = 3.0
    exp_on[[0, -1], 3] = 8 - 3  # top and bottom rows: the surround is cut off
    exp_off[[0, -1], 2] = 2.0
    exp_on[[0, -1], 4] = 8 - 5
    exp_on[1:-1, 5] = 8 - 5  # right border
    exp_on[[0, -1], 5] = 8 - 3
    np.testing.assert_allclose(on, exp_on, atol=HAND[on.dtype])
    np.testing.assert_allclose(off, exp_off, atol=HAND[off.dtype])


def test_contrast_on_minus_off_is_linear():
    rng = np.random.default_rng(5)
    u1, u2 = rng.random((2, 10, 10))
    a_g = rng.standard_normal((5, 5))

    def lin(u):
        g = cells.contrast_layer(u, a_g)
        return g[0] - g[1]

    np.testing.assert_allclose(lin(2 * u1 + 3 * u2), 2 * lin(u1) + 3 * lin(u2), atol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("theta", [0.3, 0.6, 0.85])
def test_s_theta_answers_its_own_pattern(dtype, theta):
    rng = np.random.default_rng(7)
    X = rng.random((1, 2, 3, 3)) + 0.2
    c = gaussian(3, 3, 1.0)
    a, b = theta_weights(X, c)
    S = np.sum(c * X[0] ** 2)  # sum a x = lam S, b v = lam S for x = lam X
    for lam in (0.01, 1.0, 1e4):
        u = lam * X[0]
        got = cells.s_layer_theta(u.astype(dtype), a.astype(dtype), b.astype(dtype),
                                  c.astype(dtype), theta, out_shape=(1, 1))
        # theta/(1-theta) * ((1 + lam S)/(1 + theta lam S) - 1) = theta lam S/(1 + theta lam S)
        want = theta * lam * S / (1 + theta * lam * S)
        assert got.shape == (1, 1, 1)
        assert got[0, 0, 0] == pytest.approx(want, rel=RTOL[np.dtype(dtype)])
    assert got[0, 0, 0] == pytest.approx(1.0, abs=1e-3)  # (1 - theta)/(1 - theta)


@pytest.mark.parametrize("theta", [0.5, 0.8])
def test_s_theta_answers_iff_cosine_exceeds_theta(theta):
    rng = np.random.default_rng(11)
    Xp = rng.random((1, 3, 3)) + 0.5
    c = gaussian(3, 3, 1.0)
    a, b = theta_weights(Xp[None], c)
    E = np.zeros((1, 3, 3))
    E[0, 0, 2] = 1.0  # one tap: the pattern's cosine with it is small
    seen = {True: 0, False: 0}
    for beta in np.concatenate([[0.0], np.geomspace(0.1, 1000.0, 40)]):
        x = Xp + beta * E
        s = cweighted_cos(x, Xp, c[None])
        if abs(s - theta) < 1e-3:
            continue
        for lam in (1.0, 1e6):
            got = cells.s_layer_theta(lam * x, a, b, c, theta, out_shape=(1, 1))[0, 0, 0]
            if s < theta:
                assert got == 0.0, (beta, s)
            else:
                assert got > 0.0, (beta, s)
        # for large inputs u_S -> (s - theta)/(1 - theta)
        assert got == pytest.approx(max(s - theta, 0) / (1 - theta), abs=1e-5)
        seen[bool(s > theta)] += 1
    assert seen[True] >= 3 and seen[False] >= 3


def test_s_theta_is_the_1980_cell_reparameterised():
    rng = np.random.default_rng(3)
    u = rng.random((2, 8, 8))
    a = rng.random((3, 2, 3, 3)) * 0.4
    b = rng.random(3) * 2
    c = rng.random((3, 3))
    theta = 0.6
    r = theta / (1 - theta)
    # against the 1980 equation in plain loops (s_layer_theta calls cells.s_layer, which
    # could not tell a wrong rewriting from a right one)
    ref = naive.s_layer(u, a, b / 2, c, r)
    assert 0 < np.count_nonzero(ref) < ref.size
    np.testing.assert_allclose(cells.s_layer_theta(u, a, b, c, theta), ref, rtol=1e-12,
                               atol=1e-12 * np.abs(ref).max())
    np.testing.assert_allclose(naive.s_layer_theta(u, a, b, c, theta), ref, rtol=1e-12,
                               atol=1e-12 * np.abs(ref).max())


@pytest.mark.parametrize("dtype", DTYPES)
def test_c_blur_inhibitory_surround_hand_worked(dtype):
    u = np.array([[[0.0, 3.0, 1.0, 0.0, 0.0]]], dtype=dtype)
    d = np.array([[-0.5, 1.0, -0.5]], dtype=dtype)
    # sums: -1.5, 3 - 0.5 = 2.5, -1.5 + 1 = -0.5, -0.5, 0 -> psi: 0, 2.5/3.5, 0, 0, 0
    got = cells.c_layer_blur(u, d)
    np.testing.assert_allclose(got[0, 0], [0, 2.5 / 3.5, 0, 0, 0], rtol=HAND[got.dtype], atol=0)
    # the grid rule lays two cells over the five positions with fields starting at 0 and
    # 2: sums 0 + 3 - 0.5 = 2.5 and -0.5 + 0 + 0 = -0.5
    got2 = cells.c_layer_blur(u, d, out_shape=(1, 2))
    np.testing.assert_allclose(got2[0, 0], [2.5 / 3.5, 0], rtol=HAND[got2.dtype], atol=0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_c_blur_uniform_input_with_zero_sum_d_is_silent_inside(dtype):
    u = np.full((2, 6, 6), 0.7, dtype=dtype)
    d = np.full((3, 3), -1.0 / 8, dtype=dtype)
    d[1, 1] = 1.0
    got = cells.c_layer_blur(u, d)
    np.testing.assert_allclose(got[:, 1:-1, 1:-1], 0.0, atol=HAND[got.dtype])
    side = 0.7 * (1 - 5 / 8)
    np.testing.assert_allclose(got[:, 0, 2], side / (1 + side), rtol=HAND[got.dtype])


def test_c_blur_saturates_below_one():
    u = np.zeros((1, 3, 3))
    u[0, 1, 1] = 1e6
    got = cells.c_layer_blur(u, np.ones((3, 3)))
    assert got.max() < 1 and got.max() == pytest.approx(1.0, abs=1e-5)
    got = cells.c_layer_blur(np.full((1, 3, 3), 1.0), np.ones((1, 1)))
    np.testing.assert_allclose(got, 0.5)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize("theta", [0.0, 1.0, 1.5, -0.2, float("nan"), float("inf")])
def test_s_theta_rejects_theta_outside_open_unit_interval(theta):
    args = (np.ones((1, 5, 5)), np.ones((1, 1, 3, 3)), np.ones(1), np.ones((3, 3)))
    with pytest.raises(ValueError, match="theta"):
        cells.s_layer_theta(*args, theta)


def test_s_theta_rejects_non_number_theta():
    args = (np.ones((1, 5, 5)), np.ones((1, 1, 3, 3)), np.ones(1), np.ones((3, 3)))
    with pytest.raises(TypeError, match="theta"):
        cells.s_layer_theta(*args, "0.5")
    with pytest.raises(TypeError, match="theta"):
        cells.s_layer_theta(*args, None)


def _nan(shape, where=0):
    x = np.ones(shape)
    x.flat[where] = np.nan
    return x


def _neg(shape):
    x = np.ones(shape)
    x.flat[-1] = -0.1
    return x


S_ARGS = dict(u_c=np.ones((1, 5, 5)), a=np.ones((1, 1, 3, 3)), b=np.ones(1), c=np.ones((3, 3)),
              theta=0.5)


@pytest.mark.parametrize(
    "name, value, exc",
    [
        ("u_c", _nan((1, 5, 5)), ValueError),
        ("u_c", _neg((1, 5, 5)), ValueError),
        ("u_c", np.ones((5, 5)), ValueError),
        ("u_c", np.ones((1, 1, 1, 5, 5)), ValueError),
        ("u_c", "image", TypeError),
        ("a", np.ones((1, 3, 3)), ValueError),
        ("a", _neg((1, 1, 3, 3)), ValueError),
        ("a", _nan((1, 1, 3, 3)), ValueError),
        ("b", _neg((1,)), ValueError),
        ("b", np.ones((1, 1)), ValueError),
        ("b", _nan((1,)), ValueError),
        ("c", np.ones(3), ValueError),
        ("c", _neg((3, 3)), ValueError),
    ],
)
def test_s_theta_bad_arrays_name_the_argument(name, value, exc):
    kw = dict(S_ARGS, **{name: value})
    with pytest.raises(exc, match=rf"\b{name}\b"):
        cells.s_layer_theta(**kw)


def test_s_theta_shape_mismatches():
    with pytest.raises(ValueError, match="input planes"):
        cells.s_layer_theta(**dict(S_ARGS, u_c=np.ones((2, 5, 5))))
    with pytest.raises(ValueError, match="b"):
        cells.s_layer_theta(**dict(S_ARGS, b=np.ones(2)))
    with pytest.raises(ValueError, match="out_shape"):
        cells.s_layer_theta(**S_ARGS, out_shape=(6, 5))


@pytest.mark.parametrize(
    "name, value, exc",
    [
        ("u0", _neg((6, 6)), ValueError),
        ("u0", _nan((6, 6)), ValueError),
        ("u0", np.ones((1, 1, 6, 6)), ValueError),
        ("u0", np.ones(6), ValueError),
        ("u0", [[1, "x"]], TypeError),
        ("a_g", np.ones((1, 3, 3)), ValueError),
        ("a_g", _nan((3, 3)), ValueError),
        ("a_g", np.ones((7, 7)), ValueError),  # larger than the image
    ],
)
def test_contrast_bad_input_names_the_argument(name, value, exc):
    kw = dict(u0=np.ones((6, 6)), a_g=LAPLACE)
    kw[name] = value
    with pytest.raises(exc, match=rf"\b{name}\b"):
        cells.contrast_layer(**kw)


def test_contrast_accepts_negative_kernel_and_rejects_large_out_shape():
    cells.contrast_layer(np.ones((6, 6)), -np.ones((3, 3)))  # any sign
    with pytest.raises(ValueError, match="out_shape"):
        cells.contrast_layer(np.ones((6, 6)), LAPLACE, out_shape=(7, 6))


@pytest.mark.parametrize(
    "name, value, exc",
    [
        ("u_s", _neg((1, 5, 5)), ValueError),
        ("u_s", _nan((1, 5, 5)), ValueError),
        ("u_s", np.ones((5, 5)), ValueError),
        ("d", np.ones(3), ValueError),
        ("d", _nan((3, 3)), ValueError),
        ("d", np.ones((6, 6)), ValueError),
        ("d", None, TypeError),
    ],
)
def test_c_blur_bad_input_names_the_argument(name, value, exc):
    kw = dict(u_s=np.ones((1, 5, 5)), d=np.ones((3, 3)))
    kw[name] = value
    with pytest.raises(exc, match=rf"\b{name}\b"):
        cells.c_layer_blur(**kw)
