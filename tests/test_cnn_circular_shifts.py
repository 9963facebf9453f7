"""With ``padding="circular"``, ``pooling="aps"`` and ``global_pool=True`` the CNN is
invariant to circular shifts of its input (Chaman & Dokmanic, CVPR 2021): the predictions
are identical, and the logits equal to rounding, under every one of the H x W circular
shifts, before and after training, when every APS layer sees even sides. The controls
show the test has teeth: without APS, without circular padding, or with an odd side at an
APS layer the logits move."""

import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from neocognitron import ConvNetClassifier
from neocognitron.cnn.network import Network, lenet_layers
from neocognitron.datasets import load_digits_images

INVARIANT = dict(pooling="aps", padding="circular", global_pool=True)


def all_shifts(images):
    """Every circular shift of every image: (n * H * W, H, W), shifts of image i together."""
    n, H, W = images.shape
    return np.stack([np.roll(img, (dy, dx), (0, 1)) for img in images
                     for dy in range(H) for dx in range(W)])


def spread(logits, n):
    """Largest difference of the logits of each image from its unshifted copy's."""
    per_image = logits.reshape(n, -1, logits.shape[-1])
    return float(np.max(np.abs(per_image - per_image[:, :1])))


def random_network(shape, dtype, **options):
    net = Network(lenet_layers(10, **options), (1,) + shape, dtype)
    net.init_params(np.random.RandomState(0))
    net.theta[net.n_weights:] = 0.05 * np.random.default_rng(1).standard_normal(
        net.n_params - net.n_weights)  # non-zero biases, which padding would reveal
    return net


def random_logits(shape, dtype, **options):
    images = np.random.default_rng(2).standard_normal((3,) + shape).astype(dtype)
    return random_network(shape, dtype, **options).logits(all_shifts(images)[:, None]), 3


@pytest.mark.parametrize("dtype,atol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_random_network_is_invariant_to_every_circular_shift_of_28x28(dtype, atol):
    logits, n = random_logits((28, 28), dtype, **INVARIANT)  # 3 images x 784 shifts
    assert logits.shape == (n * 784, 10)
    classes = logits.reshape(n, 784, 10).argmax(2)
    assert (classes == classes[:, :1]).all()
    scale = float(np.max(np.abs(logits)))
    assert spread(logits, n) <= atol * scale, spread(logits, n) / scale


@pytest.mark.parametrize("options", [dict(pooling="max", padding="circular", global_pool=True),
                                     dict(pooling="aps", padding="same", global_pool=True),
                                     dict(pooling="aps", padding="circular"),
                                     dict(pooling="max", antialias=True, padding="circular",
                                          global_pool=True)],
                         ids=["max", "zero-padding", "flatten", "blurpool"])
def test_without_any_one_of_the_three_the_logits_move(options):
    logits, n = random_logits((12, 12), np.float64, **options)
    assert spread(logits, n) > 1e-3 * float(np.max(np.abs(logits)))


def test_an_odd_side_at_an_aps_layer_breaks_the_exact_invariance():
    # 10x10 -> APS -> 5x5 -> APS: no choice among four grids of a 5-pixel side is permuted
    # by a shift of one pixel (cnn/_aps.py)
    logits, n = random_logits((10, 10), np.float64, **INVARIANT)
    assert spread(logits, n) > 1e-6 * float(np.max(np.abs(logits)))


@pytest.fixture(scope="module")
def trained():
    X, y = load_digits_images()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    clf = ConvNetClassifier(**INVARIANT, conv_channels=(8, 16), hidden_layer_sizes=(32,),
                            learning_rate_init=3e-3, max_iter=10, random_state=0).fit(X_tr, y_tr)
    return clf, X_te, y_te


def test_the_invariant_classifier_learns(trained):
    # 0.787 measured: it cannot tell a digit from its wrapped-around shifts, and 8x8 digits
    # touch the borders of their torus; global pooling leaves 16 features
    clf, X_te, y_te = trained
    assert clf.score(X_te, y_te) > 0.75
    assert clf.loss_curve_[-1] < 0.5 * clf.loss_curve_[0]


def test_trained_classifier_predicts_the_same_under_every_circular_shift(trained):
    clf, images = trained[0], trained[1][:40]  # 8x8 digits: the APS layers see 8x8 and 4x4
    shifted = all_shifts(images)  # 40 images x 64 shifts
    predictions = clf.predict(shifted).reshape(len(images), 64)
    assert (predictions == predictions[:, :1]).all()
    np.testing.assert_array_equal(predictions[:, 0], clf.predict(images))
    proba = clf.predict_proba(shifted)
    assert spread(proba, len(images)) < 1e-5
