"""The paper's strict claim (one responding UC3 cell per pattern, none shared), checked
against a plain-loop oracle written here from the definition and on hand-worked arrays."""

import numpy as np
import pytest

from neocognitron import Neocognitron
from neocognitron.datasets import fukushima1980_patterns
from neocognitron.fukushima1980 import evaluation
from neocognitron.fukushima1980.claims import strict_claim, strict_claim_of


def naive_claim(R, fraction):
    """From the definition: a cell responds to a pattern when it exceeds ``fraction`` of
    the pattern's strongest cell, which must be above 0; loops over every entry."""
    P, N = len(R), len(R[0])
    cells = []
    for p in range(P):
        peak = 0.0
        for j in range(N):
            if R[p][j] > peak:
                peak = R[p][j]
        cells.append({j for j in range(N) if peak > 0 and R[p][j] > fraction * peak})
    shared = [j for j in range(N) if sum(1 for s in cells if j in s) >= 2]
    holds = all(len(s) == 1 for s in cells) and not shared
    return [len(s) for s in cells], cells, shared, holds


def test_the_claim_holds_on_a_hand_worked_array():
    R = [[0.9, 0.05, 0.0], [0.0, 0.5, 0.04], [0.02, 0.0, 0.3]]
    c = strict_claim_of(R)
    # thresholds 0.09, 0.05, 0.03: only each winner clears its own
    assert c["winners"] == [0, 1, 2] and c["n_responding"] == [1, 1, 1]
    assert c["responding"] == [[0], [1], [2]]
    assert c["shared_cells"] == [] and c["n_shared"] == 0 and c["holds"]
    assert c["n_single"] == 3 and c["n_silent"] == 0 and c["fraction"] == 0.1
    np.testing.assert_allclose(c["runner_up"], [0.05 / 0.9, 0.04 / 0.5, 0.02 / 0.3])


def test_distinct_winners_can_break_the_claim():
    # winners 0 and 1 differ, yet each pattern also drives the other's cell above 10 %
    R = [[0.9, 0.2, 0.0], [0.1, 0.5, 0.0]]
    c = strict_claim_of(R)
    assert c["winners"] == [0, 1] and c["n_responding"] == [2, 2]
    assert c["responding"] == [[0, 1], [1, 0]]
    assert c["shared_cells"] == [0, 1] and c["n_shared"] == 2 and not c["holds"]
    # at 25 %: thresholds 0.225 and 0.125 leave each pattern its winner alone
    assert strict_claim_of(R, fraction=0.25)["holds"]


def test_a_silent_pattern_fails_the_claim():
    c = strict_claim_of([[0.4, 0.0], [0.0, 0.0]])
    assert c["winners"] == [0, -1] and c["n_responding"] == [1, 0]
    assert c["n_silent"] == 1 and c["runner_up"] == [0.0, None] and not c["holds"]


def test_one_cell_winning_two_patterns_is_shared():
    c = strict_claim_of([[0.5, 0.0], [0.3, 0.0]])
    assert c["n_responding"] == [1, 1] and c["shared_cells"] == [0] and not c["holds"]


def test_responding_is_strictly_above_the_threshold():
    assert strict_claim_of([[1.0, 0.1]])["n_responding"] == [1]  # 0.1 is not > 0.1
    assert strict_claim_of([[1.0, 0.1]], fraction=0.0)["n_responding"] == [2]
    # at fraction 0 a cell responds when above 0, however weakly; 0 never responds
    assert strict_claim_of([[0.5, 1e-12, 0.0]], fraction=0.0)["n_responding"] == [2]


def test_ties_pick_the_first_cell_as_winners_does():
    c = strict_claim_of([[0.0, 0.7, 0.7]])
    assert c["winners"] == [1] and c["n_responding"] == [2] and c["runner_up"] == [1.0]


def test_planes_and_positions_are_flattened_like_transform():
    R = np.random.default_rng(0).uniform(size=(3, 4, 2, 2))
    assert strict_claim_of(R) == strict_claim_of(R.reshape(3, 16))


@pytest.mark.parametrize("fraction", [0.0, 0.05, 0.1, 0.3, 0.9])
def test_matches_the_plain_loop_oracle(fraction):
    rng = np.random.default_rng(int(fraction * 100))
    for _ in range(200):
        P, N = rng.integers(1, 6), rng.integers(1, 9)
        R = rng.uniform(size=(P, N)) * (rng.uniform(size=(P, N)) < 0.5)
        R[rng.uniform(size=P) < 0.1] = 0.0  # some silent patterns
        c = strict_claim_of(R, fraction)
        counts, cells, shared, holds = naive_claim(R.tolist(), fraction)
        assert c["n_responding"] == counts
        assert [set(r) for r in c["responding"]] == cells
        assert c["shared_cells"] == shared and c["n_shared"] == len(shared)
        assert c["holds"] == holds
        assert c["n_silent"] == sum(1 for row in R.tolist() if max(row) == 0)


@pytest.mark.parametrize("fraction, error", [(1.0, ValueError), (-0.1, ValueError),
                                             (float("nan"), ValueError), ("0.1", TypeError),
                                             (True, TypeError)])
def test_refuses_a_bad_fraction(fraction, error):
    with pytest.raises(error, match="fraction"):
        strict_claim_of([[1.0]], fraction)


@pytest.mark.parametrize("responses, error", [([1.0, 0.5], ValueError),
                                              ([[1.0, -0.5]], ValueError),
                                              ([[1.0, np.nan]], ValueError),
                                              ([["a"]], TypeError)])
def test_refuses_bad_responses(responses, error):
    with pytest.raises(error, match="responses"):
        strict_claim_of(responses)


def test_the_wrapper_measures_the_model_uc3_and_agrees_with_its_winners():
    patterns = fukushima1980_patterns()
    net = Neocognitron.fukushima1980(random_state=0).fit(patterns)
    c = strict_claim(net, patterns)
    assert c == strict_claim_of(net.forward(patterns)["UC3"])
    assert c["winners"] == net.winners(patterns).tolist()
    assert evaluation.strict_claim is strict_claim


def test_the_wrapper_checks_fraction_before_running_the_model():
    class Exploding:
        def transform(self, X):
            raise AssertionError("ran the model")

    with pytest.raises(ValueError, match="fraction"):
        strict_claim(Exploding(), np.zeros((1, 16, 16)), fraction=2)
