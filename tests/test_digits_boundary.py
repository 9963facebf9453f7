"""Validation once, at the boundary of the digit network: ``fit`` and ``predict`` check the
images once and never call the checking cell functions again; the public helpers of
``digits`` that take data (``to_canvas``, ``time_readouts``) check their arguments."""

import numpy as np
import pytest

from neocognitron import cells
from neocognitron.datasets import load_digits_images
from neocognitron.digits import NeocognitronClassifier
from neocognitron.digits.cascade import _to_canvas, to_canvas
from neocognitron.digits.readouts import time_readouts
from neocognitron.fukushima1980 import learning

TINY = dict(margin=2, n_orientations=4, max_planes=(4,), thresholds=(0.55, 0.5),
            learning_thresholds=(0.75,), fields=(5, 3), blurs=(1.0, 0.8), strides=(2, 1),
            n_unsupervised=20, n_epochs=1, random_state=0)


@pytest.fixture(scope="module")
def digits01():
    X, y = load_digits_images()
    keep = y < 2
    return X[keep][:60], y[keep][:60]


def test_fit_and_predict_call_no_checking_cell_function(monkeypatch, digits01):
    X, y = digits01
    want = NeocognitronClassifier(**TINY).fit(X, y)

    def checking(*args, **kwargs):
        raise AssertionError("a checking function was called inside the estimator")

    for name in ("v_c", "s_layer", "s_layer_and_v", "s_layer_theta", "c_layer",
                 "contrast_layer", "c_layer_blur"):
        monkeypatch.setattr(cells, name, checking)
    for name in ("representatives", "candidates"):
        monkeypatch.setattr(learning, name, checking)
    got = NeocognitronClassifier(**TINY).fit(X, y)
    assert got.n_planes_ == want.n_planes_
    np.testing.assert_array_equal(got.stages_[1].X, want.stages_[1].X)
    np.testing.assert_array_equal(got.top_X_, want.top_X_)
    np.testing.assert_array_equal(got.predict(X), want.predict(X))


def test_to_canvas_by_hand():
    images = np.array([[[1.0, 3.0], [5.0, 5.0]], [[2.0, 2.0], [2.0, 2.0]]])
    got = to_canvas(images, (4, 3), dtype=np.float64)
    want = np.zeros((2, 4, 3))
    want[0, 1:3, 0:2] = [[0.0, 0.5], [1.0, 1.0]]  # (4-2)//2 = 1 row, (3-2)//2 = 0 columns
    np.testing.assert_array_equal(got, want)  # the flat image: all zero
    assert to_canvas(images, (2, 2)).dtype == np.float32


def test_to_canvas_integers_as_in_float64():
    images = np.random.default_rng(0).integers(0, 256, (3, 5, 5)).astype(np.uint8)
    got = to_canvas(images, (9, 9))
    np.testing.assert_array_equal(got, _to_canvas(images.astype(np.float64), (9, 9)))


@pytest.mark.parametrize("images, shape, dtype, error, match", [
    (np.zeros((4, 4)), (6, 6), np.float32, ValueError, "images must have 3 dimensions"),
    (np.full((1, 4, 4), np.nan), (6, 6), np.float32, ValueError, "NaN"),
    ("ink", (6, 6), np.float32, TypeError, "images must hold real numbers"),
    (np.zeros((1, 4, 4)), (3, 6), np.float32, ValueError, "smaller than the images"),
    (np.zeros((1, 4, 4)), (6,), np.float32, ValueError, "canvas_shape"),
    (np.zeros((1, 4, 4)), (6, 6), np.uint8, TypeError, "float32 or float64"),
])
def test_to_canvas_refuses_bad_input(images, shape, dtype, error, match):
    with pytest.raises(error, match=match):
        to_canvas(images, shape, dtype=dtype)


def test_time_readouts_refuses_bad_input(digits01):
    X, y = digits01
    clf = NeocognitronClassifier(**dict(TINY, max_planes=(), thresholds=(0.55,),
                                        learning_thresholds=(), fields=(5,), blurs=(1.0,),
                                        strides=(2,))).fit(X, y)
    with pytest.raises(ValueError, match="readouts must be among"):
        time_readouts(clf, X, y, readouts=("wta", "knn"))
    with pytest.raises(ValueError, match="does not label"):
        time_readouts(clf, X, y[:-1])
    assert clf.readout == "wta"
    assert time_readouts(clf, X[:5], y[:5], readouts=("interpolating",))[
        "interpolating"]["errors"] >= 0


def test_changed_fitted_weights_are_still_refused(digits01):
    # the cells no longer check what they are given, so the fitted weights are checked
    # where the cascade reads them, once per call: as the checking cells refused them
    X, y = digits01
    clf = NeocognitronClassifier(**TINY).fit(X, y)
    for name, value, match in (("X", -1.0, "X must be non-negative"),
                               ("X", np.nan, "X contains NaN"),
                               ("c", -1.0, "c must be non-negative"),
                               ("d", np.inf, "d contains NaN or inf"),
                               ("theta", 1.0, "theta must be < 1")):
        st = clf.stages_[1]
        old = getattr(st, name)
        if name == "theta":
            st.theta = value
        else:
            changed = old.copy()
            changed.flat[0] = value
            setattr(st, name, changed)
        with pytest.raises(ValueError, match=match):
            clf.predict(X[:3])
        setattr(st, name, old)
    a_g = clf.a_g_
    clf.a_g_ = np.where(a_g == a_g.max(), np.nan, a_g)
    with pytest.raises(ValueError, match="a_g contains NaN"):
        clf.predict(X[:3])
