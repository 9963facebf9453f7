"""Held-out variants of the 1980 experiment are never a training presentation, checked
against training images built here with np.roll, independently of the library."""

import dataclasses

import numpy as np
import pytest

from neocognitron import Neocognitron
from neocognitron.datasets import fukushima1980_patterns, fukushima1980_xytz_patterns
from neocognitron.fukushima1980 import heldout
from neocognitron.fukushima1980.config import fukushima1980
from neocognitron.fukushima1980.evaluation import (
    STRENGTHS,
    VARIANT_KINDS,
    pattern_variants,
    tolerance_curves,
)

PATTERNS = fukushima1980_patterns()


def rolled(p, dy, dx):
    """``p`` moved by (dy, dx) if no ink leaves the frame, else None (np.roll wraps)."""
    out = np.roll(np.roll(p, dy, axis=0), dx, axis=1)
    H, W = p.shape
    moved = np.zeros((H + 2 * 8, W + 2 * 8))
    moved[8 + dy:8 + dy + H, 8 + dx:8 + dx + W] = p
    return out if moved[8:8 + H, 8:8 + W].sum() == p.sum() else None


def oracle_training(patterns, max_shift):
    """Every pattern at every shift of at most ``max_shift`` per axis keeping its ink."""
    return [x for p in patterns for dy in range(-max_shift, max_shift + 1)
            for dx in range(-max_shift, max_shift + 1)
            if (x := rolled(p, dy, dx)) is not None]


def is_in(x, images):
    return any(np.array_equal(x, t) for t in images)


def shift_distance(x, p, max_d=5):
    """The Chebyshev distance of the shift taking ``p`` to ``x``, or None."""
    for dy in range(-max_d, max_d + 1):
        for dx in range(-max_d, max_d + 1):
            y = rolled(p, dy, dx)
            if y is not None and np.array_equal(x, y):
                return max(abs(dy), abs(dx))
    return None


@pytest.mark.parametrize("patterns", [PATTERNS, fukushima1980_xytz_patterns()])
def test_training_presentations_are_every_shift_a_fit_can_draw(patterns):
    got = heldout.training_presentations(patterns, 2)
    want = oracle_training(patterns, 2)
    assert heldout.image_keys(got) == heldout.image_keys(want) and len(got) == len(want)
    # the 3-pixel margins leave all 25 shifts to every pattern
    assert len(want) == 25 * len(patterns)


def test_a_fit_presents_only_training_presentations():
    images, _, _ = Neocognitron.fukushima1980(random_state=0).presentations(PATTERNS)
    assert heldout.seen(images, heldout.image_keys(oracle_training(PATTERNS, 2))).all()


@pytest.mark.parametrize("seed", [0, 7])
def test_no_variant_is_a_training_presentation(seed):
    net = Neocognitron.fukushima1980(random_state=seed)
    presented = net.presentations(PATTERNS)[0]
    V = pattern_variants(PATTERNS, n=10, presented=presented, random_state=seed)
    assert tuple(V) == VARIANT_KINDS
    training = oracle_training(PATTERNS, 2)
    for kind, X in V.items():
        assert X.shape == (5, 10, 16, 16)
        unseen = training if kind != "shift<=2" else list(presented)
        assert not any(is_in(x, unseen) for x in X.reshape(-1, 16, 16)), kind
    for i, p in enumerate(PATTERNS):
        assert {shift_distance(x, p) for x in V["shift<=2"][i]} <= {1, 2}
        assert {shift_distance(x, p) for x in V["shift>=3"][i]} == {3}


def test_without_presentations_there_is_no_near_shift_kind():
    assert tuple(pattern_variants(PATTERNS, n=2, random_state=0)) == VARIANT_KINDS[1:]


def test_variants_need_shifts_beyond_the_training_distances():
    with pytest.raises(ValueError, match=r"max_shift \(2\) must exceed train_shift \(2\)"):
        pattern_variants(PATTERNS, n=2, max_shift=2, random_state=0)


def test_a_pattern_presented_at_every_near_shift_is_refused():
    with pytest.raises(ValueError, match="pattern 0 was presented at every shift"):
        heldout.unpresented_shifts(PATTERNS[:1], oracle_training(PATTERNS[:1], 2), 3,
                                   (1, 2), np.random.default_rng(0))


def test_redraw_seen_redraws_until_fresh_and_flags_what_stays_seen():
    keys = heldout.image_keys(PATTERNS)
    calls = []

    def once_seen(R):  # the first draw returns the patterns themselves, then 1 - pattern
        calls.append(len(R))
        return R if len(calls) == 1 else 1 - R

    X, fresh = heldout.redraw_seen(once_seen, PATTERNS, keys)
    assert fresh.all() and calls == [5, 5] and np.array_equal(X, 1 - PATTERNS)
    X, fresh = heldout.redraw_seen(lambda R: R, PATTERNS, keys, tries=3)
    assert not fresh.any()


def test_negative_zero_is_the_same_pixel():
    assert heldout.seen(-np.zeros((1, 2, 2)), heldout.image_keys(np.zeros((1, 2, 2)))).all()


class _Marker:
    """A stand-in network: the patterns (first call) and every image outside ``avoid``
    win cell 0; an image in ``avoid`` wins cell 9, so counting it would lower a curve."""

    def __init__(self, avoid):
        self.keys, self.calls = heldout.image_keys(avoid), 0

    def winners(self, X):
        self.calls += 1
        if self.calls == 1:
            return np.zeros(len(X), dtype=int)
        return np.where(heldout.seen(X, self.keys), 9, 0)


def test_tolerance_curves_count_only_fresh_variants():
    presented = Neocognitron.fukushima1980(random_state=3).presentations(PATTERNS)[0]
    training = oracle_training(PATTERNS, 2)
    # shifts avoid this network's presentations, the other kinds every training image
    shifts = tolerance_curves(_Marker(presented), PATTERNS, n=4, presented=presented,
                              strengths={"shift": STRENGTHS["shift"]}, random_state=1)
    assert shifts == {"shift": [1.0] * len(STRENGTHS["shift"])}
    others = {k: v for k, v in STRENGTHS.items() if k != "shift"}
    curves = tolerance_curves(_Marker(training), PATTERNS, n=4, presented=presented,
                              strengths={**others, "deform": (0.5, 8.0)}, random_state=1)
    assert all(v in (1.0, None) for c in curves.values() for v in c), curves
    # a faint deformation redraws every pattern as it was: nothing fresh is left to count
    assert curves["deform"] == [None, 1.0]
    # without the presentations, shifts within the training distances are all excluded
    shift_only = tolerance_curves(_Marker(training), PATTERNS, n=2,
                                  strengths={"shift": (1, 2, 3)}, random_state=1)
    assert shift_only["shift"] == [None, None, 1.0]


def test_the_training_shift_follows_the_config():
    cfg = dataclasses.replace(fukushima1980(), max_shift=1, repeats=2)  # 2 of 8 near shifts
    presented = Neocognitron(config=cfg, random_state=0).presentations(PATTERNS)[0]
    V = pattern_variants(PATTERNS, n=4, train_shift=1, max_shift=2, presented=presented,
                         random_state=0)
    assert all(shift_distance(x, PATTERNS[0]) == 1 for x in V["shift<=2"][0])
    assert all(shift_distance(x, PATTERNS[0]) == 2 for x in V["shift>=3"][0])
