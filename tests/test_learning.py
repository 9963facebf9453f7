"""The 1980 learning rules on cases small enough to work out by hand."""

import naive
import numpy as np
import pytest

from neocognitron import cells, columns
from neocognitron.fukushima1980 import learning, weights


def test_candidates_one_per_column_hand_worked():
    # 2 planes on a 1x4 strip, columns 1x2 -> three columns [0:2], [1:3], [2:4]
    u = np.array([[[0.1, 0.5, 0.2, 0.0]], [[0.3, 0.1, 0.4, 0.6]]])
    mask = columns.candidates(u, (1, 2))
    # column 0: max 0.5 (plane 0, x=1); column 1: max 0.5 (plane 0, x=1);
    # column 2: max 0.6 (plane 1, x=3)
    expected = np.zeros_like(mask)
    expected[0, 0, 1] = True
    expected[1, 0, 3] = True
    np.testing.assert_array_equal(mask, expected)


def test_representative_is_strongest_candidate_and_not_plane_max():
    u = np.array([[[0.1, 0.5, 0.2, 0.0]], [[0.3, 0.1, 0.4, 0.6]]])
    # plane 1's 0.4 at x=2 is beaten in both columns that hold it, so it is no candidate
    assert columns.representatives(u, (1, 2)) == [(0, 0, 1), (1, 0, 3)]
    # a column as large as the layer leaves one candidate: plane 1 at x=3; plane 0 has none
    assert columns.representatives(u, (1, 4)) == [(1, 0, 3)]


def test_silent_planes_have_no_representative():
    u = np.zeros((3, 4, 4))
    u[1, 2, 2] = 0.7
    assert columns.representatives(u, (2, 2)) == [(1, 2, 2)]
    assert columns.representatives(np.zeros((3, 4, 4)), (2, 2)) == []


def test_reinforce_hand_worked_and_other_planes_untouched():
    # one input plane 3x3, receptive field 3x3, S-layer of 1x1 cell centred on it
    u_c = np.arange(9, dtype=float).reshape(1, 3, 3) / 10
    c = np.full((3, 3), 1 / 9)
    v = cells.v_c(u_c, c, out_shape=(1, 1))  # (1, 1)
    a = np.full((2, 1, 3, 3), 0.01)
    b = np.zeros(2)
    a_before, b_before = a.copy(), b.copy()
    q = 2.0
    learning.reinforce(a, b, u_c, v, c, q, [(1, 0, 0)])
    np.testing.assert_allclose(a[1, 0], 0.01 + q * (1 / 9) * u_c[0], rtol=1e-12)
    # v_C = sqrt(sum c u^2) = sqrt((0+.01+.04+...+.64)/9) = sqrt(2.04/9)
    assert v[0, 0] == pytest.approx(np.sqrt(2.04 / 9), rel=1e-12)
    assert b[1] == pytest.approx(q / 2 * np.sqrt(2.04 / 9), rel=1e-12)
    np.testing.assert_array_equal(a[0], a_before[0])
    assert b[0] == b_before[0]


def test_reinforce_patch_reads_zero_outside_the_layer():
    u_c = np.ones((1, 3, 3))
    c = np.ones((3, 3)) / 9
    v = cells.v_c(u_c, c)  # "same" grid, 3x3
    a = np.zeros((1, 1, 3, 3))
    b = np.zeros(1)
    learning.reinforce(a, b, u_c, v, c, 9.0, [(0, 0, 0)])  # top-left corner cell
    expected = np.array([[0, 0, 0], [0, 1, 1], [0, 1, 1]], dtype=float)
    np.testing.assert_allclose(a[0, 0], expected, rtol=1e-12)


@pytest.mark.parametrize("r", [1.5, 4.0])
def test_growing_q_drives_response_to_one(r):
    """Worked out from eq. (1): after one reinforcement from a ~ 0, b = 0 by a pattern u,
    sum a u = q v^2 and b v = q v^2 / 2, so u_S = r * phi[(1 + q v^2) / (1 + r q v^2 / (1+r))
    - 1], which increases with q towards r * ((1 + r) / r - 1) = 1."""
    rng = np.random.default_rng(0)
    u = rng.random((1, 5, 5))
    c = weights.inhibitory_c((5, 5), 1, 0.8)
    responses = []
    for q in [0.5, 2, 8, 32, 128, 1024]:
        a = np.zeros((1, 1, 5, 5))
        b = np.zeros(1)
        v = cells.v_c(u, c, out_shape=(1, 1))
        learning.reinforce(a, b, u, v, c, q, [(0, 0, 0)])
        responses.append(cells.s_layer(u, a, b, c, r, out_shape=(1, 1))[0, 0, 0])
        v2 = v[0, 0] ** 2
        expected = r * ((1 + q * v2) / (1 + r * q * v2 / (1 + r)) - 1)
        assert responses[-1] == pytest.approx(expected, rel=1e-11)
    assert np.all(np.diff(responses) > 0)
    assert responses[-1] == pytest.approx(1.0, abs=0.01)


def test_initial_weights_deterministic_and_biased():
    c = weights.inhibitory_c((5, 5), 1, 0.8)
    a1 = weights.initial_a(8, 1, (5, 5), c, 0.01, 0.2)
    a2 = weights.initial_a(8, 1, (5, 5), c, 0.01, 0.2)
    np.testing.assert_array_equal(a1, a2)
    assert (a1 > 0).all()
    # planes differ: no two planes are equal
    flat = a1.reshape(8, -1)
    assert len({tuple(np.round(f, 12)) for f in flat}) == 8
    # plane 0 prefers horizontal taps (angle 0): the tap right of centre beats the one above
    assert a1[0, 0, 2, 4] > a1[0, 0, 0, 2]
    j1 = weights.initial_a(8, 1, (5, 5), c, 0.01, 0.2, jitter=0.1, random_state=3)
    j2 = weights.initial_a(8, 1, (5, 5), c, 0.01, 0.2, jitter=0.1, random_state=3)
    np.testing.assert_array_equal(j1, j2)
    assert not np.array_equal(j1, a1)


def test_c_normalisation():
    c = weights.inhibitory_c((5, 5), 24, 0.7)
    assert c.sum() * 24 == pytest.approx(1.0)
    assert c[2, 2] == c.max()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: columns.candidates(np.zeros((4, 4)), (2, 2)), "u_s"),
        (lambda: columns.candidates(np.zeros((1, 4, 4)), (0, 2)), "column"),
        (lambda: columns.representatives(np.full((1, 2, 2), np.nan), (2, 2)), "NaN"),
        (lambda: weights.falloff((3, 3), 1.5), "gamma"),
        (lambda: weights.initial_a(2, 1, (3, 3), np.ones((3, 3)), 0.1, 1.2), "bias"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_s_layer_and_v_match_naive(dtype):
    # against the plain loops of tests/naive.py, not against s_layer and v_c: s_layer is
    # s_layer_and_v's first output, so comparing the two could never fail
    rng = np.random.default_rng(1)
    u = rng.random((2, 3, 10, 10))
    a = rng.random((4, 3, 5, 5)) * 0.04  # weak enough that about half the cells are silent
    b = rng.random(4) * 3
    c = weights.inhibitory_c((5, 5), 3, 0.8)
    u, a, b, c = (t.astype(dtype) for t in (u, a, b, c))
    u_s, v = cells.s_layer_and_v(u, a, b, c, 1.5, out_shape=(8, 8))
    ref_s, ref_v = naive.s_layer(u, a, b, c, 1.5, (8, 8)), naive.v_c(u, c, (8, 8))
    assert u_s.dtype == v.dtype == dtype
    assert 0 < np.count_nonzero(ref_s) < ref_s.size  # both sides of the threshold
    # measured: 1e-15 in float64, 4e-7 in float32 (outputs up to 1.2)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(u_s, ref_s, rtol=rtol, atol=rtol * 1.5)
    np.testing.assert_allclose(v, ref_v, rtol=rtol, atol=rtol)


def test_fit_converts_the_images_once_to_the_weights_dtype(monkeypatch):
    # the cells compute in float64 once any array is float64 (the weights always are): the
    # float32 patterns, converted once at fit's boundary, learn the same weights to the bit
    # as the float64 ones, and fit never checks or converts them again per presentation
    import dataclasses

    from neocognitron import Neocognitron
    from neocognitron.datasets import fukushima1980_patterns
    from neocognitron.fukushima1980.config import fukushima1980

    patterns = fukushima1980_patterns()
    cfg = dataclasses.replace(fukushima1980(), repeats=2)
    want = Neocognitron(config=cfg, random_state=0).fit(patterns)

    def checking(*args, **kwargs):
        raise AssertionError("fit called a checking function in its loop")

    for name in ("s_layer_and_v", "c_layer", "v_c"):
        monkeypatch.setattr(cells, name, checking)
    for name in ("representatives", "candidates", "reinforce"):
        monkeypatch.setattr(learning, name, checking)
    got = Neocognitron(config=cfg, random_state=0).fit(patterns.astype(np.float32))
    for w, g in zip(want.a_ + want.b_, got.a_ + got.b_, strict=True):
        assert g.dtype == np.float64 and g.tobytes() == w.tobytes()
