"""NeocognitronClassifier as a scikit-learn estimator: learning on real digits (sklearn's
8x8 digits, 0 against 1, a tiny network), determinism, input layouts, and the readouts
and figure of one fit."""

import copy

import matplotlib.pyplot as plt
import naive_digits
import numpy as np
import pytest
from digit_models import fast
from sklearn.base import clone
from sklearn.utils import get_tags

from neocognitron.digits import NeocognitronClassifier
from neocognitron.digits.readouts import time_readouts
from neocognitron.digits.top import _windows
from neocognitron.plotting import plot_digit_features

pytest_plugins = ["digit_models"]  # the digits and the network fitted on them (fixtures)


def assert_same_model(a, b):
    assert a.n_planes_ == b.n_planes_
    assert a.planes_added_ == b.planes_added_
    for sa, sb in zip(a.stages_, b.stages_, strict=True):
        np.testing.assert_array_equal(sa.X, sb.X)
    np.testing.assert_array_equal(a.top_X_, b.top_X_)
    np.testing.assert_array_equal(a.top_labels_, b.top_labels_)


# ----------------------------------------------------------------------------- fitting


def test_init_only_stores_arguments():
    clf = NeocognitronClassifier(readout="foo", thresholds=(3, 4, 5))  # checked in fit
    assert clf.readout == "foo" and clf.thresholds == (3, 4, 5)
    assert not [k for k in vars(clf) if k.endswith("_")]


def test_fitted_attributes(fitted, digits01):
    X_tr, _, y_tr, _ = digits01
    np.testing.assert_array_equal(fitted.classes_, [0, 1])
    assert fitted.n_features_in_ == 64
    assert fitted.image_shape_ == (8, 8)
    assert fitted.canvas_shape_ == (12, 12)
    # U_S1: one plane per orientation; U_S2: learned, at most max_planes; then the top
    assert len(fitted.stages_) == 2 and len(fitted.n_planes_) == 3
    assert fitted.n_planes_[0] == 4 and fitted.stages_[0].X.shape == (4, 2, 5, 5)
    assert 1 <= fitted.n_planes_[1] <= 6
    assert fitted.stages_[1].X.shape == (fitted.n_planes_[1], 4, 3, 3)
    # 12x12 -> U_C1 thinned by 2: 6x6 -> U_C2: 6x6; the top field leaves 1 cell per side
    assert fitted.top_field_ == (4, 4)
    assert fitted.top_X_.shape == (fitted.n_planes_[2], fitted.n_planes_[1] * 16)
    assert len(fitted.top_labels_) == fitted.n_planes_[2] == sum(fitted.planes_added_)
    assert fitted.n_iter_ == len(fitted.planes_added_) <= 2
    assert set(fitted.top_labels_) == {0, 1}
    assert fitted.n_planes_[2] < len(y_tr)  # supervised learning reinforced, not only added
    assert np.all(fitted.top_X_ >= 0)


def test_without_learned_layer_the_top_reads_uc1(digits01):
    # max_planes=() leaves U_G -> U_S1 -> U_C1 -> top; U_C1 thinned by 2: 12x12 -> 6x6
    X_tr, X_te, y_tr, y_te = digits01
    clf = fast(max_planes=(), thresholds=(0.55,), learning_thresholds=(), fields=(5,),
               blurs=(1.5,), strides=(2,)).fit(X_tr, y_tr)
    assert len(clf.stages_) == 1 and len(clf.n_planes_) == 2
    assert clf.top_field_ == (4, 4) and clf.top_X_.shape == (clf.n_planes_[1], 4 * 16)
    assert set(clf.forward(X_te[:2])) == {"U0", "UG", "US1", "UC1"}
    assert clf.score(X_te, y_te) > 0.9


# float32 top scores differ from float64 ones by up to 7e-7 here (measured): a decision
# closer than TIE_MARGIN to a tie could go either way, so the replay must have none
TIE_MARGIN = 2e-6


@pytest.mark.parametrize("exponent", [1.0, 0.5, 0.3])
def test_top_layer_learns_and_recognises_u_c_to_the_exponent(digits01, exponent):
    # oracle: naive_digits.fit_top (float64, one digit at a time) on the same u_C ** exponent and
    # random stream. Not seed 0: its 0.5 run has two planes 2e-8 apart for one digit
    X_tr, X_te, y_tr, _ = digits01
    seed = 2
    clf = fast(top_exponent=exponent, random_state=seed).fit(X_tr, y_tr)
    u_c = clf.forward(X_tr)["UC2"]
    u_c = np.power(u_c, np.float32(exponent)) if exponent != 1 else u_c
    rng = np.random.default_rng(seed)
    rng.permutation(len(X_tr))  # the draw of the unsupervised subset comes first
    margins = []
    ref_X, ref_labels, ref_added = naive_digits.fit_top(
        _windows(u_c, clf.top_field_), y_tr, clf.top_learning_threshold, clf.q, clf.n_epochs,
        4, rng, margins)
    assert min(margins) > TIE_MARGIN, (
        f"presentation {int(np.argmin(margins))} decides {min(margins):.1e} from a tie: "
        "float32 may decide otherwise; choose another seed")
    assert clf.planes_added_ == ref_added
    np.testing.assert_array_equal(clf.top_labels_, ref_labels)
    # float32 sums of up to ~100 reinforcements
    np.testing.assert_allclose(clf.top_X_, ref_X, rtol=1e-5, atol=1e-5 * np.abs(ref_X).max())
    # recognition: the best of (1 + a.x) / (1 + theta b |x|) over planes and positions
    w = _windows(clf.forward(X_te)["UC2"].astype(np.float64) ** exponent, clf.top_field_)
    a = clf.top_X_.astype(np.float64)
    score = ((1 + np.einsum("npd,kd->npk", w, a))
             / (1 + clf.top_threshold * np.linalg.norm(w, axis=2)[..., None]
                * np.linalg.norm(a, axis=1))).max(axis=1)
    np.testing.assert_allclose(clf._top_cells(X_te), score, rtol=1e-5)


def test_two_digit_classes_are_learned(fitted, digits01):
    _, X_te, _, y_te = digits01
    assert fitted.score(X_te, y_te) > 0.9


def test_interpolating_readout(digits01, fitted):
    X_tr, X_te, y_tr, y_te = digits01
    clf = fast(readout="interpolating", n_neighbors=3).fit(X_tr, y_tr)
    assert_same_model(clf, fitted)  # the readout does not change learning
    pred = clf.predict(X_te)
    assert set(np.unique(pred)) <= {0, 1}
    assert np.mean(pred == y_te) > 0.9


def test_transform_is_top_c_cells(fitted, digits01):
    _, X_te, _, _ = digits01
    u = fitted.transform(X_te)
    assert u.shape == (len(X_te), 2)
    assert np.all(u >= 0) and np.all(u < 1)
    answered = u.max(axis=1) > 0
    assert answered.mean() > 0.5
    # where a top cell answers, the winner-take-all class is the strongest C-cell's
    pred = fitted.predict(X_te)
    np.testing.assert_array_equal(pred[answered], fitted.classes_[np.argmax(u[answered], 1)])
    # a blank image reaches no top cell
    np.testing.assert_array_equal(fitted.transform(np.zeros((2, 8, 8))), 0.0)


def test_transform_dtype_agrees_with_tags(fitted, digits01):
    _, X_te, _, _ = digits01
    for dtype in get_tags(fitted).transformer_tags.preserves_dtype:
        assert fitted.transform(X_te[:5].astype(dtype)).dtype == np.dtype(dtype)


def test_each_image_is_rescaled_by_its_own_range(fitted, digits01):
    _, X_te, _, _ = digits01
    X = X_te[:20].astype(np.float64)
    np.testing.assert_array_equal(fitted.transform(2 * X + 3), fitted.transform(X))
    np.testing.assert_array_equal(fitted.predict(2 * X + 3), fitted.predict(X))


# ----------------------------------------------------------------------------- determinism


def test_same_random_state_same_model(fitted, digits01):
    X_tr, X_te, y_tr, _ = digits01
    again = clone(fitted).fit(X_tr, y_tr)
    assert_same_model(again, fitted)
    np.testing.assert_array_equal(again.predict(X_te), fitted.predict(X_te))
    np.testing.assert_array_equal(again.transform(X_te), fitted.transform(X_te))


def test_different_random_state_may_differ(fitted, digits01):
    X_tr, X_te, y_tr, y_te = digits01
    other = fast(random_state=1).fit(X_tr, y_tr)
    # another unsupervised subset and order of presentation: another network, as good
    differs = (other.n_planes_ != fitted.n_planes_
               or not np.array_equal(other.stages_[1].X, fitted.stages_[1].X))
    assert differs
    assert other.score(X_te, y_te) > 0.9


# ----------------------------------------------------------------------------- layouts


def test_flat_input_equals_images(fitted, digits01):
    X_tr, X_te, y_tr, _ = digits01
    flat = X_tr.reshape(len(X_tr), -1)
    for shape in (None, (8, 8), (8, -1)):
        clf = fast(image_shape=shape).fit(flat, y_tr)
        assert clf.image_shape_ == (8, 8)
        assert_same_model(clf, fitted)
        np.testing.assert_array_equal(clf.predict(X_te.reshape(len(X_te), -1)),
                                      fitted.predict(X_te))
    # a 3-D model reads flat rows of its own size too
    np.testing.assert_array_equal(fitted.transform(X_te.reshape(len(X_te), -1)),
                                  fitted.transform(X_te))


def test_flat_rectangular_images_keep_their_orientation(digits01):
    X_tr, X_te, y_tr, _ = digits01
    rect_tr, rect_te = X_tr[:, :, 1:7], X_te[:, :, 1:7]  # 8 rows, 6 columns
    ref = fast().fit(rect_tr, y_tr)
    assert ref.image_shape_ == (8, 6) and ref.canvas_shape_ == (12, 10)
    flat = fast(image_shape=(8, 6)).fit(rect_tr.reshape(len(rect_tr), -1), y_tr)
    assert_same_model(flat, ref)
    np.testing.assert_array_equal(flat.transform(rect_te.reshape(len(rect_te), -1)),
                                  ref.transform(rect_te))
    # the transposed layout is another model (the rows are not read as columns)
    tr = fast(image_shape=(6, 8)).fit(rect_tr.reshape(len(rect_tr), -1), y_tr)
    assert tr.canvas_shape_ == (10, 12)
    with pytest.raises(ValueError, match="image_shape"):
        fast(image_shape=(6, 8)).fit(rect_tr, y_tr)


# (images of another shape than at fit are refused: tests/test_estimator_inputs.py)


def test_set_params_readout_changes_only_prediction(fitted, digits01):
    _, X_te, _, _ = digits01
    interp = copy.deepcopy(fitted).set_params(readout="interpolating", n_neighbors=3)
    np.testing.assert_array_equal(interp.transform(X_te), fitted.transform(X_te))
    assert np.mean(interp.predict(X_te) == fitted.predict(X_te)) > 0.9


def test_order_of_samples_changes_nothing(fitted, digits01):
    _, X_te, _, _ = digits01
    order = np.random.default_rng(0).permutation(len(X_te))
    np.testing.assert_array_equal(fitted.predict(X_te)[order], fitted.predict(X_te[order]))
    np.testing.assert_allclose(fitted.transform(X_te)[order], fitted.transform(X_te[order]),
                               rtol=1e-5, atol=1e-6)


def test_time_readouts_reads_one_fit_both_ways(fitted, digits01):
    _, X_te, _, y_te = digits01
    out = time_readouts(fitted, X_te, y_te)
    assert list(out) == ["wta", "interpolating"] and fitted.readout == "wta"
    for readout, r in out.items():
        np.testing.assert_array_equal(r["pred"], clone_readout(fitted, readout).predict(X_te))
        assert r["errors"] == np.sum(r["pred"] != y_te)
        assert r["error"] == pytest.approx(r["errors"] / len(y_te))
        assert r["predict_seconds"] >= 0 and r["digits_per_second"] > 0


def clone_readout(clf, readout):
    other = copy.deepcopy(clf)
    return other.set_params(readout=readout)


def test_features_figure_draws_the_learned_layer_when_there_is_one(fitted):
    fig = plot_digit_features(fitted.stages_[0].X, fitted.stages_[1].X, fitted.top_X_,
                              fitted.top_labels_, (fitted.n_planes_[1],) + fitted.top_field_,
                              strides=(2, 1))
    titles = [sf.get_suptitle() for sf in fig.subfigs]
    assert len(titles) == 3 and titles[1].startswith(f"U_S2: {fitted.n_planes_[1]} learned")
    assert "U_C2 cells (1 cell = 2 pixels)" in titles[2]
    fig = plot_digit_features(fitted.stages_[0].X, None, fitted.top_X_, fitted.top_labels_,
                              (fitted.n_planes_[1],) + fitted.top_field_, strides=(2, 1))
    titles = [sf.get_suptitle() for sf in fig.subfigs]
    assert len(titles) == 2 and "U_C1 cells (1 cell = 2 pixels)" in titles[1]
    plt.close("all")
