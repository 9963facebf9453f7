"""Both digit classifiers refuse, with a message about images, what they cannot answer:
images of another shape than at fit, and no images at all."""

import numpy as np
import pytest

from neocognitron import ConvNetClassifier
from neocognitron.datasets import load_digits_images
from neocognitron.digits import NeocognitronClassifier

# small and quick: 8x8 digits, one epoch
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
