"""ConvNetClassifier refuses what it cannot compute (inputs whose forward pass overflows,
training that diverges) and follows scikit-learn's ``classes`` rule of ``partial_fit``."""

import warnings

import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from neocognitron import ConvNetClassifier
from neocognitron.cnn import _inputs
from neocognitron.datasets import load_digits_images


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits_images()
    return train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)


def fast(**kw):
    return ConvNetClassifier(**dict(dict(padding="same", max_iter=2, random_state=0), **kw))


@pytest.fixture(scope="module")
def fitted(digits):
    X, _, y, _ = digits
    return fast().fit(X, y)


# ------------------------------------------------------------------ huge inputs
@pytest.mark.parametrize("factor", [1e300, 5e37])
@pytest.mark.parametrize("method", ["predict", "predict_proba", "transform"])
def test_inputs_that_overflow_are_refused(fitted, digits, factor, method):
    # 1e300: standardised pixels beyond float32 (they used to become inf with a numpy
    # warning, and every image one class); 5e37: they fit float32, the layers overflow
    _, Xt, _, _ = digits
    fits = np.abs((Xt * factor - fitted.x_mean_) / fitted.x_scale_).max() < 3.4e38
    assert fits == (factor < 1e38)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy overflow warning is no answer
        with pytest.raises(ValueError, match=r"X holds values in \[0, .*overflow the network"):
            getattr(fitted, method)(Xt * factor)


def test_overflow_in_any_chunk_is_refused():
    # standardize checks each chunk as it writes it: the last one too
    n = 2 * _inputs._CHUNK + 3
    X = np.zeros((n, 4))
    for row in (0, _inputs._CHUNK, n - 1):
        X[row, 1] = 1e300
        with pytest.raises(ValueError, match=r"X holds values in \[0, 1e\+300\].*overflow"):
            _inputs.standardize(X, 0.0, 1.0, (2, 2))
        X[row, 1] = 0.0
    assert np.array_equal(_inputs.standardize(X + 3, 1.0, 2.0, (2, 2)), np.ones((n, 1, 2, 2)))


def test_huge_training_pixels_are_standardised_like_small_ones(fitted, digits):
    # their squares overflow float64: the scale used to be inf and every image one class
    X, Xt, y, yt = digits
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big = fast().fit(X * 1e300, y)
        np.testing.assert_allclose(big.x_scale_, fitted.x_scale_ * 1e300, rtol=1e-12)
        np.testing.assert_allclose(big.x_mean_, fitted.x_mean_ * 1e300, rtol=1e-12)
        assert np.mean(big.predict(Xt * 1e300) == yt) > 0.8
        assert np.mean(big.predict(Xt * 1e300) == fitted.predict(Xt)) > 0.95


# ------------------------------------------------------------------ divergence
@pytest.mark.parametrize("solver", ["adam", "sgd"])
@pytest.mark.parametrize("lr", [1.0, 1e6])
def test_diverging_training_is_refused(digits, solver, lr):
    # Adam's steps are bounded by lr, so its loss grew to 1e36 without becoming inf and
    # fit returned a model that predicts one class; SGD's became NaN and raised
    X, _, y, _ = digits
    with pytest.raises(ValueError, match=r"training diverged.*lower learning_rate_init"):
        fast(solver=solver, learning_rate_init=lr, max_iter=3).fit(X, y)


# ------------------------------------------------------------------ partial_fit
def test_partial_fit_needs_classes_on_the_first_call(digits):
    X, _, y, _ = digits
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        fast().partial_fit(X[:50], y[:50])
    clf = fast().partial_fit(X[:50], y[:50], classes=np.arange(10))
    clf.partial_fit(X[50:100], y[50:100])  # later calls may leave it out
    clf.partial_fit(X[50:100], y[50:100], classes=np.arange(10))  # or repeat it
    with pytest.raises(ValueError, match="is not the same as on last call"):
        clf.partial_fit(X[50:100], y[50:100], classes=np.arange(11))
    assert clf.n_iter_ == 3
    # after fit, classes_ are known
    fitted = fast(max_iter=1).fit(X, y).partial_fit(X[:50], y[:50])
    assert fitted.n_iter_ == 2


def test_a_failed_first_call_leaves_no_half_made_model(digits):
    X, _, y, _ = digits
    clf = fast()
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.partial_fit(X[:50], np.zeros(50), classes=[0])
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X[:50], y[:50])
    clf.partial_fit(X[:50], y[:50], classes=np.arange(10))
    assert list(clf.classes_) == list(range(10))
