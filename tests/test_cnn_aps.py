"""The kernels of adaptive polyphase sampling, the circular max pooling before it and the
circular padding of the convolutions (neocognitron.cnn._aps, _conv) against plain-numpy
oracles (tests/naive_cnn.py) on random inputs and on examples worked by hand, in float32
and float64; and their exact behaviour under circular shifts."""

import numpy as np
import pytest
from naive_cnn import (
    DTYPES,
    aps,
    aps_grad,
    conv2d,
    conv2d_grad,
    rand,
    tol,
    wrap_fold,
    wrap_max_pool,
    wrap_pad,
)

from neocognitron.cnn import _aps, _conv, _pool
from neocognitron.cnn.layers import AdaptivePolyphase, Conv2D, Pool2D

SHAPES = [(3, 2, 8, 8), (2, 3, 28, 28), (2, 2, 7, 6), (2, 1, 5, 9), (1, 2, 1, 4), (2, 1, 1, 1),
          (1, 3, 3, 3)]


def run_aps(x):
    N, C, H, W = x.shape
    phase = np.empty(N, np.int64)
    _aps.aps_choose(x, phase)
    out = np.empty((N, C, _aps.aps_size(H), _aps.aps_size(W)), x.dtype)
    _aps.aps_forward(x, phase, out)
    return out, phase


def run_wrap_max(x, k, keep=True):
    out = np.empty_like(x)
    arg = np.empty(x.shape if keep else (1, 1, 1, 1), np.int32)
    _aps.wrap_max_pool_forward(x, k, out, arg, keep)
    return out, arg


# ------------------------------------------------------------- adaptive polyphase sampling
@pytest.mark.parametrize("n,expected", [(28, 14), (14, 7), (7, 4), (1, 1), (2, 1), (3, 2)])
def test_aps_size_is_half_rounded_up(n, expected):
    assert _aps.aps_size(n) == expected


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_aps_matches_oracle(shape, dtype):
    rng = np.random.default_rng(0)
    x = rand(rng, shape, dtype)
    out, phase = run_aps(x)
    ref, ref_phase = aps(x)
    np.testing.assert_array_equal(phase, ref_phase)
    np.testing.assert_array_equal(out, ref.astype(dtype))  # a copy: exact
    dout = rand(rng, out.shape, dtype)
    dx = np.empty_like(x)
    _aps.aps_backward(dout, phase, dx)
    np.testing.assert_array_equal(dx, aps_grad(x, phase, dout).astype(dtype))


def test_aps_by_hand_even_plane():
    # grids of arange(16) as 4x4: (0,0) 0 2 8 10 (sum of squares 168), (0,1) 1 3 9 11 (212),
    # (1,0) 4 6 12 14 (392), (1,1) 5 7 13 15 (468): the last wins
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    out, phase = run_aps(x)
    assert phase.tolist() == [3]
    np.testing.assert_array_equal(out[0, 0], [[5, 7], [13, 15]])
    dx = np.empty_like(x)
    _aps.aps_backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), phase, dx)
    np.testing.assert_array_equal(dx[0, 0], [[0, 0, 0, 0], [0, 1, 0, 2], [0, 0, 0, 0],
                                             [0, 3, 0, 4]])


def test_aps_by_hand_odd_plane_wraps():
    # 9 8 7 / 6 5 4 / 3 2 1: grid (1,1) reads rows 1, 0 and columns 1, 0 (index 3 wraps to 0):
    # 5 6 8 9, sum of squares 206 against 140, 158, 182 for (0,0), (0,1), (1,0)
    x = (9.0 - np.arange(9.0)).reshape(1, 1, 3, 3)
    out, phase = run_aps(x)
    assert phase.tolist() == [3]
    np.testing.assert_array_equal(out[0, 0], [[5, 6], [8, 9]])
    dx = np.empty_like(x)
    _aps.aps_backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), phase, dx)
    np.testing.assert_array_equal(dx[0, 0], [[4, 3, 0], [2, 1, 0], [0, 0, 0]])


def test_aps_chooses_one_grid_for_all_channels_by_their_joint_norm():
    x = np.zeros((2, 2, 2, 2))
    x[:, 0, 0, 0] = 3.0  # channel 0 prefers grid (0, 0) ...
    x[:, 1, 1, 0] = 4.0  # ... channel 1 grid (1, 0), by more
    x[1, 0, 0, 0] = 5.0  # sample 1: channel 0 wins
    out, phase = run_aps(x)
    assert phase.tolist() == [2, 0]
    np.testing.assert_array_equal(out[:, :, 0, 0], [[0.0, 4.0], [5.0, 0.0]])


@pytest.mark.parametrize("tied,expected", [((0, 1, 2, 3), 0), ((1, 2), 1), ((2, 3), 2),
                                           ((3,), 3)])
def test_aps_ties_go_to_the_first_grid(tied, expected):
    # equal norms on the grids in ``tied``, zero on the others
    x = np.zeros((1, 1, 2, 2))
    for p in tied:
        x[0, 0, p // 2, p % 2] = -2.0 if p % 2 else 2.0  # the sign does not count
    assert run_aps(x)[1].tolist() == [expected]


@pytest.mark.parametrize("shape", [(2, 3, 6, 8), (1, 2, 4, 2)])
def test_aps_output_shifts_with_circular_shifts_of_even_planes(shape):
    # a shift by (dy, dx) moves grid (a, b) to ((a + dy) % 2, (b + dx) % 2), whose
    # samples are those of (a, b) shifted by ((a + dy - a') / 2, ...)
    x = rand(np.random.default_rng(1), shape, np.float64)
    out, phase = run_aps(x)
    for dy in range(shape[2]):
        for dx in range(shape[3]):
            out2, phase2 = run_aps(np.roll(x, (dy, dx), (2, 3)))
            for n in range(shape[0]):
                a, b = divmod(int(phase[n]), 2)
                a2, b2 = (a + dy) % 2, (b + dx) % 2
                assert phase2[n] == 2 * a2 + b2
                moved = np.roll(out[n], ((a + dy - a2) // 2, (b + dx - b2) // 2), (1, 2))
                np.testing.assert_array_equal(out2[n], moved)


def test_aps_layer_keeps_the_choice_for_backward():
    rng = np.random.default_rng(2)
    layer = AdaptivePolyphase()
    assert layer.build((3, 7, 10)) == (3, 4, 5)
    x = rand(rng, (4, 3, 7, 10), np.float64)
    out = layer.forward(x, train=True)
    ref, phase = aps(x)
    np.testing.assert_array_equal(out, ref)
    dout = rand(rng, out.shape, np.float64)
    np.testing.assert_array_equal(layer.backward(dout), aps_grad(x, phase, dout))


# ------------------------------------------------------------- circular max pooling
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("k", [2, 3])
def test_wrap_max_pool_matches_oracle(shape, k, dtype):
    rng = np.random.default_rng(3)
    # few distinct values: many ties, which must go to the first maximum of each window
    x = rng.integers(0, 4, shape).astype(dtype)
    ref, ref_arg = wrap_max_pool(x, k)
    out, arg = run_wrap_max(x, k)
    np.testing.assert_array_equal(out, ref.astype(dtype))
    np.testing.assert_array_equal(arg, ref_arg)
    np.testing.assert_array_equal(run_wrap_max(x, k, keep=False)[0], out)
    # backward (the max pooling's scatter): each output's gradient to its argmax
    dout = rand(rng, shape, dtype)
    dx = np.empty_like(x)
    _pool.max_pool_backward(dout, arg, dx)
    expected = np.zeros((shape[0], shape[1], shape[2] * shape[3]))
    for n in range(shape[0]):
        for c in range(shape[1]):
            np.add.at(expected[n, c], ref_arg[n, c].ravel(), dout[n, c].ravel())
    np.testing.assert_allclose(dx.reshape(expected.shape), expected, **tol(dtype))


def test_wrap_max_pool_by_hand():
    # 1 5 2 / 3 0 4: the window at (y, x) reads rows y, y+1 and columns x, x+1 mod (2, 3)
    x = np.array([[[[1.0, 5.0, 2.0], [3.0, 0.0, 4.0]]]])
    out, arg = run_wrap_max(x, 2)
    np.testing.assert_array_equal(out[0, 0], [[5, 5, 4], [5, 5, 4]])
    np.testing.assert_array_equal(arg[0, 0], [[1, 1, 5], [1, 1, 5]])


def test_wrap_max_pool_commutes_with_circular_shifts():
    x = rand(np.random.default_rng(4), (2, 2, 5, 6), np.float64)
    out = run_wrap_max(x, 2)[0]
    for dy in range(5):
        for dx in range(6):
            shifted = run_wrap_max(np.roll(x, (dy, dx), (2, 3)), 2)[0]
            np.testing.assert_array_equal(shifted, np.roll(out, (dy, dx), (2, 3)))


def test_circular_pool_layer_is_max_at_stride_one_only():
    layer = Pool2D("max", 2, 1, circular=True)
    assert layer.build((3, 7, 5)) == (3, 7, 5)
    for kind, stride in (("avg", 1), ("max", 2)):
        with pytest.raises(ValueError, match="circular pooling is max pooling at stride 1"):
            Pool2D(kind, 2, stride, circular=True)


# ------------------------------------------------------------------ circular padding
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,p", [((2, 3, 5, 6), 2), ((1, 2, 28, 28), 2), ((2, 1, 2, 3), 3),
                                     ((1, 1, 1, 1), 2), ((1, 2, 4, 1), 1)])
def test_wrap_pad_and_its_adjoint_match_oracles(shape, p, dtype):
    rng = np.random.default_rng(5)
    x = rand(rng, shape, dtype)
    N, C, H, W = shape
    xp = np.empty((N, C, H + 2 * p, W + 2 * p), dtype)
    _conv.wrap_pad_planes(x, p, xp)
    np.testing.assert_array_equal(xp, wrap_pad(x, p))
    g = rand(rng, xp.shape, dtype)
    back = np.empty_like(x)
    _conv.wrap_crop_planes(g, p, back)
    np.testing.assert_allclose(back, wrap_fold(g, p, H, W), **tol(dtype))
    # the adjoint identity <pad(x), g> = <x, crop(g)>, in float64
    lhs = np.sum(xp.astype(np.float64) * g)
    np.testing.assert_allclose(lhs, np.sum(x.astype(np.float64) * back), **tol(dtype, 10))


def test_wrap_pad_by_hand():
    xp = np.empty((1, 1, 4, 4))
    _conv.wrap_pad_planes(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), 1, xp)
    np.testing.assert_array_equal(xp[0, 0], [[4, 3, 4, 3], [2, 1, 2, 1], [4, 3, 4, 3],
                                             [2, 1, 2, 1]])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,co,k", [((2, 1, 28, 28), 6, 5), ((2, 6, 14, 14), 4, 5),
                                        ((3, 2, 5, 7), 3, 3), ((1, 2, 3, 2), 2, 5)])
def test_circular_conv_layer_matches_oracle(shape, co, k, dtype):
    rng = np.random.default_rng(6)
    p = (k - 1) // 2
    layer = Conv2D(co, k, p, circular=True)
    assert layer.build(shape[1:]) == (co,) + shape[2:]  # "same"
    w, b = rand(rng, (co, shape[1], k, k), dtype), rand(rng, (co,), dtype)
    layer.bind([w], [b], [np.empty_like(w)], [np.empty_like(b)])
    x = rand(rng, shape, dtype)
    out = layer.forward(x, train=True)
    scale = shape[1] * k * k
    np.testing.assert_allclose(out, conv2d(wrap_pad(x, p), w, b), **tol(dtype, scale))
    dout = rand(rng, out.shape, dtype)
    dx = layer.backward(dout)
    dxp, dw, db = conv2d_grad(wrap_pad(x, p), w, dout)
    np.testing.assert_allclose(dx, wrap_fold(dxp, p, *shape[2:]), **tol(dtype, scale))
    np.testing.assert_allclose(layer.grads[0], dw, **tol(dtype, 30 * scale))
    np.testing.assert_allclose(layer.grads[1], db, **tol(dtype, 30 * scale))
