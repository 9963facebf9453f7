"""The interpolating-vector readout of the digit neocognitron (``digits.interpolating``),
against a brute-force search along the segment."""

import numpy as np
import pytest

from neocognitron.digits import interpolating


def brute_segment(x, Xi, Xj, n=20001):
    p = np.linspace(0.0, 1.0, n)[:, None]
    seg = p * Xi + (1 - p) * Xj
    cos = seg @ x / (np.linalg.norm(seg, axis=1) * np.linalg.norm(x))
    return cos.max()


def cos(a, b):
    return a @ b / (np.linalg.norm(a) * np.linalg.norm(b))


@pytest.mark.parametrize("positive", [True, False])
def test_segment_similarity_against_brute_force(positive):
    rng = np.random.default_rng(7 if positive else 8)
    inside = 0
    for _ in range(60):
        D = rng.integers(2, 7)
        x, Xi, Xj = (rng.random(D) if positive else rng.standard_normal(D) for _ in range(3))
        Xi *= rng.uniform(0.2, 5.0)  # lengths do not matter: the segment spans one cone
        if rng.random() < 0.3:  # x near the segment: the best point is inside
            x = 0.4 * Xi / np.linalg.norm(Xi) + 0.6 * Xj / np.linalg.norm(Xj)
            x += 0.05 * rng.standard_normal(D)
        got = interpolating._segment_similarity(cos(x, Xi), cos(x, Xj), cos(Xi, Xj))
        want = brute_segment(x, Xi, Xj)
        assert got == pytest.approx(want, abs=1e-7)
        inside += bool(got > max(cos(x, Xi), cos(x, Xj)) + 1e-6)
    assert inside >= 10  # the interior of the segment was exercised


def test_segment_similarity_broadcasts_and_parallel_vectors():
    s_i = np.array([0.2, 0.9, 0.5])
    got = interpolating._segment_similarity(s_i[:, None], s_i[None, :], 0.0)
    assert got.shape == (3, 3)
    # orthogonal unit vectors: the cosine to their plane is sqrt(s_i^2 + s_j^2)
    np.testing.assert_allclose(got, np.sqrt(s_i[:, None] ** 2 + s_i[None, :] ** 2))
    # parallel vectors: the segment is one direction
    assert interpolating._segment_similarity(0.3, 0.3, 1.0) == pytest.approx(0.3)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_segment_similarity_antiparallel():
    # X_j = -X_i: the segment passes through 0; every other point is +-X_i, best |s_i|
    assert interpolating._segment_similarity(0.5, -0.5, -1.0) == pytest.approx(0.5)


def test_interpolate_predict_segment_beats_a_single_vector():
    X = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.8, 0.8, 0.6]])
    labels = np.array([0, 0, 1])
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    x = np.array([1.0, 1.0, 0.0])
    c = (unit @ x / np.linalg.norm(x))[None]  # 0.707, 0.707, 0.884
    best = interpolating._interpolate_predict(c, unit, labels, 2, n_neighbors=2)
    # x lies on the segment between the two class-0 vectors: cosine 1
    np.testing.assert_allclose(best, [[1.0, 1.6 / (np.sqrt(2) * np.sqrt(1.64))]])
    assert np.argmax(best[0]) == 0
    # without pairs (one neighbour) the single class-1 vector wins
    best1 = interpolating._interpolate_predict(c, unit, labels, 2, n_neighbors=1)
    np.testing.assert_allclose(best1, [[np.sqrt(0.5), 1.6 / (np.sqrt(2) * np.sqrt(1.64))]])
    assert np.argmax(best1[0]) == 1


def test_interpolate_predict_against_all_pairs_brute_force():
    rng = np.random.default_rng(5)
    R, D, N, C = 9, 5, 12, 3  # R reference vectors (the top planes' prototypes)
    X = rng.random((R, D))
    labels = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2])
    x = rng.random((N, D))
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    c = (x / np.linalg.norm(x, axis=1, keepdims=True)) @ unit.T
    best = interpolating._interpolate_predict(c, unit, labels, C + 1, n_neighbors=10)
    assert np.all(best[:, C] == -np.inf)  # a class with no vector
    for n in range(N):
        for j in range(C):
            members = np.flatnonzero(labels == j)
            want = max(brute_segment(x[n], X[a], X[b], 4001) for a in members for b in members)
            assert best[n, j] == pytest.approx(want, abs=1e-6)
    # few neighbours: only pairs among the nearest vectors, never more than all pairs
    near = interpolating._interpolate_predict(c, unit, labels, C + 1, n_neighbors=2)
    assert np.all(near[:, :C] <= best[:, :C] + 1e-12)
    np.testing.assert_array_equal(near[:, 2], best[:, 2])  # class 2 has two vectors


def test_interpolate_predict_nearest_pairs_and_precomputed_grams():
    rng = np.random.default_rng(11)
    R, D, N, C, m = 30, 6, 20, 3, 3
    X = rng.random((R, D))
    labels = rng.integers(0, C, R)
    x = rng.random((N, D))
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    c = (x / np.linalg.norm(x, axis=1, keepdims=True)) @ unit.T
    grams = interpolating._class_grams(unit, labels, C)
    got = interpolating._interpolate_predict(c, unit, labels, C, n_neighbors=m, grams=grams)
    np.testing.assert_array_equal(
        got, interpolating._interpolate_predict(c, unit, labels, C, n_neighbors=m))
    for n in range(N):
        for j in range(C):
            members = np.flatnonzero(labels == j)
            near = members[np.argsort(-c[n, members])[:m]]  # the m most similar of class j
            want = max(brute_segment(x[n], X[a], X[b], 4001) for a in near for b in near)
            assert got[n, j] == pytest.approx(want, abs=1e-6)
