"""The cells of the digit neocognitron (Fukushima 2003): ``contrast_layer``,
``s_layer_theta`` and ``c_layer_blur`` against plain loops (``tests/naive.py``, written
from their docstrings), on "same" and smaller grids, and the dtype of their results.

Tolerances follow the dtype: relative error <= 1e-11 in float64 and <= 1e-4 in float32,
measured against the size of the layer's output.
"""

import naive
import numpy as np
import pytest
from cell_cases import DTYPES, RTOL
from digit_cell_cases import gaussian, theta_weights

from neocognitron import cells

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
