"""The pooling kernels of neocognitron.cnn (max, average, BlurPool's blur, global average)
against plain-numpy loops (tests/naive_cnn.py), numpy and scipy, in float32 and float64."""

import numpy as np
import pytest
from naive_cnn import DTYPES, blur, global_avg, pool2d, pool_size, rand, tol
from scipy import ndimage

from neocognitron.cnn import _pool
from neocognitron.cnn.layers import binomial_filter


@pytest.mark.parametrize(
    "n,k,s",
    [(28, 2, 2), (10, 2, 2), (27, 2, 1), (5, 2, 2), (1, 2, 2), (2, 2, 2), (7, 3, 2), (9, 2, 3)],
)
def test_pool_size_matches_reference(n, k, s):
    assert _pool.pool_size(n, k, s) == pool_size(n, k, s)


POOL_CASES = [
    (2, 3, 28, 28, 2, 2),
    (2, 2, 10, 10, 2, 2),
    (2, 2, 7, 5, 2, 2),
    (1, 2, 27, 9, 2, 1),
    (1, 1, 1, 3, 2, 2),
    (2, 2, 8, 7, 3, 2),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", POOL_CASES)
def test_max_pool_matches_loops(case, dtype):
    N, C, H, W, k, s = case
    rng = np.random.default_rng(3)
    x = rand(rng, (N, C, H, W), dtype)
    Ho, Wo = _pool.pool_size(H, k, s), _pool.pool_size(W, k, s)
    ref = pool2d(x, k, s, "max")
    for keep in (False, True):
        out = np.empty((N, C, Ho, Wo), dtype)
        arg = np.empty(out.shape if keep else (1, 1, 1, 1), np.int32)
        _pool.max_pool_forward(x, k, s, out, arg, keep)
        np.testing.assert_array_equal(out, ref.astype(dtype))
    # arg points at the maximum of each window
    flat = x.reshape(N, C, -1)
    np.testing.assert_array_equal(
        np.take_along_axis(flat, arg.reshape(N, C, -1), 2).reshape(out.shape), out
    )
    # backward routes each output gradient to its argmax
    dout = rand(rng, out.shape, dtype)
    dx = np.empty_like(x)
    _pool.max_pool_backward(dout, arg, dx)
    ref_dx = np.zeros((N, C, H * W))
    for n in range(N):
        for c in range(C):
            np.add.at(ref_dx[n, c], arg[n, c].ravel(), dout[n, c].ravel())
    np.testing.assert_allclose(dx.reshape(N, C, -1), ref_dx, **tol(dtype))


def test_max_pool_breaks_ties_at_the_first_pixel():
    x = np.zeros((1, 1, 2, 2))
    out, arg = np.empty((1, 1, 1, 1)), np.empty((1, 1, 1, 1), np.int32)
    _pool.max_pool_forward(x, 2, 2, out, arg, True)
    assert arg[0, 0, 0, 0] == 0


@pytest.mark.parametrize("H,W,k,s", [(6, 7, 2, 2), (7, 8, 3, 2), (5, 5, 2, 1), (4, 5, 3, 3)])
def test_max_pool_argmax_is_the_first_maximum_of_each_window(H, W, k, s):
    # values 0..2 tie often; reference: np.argmax (the first maximum in row-major order) of
    # each clipped window, turned into a flat index of the plane
    x = np.random.default_rng(15).integers(0, 3, (2, 2, H, W)).astype(np.float64)
    Ho, Wo = pool_size(H, k, s), pool_size(W, k, s)
    out, arg = np.empty((2, 2, Ho, Wo)), np.empty((2, 2, Ho, Wo), np.int32)
    _pool.max_pool_forward(x, k, s, out, arg, True)
    for n, c, i, j in np.ndindex(arg.shape):
        win = x[n, c, i * s : min(i * s + k, H), j * s : min(j * s + k, W)]
        dy, dx = np.unravel_index(np.argmax(win), win.shape)
        assert arg[n, c, i, j] == (i * s + dy) * W + j * s + dx, (n, c, i, j)


def test_pooling_2x2_matches_numpy_block_reduction():
    rng = np.random.default_rng(4)
    x = rand(rng, (3, 4, 10, 12), np.float64)
    blocks = x.reshape(3, 4, 5, 2, 6, 2)
    out = np.empty((3, 4, 5, 6))
    _pool.max_pool_forward(x, 2, 2, out, np.empty((1, 1, 1, 1), np.int32), False)
    np.testing.assert_array_equal(out, blocks.max(axis=(3, 5)))
    _pool.avg_pool_forward(x, 2, 2, out)
    np.testing.assert_allclose(out, blocks.mean(axis=(3, 5)), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", POOL_CASES)
def test_avg_pool_matches_loops(case, dtype):
    N, C, H, W, k, s = case
    rng = np.random.default_rng(5)
    x = rand(rng, (N, C, H, W), dtype)
    out = np.empty((N, C, _pool.pool_size(H, k, s), _pool.pool_size(W, k, s)), dtype)
    _pool.avg_pool_forward(x, k, s, out)
    np.testing.assert_allclose(out, pool2d(x, k, s, "avg"), **tol(dtype))
    # backward is the adjoint: <dout, A x> == <A^T dout, x>
    dout = rand(rng, out.shape, dtype)
    dx = np.empty_like(x)
    _pool.avg_pool_backward(dout, k, s, dx)
    np.testing.assert_allclose(np.vdot(dout, out), np.vdot(dx, x), **tol(dtype, 10))


BLUR_CASES = [
    (2, 3, 27, 27, 3, 2),
    (1, 2, 9, 9, 3, 2),
    (1, 2, 8, 5, 3, 2),
    (1, 1, 1, 4, 3, 2),
    (1, 2, 2, 3, 3, 2),
    (1, 2, 10, 7, 4, 2),
    (1, 1, 6, 6, 5, 1),
    # planes no larger than the pad: the padding reflects more than once
    (1, 2, 2, 3, 5, 1),
    (2, 1, 2, 2, 7, 2),
    (1, 1, 3, 2, 6, 1),
    (1, 2, 1, 3, 7, 1),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", BLUR_CASES)
def test_blur_matches_loops_and_adjoint(case, dtype):
    N, C, H, W, m, s = case
    rng = np.random.default_rng(6)
    x = rand(rng, (N, C, H, W), dtype)
    f = binomial_filter(m).astype(dtype)
    out = np.empty((N, C, _pool.blur_size(H, m, s), _pool.blur_size(W, m, s)), dtype)
    _pool.blur_forward(x, f, s, out)
    np.testing.assert_allclose(out, blur(x, f.astype(np.float64), s), **tol(dtype))
    dout = rand(rng, out.shape, dtype)
    dx = np.empty_like(x)
    _pool.blur_backward(dout, f, s, dx)
    np.testing.assert_allclose(np.vdot(dout, out), np.vdot(dx, x), **tol(dtype, 10))


@pytest.mark.parametrize(
    "shape,m,s",
    [((2, 3, 11, 8), 3, 2), ((1, 2, 2, 3), 5, 1), ((1, 2, 2, 2), 7, 2), ((1, 1, 3, 1), 7, 1)],
)
def test_blur_matches_scipy_mirror_filter(shape, m, s):
    """scipy's "mirror" is numpy's "reflect" (edge pixel not repeated), reflected again
    as often as the filter reaches past the plane (odd m: scipy centres the filter)."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal(shape)
    f = binomial_filter(m)
    if m == 3:
        np.testing.assert_allclose(f, [0.25, 0.5, 0.25])
    ref = ndimage.correlate1d(
        ndimage.correlate1d(x, f, axis=2, mode="mirror"), f, axis=3, mode="mirror"
    )
    out = np.empty(shape[:2] + (_pool.blur_size(shape[2], m, s), _pool.blur_size(shape[3], m, s)))
    _pool.blur_forward(x, f, s, out)
    np.testing.assert_allclose(out, ref[:, :, ::s, ::s], rtol=1e-13, atol=1e-13)


def test_blur_on_a_two_pixel_plane_by_hand():
    """A 5-tap blur [1, 4, 6, 4, 1] / 16 on the column (a, b): the reflected column
    reads ... a b a b a ..., so row 0 sees (a, b, a, b, a) and row 1 sees (b, a, b, a, b):
    (a + 4b + 6a + 4b + a) / 16 = (8a + 8b) / 16 and the same for row 1."""
    x = np.array([1.0, 0.0]).reshape(1, 1, 2, 1)
    out = np.empty((1, 1, 2, 1))
    _pool.blur_forward(x, binomial_filter(5), 1, out)
    np.testing.assert_array_equal(out.ravel(), [0.5, 0.5])


@pytest.mark.parametrize("shape,m,s", [((1, 2, 2, 3), 6, 1), ((2, 1, 3, 1), 4, 2),
                                       ((1, 1, 2, 5), 7, 3)])
def test_blur_matches_numpy_reflect_padding(shape, m, s):
    """Pad with np.pad(mode="reflect") ((m - 1) // 2 before, m // 2 after, any width),
    then the 2-D correlation with the outer product of f, sampled at stride s."""
    rng = np.random.default_rng(8)
    x = rng.standard_normal(shape)
    f = binomial_filter(m)
    lo, hi = (m - 1) // 2, m // 2
    xp = np.pad(x, [(0, 0), (0, 0), (lo, hi), (lo, hi)], mode="reflect")
    windows = np.lib.stride_tricks.sliding_window_view(xp, (m, m), axis=(2, 3))
    ref = np.einsum("ncijab,a,b->ncij", windows, f, f)[:, :, ::s, ::s]
    out = np.empty(ref.shape)
    _pool.blur_forward(x, f, s, out)
    np.testing.assert_allclose(out, ref, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("dtype", DTYPES)
def test_global_avg(dtype):
    rng = np.random.default_rng(8)
    x = rand(rng, (3, 4, 5, 7), dtype)
    out = np.empty((3, 4), dtype)
    _pool.global_avg_forward(x, out)
    np.testing.assert_allclose(out, global_avg(x), **tol(dtype))
    dout = rand(rng, (3, 4), dtype)
    dx = np.empty_like(x)
    _pool.global_avg_backward(dout, dx)
    np.testing.assert_allclose(
        dx, np.broadcast_to(dout[:, :, None, None] / 35, x.shape), **tol(dtype)
    )
