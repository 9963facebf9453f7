"""The controls of the digit-hierarchy study (``digits.controls``): 1-NN and interpolating
vectors over every training vector, against plain loops written from their definitions,
and the top-stage features against the network's own forward pass."""

import copy

import numpy as np
import pytest

from neocognitron.digits import controls

pytest_plugins = ["digit_models"]


def cosine(a, b):
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return 0.0 if na == 0 or nb == 0 else float(a @ b / (na * nb))


def naive_1nn(train, labels, test):
    out = []
    for x in test:
        best, label = -np.inf, None
        for t, lab in zip(train, labels, strict=True):
            c = cosine(x, t)
            if c > best:  # ties: the first
                best, label = c, lab
        out.append(label)
    return np.array(out)


def segment_best(x, Xi, Xj, n=4001):
    """Largest cosine between x and a point of the segment [Xi, Xj], by sampling it."""
    p = np.linspace(0, 1, n)[:, None]
    points = p * Xi + (1 - p) * Xj
    return float(np.max(points @ x / (np.linalg.norm(points, axis=1) * np.linalg.norm(x))))


def naive_interpolating(train, labels, test):
    """Every pair of training vectors of a class (and every single one), no neighbours."""
    out = []
    for x in test:
        scores = {}
        for c in np.unique(labels):
            members = train[labels == c]
            s = max(cosine(x, t) for t in members)
            for i in range(len(members)):
                for j in range(i + 1, len(members)):
                    s = max(s, segment_best(x, members[i], members[j]))
            scores[c] = s
        out.append(max(scores, key=scores.get))
    return np.array(out)


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(3)
    # two classes on two nearby rays with noise; test vectors between them
    centres = rng.random((3, 5))
    labels = np.repeat(["a", "b", "c"], 6)
    train = np.abs(centres[[0] * 6 + [1] * 6 + [2] * 6] + 0.3 * rng.standard_normal((18, 5)))
    test = np.abs(centres[rng.integers(0, 3, 25)] + 0.4 * rng.standard_normal((25, 5)))
    return train, labels, test


@pytest.mark.parametrize("batch_size", [1, 7, 500])
def test_nearest_neighbour_is_the_plain_loop(problem, batch_size):
    train, labels, test = problem
    got = controls.nearest_neighbour(train, labels, test, batch_size=batch_size)
    np.testing.assert_array_equal(got, naive_1nn(train, labels, test))


def test_nearest_neighbour_hand_worked():
    train = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])
    # (2, 1) is nearest in angle to (1, 0)? cos 0.894 vs (3, 3) 0.949: the diagonal wins;
    # (0, 5) is exactly (0, 2)'s direction; a zero vector has cosine 0 with all: the first
    got = controls.nearest_neighbour(train, [0, 1, 2], [[2.0, 1.0], [0.0, 5.0], [0.0, 0.0]])
    np.testing.assert_array_equal(got, [2, 1, 0])


@pytest.fixture(scope="module")
def interpolated(problem):
    return naive_interpolating(*problem)


@pytest.mark.parametrize("batch_size", [1, 9, 500])
def test_interpolating_all_is_the_plain_loop(problem, interpolated, batch_size):
    train, labels, test = problem
    # n_neighbors covers every class's 6 vectors: every pair is tried, as in the loop
    got = controls.interpolating_all(train, labels, test, n_neighbors=6,
                                     batch_size=batch_size)
    np.testing.assert_array_equal(got, interpolated)
    # the segments decide somewhere: 5 of the 25 differ from 1-NN
    assert (interpolated != naive_1nn(train, labels, test)).sum() >= 3


def test_interpolating_beats_single_vectors_between_two_of_a_class():
    # class 0 has (1, 0, 0) and (0, 1, 0); class 1 one vector nearer to each of them alone
    train = np.array([[1.0, 0, 0], [0, 1.0, 0], [0.8, 0.8, 0.6]])
    x = np.array([[1.0, 1.0, 0.0]])
    assert controls.nearest_neighbour(train, [0, 0, 1], x)[0] == 1  # cos 0.88 vs 0.71
    assert controls.interpolating_all(train, [0, 0, 1], x, n_neighbors=2)[0] == 0  # 1.0


def test_time_controls_runs_both_on_one_set_of_cosines(problem):
    train, labels, test = problem
    out = controls.time_controls(train, labels, test, n_neighbors=3, batch_size=4)
    assert set(out) == set(controls.CONTROLS)
    np.testing.assert_array_equal(out["1nn"]["pred"],
                                  controls.nearest_neighbour(train, labels, test))
    np.testing.assert_array_equal(out["interpolating"]["pred"],
                                  controls.interpolating_all(train, labels, test, 3))
    assert all(out[c]["seconds"] > 0 for c in out)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(labels=[0, 1]), ValueError, "do not label the 3 training vectors"),
    (dict(test=np.ones((2, 4))), ValueError, "test vectors have 4 numbers"),
    (dict(test=np.full((1, 3), np.nan)), ValueError, "NaN or infinity"),
    (dict(test=np.ones(3)), ValueError, "2-D array"),
    (dict(test=np.array([["a", "b", "c"]])), TypeError, "real numbers"),
    (dict(batch_size=0), ValueError, "batch_size must be a positive integer"),
    (dict(controls=("knn",)), ValueError, "controls must be among"),
    (dict(controls=()), ValueError, "controls must be among"),
    (dict(n_neighbors=0), ValueError, "n_neighbors must be a positive integer"),
    (dict(n_neighbors=1.5), ValueError, "n_neighbors must be a positive integer"),
])
def test_bad_input_is_refused(kwargs, error, message):
    args = dict(train=np.eye(3), labels=[0, 1, 1], test=np.ones((2, 3)))
    args.update(kwargs)
    with pytest.raises(error, match=message):
        controls.time_controls(**args)


def test_no_training_vector_is_refused():
    with pytest.raises(ValueError, match="no training vector"):
        controls.nearest_neighbour(np.zeros((0, 3)), [], np.ones((1, 3)))


def test_top_features_are_the_last_c_layer_as_the_top_stage_sees_it(fitted, digits01):
    _, X_te, _, _ = digits01
    last = f"UC{len(fitted.stages_)}"
    u = fitted.forward(X_te[:7])[last]  # the public forward pass, every layer kept
    want = (u.astype(np.float64) ** fitted.top_exponent).reshape(7, -1)
    got = controls.top_features(fitted, X_te[:7])
    assert got.dtype == np.float32 and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_top_features_show_no_progress_and_leave_verbose(fitted, digits01, capsys):
    _, X_te, _, _ = digits01
    clf = copy.deepcopy(fitted).set_params(verbose=True)
    controls.top_features(clf, X_te[:3])
    assert clf.verbose is True
    captured = capsys.readouterr()
    assert "forward pass" not in captured.err + captured.out


def test_top_features_need_a_fitted_network():
    from sklearn.exceptions import NotFittedError

    from neocognitron.digits import NeocognitronClassifier

    with pytest.raises(NotFittedError):
        controls.top_features(NeocognitronClassifier(), np.zeros((1, 8, 8)))
