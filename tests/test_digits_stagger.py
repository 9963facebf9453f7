"""The staggered arrangement of S- and C-cells (``stagger``): where the C-cells sit over
the S-layer, by hand and from the centred grid rule (``naive.grid_starts``), what it
changes (thinning by 2 loses no position systematically), and its checks."""

from fractions import Fraction

import naive
import numpy as np
import pytest

from neocognitron import cells
from neocognitron._grid import field_starts
from neocognitron.digits import NeocognitronClassifier
from neocognitron.digits.cascade import _blur_weights


def centres(n_in, n_out, size):
    """Where each C-cell's field is centred, in S-cell positions (exact)."""
    return [s + Fraction(size - 1, 2) for s in field_starts(n_in, n_out, size)]


def test_c_cells_by_hand():
    # 8 S-cells thinned by 2 to 4 C-cells; the grid rule puts cell i at
    # c_i = (i + 1/2) 8/4 - 1/2 = 2i + 1/2, midway between S-cells 2i and 2i + 1.
    # Staggered: an even d of 4 taps starts exactly at c_i - 3/2 = 2i - 1
    assert list(field_starts(8, 4, 4)) == [-1, 1, 3, 5]
    assert centres(8, 4, 4) == [Fraction(1, 2), Fraction(5, 2), Fraction(9, 2), Fraction(13, 2)]
    # Not staggered: an odd d of 5 taps would start at c_i - 2 = 2i - 3/2, which is rounded
    # away from the middle: -2, 0 on the left, 3, 5 on the right. The C-cells sit on
    # S-cells 0, 2, 5, 7: steps of 2, 3, 2, and S-cells 1 and 6 are nobody's centre
    assert list(field_starts(8, 4, 5)) == [-2, 0, 3, 5]
    assert centres(8, 4, 5) == [0, 2, 5, 7]


def test_the_preset_grid_by_hand():
    # FUKUSHIMA2003 on a 40x40 canvas: U_S1 40 -> U_C1 40 (not thinned, not staggered),
    # U_S2 40 -> U_C2 20 (d of 8 taps), U_S3 20 -> U_C3 10; every C-cell of U_C2 and U_C3
    # midway between two S-cells, at 2i + 1/2
    assert centres(40, 40, 9) == list(range(40))
    for n_in in (40, 20):
        assert centres(n_in, n_in // 2, 8) == [2 * i + Fraction(1, 2) for i in range(n_in // 2)]
    # thinned by 4, a C-cell sits midway between S-cells 4i + 1 and 4i + 2
    assert centres(36, 9, 6) == [4 * i + Fraction(3, 2) for i in range(9)]


@pytest.mark.parametrize("n_in, stride", [(8, 2), (12, 2), (20, 2), (16, 4), (36, 4), (24, 6)])
def test_even_kernels_on_even_strides_sit_exactly_between(n_in, stride):
    # the grid rule (naive.grid_starts, exact fractions) puts every C-cell at
    # stride * i + (stride - 1)/2, a half-integer, whatever the even size of d
    for size in (2, 4, 6, 8):
        starts = naive.grid_starts(n_in, n_in // stride, size)
        assert starts == list(field_starts(n_in, n_in // stride, size))
        assert [s + Fraction(size - 1, 2) for s in starts] == [
            stride * i + Fraction(stride - 1, 2) for i in range(n_in // stride)]


def _impulse(n, y, x):
    u = np.zeros((1, 1, n, n))
    u[0, 0, y, x] = 1.0
    return u


@pytest.mark.parametrize("kappa", [0.0, 0.5])
def test_staggered_c_cells_follow_a_shift_by_the_stride(kappa):
    # staggered, the C-grid is a regular lattice: a feature moved by 2 S-cells moves the
    # C-layer's response by exactly 1 cell. Not staggered, the step of 3 in the middle of
    # the grid breaks this for the feature that crosses it. Computed with naive loops.
    n = 16
    d_even = _blur_weights(1.2, kappa, stagger=True)
    d_odd = _blur_weights(1.2, kappa, stagger=False)
    for d, exact in ((d_even, True), (d_odd, False)):
        a = naive.c_layer_blur(_impulse(n, 6, 6), d, (8, 8))[0, 0]
        b = naive.c_layer_blur(_impulse(n, 8, 8), d, (8, 8))[0, 0]
        same = np.allclose(a[1:6, 1:6], b[2:7, 2:7], rtol=0, atol=1e-15)
        assert same == exact
    # and the cells compute what naive does, on the even kernel too
    u = np.random.default_rng(0).random((2, 3, n, n))
    np.testing.assert_allclose(cells.c_layer_blur(u, d_even, (8, 8)),
                               naive.c_layer_blur(u, d_even, (8, 8)), rtol=1e-12, atol=1e-15)


# ----------------------------------------------------------------------------- the estimator

DIGITS = np.zeros((4, 8, 8))
DIGITS[:, 2:6, 3] = 1.0
DIGITS[2:, 3, 1:7] = 1.0
LABELS = np.array([0, 0, 1, 1])
TINY = dict(margin=2, n_orientations=4, fields=(5,), blurs=(1.0,), strides=(2,), n_epochs=1,
            random_state=0)


def test_a_staggered_model_has_even_kernels_and_the_same_grid():
    clf = NeocognitronClassifier(stagger=True, **TINY).fit(DIGITS, LABELS)
    plain = NeocognitronClassifier(**TINY).fit(DIGITS, LABELS)
    # 12x12 canvas -> U_C1 6x6 either way; d of 2 round(2) = 4 taps against 2 round(1.5) + 1
    assert clf.stages_[0].d.shape == (4, 4) and plain.stages_[0].d.shape == (5, 5)
    layers = clf.forward(DIGITS)
    assert layers["UC1"].shape == plain.forward(DIGITS)["UC1"].shape == (4, 4, 6, 6)
    np.testing.assert_allclose(layers["UC1"], naive.c_layer_blur(layers["US1"], clf.stages_[0].d,
                                                                 (6, 6)), rtol=2e-6, atol=1e-7)
    assert clf.get_params()["stagger"] is True and plain.get_params()["stagger"] is False


@pytest.mark.parametrize("kw, error, match", [
    (dict(stagger=1), TypeError, "stagger must be True or False"),
    (dict(stagger="yes"), TypeError, "stagger must be True or False"),
    (dict(stagger=True, strides=(3,)), ValueError,
     r"needs even strides \(or 1: that layer is not staggered\), got strides=\(3,\)"),
    # a 14x14 canvas: stride 4 does not divide U_S1's 14 cells
    (dict(stagger=True, strides=(4,), margin=3), ValueError,
     r"strides\[0\]=4 to divide U_S1's 14x14 cells \(the canvas is 14x14\)"),
])
def test_bad_stagger_is_refused(kw, error, match):
    with pytest.raises(error, match=match):
        NeocognitronClassifier(**dict(TINY, **kw)).fit(DIGITS, LABELS)


def test_a_stride_of_one_is_not_staggered():
    # strides (1, 2): U_C1 keeps a C-cell on each of the 12x12 S-cells (odd d, on them),
    # U_C2 thins 12 -> 6 with its C-cells midway between S-cells (even d)
    kw = dict(TINY, max_planes=(4,), thresholds=(0.55, 0.5), learning_thresholds=(0.7,),
              fields=(5, 3), blurs=(1.0, 1.0), strides=(1, 2))
    clf = NeocognitronClassifier(**kw, stagger=True).fit(DIGITS, LABELS)
    plain = NeocognitronClassifier(**kw).fit(DIGITS, LABELS)
    assert [st.d.shape for st in clf.stages_] == [(5, 5), (4, 4)]
    assert [st.d.shape for st in plain.stages_] == [(5, 5), (5, 5)]
    np.testing.assert_array_equal(clf.stages_[0].d, plain.stages_[0].d)
    layers = clf.forward(DIGITS)
    assert layers["UC1"].shape == (4, 4, 12, 12) and layers["UC2"].shape[2:] == (6, 6)
    np.testing.assert_allclose(layers["UC2"], naive.c_layer_blur(layers["US2"], clf.stages_[1].d,
                                                                 (6, 6)), rtol=2e-6, atol=1e-7)


def test_stagger_checks_every_layer():
    # 8x8 on a 16x16 canvas: U_C1 8x8, U_C2 4x4, U_C3 2x2; then a stride of 4 on U_S4's
    # 2x2 cells is refused, before anything is learned
    kw = dict(TINY, margin=4, max_planes=(4, 4, 4), thresholds=(0.55, 0.5, 0.5, 0.5),
              learning_thresholds=(0.7, 0.7, 0.7), fields=(5, 3, 3, 1),
              blurs=(1.0, 0.5, 0.5, 0.3), strides=(2, 2, 2, 4), stagger=True)
    with pytest.raises(ValueError, match=r"strides\[3\]=4 to divide U_S4's 2x2 cells"):
        NeocognitronClassifier(**kw).fit(DIGITS, LABELS)


# ----------------------------------------------------------------------------- saving


def test_surrounds_and_stagger_round_trip_through_io(tmp_path):
    from neocognitron.workflow import io

    clf = NeocognitronClassifier(**dict(TINY, surrounds=(0.5,), stagger=True)).fit(DIGITS,
                                                                                  LABELS)
    loaded = io.load(io.save(clf, tmp_path / "m.npz"))
    assert loaded.get_params() == clf.get_params()
    assert loaded.surrounds == (0.5,) and loaded.stagger is True
    np.testing.assert_array_equal(loaded.stages_[0].d, clf.stages_[0].d)
    np.testing.assert_array_equal(loaded.transform(DIGITS), clf.transform(DIGITS))
    # the stagger is in the shape of d: a model whose parameter says otherwise is refused
    clf.set_params(stagger=False)
    with pytest.raises(ValueError, match=r"stages_\[0\].d has shape \(8, 8\): with "
                                         r"stagger=False and strides\[0\]=2 its sides must "
                                         "be odd"):
        io.save(clf, tmp_path / "n.npz")


def test_a_file_from_before_surrounds_and_stagger_loads_with_neither():
    from pathlib import Path

    from neocognitron.workflow import io

    old = Path(__file__).parent / "data" / "saved_models" / "NeocognitronClassifier.npz"
    model = io.load(old)
    assert model.surrounds is None and model.stagger is False
    assert all(n % 2 for st in model.stages_ for n in st.d.shape)


# ----------------------------------------------------------------------------- the preset


def test_fukushima2003_layers_have_the_documented_sizes():
    from neocognitron.digits import FUKUSHIMA2003

    # four 28x28 "digits" of strokes, two classes; few planes, so that it runs fast
    X = np.zeros((4, 28, 28))
    X[:, 6:22, 13:15] = 1.0
    X[2:, 13:15, 6:22] = 1.0
    X[1, 6:8, 10:18] = 1.0
    X[3, 20:22, 10:18] = 1.0
    kw = dict(FUKUSHIMA2003, max_planes=(12, 12), n_unsupervised=4, n_epochs=1,
              random_state=0)
    clf = NeocognitronClassifier(**kw).fit(X, [0, 0, 1, 1])
    sizes = {k: v.shape[2:] for k, v in clf.forward(X[:1]).items() if k != "U0"}
    assert clf.canvas_shape_ == (40, 40)
    assert sizes == {"UG": (40, 40), "US1": (40, 40), "UC1": (40, 40), "US2": (40, 40),
                     "UC2": (20, 20), "US3": (20, 20), "UC3": (10, 10)}
    # U_C1 (stride 1) keeps an odd d centred on its S-cells; U_C2 and U_C3 are staggered
    assert [st.d.shape for st in clf.stages_] == [(9, 9), (8, 8), (8, 8)]
    assert [st.X.shape[2:] for st in clf.stages_] == [(7, 7), (3, 3), (3, 3)]
    assert clf.top_field_ == (10, 10) and len(clf.n_planes_) == 4  # top_slack 0: all U_C3
    assert all(a > b for a, b in zip(FUKUSHIMA2003["learning_thresholds"],
                                     FUKUSHIMA2003["thresholds"][1:], strict=True))
