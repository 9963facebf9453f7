"""Tests of neocognitron.metrics on models whose answers can be worked out by hand."""

import numpy as np
import pytest

from neocognitron.metrics import (
    accuracy_by_shift,
    consistency,
    prediction_change_rate,
    representation_similarity,
)


class ConstantModel:
    """Ignores its input: always predicts ``label``; counts its calls."""

    def __init__(self, label=7):
        self.label, self.calls = label, 0

    def predict(self, X):
        self.calls += 1
        return np.full(len(X), self.label)


class PixelModel:
    """Predicts 1 if pixel (r, c) of a (H, W) image is > 0, else 0 (accepts flat input)."""

    def __init__(self, r, c, shape=(6, 6)):
        self.r, self.c, self.shape = r, c, shape

    def predict(self, X):
        X = np.asarray(X).reshape(len(X), *self.shape)
        return (X[:, self.r, self.c] > 0).astype(int)


class IdentityTransform:
    def transform(self, X):
        return np.asarray(X).reshape(len(X), -1)


class SumTransform:
    """Constant feature vector: every feature is the image's total ink."""

    def transform(self, X):
        X = np.asarray(X).reshape(len(X), -1)
        return np.repeat(X.sum(axis=1, keepdims=True), 5, axis=1)


class Exploding:
    """Fails if called, to show that validation happens before any model call."""

    def predict(self, X):
        raise AssertionError("model called before validation")

    transform = predict


def one_pixel(r, c, shape=(6, 6)):
    img = np.zeros(shape)
    img[r, c] = 1.0
    return img


# -- a model that ignores its input ------------------------------------------------------

def test_constant_model_is_perfectly_invariant():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(20, 6, 6))
    y = rng.integers(5, 9, size=20)
    model = ConstantModel(7)
    res = accuracy_by_shift(model, X, y, 2)
    assert res["grid"].shape == (5, 5)
    assert len(res["shifts"]) == 25 and res["shifts"][0] == (-2, -2)
    # one batched predict per shift
    assert model.calls == 25
    np.testing.assert_array_equal(res["accuracy"], np.mean(y == 7))
    assert consistency(model, X, 3, n_pairs=50, random_state=0) == 1.0
    rate = prediction_change_rate(model, X, 4)
    assert rate["rate"] == 0.0
    np.testing.assert_array_equal(rate["per_step"], np.zeros(4))


# -- a model that reads one pixel -------------------------------------------------------

def test_accuracy_grid_of_pixel_model_by_hand():
    # The model reads pixel (3, 3) of a 6x6 image. Three images:
    #   P: one pixel at (3, 3), label 1 -> right only at shift (0, 0) (else the pixel moves
    #      away from (3, 3));
    #   Q: blank, label 0 -> always right;
    #   R: one pixel at (2, 3), label 0 -> wrong only at (dy, dx) = (1, 0), which moves the
    #      pixel down onto (3, 3).
    # Hence 3/3 right at (0, 0), 1/3 at (1, 0) and 2/3 everywhere else; grid[dy+1, dx+1].
    X = np.stack([one_pixel(3, 3), np.zeros((6, 6)), one_pixel(2, 3)])
    y = np.array([1, 0, 0])
    res = accuracy_by_shift(PixelModel(3, 3), X, y, 1)
    expected = np.array([[2, 2, 2], [2, 3, 2], [2, 1, 2]]) / 3
    np.testing.assert_allclose(res["grid"], expected)
    # explicit pairs give the same numbers, in the order asked for
    res = accuracy_by_shift(PixelModel(3, 3), X, y, [(1, 0), (0, 0), (0, -1)])
    np.testing.assert_allclose(res["accuracy"], [1 / 3, 1, 2 / 3])
    assert "grid" not in res and res["shifts"] == [(1, 0), (0, 0), (0, -1)]


def test_change_rate_of_pixel_model_by_hand():
    # Model reads pixel (3, 3); diagonal shifts t = 0..4 of 6x6 images:
    #   A: pixel at (1, 1) reaches (3, 3) at t = 2: predictions 0 0 1 0 0 -> changes at
    #      pairs (1,2) and (2,3);
    #   B: blank: predictions 0 0 0 0 0 -> no change;
    #   D: ones on rows/cols 0..3, covering (3, 3) while t <= 3: predictions 1 1 1 1 0
    #      -> one change, at pair (3,4).
    # per pair: 0, 1/3, 1/3, 1/3; overall 3 changes out of 3 images x 4 pairs = 0.25.
    D = np.zeros((6, 6))
    D[:4, :4] = 1
    X = np.stack([one_pixel(1, 1), np.zeros((6, 6)), D])
    res = prediction_change_rate(PixelModel(3, 3), X, 4)
    assert res["rate"] == pytest.approx(0.25)
    np.testing.assert_allclose(res["per_step"], [0, 1 / 3, 1 / 3, 1 / 3])
    np.testing.assert_array_equal(res["predictions"][:, 0], [0, 0, 1, 0, 0])
    # flat input with image_shape gives the same answer
    flat = prediction_change_rate(PixelModel(3, 3), X.reshape(3, 36), 4, image_shape=(6, 6))
    assert flat["rate"] == res["rate"]


def test_consistency_of_pixel_model():
    # One pixel at (3, 3), model reads (3, 3), max_shift 1: the class is 1 only for shift
    # (0, 0), probability 1/9. Both copies agree with probability (1/9)^2 + (8/9)^2 = 65/81.
    X = one_pixel(3, 3)[None]
    value = consistency(PixelModel(3, 3), X, 1, n_pairs=20000, random_state=0)
    # binomial sd = sqrt(0.8 * 0.2 / 20000) ~ 0.0028
    assert value == pytest.approx(65 / 81, abs=0.012)
    assert consistency(PixelModel(3, 3), X, 0, n_pairs=10, random_state=0) == 1.0


def test_consistency_same_seed_same_number():
    rng = np.random.default_rng(1)
    X = (rng.uniform(size=(30, 6, 6)) > 0.5).astype(float)
    model = PixelModel(2, 3)
    a = consistency(model, X, 2, n_pairs=200, random_state=5)
    b = consistency(model, X, 2, n_pairs=200, random_state=5)
    c = consistency(model, X, 2, n_pairs=200, random_state=np.random.default_rng(5))
    d = consistency(model, X, 2, n_pairs=200, random_state=np.random.RandomState(5))
    assert a == b == c
    assert 0.0 <= d <= 1.0
    assert a < 1.0  # the pixel model is not shift invariant on random images


# -- representation similarity ----------------------------------------------------------

def test_similarity_of_one_hot_identity_by_hand():
    # Identity features of a 5x5 image with one bright pixel are a one-hot vector of
    # length m = 25. Centred, a = e_i - 1/m and b = e_j - 1/m (i != j) give
    # a.b = -1/m and |a|^2 = |b|^2 = (m - 1)/m, so corr = -1/(m - 1) = -1/24.
    # A shift that pushes the pixel out of frame leaves a constant (zero) vector: 0.0.
    X = one_pixel(2, 2, (5, 5))[None]
    res = representation_similarity(IdentityTransform(), X, [(0, 0), (1, 0), (-2, 2), (3, 0)])
    np.testing.assert_allclose(res["similarity"], [1.0, -1 / 24, -1 / 24, 0.0])
    grid = representation_similarity(IdentityTransform(), X, 1)["grid"]
    expected = np.full((3, 3), -1 / 24)
    expected[1, 1] = 1.0
    np.testing.assert_allclose(grid, expected)


def test_similarity_of_constant_features():
    # blank image: identical constant vectors -> 1.0; total ink 1 before, 0 after the
    # pixel leaves the frame: two different constants -> 0.0; stays in frame -> same -> 1.
    X = np.stack([np.zeros((4, 4)), one_pixel(0, 0, (4, 4))])
    res = representation_similarity(IdentityTransform(), X[:1], [(1, 1)])
    assert res["similarity"][0] == 1.0
    res = representation_similarity(SumTransform(), X[1:], [(-1, 0), (1, 1)])
    np.testing.assert_array_equal(res["similarity"], [0.0, 1.0])


# -- a real scikit-learn estimator, flat input ------------------------------------------

def test_end_to_end_with_sklearn_on_digits():
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression

    from neocognitron.datasets import load_digits_images

    X, y = load_digits_images()
    flat = X.reshape(len(X), 64).astype(float)
    clf = LogisticRegression(max_iter=300).fit(flat[:400], y[:400])
    Xt, yt = flat[400:600], y[400:600]
    res = accuracy_by_shift(clf, Xt, yt, 1, image_shape=(8, 8))
    assert res["grid"].shape == (3, 3)
    assert res["grid"][1, 1] == pytest.approx(clf.score(Xt, yt))
    assert res["grid"][1, 1] > res["accuracy"].min()  # shifting hurts a linear model
    c = consistency(clf, Xt, 1, n_pairs=300, random_state=0, image_shape=(8, 8))
    assert 0.0 < c < 1.0
    rate = prediction_change_rate(clf, Xt, 2, image_shape=(8, 8))
    assert 0.0 < rate["rate"] <= 1.0 and rate["per_step"].shape == (2,)
    pca = PCA(n_components=10, random_state=0).fit(flat[:400])
    sim = representation_similarity(pca, Xt, 1, image_shape=(8, 8))
    assert sim["grid"][1, 1] == pytest.approx(1.0)
    assert np.all(sim["similarity"] <= 1.0) and sim["grid"].min() < 0.9


# -- bad input --------------------------------------------------------------------------

GOOD = np.zeros((3, 4, 4))


@pytest.mark.parametrize(
    "call, exc, word",
    [
        (lambda m: accuracy_by_shift(m, np.full((3, 4, 4), np.nan), [0] * 3, 1), ValueError,
         "NaN"),
        (lambda m: accuracy_by_shift(m, np.zeros((0, 4, 4)), [], 1), ValueError, "empty"),
        (lambda m: accuracy_by_shift(m, np.zeros(4), [0], 1), ValueError, "dimensions"),
        (lambda m: accuracy_by_shift(m, GOOD, [0, 1], 1), ValueError, "y"),
        (lambda m: accuracy_by_shift(m, GOOD, [0] * 3, -1), ValueError, "shifts"),
        (lambda m: accuracy_by_shift(m, GOOD, [0] * 3, [(1, 2, 3)]), ValueError, "shifts"),
        (lambda m: accuracy_by_shift(m, GOOD, [0] * 3, []), ValueError, "shifts"),
        (lambda m: accuracy_by_shift(m, GOOD, [0] * 3, 1.5), TypeError, "shifts"),
        (lambda m: accuracy_by_shift(m, GOOD.reshape(3, 16), [0] * 3, 1), ValueError,
         "image_shape"),
        (lambda m: accuracy_by_shift(m, GOOD.reshape(3, 16), [0] * 3, 1, image_shape=(3, 3)),
         ValueError, "image_shape"),
        (lambda m: accuracy_by_shift(m, GOOD, [0] * 3, 1, image_shape=(2, 8)), ValueError,
         "image_shape"),
        (lambda m: consistency(m, GOOD, -1), ValueError, "max_shift"),
        (lambda m: consistency(m, GOOD, 1, n_pairs=0), ValueError, "n_pairs"),
        (lambda m: consistency(m, GOOD, 1, random_state="x"), TypeError, "random_state"),
        (lambda m: consistency(m, np.full((3, 4, 4), np.inf), 1), ValueError, "inf"),
        (lambda m: prediction_change_rate(m, GOOD, 0), ValueError, "steps"),
        (lambda m: prediction_change_rate(m, GOOD, 1.0), TypeError, "steps"),
        (lambda m: representation_similarity(m, GOOD, -2), ValueError, "shifts"),
    ],
)
def test_bad_input_raises_before_model_call(call, exc, word):
    with pytest.raises(exc, match=word):
        call(Exploding())


@pytest.mark.parametrize(
    "call",
    [
        lambda: accuracy_by_shift(object(), GOOD, [0] * 3, 1),
        lambda: consistency(IdentityTransform(), GOOD, 1),
        lambda: prediction_change_rate(None, GOOD, 1),
        lambda: representation_similarity(ConstantModel(), GOOD, 1),
    ],
)
def test_model_without_method_raises(call):
    with pytest.raises(TypeError, match="model must have"):
        call()
