"""The cell layers on checked arrays (``neocognitron._cells``), as the learning loops call
them: with no maxima given they find the same ones the checks find, so they answer as the
public functions do, bit for bit, also where the range handling scales the input; and the
range checks, the shape guards and the smallest ``theta`` still refuse what the public
functions refuse, without a pass over the data to look for NaN or inf."""

import naive
import numpy as np
import pytest

from neocognitron import _cells, cells
from neocognitron._validation import check_in_range


def arrays(dtype, scale=1.0, seed=0, Kp=2, K=3, H=9, W=8, h=3, w=3):
    rng = np.random.default_rng(seed)
    u = rng.random((2, Kp, H, W)) * scale
    u[rng.random(u.shape) < 0.3] = 0.0
    a = rng.random((K, Kp, h, w)) / (Kp * h * w) * 3
    b = rng.random(K) * 0.2
    c = rng.random((h, w))
    c /= Kp * c.sum()
    d = rng.random((h, w)) - 0.2  # an inhibitory surround, for the blurring C-cells
    g = rng.random((5, 5)) - 0.5
    return [np.ascontiguousarray(x, dtype=dtype) for x in (u, a, b, c, d, g)]


def assert_same_bits(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.tobytes() == want.tobytes()


# 1 (ordinary), and scales whose squares or sums the range handling must rescale
@pytest.mark.parametrize("dtype, scale", [(np.float64, 1.0), (np.float64, 2.0**600),
                                          (np.float64, 2.0**-600), (np.float32, 1.0),
                                          (np.float32, 2.0**70)])
@pytest.mark.parametrize("out_hw", [None, (5, 4)])
def test_private_layers_answer_as_the_public_ones(dtype, scale, out_hw):
    u, a, b, c, d, g = arrays(dtype, scale)
    u_s, v = _cells.s_layer_and_v(u, a, b, c, 2.5, out_hw)
    want = cells.s_layer_and_v(u, a, b, c, 2.5, out_hw)
    assert_same_bits(u_s, want[0])
    assert_same_bits(v, want[1])
    assert_same_bits(_cells.v_c(u, c, out_hw), cells.v_c(u, c, out_hw))
    assert_same_bits(_cells.s_layer_theta(u, a, b, c, 0.6, out_hw),
                     cells.s_layer_theta(u, a, b, c, 0.6, out_hw))
    u_01 = u / dtype(scale)  # C-layers read S-cells and the contrast layer images
    assert_same_bits(_cells.c_layer(u_01, d.clip(0), 0.5, out_hw),
                     cells.c_layer(u_01, d.clip(0), 0.5, out_hw))
    assert_same_bits(_cells.c_layer_blur(u, d, out_hw), cells.c_layer_blur(u, d, out_hw))
    assert_same_bits(_cells.contrast_layer(u[:, :1], g, out_hw),
                     cells.contrast_layer(u[:, 0], g, out_hw))


def test_private_s_layer_against_the_equations():
    u, a, b, c, _, _ = arrays(np.float64)
    np.testing.assert_allclose(_cells.s_layer_and_v(u, a, b, c, 2.5)[0],
                               naive.s_layer(u, a, b, c, 2.5), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_nan_or_inf_in_a_learned_weight_is_refused(bad):
    # learning changes a and b between presentations; the range checks are what stops a
    # weight gone to inf (or NaN) from giving silent cells
    u, a, b, c, _, _ = arrays(np.float64)
    for which in ("a", "b"):
        a2, b2 = a.copy(), b.copy()
        (a2 if which == "a" else b2).flat[1] = bad
        with pytest.raises(ValueError, match="out of range"):
            _cells.s_layer_and_v(u, a2, b2, c, 2.5)
    u[0, 0, 0, 0] = bad  # and a blank input cannot hide it: 0 * inf is NaN
    u[:] = np.where(np.isfinite(u), 0.0, u)
    with pytest.raises(ValueError, match="out of range"):
        _cells.s_layer_and_v(u, a, b, c, 2.5)


def test_check_in_range_refuses_nan():
    check_in_range(1.0, np.float64, "x", "x")
    with pytest.raises(ValueError, match="x out of range: x is not a number"):
        check_in_range(float("nan"), np.float64, "x", "x")


def test_private_layers_keep_the_shape_guards():
    u, a, b, c, d, _ = arrays(np.float64)
    with pytest.raises(ValueError, match="input planes"):
        _cells.s_layer_and_v(u[:, :1], a, b, c, 2.5)
    with pytest.raises(ValueError, match="one entry per plane"):
        _cells.s_layer_and_v(u, a, b[:2], c, 2.5)
    with pytest.raises(ValueError, match="receptive field"):
        _cells.s_layer_and_v(u, a, b, c[:2], 2.5)
    with pytest.raises(ValueError, match="smaller than the receptive field"):
        _cells.c_layer(u[..., :2], d.clip(0), 0.5)
    with pytest.raises(ValueError, match="must not exceed the input grid"):
        _cells.v_c(u, c, (10, 8))
    with pytest.raises(ValueError, match="theta must be at least"):
        _cells.s_layer_theta(u.astype(np.float32), *(x.astype(np.float32) for x in (a, b, c)),
                             1e-40)
