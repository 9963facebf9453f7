"""NeocognitronClassifier refuses bad hyper-parameters, naming them, and bad input (NaN and
inf, one class, wrong shapes, blank images) before it learns anything."""

import warnings

import numpy as np
import pytest
from digit_models import fast
from sklearn.exceptions import NotFittedError

pytest_plugins = ["digit_models"]  # the digits and the network fitted on them (fixtures)


@pytest.fixture(scope="module")
def tiny(digits01):
    X_tr, _, y_tr, _ = digits01
    return X_tr[:24], y_tr[:24]


@pytest.mark.parametrize(
    "params, exc, match",
    [
        (dict(thresholds=(0.55,)), ValueError, "thresholds"),
        (dict(thresholds=(0.55, 0.5, 0.5)), ValueError, "thresholds"),
        (dict(learning_thresholds=(0.7, 0.8)), ValueError, "learning_thresholds"),
        (dict(fields=(4, 3)), ValueError, "fields"),
        (dict(fields=(5, 2)), ValueError, "fields"),
        (dict(fields=(5,)), ValueError, "fields"),
        (dict(blurs=(1.0,)), ValueError, "blurs"),
        (dict(blurs=(1.0, 0.0)), ValueError, "blurs"),
        (dict(strides=(2,)), ValueError, "strides"),
        (dict(strides=(2, 0)), ValueError, "strides"),
        (dict(readout="foo"), ValueError, "readout"),
        (dict(learning_rule="ais"), ValueError, "learning_rule"),
        (dict(learning_rule=None), ValueError, "learning_rule"),
        (dict(top_learning="frozen"), ValueError, "top_learning"),
        (dict(thresholds=(1.0, 0.5)), ValueError, "thresholds"),
        (dict(thresholds=(0.5, 1.2)), ValueError, "thresholds"),
        (dict(thresholds=(-0.1, 0.5)), ValueError, "thresholds"),
        (dict(thresholds=(0.5, float("nan"))), ValueError, "thresholds"),
        (dict(thresholds=("a", "b")), TypeError, "thresholds"),
        (dict(max_planes=(0,)), ValueError, "max_planes"),
        (dict(max_planes=6), TypeError, "max_planes"),
        (dict(max_planes=(6.5,)), TypeError, "max_planes"),
        (dict(margin=-1), ValueError, "margin"),
        (dict(n_orientations=0), ValueError, "n_orientations"),
        (dict(contrast=(2.0, 1.0, 16.0)), ValueError, "contrast"),
        (dict(contrast=(1.0, 2.0)), ValueError, "contrast"),
        (dict(q=0.0), ValueError, r"\bq\b"),
        (dict(top_exponent=0.0), ValueError, "top_exponent"),
        (dict(top_exponent="half"), TypeError, "top_exponent"),
        (dict(min_activity=1.5), ValueError, "min_activity"),
        (dict(competition_area=0), ValueError, "competition_area"),
        (dict(n_unsupervised=1.5), TypeError, "n_unsupervised"),
        (dict(n_epochs=0), ValueError, "n_epochs"),
        (dict(n_neighbors=0), ValueError, "n_neighbors"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(top_slack=-1), ValueError, "top_slack"),
        (dict(top_slack=3), ValueError, "top_slack"),  # the top C-layer is 6x6
        (dict(random_state="seed"), TypeError, "random_state"),
        (dict(image_shape=(4, 4)), ValueError, "image_shape"),
        pytest.param(dict(top_threshold=1.0), ValueError, "top_threshold"),
        pytest.param(dict(top_learning_threshold=1.0), ValueError, "top_learning_threshold"),
        pytest.param(dict(learning_thresholds=(1.0,)), ValueError, "learning_thresholds"),
        pytest.param(dict(thresholds=(0.0, 0.5)), ValueError, "thresholds"),
        pytest.param(dict(learning_thresholds=(0.0,)), ValueError, "learning_thresholds"),
    ],
    ids=lambda v: (",".join(f"{k}={w}" for k, w in v.items()) if isinstance(v, dict)
                   else getattr(v, "__name__", str(v))),
)
def test_bad_hyper_parameters_are_named(tiny, params, exc, match):
    X, y = tiny
    clf = fast(**params)
    with pytest.raises(exc, match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "top_X_")


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_nan_and_inf_input_raise(fitted, tiny, value):
    X, y = tiny
    Xb = X.astype(np.float64)
    Xb[3, 4, 4] = value
    with pytest.raises(ValueError, match="NaN|infinity"):
        fast().fit(Xb, y)
    with pytest.raises(ValueError, match="NaN|infinity"):
        fitted.predict(Xb)
    with pytest.raises(ValueError, match="NaN|infinity"):
        fitted.transform(Xb.reshape(len(Xb), -1))


def test_other_bad_input(fitted, tiny):
    X, y = tiny
    with pytest.raises(ValueError, match="one class"):
        fast().fit(X, np.zeros(len(X), dtype=int))
    with pytest.raises(ValueError):
        fast().fit(X, y[:-1])
    with pytest.raises(ValueError, match="images"):
        fast().fit(X[:, None], y)  # 4-D
    with pytest.raises(ValueError, match="square"):
        fast().fit(X.reshape(len(X), -1)[:, :60], y)
    with pytest.raises(ValueError, match="blank"):
        fast().fit(np.zeros_like(X), y)
    with pytest.raises(NotFittedError):
        fast().predict(X)


def test_blank_training_digit_gives_no_warnings(tiny):
    X, y = tiny
    X = X.astype(np.float64).copy()
    X[0] = 0.0
    clf = fast(readout="interpolating").fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.predict(X)
