"""The 1980 network with K cell-planes in every layer: K = 24 is the paper's network exactly,
any other K changes the plane count and nothing else, and a bad K is refused up front."""

import dataclasses

import numpy as np
import pytest

from neocognitron import Neocognitron
from neocognitron.datasets import fukushima1980_patterns
from neocognitron.fukushima1980.config import fukushima1980

TEN = fukushima1980_patterns(names="0123456789")


def with_planes(cfg, K):
    """``cfg`` with every S-layer's plane count set to ``K``, built field by field."""
    stages = tuple(dataclasses.replace(st, s=dataclasses.replace(st.s, planes=K))
                   for st in cfg.stages)
    return dataclasses.replace(cfg, stages=stages)


def test_24_planes_is_the_papers_network():
    assert fukushima1980(planes=24) == fukushima1980()
    assert fukushima1980(planes=24).to_dict() == fukushima1980().to_dict()
    assert [st.s.planes for st in fukushima1980().stages] == [24, 24, 24]


@pytest.mark.parametrize("K", [1, 7, 32, 96])
def test_planes_changes_the_plane_count_and_nothing_else(K):
    got = fukushima1980(planes=K)
    assert [st.s.planes for st in got.stages] == [K, K, K]
    assert got == with_planes(fukushima1980(), K)
    assert Neocognitron.fukushima1980(planes=K).config == got


@pytest.mark.parametrize("seed", [0, 3])
def test_24_planes_trains_byte_for_byte_like_the_default(seed):
    # (checked once against main 05df5d6 too: the same a_, b_ and UC3 responses, seeds 0-2)
    P = fukushima1980_patterns()
    ref = Neocognitron.fukushima1980(random_state=seed).fit(P)
    net = Neocognitron.fukushima1980(random_state=seed, planes=24).fit(P)
    for got, want in zip(net.a_ + net.b_ + net.c_ + net.d_, ref.a_ + ref.b_ + ref.c_ + ref.d_,
                         strict=True):
        assert got.tobytes() == want.tobytes()
    assert net.transform(P).tobytes() == ref.transform(P).tobytes()


def test_32_planes_fit_the_ten_patterns():
    net = Neocognitron.fukushima1980(random_state=0, planes=32).fit(TEN)
    layers = net.forward(TEN)
    sizes = {"US1": 16, "UC1": 10, "US2": 8, "UC2": 6, "US3": 2, "UC3": 1}
    for name, side in sizes.items():
        assert layers[name].shape == (10, 32, side, side), name
    assert [a.shape for a in net.a_] == [(32, 1, 5, 5), (32, 32, 5, 5), (32, 32, 5, 5)]
    assert [b.shape for b in net.b_] == [(32,)] * 3
    assert net.n_presentations_ == 10 * 20
    # learning happened in every layer, and the winners are cells of a 32-plane UC3
    assert all(r.sum() > 0 for r in net.reinforcements_)
    assert all(-1 <= w < 32 for w in net.winners(TEN))
    assert net.transform(TEN).shape == (10, 32)


@pytest.mark.parametrize("planes", [0, -24])
def test_non_positive_planes_are_refused(planes):
    with pytest.raises(ValueError, match="planes"):
        fukushima1980(planes=planes)
    with pytest.raises(ValueError, match="planes"):
        Neocognitron.fukushima1980(planes=planes)


@pytest.mark.parametrize("planes", [24.0, 2.5, True, "24", None])
def test_planes_of_another_type_are_refused(planes):
    with pytest.raises(TypeError, match="planes"):
        fukushima1980(planes=planes)
    with pytest.raises(TypeError, match="planes"):
        Neocognitron.fukushima1980(planes=planes)


def test_numpy_integer_planes_are_accepted():
    assert fukushima1980(planes=np.int64(32)) == fukushima1980(planes=32)
