"""What the tests of NeocognitronClassifier as an estimator (``test_digits_estimator*.py``)
share: a tiny network and sklearn's 8x8 digits, 0 against 1, with the network fitted on
them (fixtures, made once per session; a test file takes them with
``pytest_plugins = ["digit_models"]``)."""

import pytest
from sklearn.model_selection import train_test_split

from neocognitron.datasets import load_digits_images
from neocognitron.digits import NeocognitronClassifier

# A tiny network: 8x8 digits on a 12x12 canvas, 4 edge planes, at most 6 learned planes.
FAST = dict(margin=2, n_orientations=4, max_planes=(6,), thresholds=(0.55, 0.5),
            learning_thresholds=(0.75,), fields=(5, 3), blurs=(1.0, 0.8),
            strides=(2, 1), n_unsupervised=50, n_epochs=2, random_state=0)


@pytest.fixture(scope="session")
def digits01():
    X, y = load_digits_images()
    keep = y < 2
    return train_test_split(X[keep], y[keep], test_size=0.3, random_state=0, stratify=y[keep])


# shared by the test files: no test changes it (they fit clones or change deep copies), so
# it is fitted once
@pytest.fixture(scope="session")
def fitted(digits01):
    X_tr, _, y_tr, _ = digits01
    return NeocognitronClassifier(**FAST).fit(X_tr, y_tr)


def fast(**kw):
    return NeocognitronClassifier(**dict(FAST, **kw))
