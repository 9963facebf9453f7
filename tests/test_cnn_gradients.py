"""Backward passes against central differences, in float64: every layer, every option,
and whole networks (all combinations of pooling, antialias, global_pool and padding that
the network accepts: APS takes no antialias).

Relative error ``||analytic - numeric|| / max(||analytic||, ||numeric||)`` must be at most
1e-6, and every entry must agree to ``rtol=1e-6, atol=1e-9``.
"""

import itertools

import numpy as np
import pytest

from neocognitron.cnn import _dense
from neocognitron.cnn.layers import (
    AdaptivePolyphase,
    Blur,
    Conv2D,
    Dense,
    Flatten,
    GlobalAvgPool,
    Pool2D,
    ReLU,
)
from neocognitron.cnn.network import DataParallel, Network, lenet_layers

H_STEP = 1e-6


def numerical_grad(f, arr):
    """Central differences of the scalar f() with respect to every entry of ``arr``."""
    g = np.zeros(arr.shape)
    flat, gflat = arr.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + H_STEP
        up = f()
        flat[i] = old - H_STEP
        down = f()
        flat[i] = old
        gflat[i] = (up - down) / (2 * H_STEP)
    return g


def assert_grad_close(analytic, numeric):
    analytic, numeric = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    scale = max(np.linalg.norm(analytic), np.linalg.norm(numeric))
    assert scale > 0, "degenerate check: both gradients are zero"
    rel = np.linalg.norm(analytic - numeric) / scale
    assert rel <= 1e-6, f"relative error {rel:.2e}"
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


def distinct(rng, shape):
    """Values with gaps of at least ~1/size, so that no max-pool tie or ReLU kink lies
    within the finite-difference step."""
    n = int(np.prod(shape))
    v = (rng.permutation(n) - (n - 1) / 2 + 0.3) / n * 4  # never 0
    return v.reshape(shape)


def check_layer(layer, in_shape, batch=2, seed=0):
    rng = np.random.default_rng(seed)
    net = Network([layer], in_shape, np.float64)
    net.init_params(np.random.RandomState(seed))
    net.theta[...] += 0.1 * rng.standard_normal(net.n_params)  # non-zero biases too
    x = distinct(rng, (batch,) + tuple(in_shape))
    r = rng.standard_normal((batch,) + net.out_shape)

    def loss():
        return float(np.sum(r * layer.forward(x)))

    layer.forward(x, train=True)
    dx = layer.backward(r.copy(), need_dx=True)
    assert_grad_close(dx, numerical_grad(loss, x))
    if net.n_params:
        layer.forward(x, train=True)
        layer.backward(r.copy(), need_dx=True)
        analytic = net.grad.copy()
        assert_grad_close(analytic, numerical_grad(loss, net.theta))


@pytest.mark.parametrize(
    "in_shape,channels,k,padding",
    [
        ((1, 6, 7), 2, 5, 2),
        ((2, 5, 5), 3, 3, 1),
        ((3, 6, 6), 2, 3, 0),
        ((2, 4, 3), 2, 1, 0),
        ((1, 7, 7), 1, 7, 0),
        ((2, 3, 3), 2, 5, 2),
    ],
)
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("circular", [False, True])
def test_conv2d_gradient(in_shape, channels, k, padding, relu, circular):
    check_layer(Conv2D(channels, k, padding, relu=relu, circular=circular), in_shape)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize(
    "size,stride,hw",
    [(2, 2, (6, 6)), (2, 2, (5, 7)), (2, 1, (5, 6)), (3, 2, (7, 6)), (2, 2, (1, 3))],
)
def test_pool_gradient(kind, size, stride, hw):
    check_layer(Pool2D(kind, size, stride), (2,) + hw)


@pytest.mark.parametrize("size,hw", [(2, (6, 6)), (2, (5, 7)), (3, (4, 5)), (2, (1, 3)),
                                     (3, (2, 2))])
def test_circular_max_pool_gradient(size, hw):
    check_layer(Pool2D("max", size, 1, circular=True), (2,) + hw)


@pytest.mark.parametrize("hw", [(6, 6), (5, 7), (3, 3), (1, 4), (1, 1), (8, 2)])
def test_adaptive_polyphase_gradient(hw):
    # batch 3: the samples choose different grids
    check_layer(AdaptivePolyphase(), (3,) + hw, batch=3)


@pytest.mark.parametrize(
    "stride,m,hw",
    [(2, 3, (7, 7)), (2, 3, (6, 5)), (1, 3, (4, 5)), (2, 4, (6, 6)), (2, 3, (1, 4)),
     # planes no larger than the pad: reflected more than once
     (1, 5, (2, 3)), (2, 7, (2, 2)), (1, 6, (3, 1))],
)
def test_blur_gradient(stride, m, hw):
    check_layer(Blur(stride, m), (2,) + hw)


@pytest.mark.parametrize(
    "layer,in_shape",
    [
        (GlobalAvgPool(), (3, 4, 5)),
        (Flatten(), (2, 3, 4)),
        (Dense(5), (7,)),
        (Dense(1), (1,)),
        (Dense(4, gain=3.0), (6,)),
        (ReLU(), (3, 4, 4)),
        (ReLU(), (9,)),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, tuple) else str(v),
)
def test_other_layer_gradients(layer, in_shape):
    check_layer(layer, in_shape, batch=3)


def test_softmax_cross_entropy_gradient():
    rng = np.random.default_rng(1)
    z = rng.standard_normal((4, 5)) * 3
    y = np.array([0, 4, 2, 2])
    dz = np.empty_like(z)
    _dense.softmax_cross_entropy(z, y, dz)
    numeric = numerical_grad(lambda: _dense.softmax_cross_entropy(z, y, np.empty_like(z)), z)
    assert_grad_close(dz, numeric)


NETWORK_OPTIONS = [
    options for options in itertools.product(
        ["max", "avg", "aps"], [False, True], [False, True], ["lenet", "same", "valid", "circular"])
    if options[:2] != ("aps", True)
]


@pytest.mark.parametrize("pooling,antialias,global_pool,padding", NETWORK_OPTIONS)
def test_network_gradient_all_options(pooling, antialias, global_pool, padding):
    """The whole network's parameter gradient of the mean cross-entropy."""
    rng = np.random.default_rng(2)
    layers = lenet_layers(
        3,
        (2, 3),
        3,
        (4,),
        pooling=pooling,
        antialias=antialias,
        global_pool=global_pool,
        padding=padding,
    )
    # APS is discontinuous where two grids tie, and on 12x11 images two grids of one
    # sample tie exactly (the max pooling at stride 1 repeats a dominant row); on 13x12
    # every sample's grid leads the next by 0.4 % or more of its squared norm
    shape = (1, 13, 12) if pooling == "aps" else (1, 12, 11)
    net = Network(layers, shape, np.float64)
    net.init_params(np.random.RandomState(0))
    net.theta[net.n_weights :] = 0.05 * rng.standard_normal(net.n_params - net.n_weights)
    x = rng.standard_normal((3,) + shape)
    y = np.array([0, 2, 1])
    net.loss_grad(x, y)
    analytic = net.grad.copy()
    numeric = numerical_grad(lambda: net.loss_grad(x, y), net.theta)
    assert_grad_close(analytic, numeric)


def test_default_lenet_gradient_on_sampled_coordinates():
    """LeNet-5 itself (61,706 parameters): 300 random coordinates."""
    rng = np.random.default_rng(3)
    net = Network(lenet_layers(10), (1, 28, 28), np.float64)
    assert net.n_params == 61706
    net.init_params(np.random.RandomState(1))
    x = rng.standard_normal((2, 1, 28, 28))
    y = np.array([3, 7])
    net.loss_grad(x, y)
    analytic = net.grad.copy()
    idx = rng.choice(net.n_params, 300, replace=False)
    numeric = np.empty(300)
    for j, i in enumerate(idx):
        old = net.theta[i]
        net.theta[i] = old + H_STEP
        up = net.loss_grad(x, y)
        net.theta[i] = old - H_STEP
        down = net.loss_grad(x, y)
        net.theta[i] = old
        numeric[j] = (up - down) / (2 * H_STEP)
    assert_grad_close(analytic[idx], numeric)


def test_data_parallel_equals_single_network():
    """Shards weighted by their size give the gradient of the whole batch's mean loss."""
    rng = np.random.default_rng(4)
    single = Network(lenet_layers(4, (3, 4), 3, (6,)), (1, 10, 10), np.float64)
    single.init_params(np.random.RandomState(2))
    par = DataParallel(single.clone(theta=single.theta.copy()), n_shards=2)
    x = rng.standard_normal((5, 1, 10, 10))  # odd batch: shards of 2 and 3
    y = np.array([0, 1, 2, 3, 1])
    loss1 = single.loss_grad(x, y)
    loss2 = par.loss_grad(x, y)
    np.testing.assert_allclose(loss2, loss1, rtol=1e-13)
    np.testing.assert_allclose(par.grad, single.grad, rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(par.logits(x, 2), single.logits(x), rtol=1e-13)
    np.testing.assert_allclose(par.features(x, 3), single.features(x), rtol=1e-13)
