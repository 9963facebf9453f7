"""The 1980 controls: the template matcher against a plain-loop blur and cosine written
here, and the untrained network against a fit that cannot learn (q = 0)."""

import dataclasses
import math

import numpy as np
import pytest

from neocognitron import Neocognitron
from neocognitron.datasets import fukushima1980_patterns
from neocognitron.fukushima1980.config import fukushima1980
from neocognitron.fukushima1980.controls import TemplateMatcher, untrained_network

PATTERNS = fukushima1980_patterns()


def naive_blur(img, sigma, truncate=4.0):
    """Gaussian blur with zeros outside the frame, by loops (radius ``truncate * sigma``)."""
    radius = int(truncate * sigma + 0.5)
    w = [math.exp(-0.5 * (t / sigma) ** 2) for t in range(-radius, radius + 1)]
    total = sum(w)
    w = [v / total for v in w]
    H, W = len(img), len(img[0])
    out = [[0.0] * W for _ in range(H)]
    for y in range(H):
        for x in range(W):
            s = 0.0
            for i, wy in enumerate(w):
                for j, wx in enumerate(w):
                    yy, xx = y + i - radius, x + j - radius
                    if 0 <= yy < H and 0 <= xx < W:
                        s += wy * wx * img[yy][xx]
            out[y][x] = s
    return out


def naive_scores(patterns, x, sigma, max_shift):
    """Best cosine over shifts of each blurred template with the blurred input."""
    bx = np.array(naive_blur(x.tolist(), sigma)).ravel()
    scores = []
    for p in patterns:
        best = -1.0
        H, W = p.shape
        for dy in range(-max_shift, max_shift + 1):
            for dx in range(-max_shift, max_shift + 1):
                t = np.zeros((H, W))
                for y in range(H):
                    for xx in range(W):
                        if 0 <= y - dy < H and 0 <= xx - dx < W:
                            t[y, xx] = p[y - dy, xx - dx]
                bt = np.array(naive_blur(t.tolist(), sigma)).ravel()
                best = max(best, float(bt @ bx / (np.linalg.norm(bt) * np.linalg.norm(bx))))
        scores.append(best)
    return scores


def test_template_matcher_scores_match_the_plain_loops():
    rng = np.random.default_rng(0)
    X = np.concatenate([PATTERNS[[1, 3]], (rng.uniform(size=(1, 16, 16)) < 0.2) * 1.0])
    tm = TemplateMatcher(PATTERNS[:3], sigma=1.0, max_shift=1)
    got = tm.transform(X)
    want = [naive_scores(PATTERNS[:3], x, 1.0, 1) for x in X]
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_template_matcher_answers_each_pattern_and_its_shifts_with_its_label():
    tm = TemplateMatcher(PATTERNS)
    assert tm.winners(PATTERNS).tolist() == [0, 1, 2, 3, 4]
    moved = np.roll(PATTERNS, 3, axis=1)  # 3-pixel margins: nothing wraps
    assert tm.winners(moved).tolist() == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(tm.transform(moved)[np.arange(5), np.arange(5)], 1.0)
    assert tm.winners(np.zeros((1, 16, 16))).tolist() == [-1]


@pytest.mark.parametrize("kwargs, error", [({"sigma": 0}, ValueError),
                                           ({"max_shift": -1}, ValueError),
                                           ({"max_shift": 1.5}, TypeError)])
def test_template_matcher_refuses_bad_parameters(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        TemplateMatcher(PATTERNS, **kwargs)


def test_template_matcher_refuses_images_of_another_size():
    with pytest.raises(ValueError, match=r"X must be images of shape \(n, 16, 16\)"):
        TemplateMatcher(PATTERNS).winners(np.zeros((2, 8, 8)))


def test_untrained_network_is_a_fit_that_learns_nothing():
    cfg = fukushima1980()
    frozen = dataclasses.replace(cfg, stages=tuple(
        dataclasses.replace(st, s=dataclasses.replace(st.s, q=0.0)) for st in cfg.stages))
    fitted = Neocognitron(config=frozen, random_state=0).fit(PATTERNS)
    net = untrained_network()
    np.testing.assert_array_equal(net.transform(PATTERNS), fitted.transform(PATTERNS))
    assert net.n_presentations_ == 0 and all(r.sum() == 0 for r in net.reinforcements_)
    assert all((b == 0).all() for b in net.b_)
