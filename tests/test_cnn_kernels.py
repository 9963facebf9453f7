"""The numba kernels of neocognitron.cnn against plain-numpy loops (tests/naive_cnn.py)
and, where it applies, scipy. float32 and float64, odd shapes, all kernel sizes. The
pooling kernels are in test_cnn_pool.py."""

import numpy as np
import pytest
from naive_cnn import (
    DTYPES,
    adam,
    conv2d,
    conv2d_grad,
    dense,
    rand,
    relu,
    sgd_nesterov,
    shift,
    softmax_cross_entropy,
    tol,
)
from scipy import ndimage, signal, special

from neocognitron.cnn import _batch, _conv, _dense
from neocognitron.cnn.optimizers import SGD, Adam

CONV_CASES = [
    # N, Ci, Co, H, W, K, padding
    (2, 1, 6, 28, 28, 5, 2),  # LeNet-5 layer 1
    (2, 6, 16, 14, 14, 5, 0),  # LeNet-5 layer 2
    (3, 2, 3, 7, 9, 5, 2),
    (2, 3, 2, 6, 5, 3, 1),
    (1, 2, 3, 9, 8, 7, 0),  # 7 taps: one fused group of five, then two single taps
    (2, 2, 3, 4, 7, 1, 0),
    (1, 1, 1, 1, 1, 1, 0),
    (2, 1, 2, 1, 4, 3, 1),
]


def _conv_forward(x, w, b, p):
    if p:
        xp = np.empty(x.shape[:2] + (x.shape[2] + 2 * p, x.shape[3] + 2 * p), x.dtype)
        _conv.pad_planes(x, p, xp)
    else:
        xp = x
    K = w.shape[2]
    out = np.empty((x.shape[0], w.shape[0], xp.shape[2] - K + 1, xp.shape[3] - K + 1), x.dtype)
    _conv.conv_forward(xp, w, b, False, out)
    return xp, out


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_forward_matches_loops_and_scipy(case, dtype):
    N, Ci, Co, H, W, K, p = case
    rng = np.random.default_rng(0)
    x, w, b = (
        rand(rng, (N, Ci, H, W), dtype),
        rand(rng, (Co, Ci, K, K), dtype),
        rand(rng, Co, dtype),
    )
    xp, out = _conv_forward(x, w, b, p)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, conv2d(x, w, b, p), **tol(dtype, 10))
    rectified = np.empty_like(out)
    _conv.conv_forward(xp, w, b, True, rectified)
    np.testing.assert_array_equal(rectified, np.maximum(out, 0))
    xp = np.pad(x.astype(np.float64), [(0, 0), (0, 0), (p, p), (p, p)])
    ref = np.array(
        [
            [
                sum(
                    signal.correlate(xp[n, ci], w[co, ci].astype(np.float64), "valid")
                    for ci in range(Ci)
                )
                + b[co]
                for co in range(Co)
            ]
            for n in range(N)
        ]
    )
    np.testing.assert_allclose(out, ref, **tol(dtype, 10))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_backward_matches_loops(case, dtype):
    N, Ci, Co, H, W, K, p = case
    rng = np.random.default_rng(1)
    x, w, b = (
        rand(rng, (N, Ci, H, W), dtype),
        rand(rng, (Co, Ci, K, K), dtype),
        rand(rng, Co, dtype),
    )
    xp, out = _conv_forward(x, w, b, p)
    dout = rand(rng, out.shape, dtype)
    dx_ref, dw_ref, db_ref = conv2d_grad(x, w, dout, p)
    dw, db = np.empty_like(w), np.empty_like(b)
    _conv.conv_grad_weights(xp, dout, dw)
    _conv.bias_grad(dout, db)
    dxp = np.empty_like(xp)
    _conv.conv_grad_input(dout, w, dxp)
    dx = np.empty_like(x)
    _conv.crop_planes(dxp, p, dx)
    np.testing.assert_allclose(dw, dw_ref, **tol(dtype, 30))
    np.testing.assert_allclose(db, db_ref, **tol(dtype, 30))
    np.testing.assert_allclose(dx, dx_ref, **tol(dtype, 30))


def test_pad_and_crop_are_adjoint():
    rng = np.random.default_rng(2)
    x = rand(rng, (2, 3, 4, 5), np.float64)
    xp = np.empty((2, 3, 8, 9))
    _conv.pad_planes(x, 2, xp)
    np.testing.assert_array_equal(xp, np.pad(x, [(0, 0), (0, 0), (2, 2), (2, 2)]))
    back = np.empty_like(x)
    _conv.crop_planes(xp, 2, back)
    np.testing.assert_array_equal(back, x)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5, 400, 120), (3, 7, 10), (1, 1, 1), (4, 3, 5)])
def test_dense_forward_backward(shape, dtype):
    N, F, O = shape
    rng = np.random.default_rng(9)
    x, w, b = rand(rng, (N, F), dtype), rand(rng, (O, F), dtype), rand(rng, O, dtype)
    out = np.empty((N, O), dtype)
    _dense.dense_forward(x, w, b, out)
    np.testing.assert_allclose(out, dense(x, w, b), **tol(dtype, 30))
    dout = rand(rng, (N, O), dtype)
    dx, dw, db = np.empty_like(x), np.empty_like(w), np.empty_like(b)
    _dense.dense_backward_input(dout, w, dx)
    _dense.dense_backward_params(x, dout, dw, db)
    d64 = dout.astype(np.float64)
    np.testing.assert_allclose(dx, d64 @ w, **tol(dtype, 30))
    np.testing.assert_allclose(dw, d64.T @ x, **tol(dtype, 30))
    np.testing.assert_allclose(db, d64.sum(0), **tol(dtype, 30))


@pytest.mark.parametrize("dtype", DTYPES)
def test_relu(dtype):
    rng = np.random.default_rng(10)
    x = rand(rng, 1000, dtype)
    y = np.empty_like(x)
    _dense.relu_forward(x, y)
    np.testing.assert_array_equal(y, relu(x))
    dout = rand(rng, 1000, dtype)
    dx = np.empty_like(x)
    _dense.relu_backward(y, dout, dx)
    np.testing.assert_array_equal(dx, np.where(x > 0, dout, 0))


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_cross_entropy(dtype):
    rng = np.random.default_rng(11)
    z = (5 * rng.standard_normal((7, 10))).astype(dtype)
    z[0] += 500  # large logits must not overflow
    y = rng.integers(0, 10, 7)
    dz = np.empty_like(z)
    loss = _dense.softmax_cross_entropy(z, y, dz)
    z64 = z.astype(np.float64)
    ref = np.mean(special.logsumexp(z64, axis=1) - z64[np.arange(7), y])
    np.testing.assert_allclose(loss, ref, rtol=1e-6 if dtype == np.float32 else 1e-13)
    np.testing.assert_allclose(
        loss, softmax_cross_entropy(z64, y), rtol=1e-6 if dtype == np.float32 else 1e-13
    )
    p = special.softmax(z64, axis=1)
    p[np.arange(7), y] -= 1
    np.testing.assert_allclose(dz, p / 7, **tol(dtype))
    out = np.empty_like(z64)
    _dense.softmax(z64, out)
    np.testing.assert_allclose(out, special.softmax(z64, axis=1), rtol=1e-13)


def test_gather_and_shift():
    rng = np.random.default_rng(12)
    x = rng.standard_normal((6, 5, 7)).astype(np.float32)
    idx = np.array([4, 0, 4, 2])
    out = np.empty((4, 35), np.float32)
    _batch.gather(x.reshape(6, -1), idx, out)
    np.testing.assert_array_equal(out, x[idx].reshape(4, -1))
    dy, dx = np.array([0, 2, -3, 6]), np.array([1, -1, 0, -2])
    shifted = np.empty((4, 5, 7), np.float32)
    _batch.gather_shifted(x, idx, dy, dx, np.float32(-0.5), shifted)
    for i in range(4):
        np.testing.assert_array_equal(shifted[i], shift(x[idx[i]], dy[i], dx[i], -0.5))
        ref = ndimage.shift(x[idx[i]], (dy[i], dx[i]), order=0, mode="constant", cval=-0.5)
        np.testing.assert_array_equal(shifted[i], ref)


@pytest.mark.parametrize("dtype", DTYPES)
def test_adam_matches_textbook(dtype):
    rng = np.random.default_rng(13)
    theta0 = rand(rng, 50, dtype)
    grads = [rand(rng, 50, dtype) for _ in range(5)]
    opt = Adam(50, dtype)
    theta = theta0.copy()
    for g in grads:
        opt.step(theta, g, 0.01, alpha=0.1, n_weights=30)
    ref = adam(theta0, grads, 0.01, alpha=0.1, n_weights=30)
    np.testing.assert_allclose(theta, ref, rtol=1e-5 if dtype == np.float32 else 1e-12)


def test_sgd_nesterov_matches_textbook():
    rng = np.random.default_rng(14)
    theta0 = rng.standard_normal(20)
    grads = [rng.standard_normal(20) for _ in range(4)]
    opt = SGD(20, np.float64, momentum=0.9)
    theta = theta0.copy()
    for g in grads:
        opt.step(theta, g, 0.1)
    np.testing.assert_allclose(theta, sgd_nesterov(theta0, grads, 0.1, 0.9), rtol=1e-13)
    plain = SGD(20, np.float64, momentum=0.5, nesterov=False)
    theta = theta0.copy()
    plain.step(theta, grads[0], 0.1)
    plain.step(theta, grads[1], 0.1)
    v1 = -0.1 * grads[0]
    v2 = 0.5 * v1 - 0.1 * grads[1]
    np.testing.assert_allclose(theta, theta0 + v1 + v2, rtol=1e-13)
