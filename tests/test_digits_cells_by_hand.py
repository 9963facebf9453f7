"""The cells of the digit neocognitron (Fukushima 2003) on cases worked out by hand:
contrast on uniform images and edges, S-cells that answer their own pattern and answer iff
the cosine exceeds theta (the 1980 cell reparameterised), blurring C-cells with an
inhibitory surround."""

import naive
import numpy as np
import pytest
from cell_cases import DTYPES, RTOL
from digit_cell_cases import HAND, LAPLACE, gaussian, theta_weights

from neocognitron import cells


def cweighted_cos(x, X, c):
    return np.sum(c * x * X) / np.sqrt(np.sum(c * x * x) * np.sum(c * X * X))


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
