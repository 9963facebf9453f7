"""One meaning of ``random_state`` (neocognitron._random) in the three models: an int seed,
a Generator or RandomState drawn from as is, None fresh entropy."""

import numpy as np
import pytest

from neocognitron import ConvNetClassifier, Neocognitron
from neocognitron._random import (
    check_random_state,
    integers,
    legacy_random_state,
    uniform_integers,
)
from neocognitron.datasets import fukushima1980_patterns, load_digits_images
from neocognitron.digits import NeocognitronClassifier
from neocognitron.fukushima1980.evaluation import STRENGTHS, tolerance_curves


# ------------------------------------------------------------------ the conversion
def test_an_int_is_a_seed_of_the_callers_kind():
    a, b = check_random_state(3), check_random_state(3, legacy=True)
    assert isinstance(a, np.random.Generator) and isinstance(b, np.random.RandomState)
    assert a.uniform() == np.random.default_rng(3).uniform()
    assert b.uniform() == np.random.RandomState(3).uniform()
    assert check_random_state(np.int64(3)).uniform() == np.random.default_rng(3).uniform()


@pytest.mark.parametrize("legacy", [False, True])
def test_instances_pass_through_and_none_is_fresh_entropy(legacy):
    for rng in (np.random.default_rng(0), np.random.RandomState(0)):
        assert check_random_state(rng, legacy=legacy) is rng
    # the global RandomState is what None must not mean
    np.random.seed(0)  # noqa: NPY002
    first = check_random_state(None, legacy=legacy).uniform(size=4)
    np.random.seed(0)  # noqa: NPY002
    assert not np.array_equal(first, check_random_state(None, legacy=legacy).uniform(size=4))


@pytest.mark.parametrize(
    "value, legacy, error, match",
    [(-1, False, ValueError, "seed >= 0"), (2**32, True, ValueError, "below 2\\*\\*32"),
     (True, False, TypeError, "got bool"), (1.5, False, TypeError, "got float"),
     ("0", True, TypeError, "got str")],
)
def test_bad_random_state(value, legacy, error, match):
    with pytest.raises(error, match=f"random_state must be .*{match}"):
        check_random_state(value, legacy=legacy)


def test_legacy_view_of_a_generator_advances_it():
    gen = np.random.default_rng(5)
    rs = legacy_random_state(gen)
    assert isinstance(rs, np.random.RandomState) and legacy_random_state(rs) is rs
    rs.randint(0, 10, size=100)
    fresh = np.random.default_rng(5)
    assert gen.uniform() != fresh.uniform()  # the draws came from gen's stream


class _InkWinner:
    """A stand-in for a fitted network: the winner is the row holding the most ink, so that
    shifted, deformed, noisy and erased variants do change it."""

    def winners(self, X):
        return np.argmax(np.asarray(X).sum(axis=2), axis=1)


@pytest.mark.parametrize("kind", [np.random.RandomState, np.random.default_rng])
def test_tolerance_curves_accept_both_kinds(kind):
    # a RandomState crashed: the shift variants drew with Generator.integers
    patterns = fukushima1980_patterns()[:2]
    strengths = {k: v[:3] for k, v in STRENGTHS.items()}
    a = tolerance_curves(_InkWinner(), patterns, n=3, strengths=strengths, random_state=kind(4))
    assert set(a) == set(STRENGTHS) and all(len(a[k]) == 3 for k in a)
    assert a == tolerance_curves(_InkWinner(), patterns, n=3, strengths=strengths,
                                 random_state=kind(4))
    assert a != tolerance_curves(_InkWinner(), patterns, n=3, strengths=strengths,
                                 random_state=kind(5))


def test_integer_draws_from_either_kind():
    for kind in (np.random.RandomState, np.random.default_rng):
        x = uniform_integers(kind(0), -2, np.array([[1], [3]]), size=(2, 4000))
        assert x.dtype == np.int64 and x.min() == -2 and (x.max(axis=1) == [1, 3]).all()
        assert integers(kind(0), 2, 5, size=4000).min() == 2
    # the same stream gives the same integers whichever kind wraps it
    same = uniform_integers(np.random.RandomState(np.random.MT19937(9)), 0, 6, size=50)
    assert np.array_equal(same, uniform_integers(np.random.Generator(np.random.MT19937(9)),
                                                 0, 6, size=50))
    # integers() keeps each kind's own draws (Generator.integers made saved results)
    assert np.array_equal(integers(np.random.default_rng(3), 0, 9, size=20),
                          np.random.default_rng(3).integers(0, 9, size=20))
    assert np.array_equal(integers(np.random.RandomState(3), 0, 9, size=20),
                          np.random.RandomState(3).randint(0, 9, size=20))


# ------------------------------------------------------------------ the three models
@pytest.fixture(scope="module")
def digits():
    X, y = load_digits_images()
    return X[:300], y[:300]


def neocognitron_1980(random_state):
    net = Neocognitron.fukushima1980(random_state=random_state)
    return np.concatenate([a.ravel() for a in net.fit(fukushima1980_patterns()).a_])


def digit_neocognitron(digits):
    def fit(random_state):
        clf = NeocognitronClassifier(margin=2, n_orientations=4, fields=(5,), blurs=(1.0,),
                                     strides=(2,), n_epochs=2, random_state=random_state)
        return clf.fit(*digits).top_X_.ravel()
    return fit


def cnn(digits):
    def fit(random_state):
        clf = ConvNetClassifier(padding="same", max_iter=1, augment_shift=1,
                                early_stopping=True, random_state=random_state)
        return clf.fit(*digits).network_.theta.copy()
    return fit


# each model, and what its int seeds (kept so saved results stay regenerable)
MODELS = {"Neocognitron": (lambda digits: neocognitron_1980, np.random.RandomState),
          "NeocognitronClassifier": (digit_neocognitron, np.random.default_rng),
          "ConvNetClassifier": (cnn, np.random.RandomState)}


@pytest.fixture(params=sorted(MODELS))
def model(request, digits):
    make, kind = MODELS[request.param]
    return make(digits), kind


def same(a, b):
    return a.shape == b.shape and np.array_equal(a, b)


def test_a_generator_is_accepted_and_reproducible(model):
    fit, _ = model
    # the 1980 network and the CNN raised on a Generator
    a = fit(np.random.default_rng(0))
    assert same(a, fit(np.random.default_rng(0)))
    assert not same(a, fit(np.random.default_rng(1)))
    gen = np.random.default_rng(0)
    fit(gen)
    assert not same(a, fit(gen))  # drawn from as is: the stream moved on


def test_none_is_fresh_entropy_in_every_model(model):
    fit, _ = model
    # it was the global RandomState in the 1980 network and the CNN
    np.random.seed(0)  # noqa: NPY002
    a = fit(None)
    np.random.seed(0)  # noqa: NPY002
    assert not same(a, fit(None))


def test_an_int_seeds_what_the_saved_results_were_drawn_with(model):
    fit, kind = model
    assert same(fit(7), fit(kind(7)))
