"""The estimator's ``learning_rule`` and ``top_learning`` reach the learning functions, and
change what is learned (the rules themselves are checked against naive loops in
``test_digits_frozen.py`` and ``test_digits_top_interpolating.py``)."""

import numpy as np
import pytest
from digit_models import fast

from neocognitron.digits import _fitting

pytest_plugins = ["digit_models"]


def _spy(monkeypatch, name):
    calls = []
    real = getattr(_fitting, name)

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(_fitting, name, spy)
    return calls


@pytest.mark.parametrize("rule, frozen", [("wta", False), ("frozen", True)])
def test_learning_rule_reaches_every_presentation(monkeypatch, digits01, rule, frozen):
    X_tr, _, y_tr, _ = digits01
    calls = _spy(monkeypatch, "_present")
    fast(learning_rule=rule).fit(X_tr[:30], y_tr[:30])
    assert len(calls) == 30 and all(c["frozen"] is frozen for c in calls)


@pytest.mark.parametrize("how, interpolate", [("wta", False), ("interpolating", True)])
def test_top_learning_reaches_the_top_stage(monkeypatch, digits01, how, interpolate):
    X_tr, _, y_tr, _ = digits01
    calls = _spy(monkeypatch, "_fit_top_planes")
    fast(top_learning=how, n_neighbors=3).fit(X_tr[:30], y_tr[:30])
    assert len(calls) == 1
    assert calls[0]["interpolate"] is interpolate and calls[0]["n_neighbors"] == 3


def test_frozen_planes_are_single_patches(digits01):
    # with "frozen" no plane is reinforced after it is made from one input patch, so each
    # learned pattern is q times one patch: its largest entry is at most q times the
    # largest U_C1 value (< 1), where a reinforced plane sums several patches
    X_tr, _, y_tr, _ = digits01
    frozen = fast(learning_rule="frozen", max_planes=(40,)).fit(X_tr, y_tr)
    wta = fast(max_planes=(40,)).fit(X_tr, y_tr)
    q = frozen.q
    assert frozen.stages_[1].X.max() < q
    assert wta.stages_[1].X.max() > q  # the default reinforces: some plane sums patches


def test_defaults_are_the_2003_rules(digits01):
    X_tr, X_te, y_tr, _ = digits01
    default = fast().fit(X_tr, y_tr)
    explicit = fast(learning_rule="wta", top_learning="wta").fit(X_tr, y_tr)
    np.testing.assert_array_equal(default.top_X_, explicit.top_X_)
    np.testing.assert_array_equal(default.predict(X_te), explicit.predict(X_te))
