"""Both digit classifiers refuse, with a message about images, what they cannot answer:
images of another shape than at fit, no images at all, and (the neocognitron) training
images that no cell answers."""

import copy

import numpy as np
import pytest

from neocognitron import ConvNetClassifier
from neocognitron.datasets import load_digits_images
from neocognitron.digits import NeocognitronClassifier

# small and quick: 8x8 digits, one epoch; the neocognitron has the layout of its defaults
# (no learned stage), so blank digits reach its top stage
MODELS = {
    "neocognitron": lambda: NeocognitronClassifier(
        margin=2, n_orientations=4, fields=(5,), blurs=(1.0,), strides=(2,), n_epochs=1,
        random_state=0),
    "cnn": lambda: ConvNetClassifier(padding="same", max_iter=1, random_state=0),
}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits_images()
    return X[:200], y[:200]


@pytest.fixture(scope="module", params=sorted(MODELS))
def fitted(request, digits):
    return MODELS[request.param]().fit(*digits)


def _call(model, method, X, y):
    return model.score(X, y) if method == "score" else getattr(model, method)(X)


@pytest.mark.parametrize("method", ["predict", "transform", "score"])
@pytest.mark.parametrize("shape", [(1, 1), (6, 6), (8, 13), (4, 16)])
def test_images_of_another_shape_are_refused(fitted, digits, method, shape):
    # (1, 1) and (6, 6) used to get a class from the neocognitron: the canvas held them
    X = np.zeros((3,) + shape)
    X[:, 0, 0] = 16
    name = type(fitted).__name__
    match = (rf"X holds images of shape \({shape[0]}, {shape[1]}\), but {name} was fitted on "
             r"images of shape \(8, 8\)")
    with pytest.raises(ValueError, match=match):
        _call(fitted, method, X, digits[1][:3])


@pytest.mark.parametrize("method", ["predict", "transform", "score"])
def test_flat_rows_of_another_length_are_refused(fitted, digits, method):
    name = type(fitted).__name__
    match = (rf"X has 49 features, but {name} is expecting 64 features as input: it was "
             r"fitted on images of shape \(8, 8\)")
    with pytest.raises(ValueError, match=match):
        _call(fitted, method, np.ones((3, 49)), digits[1][:3])


def test_the_fitted_shape_is_still_accepted(fitted, digits):
    X = digits[0][:20]
    np.testing.assert_array_equal(fitted.predict(X), fitted.predict(X.reshape(20, 64)))


@pytest.mark.parametrize("X", [np.zeros((0, 8, 8)), np.zeros((0, 64))], ids=["3-D", "flat"])
def test_no_images_is_0_samples(fitted, X):
    with pytest.raises(ValueError, match=r"0 sample\(s\)"):
        fitted.predict(X)
    with pytest.raises(ValueError, match=r"0 sample\(s\)"):
        type(fitted)().fit(X, np.zeros(0))


@pytest.mark.parametrize("value", [0.0, 7.0], ids=["zero", "constant"])
def test_blank_training_images_are_refused(digits, value):
    # they gave a model with no top plane, which saved, loaded, and then failed in predict
    # with "attempt to get argmax of an empty sequence" (a constant image is blank once
    # scaled by its own range)
    X, y = digits
    with pytest.raises(ValueError, match="X: no training image makes any cell of the last"):
        MODELS["neocognitron"]().fit(np.full(X.shape, value), y)


def test_a_class_of_blank_images_is_refused(digits):
    X, y = digits
    X = np.where((y == 3)[:, None, None], 0.0, X)
    with pytest.raises(ValueError, match=r"no training image of class \[3\] .*never predict"):
        MODELS["neocognitron"]().fit(X, y)


def test_a_neocognitron_without_top_planes_says_so(digits):
    fitted = MODELS["neocognitron"]().fit(*digits)
    empty = copy.deepcopy(fitted)  # as saved before fit refused blank images
    empty.top_X_, empty.top_labels_ = empty.top_X_[:0], empty.top_labels_[:0]
    for method in (empty.predict, empty.transform):
        with pytest.raises(ValueError, match="no top plane .*fit it again"):
            method(digits[0][:5])
