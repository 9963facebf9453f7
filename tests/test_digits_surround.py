"""The inhibitory surround of the digit network's C-cells (``surrounds``): the kernel ``d``
against hand-worked values and the formula of ``tests/naive_digits.blur_d``, the C-cells against
``naive.c_layer_blur``, and what the surround is for (a line end against mid-line),
computed with the naive loops."""

import math

import naive
import naive_digits
import numpy as np
import pytest

from neocognitron import cells
from neocognitron.digits import NeocognitronClassifier
from neocognitron.digits.cascade import SURROUND_WIDTH, _blur_weights


def test_surround_width_is_twice_the_centre():
    assert SURROUND_WIDTH == 2.0  # the hand-worked values below assume it


def test_d_by_hand_for_a_small_sigma():
    # sigma = 0.5, kappa = 1: the taps reach 1.5 * 2 * 0.5 = 1.5 -> 2 round(1.5) + 1 = 5.
    # Both Gaussians are separable: G(y, x) / sum G = g(y) g(x) / (sum g)^2 with the 1-D
    # g_c(t) = exp(-t^2 / (2 * 0.25)) = exp(-2 t^2) and g_s(t) = exp(-t^2 / 2), t = -2..2.
    d = _blur_weights(0.5, surround=1.0)
    assert d.shape == (5, 5)
    gc = [math.exp(-2 * t * t) for t in range(-2, 3)]
    gs = [math.exp(-t * t / 2) for t in range(-2, 3)]
    zc, zs = sum(gc) ** 2, sum(gs) ** 2
    # the centre tap: 1 / 1.271341^2 - 1 / 2.483732^2 = 0.618694 - 0.162103
    assert d[2, 2] == pytest.approx(0.456591, abs=1e-6)
    for y in range(5):
        for x in range(5):
            assert d[y, x] == pytest.approx(gc[y] * gc[x] / zc - gs[y] * gs[x] / zs, abs=1e-15)
    # so narrow a centre is one tap: its neighbour is 0.135335 / 1.616308 - 0.606531 /
    # 6.168924 = 0.083731 - 0.098321 < 0. A positive centre, a negative surround all round,
    # and sum 1 - kappa = 0: a uniform S-plane is silent
    assert d[2, 1] == pytest.approx(-0.014589, abs=1e-6)
    assert d[2, 2] > 0 and np.all(np.delete(d.ravel(), 12) < 0)
    assert d.sum() == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("sigma, kappa, stagger, size", [
    (1.2, 0.0, False, 5),   # 2 round(1.8) + 1: the plain blur, as before
    (1.2, 0.5, False, 9),   # reach 1.5 * 2.4 = 3.6: 2 round(3.6) + 1
    (1.2, 0.0, True, 4),    # even: 2 round(1.8 + 0.5)
    (1.2, 0.5, True, 8),    # 2 round(4.1)
    (0.8, 1.0, False, 5),   # reach 2.4
    (2.7, 0.0, False, 9),   # the default C-layer: 2 round(4.05) + 1
])
def test_d_matches_the_naive_formula(sigma, kappa, stagger, size):
    d = _blur_weights(sigma, surround=kappa, stagger=stagger)
    assert d.shape == (size, size)
    np.testing.assert_allclose(d, naive_digits.blur_d(sigma, kappa, size), rtol=0, atol=1e-15)
    assert d.sum() == pytest.approx(1.0 - kappa, abs=1e-12)


def test_the_default_d_is_unchanged():
    # no surround is the positive Gaussian summing to one, exactly as before the option
    for sigma in (0.8, 1.0, 1.2, 2.7):
        size = 2 * int(round(1.5 * sigma)) + 1
        r = np.arange(size) - (size - 1) / 2
        g = np.exp(-(r[:, None] ** 2 + r[None] ** 2) / (2.0 * sigma * sigma))
        np.testing.assert_array_equal(_blur_weights(sigma), g / g.sum())
        np.testing.assert_array_equal(_blur_weights(sigma, 0.0, False), g / g.sum())


def test_negative_sums_make_silent_c_cells():
    # kappa = 2: sum d = -1, so a uniform S-plane gives a negative sum, and psi of it is 0,
    # never the positive value psi's printed form would give (docs/design.md §1)
    d = _blur_weights(1.0, surround=2.0)
    u_s = np.ones((1, 1, 12, 12))
    u_c = cells.c_layer_blur(u_s, d)
    np.testing.assert_array_equal(naive.c_layer_blur(u_s, d)[0, 0, 4:8, 4:8], 0.0)
    np.testing.assert_array_equal(u_c[0, 0, 4:8, 4:8], 0.0)
    np.testing.assert_allclose(u_c, naive.c_layer_blur(u_s, d), rtol=1e-12, atol=1e-15)


def _line(length=30, width=40, row=7):
    """An S-plane answering 1 along a horizontal line of ``length`` cells from x = 5."""
    u = np.zeros((1, 15, width))
    u[0, row, 5 : 5 + length] = 1.0
    return u


@pytest.mark.parametrize("sigma", [1.0, 1.2])
def test_the_surround_makes_line_ends_stand_out(sigma):
    # Fukushima (2003) gives the surround this purpose: a C-cell at a line's end answers
    # relatively more, so ends (and bends) are not lost in the blur. All in naive loops.
    u = _line()
    mid, end = 20, 34  # the line runs over x = 5..34

    def response(kappa):
        size = 2 * int(round(1.5 * sigma * (2 if kappa else 1))) + 1
        return naive.c_layer_blur(u, naive_digits.blur_d(sigma, kappa, size))[0, 7]

    plain, half, full = response(0.0), response(0.5), response(1.0)
    # without a surround no cell near the end answers more than mid-line (the blur only
    # loses the line beyond the end) ...
    assert plain[26:35].max() <= plain[mid] * (1 + 1e-12)
    # ... with one, cells just inside the end answer more than mid-line: beyond the end
    # there is no line to inhibit them
    assert half[26:35].max() > 1.01 * half[mid]
    assert full[26:35].max() > 1.05 * full[mid]
    # and the last cell of the line answers relatively more, the stronger the surround
    ratio = [r[end] / r[mid] for r in (plain, half, full)]
    assert ratio[0] < ratio[1] < ratio[2]


def test_the_cells_with_the_surround_match_naive():
    u = _line()[None] * np.linspace(0.2, 1.0, 40)  # (1, 1, 15, 40), varying along the line
    for stagger in (False, True):
        d = _blur_weights(1.2, surround=0.7, stagger=stagger)
        for out in (None, (8, 20)):
            np.testing.assert_allclose(cells.c_layer_blur(u, d, out),
                                       naive.c_layer_blur(u, d, out), rtol=1e-12, atol=1e-15)


def test_a_fitted_model_carries_its_surround():
    X = np.zeros((4, 8, 8))
    X[:, 2:6, 3] = 1.0
    X[2:, 3, 1:7] = 1.0
    y = np.array([0, 0, 1, 1])
    kw = dict(margin=2, n_orientations=4, fields=(5,), blurs=(1.0,), strides=(2,),
              n_epochs=1, random_state=0)
    clf = NeocognitronClassifier(surrounds=(0.5,), **kw).fit(X, y)
    np.testing.assert_array_equal(clf.stages_[0].d, _blur_weights(1.0, 0.5))
    # surrounds=None and all zeros are the same model
    a = NeocognitronClassifier(**kw).fit(X, y)
    b = NeocognitronClassifier(surrounds=(0.0,), **kw).fit(X, y)
    np.testing.assert_array_equal(a.stages_[0].d, b.stages_[0].d)
    np.testing.assert_array_equal(a.top_X_, b.top_X_)
    assert clf.get_params()["surrounds"] == (0.5,) and a.get_params()["surrounds"] is None


@pytest.mark.parametrize("surrounds, error, match", [
    ((0.5, 0.5), ValueError, "surrounds must have 1 entries"),
    ((-0.1,), ValueError, "surrounds must be >= 0"),
    (("a",), TypeError, "surrounds must be a real number"),
    ((float("nan"),), ValueError, "surrounds must be finite"),
    (0.5, TypeError, "surrounds must be a tuple"),
])
def test_bad_surrounds_are_refused(surrounds, error, match):
    X = np.random.default_rng(0).random((4, 8, 8))
    with pytest.raises(error, match=match):
        NeocognitronClassifier(surrounds=surrounds, fields=(5,), margin=2).fit(X, [0, 1, 0, 1])


def test_a_surround_too_wide_for_its_layer_is_refused_before_learning():
    # 8x8 digits on a 10x10 canvas: kappa > 0 widens d of sigma 2 to 2 round(6) + 1 = 13
    X = np.random.default_rng(0).random((4, 8, 8))
    with pytest.raises(ValueError, match=r"blurs\[0\]=2.0 .*13x13 d, larger than the 10x10"):
        NeocognitronClassifier(surrounds=(0.5,), blurs=(2.0,), fields=(5,), margin=1).fit(
            X, [0, 1, 0, 1])
