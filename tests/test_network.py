"""The 1980 network: structure, determinism, validation, and the paper's claim."""

import dataclasses

import naive_cnn
import numpy as np
import pytest

from neocognitron import Neocognitron
from neocognitron.datasets import fukushima1980_patterns, fukushima1980_xytz_patterns
from neocognitron.fukushima1980.config import (
    CLayerConfig,
    NetworkConfig,
    SLayerConfig,
    Stage,
    fukushima1980,
)
from neocognitron.fukushima1980.evaluation import (
    VARIANT_KINDS,
    distinct,
    kept,
    pattern_variants,
    tolerance_curves,
    winner_consistency,
)
from neocognitron.fukushima1980.heldout import unpresented_shifts
from neocognitron.shift_study.fukushima1980 import KeptPredictor

PATTERNS = fukushima1980_patterns()


@pytest.fixture(scope="module")
def net0():
    return Neocognitron.fukushima1980(random_state=0).fit(PATTERNS)


def test_layer_sizes_are_the_papers(net0):
    layers = net0.forward(PATTERNS[:2])
    sizes = {name: arr.shape for name, arr in layers.items()}
    assert sizes == {
        "U0": (2, 1, 16, 16),
        "US1": (2, 24, 16, 16), "UC1": (2, 24, 10, 10),
        "US2": (2, 24, 8, 8), "UC2": (2, 24, 6, 6),
        "US3": (2, 24, 2, 2), "UC3": (2, 24, 1, 1),
    }
    assert net0.layer_names() == list(layers)
    assert net0.transform(PATTERNS).shape == (5, 24)


def test_flat_input_equals_image_input(net0):
    np.testing.assert_array_equal(net0.transform(PATTERNS.reshape(5, 256)),
                                  net0.transform(PATTERNS))


def test_same_seed_same_weights_and_different_seed_differs():
    n1 = Neocognitron.fukushima1980(random_state=3).fit(PATTERNS)
    n2 = Neocognitron.fukushima1980(random_state=3).fit(PATTERNS)
    n3 = Neocognitron.fukushima1980(random_state=4).fit(PATTERNS)
    for x, y in zip(n1.a_ + n1.b_, n2.a_ + n2.b_, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not all(np.array_equal(x, y) for x, y in zip(n1.a_, n3.a_, strict=True))


def test_learning_follows_the_schedule(net0):
    assert net0.n_presentations_ == 100
    # US3's column is the whole layer: exactly one representative per presentation
    assert net0.reinforcements_[2].sum() == 100
    # b grows only where a plane was reinforced
    for count, b in zip(net0.reinforcements_, net0.b_, strict=True):
        np.testing.assert_array_equal(count > 0, b > 0)



def _seen(net, X):
    """Fit ``net`` on ``X`` and return the inputs its learning step received, in order."""
    seen = []
    learn = net._learn_once

    def record(u0, *args):
        seen.append(u0[0, 0].copy())
        return learn(u0, *args)

    net._learn_once = record
    net.fit(X)
    return np.array(seen)


@pytest.mark.parametrize("jitter", [0.0, 0.2])
def test_fit_learns_from_exactly_the_presentations(jitter):
    # with jitter the initial weights draw from the stream first; presentations() must too
    cfg = dataclasses.replace(fukushima1980(), init_jitter=jitter, repeats=3)
    images, index, shifts = Neocognitron(config=cfg, random_state=7).presentations(PATTERNS)
    assert images.shape == (15, 16, 16)
    np.testing.assert_array_equal(index, np.tile(np.arange(5), 3))
    assert shifts.shape == (15, 2) and np.abs(shifts).max() <= cfg.max_shift
    # plain loops, not transforms.shift (which presentations() itself calls)
    np.testing.assert_array_equal(images, [naive_cnn.shift(PATTERNS[i], dy, dx, 0.0)
                                           for i, (dy, dx) in zip(index, shifts, strict=True)])
    np.testing.assert_array_equal(images.sum(axis=(1, 2)), PATTERNS[index].sum(axis=(1, 2)))
    net = Neocognitron(config=cfg, random_state=7)
    np.testing.assert_array_equal(_seen(net, PATTERNS), images)
    assert net.n_presentations_ == len(images)
    # asking again, after fitting, gives the same presentations; another seed does not
    np.testing.assert_array_equal(net.presentations(PATTERNS)[0], images)
    other = Neocognitron(config=cfg, random_state=8).presentations(PATTERNS)[2]
    assert not np.array_equal(other, shifts)


def test_presentations_of_the_paper_schedule():
    images, index, shifts = Neocognitron.fukushima1980(random_state=0).presentations(PATTERNS)
    assert images.shape == (100, 16, 16) and np.bincount(index).tolist() == [20] * 5
    assert len({tuple(s) for s in shifts}) > 5  # shifted, and not always the same way


def test_zero_input_is_silent(net0):
    layers = net0.forward(np.zeros((1, 16, 16)))
    for name, arr in layers.items():
        assert np.all(arr == 0), name
    assert net0.winners(np.zeros((1, 16, 16)))[0] == -1


def test_unfitted_forward_raises():
    with pytest.raises(Exception, match="not fitted"):
        Neocognitron.fukushima1980().forward(PATTERNS)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.zeros((5, 15, 16)), "shape"),
        (np.zeros((5, 100)), "H\\*W"),
        (np.full((1, 16, 16), np.nan), "NaN"),
        (-np.ones((1, 16, 16)), "non-negative"),
        (np.zeros((0, 16, 16)), "empty"),
        (np.zeros(16), "dimensions"),
        (np.array([["a"] * 256]), "real numbers"),
    ],
)
def test_bad_input(net0, X, match):
    with pytest.raises((ValueError, TypeError), match=match):
        net0.forward(X)
    with pytest.raises((ValueError, TypeError), match=match):
        Neocognitron.fukushima1980().fit(X)


def test_input_outside_0_1_is_refused_everywhere(net0):
    """Patterns on a 0-255 scale self-organised into another network (seed 0: "0" and "1"
    shared a UC3 cell); now every entry point refuses them, naming X and the range."""
    X = PATTERNS * 255
    for call in (Neocognitron.fukushima1980(random_state=0).fit,
                 Neocognitron.fukushima1980(random_state=0).presentations,
                 net0.forward, net0.transform, net0.winners):
        with pytest.raises(ValueError, match=r"X must lie in \[0, 1\].*up to 255.*255"):
            call(X)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        net0.winners(PATTERNS * (1 + 1e-9))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rounding_above_1_is_accepted_but_not_more(net0, dtype):
    """Resampling in float32 leaves ink at 1 + 1e-7 (one ulp above 1): that is 1, not an
    image on another scale; 1.01 is."""
    X = PATTERNS.astype(dtype)
    X[X == 1] = np.nextafter(dtype(1), dtype(2))
    assert X.max() > 1
    want = net0.forward(PATTERNS.astype(dtype))
    got = net0.forward(X)
    tol = 100 * np.finfo(dtype).eps  # one ulp in: about 10 out after six layers (float64)
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=tol, atol=tol, err_msg=name)
    Neocognitron.fukushima1980(random_state=0).fit(X[:2])
    for too_big in (1.01, 1 + 64 * np.finfo(dtype).eps):
        with pytest.raises(ValueError, match=r"X must lie in \[0, 1\]"):
            net0.forward(PATTERNS.astype(dtype) * dtype(too_big))


def test_binary_patterns_in_any_dtype_agree(net0):
    want = net0.forward(PATTERNS)
    for X in (PATTERNS.astype(np.uint8), PATTERNS.astype(bool), PATTERNS.astype(np.float32)):
        got = net0.forward(X)
        for name in want:
            np.testing.assert_allclose(got[name], want[name], rtol=1e-12, err_msg=name)


def test_bad_config():
    with pytest.raises(TypeError, match="config"):
        Neocognitron(config="paper").fit(PATTERNS)
    with pytest.raises(ValueError, match="receptive field"):
        NetworkConfig((4, 4), (Stage(SLayerConfig(2, (4, 4), (5, 5), (2, 2), 1.0, 1.0),
                                     CLayerConfig((2, 2), (3, 3))),))
    cfg = fukushima1980()
    assert NetworkConfig.from_dict(cfg.to_dict()) == cfg


# -- the one rule of "kept" and "distinct", on hand-made winners -------------------------

def test_kept_needs_a_live_pattern_cell_and_the_same_cell():
    # pattern 0 wins cell 3, pattern 1 is silent (-1), pattern 2 wins cell 0
    pattern = np.array([3, -1, 0])
    variants = np.array([[3, 5, -1],     # same cell, another cell, silent
                         [-1, 3, -1],    # a silent pattern keeps nothing, silent or not
                         [0, 0, 3]])
    assert kept(pattern, variants).tolist() == [[True, False, False],
                                                [False, False, False],
                                                [True, True, False]]
    # one variant per pattern (the shift study's layout), and several axes of variants
    assert kept(pattern, [3, -1, 1]).tolist() == [True, False, False]
    assert kept(pattern, np.full((3, 2, 2), 3)).sum() == 4


def test_kept_refuses_winners_that_are_not_cell_indices_or_not_one_row_per_pattern():
    with pytest.raises(TypeError, match="pattern_winners"):
        kept([3.0, 1.0], [[3], [1]])
    with pytest.raises(TypeError, match="variant_winners"):
        kept([3, 1], [[3.0], [1.0]])
    with pytest.raises(ValueError, match="one row per pattern"):
        kept([3, 1], [[3, 1]])
    with pytest.raises(ValueError, match="one row per pattern"):
        kept([[3, 1]], [[3], [1]])


def test_distinct_means_a_live_cell_of_its_own_for_every_pattern():
    assert distinct([21, 10, 18, 3, 8])
    assert not distinct([21, 10, 21, 3, 8])  # two patterns share cell 21
    assert not distinct([21, 10, -1, 3, 8])  # one pattern is silent
    assert not distinct([-1])
    with pytest.raises(ValueError, match="winners"):
        distinct([[1, 2]])


class _TableNet:
    """A stand-in network: input ``x`` (one pixel holding an index) wins ``table[x]``."""

    def __init__(self, table):
        self.table = np.asarray(table)

    def winners(self, X):
        return self.table[np.asarray(X, dtype=int).reshape(len(X), -1)[:, 0]]


def test_the_experiment_and_the_shift_study_count_a_silent_pattern_alike():
    # patterns 0, 1, 2 (inputs 0, 1, 2) win cells 4, -1, 6; their variants (inputs 3-8)
    # win 4, 9 | -1, -1 | 6, 6: kept are variants 3, 7 and 8, never those of silent 1
    net = _TableNet([4, -1, 6, 4, 9, -1, -1, 6, 6])
    patterns = np.arange(3).reshape(3, 1, 1)
    variants = {"shift": np.arange(3, 9).reshape(3, 2, 1, 1)}
    res = winner_consistency(net, patterns, variants)
    assert res["keep_by_pattern"]["shift"] == [0.5, 0.0, 1.0]
    assert res["keep"]["shift"] == 0.5 and not res["distinct"]
    # the shift study's predictor: one variant per pattern, in pattern order
    pred = KeptPredictor(net, net.winners(patterns))
    assert pred.predict(np.array([3, 5, 7]).reshape(3, 1, 1)).tolist() == [True, False, True]
    assert pred.predict(np.array([4, 6, 8]).reshape(3, 1, 1)).tolist() == [False, False, True]


def test_tolerance_curves_never_keep_a_silent_pattern():
    # a network silent on everything: every variant is silent like its pattern, and none
    # is kept (the old curve rule counted them all as kept)
    class Silent:
        def winners(self, X):
            return np.full(len(X), -1)

    curves = tolerance_curves(Silent(), PATTERNS, n=2, strengths={"noise": (0.02, 0.04)},
                              random_state=0)
    assert curves == {"noise": [0.0, 0.0]}


# -- the paper's claim, on held-out variants made here and not used in training ----------

def _claim(patterns, seed, variants):
    net = Neocognitron.fukushima1980(random_state=seed).fit(patterns)
    # shifts within the training distances that this network was never shown
    near = unpresented_shifts(patterns, net.presentations(patterns)[0], 12, (1, 2),
                              np.random.default_rng([seed, 2024]))
    return winner_consistency(net, patterns, {"shift<=2": near, **variants})


@pytest.fixture(scope="module")
def digit_variants():
    return pattern_variants(PATTERNS, n=12, random_state=np.random.default_rng(2024))


def test_default_seed_gives_five_distinct_cells_that_keep_winning(digit_variants):
    res = _claim(PATTERNS, 0, digit_variants)
    assert res["distinct"], res["winners"]
    for kind in VARIANT_KINDS:
        # one network and 60 variants per kind: allow 0.1 below the ten-seed floor
        assert res["keep"][kind] >= KEEP_MIN[kind] - 0.1, (kind, res["keep"])


def test_claim_holds_for_nine_of_ten_seeds(digit_variants):
    results = [_claim(PATTERNS, seed, digit_variants) for seed in range(10)]
    assert sum(r["distinct"] for r in results) >= 9
    mean_keep = {k: np.mean([r["keep"][k] for r in results]) for k in VARIANT_KINDS}
    for kind in VARIANT_KINDS:
        assert mean_keep[kind] >= KEEP_MIN[kind], (kind, mean_keep)


def test_letters_experiment():
    letters = fukushima1980_xytz_patterns()
    variants = pattern_variants(letters, n=8, random_state=7)
    results = [_claim(letters, seed, variants) for seed in range(3)]
    assert sum(r["distinct"] for r in results) >= 2


# Held-out variants are never a training presentation: "shift<=2" are shifts of 1-2 pixels
# this network was never shown, "shift>=3" shifts of 3 pixels, the others are also shifted
# by up to 3 pixels on top of their own variation. Measured with the default config over
# seeds 0-9 (these variants, n = 12): 0.94 (shift<=2), 0.74 (shift>=3), 0.69 (resize),
# 0.57 (deform), 0.71 (noise), 0.68 (erase); the floors are about 0.07 below.
KEEP_MIN = {"shift<=2": 0.87, "shift>=3": 0.65, "resize": 0.6, "deform": 0.5, "noise": 0.63,
            "erase": 0.6}
