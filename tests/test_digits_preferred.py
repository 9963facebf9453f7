"""Preferred inputs of learned S-planes in pixels (``digits.preferred``): the receptive
field against the cascade itself (no pixel outside it changes a cell), patches and their
means against plain loops."""

import numpy as np
import pytest

from neocognitron.digits import NeocognitronClassifier, preferred
from neocognitron.digits.cascade import _forward

pytest_plugins = ["digit_models"]

# two learned stages, a surround and the staggered arrangement: 8x8 digits on a 16x16
# canvas, S-grids 16, 8 and 4 cells a side
DEEP = dict(margin=4, n_orientations=4, max_planes=(5, 4), thresholds=(0.55, 0.5, 0.5),
            learning_thresholds=(0.7, 0.7), fields=(5, 3, 3), blurs=(1.0, 0.8, 0.8),
            strides=(2, 2, 2), surrounds=(0.5, 0.0, 0.0), stagger=True, top_slack=0,
            n_unsupervised=60, n_epochs=1, random_state=0)


@pytest.fixture(scope="module")
def deep(digits01):
    X_tr, _, y_tr, _ = digits01
    return NeocognitronClassifier(**DEEP).fit(X_tr, y_tr)


def test_receptive_field_by_hand(deep):
    # U_S2 sits on U_C1's grid: 8 cells over 16 pixels, cell i at (i + 1/2) 2 - 1/2
    (cy, cx), half = preferred.receptive_field(deep, 2)
    np.testing.assert_allclose(cy, 2 * np.arange(8) + 0.5)
    np.testing.assert_allclose(cx, cy)
    # U_G's taps, U_S1's 5, U_C1's d (even, staggered) at 1 pixel, U_S2's 3 at 2 pixels
    g, d1 = deep.a_g_.shape[0], deep.stages_[0].d.shape[0]
    assert d1 % 2 == 0
    assert half == pytest.approx((g - 1) / 2 + 2 + (d1 - 1) / 2 + 2 * 1)
    # U_S3: 4 cells over U_C1's 8 centres: (j + 1/2) 2 - 1/2 there, then to pixels
    (cy3, _), half3 = preferred.receptive_field(deep, 3)
    np.testing.assert_allclose(cy3, 2 * (2 * np.arange(4) + 0.5) + 0.5)
    d2 = deep.stages_[1].d.shape[0]
    assert half3 == pytest.approx(half + 2 * (d2 - 1) / 2 + 4 * 1)
    (c1, _), half1 = preferred.receptive_field(deep, 1)
    np.testing.assert_allclose(c1, np.arange(16))
    assert half1 == pytest.approx((g - 1) / 2 + 2)


@pytest.mark.parametrize("layer", [1, 2, 3])
def test_no_pixel_outside_the_receptive_field_changes_a_cell(deep, layer):
    """The bound is safe: scrambling every pixel farther than ``half`` from a cell's
    centre (along either axis) leaves that cell's output exactly as it was."""
    (cy, cx), half = preferred.receptive_field(deep, layer)
    rng = np.random.default_rng(layer)
    canvas = rng.random((1, 16, 16)).astype(np.float32)
    yy, xx = np.mgrid[:16, :16]
    for i, j in [(0, 0), (len(cy) // 2, len(cx) - 1), (len(cy) - 1, 1)]:
        outside = (np.abs(yy - cy[i]) > half) | (np.abs(xx - cx[j]) > half)
        if not outside.any():
            continue
        other = canvas.copy()
        other[0][outside] = rng.random(outside.sum())
        a = _forward(canvas, deep.a_g_, deep.stages_, keep=True)[f"US{layer}"][0, :, i, j]
        b = _forward(other, deep.a_g_, deep.stages_, keep=True)[f"US{layer}"][0, :, i, j]
        np.testing.assert_array_equal(a, b)


def test_patch_by_hand():
    canvas = np.arange(25, dtype=np.float32).reshape(5, 5)
    # centred on (0, 4): the rows above and the columns right of the canvas are zero
    want = np.array([[0, 0, 0], [3, 4, 0], [8, 9, 0]], dtype=np.float32)
    np.testing.assert_array_equal(preferred._patch(canvas, 0.0, 4.0, 3), want)
    # half-integer centres round up (2.5 -> 3)
    np.testing.assert_array_equal(preferred._patch(canvas, 2.5, 1.5, 1), [[17]])


def naive_preferred(clf, X, layer, n_planes, n_best):
    """The definition, with loops: use, strongest images, patches cut pixel by pixel."""
    layers = clf.forward(X)
    u, canvas = layers[f"US{layer}"].astype(np.float64), layers["U0"]
    use = u.sum(axis=(0, 2, 3))
    planes = np.argsort(-use, kind="stable")[:n_planes]
    (cy, cx), half = preferred.receptive_field(clf, layer)
    P = min(2 * int(np.ceil(half)) + 1, canvas.shape[1])
    out = []
    for k in planes:
        peaks = [u[n, k].max() for n in range(len(X))]
        best = np.argsort(-np.array(peaks), kind="stable")[:n_best]
        mean = np.zeros((P, P))
        for n in best:
            i, j = np.unravel_index(np.argmax(u[n, k]), u[n, k].shape)
            y0 = int(np.floor(cy[i] + 0.5)) - P // 2
            x0 = int(np.floor(cx[j] + 0.5)) - P // 2
            for a in range(P):
                for b in range(P):
                    y, x = y0 + a, x0 + b
                    if 0 <= y < canvas.shape[1] and 0 <= x < canvas.shape[2]:
                        mean[a, b] += canvas[n, y, x] / len(best)
        out.append(mean)
    return planes, np.array(out), P


@pytest.mark.parametrize("layer, n_planes, n_best", [(2, 3, 4), (3, 10, 50)])
def test_preferred_inputs_are_the_definition(deep, digits01, layer, n_planes, n_best):
    _, X_te, _, _ = digits01
    X = X_te[:23]
    planes, patches, P = naive_preferred(deep, X, layer, n_planes, n_best)
    got = preferred.preferred_inputs(deep, X, layer, n_planes=n_planes, n_best=n_best,
                                     batch_size=5)
    np.testing.assert_array_equal(got["planes"], planes)
    np.testing.assert_allclose(got["patches"], patches, rtol=1e-5, atol=1e-6)
    assert got["patch"] == P and got["n_images"] == 23
    assert got["n_planes"] == deep.stages_[layer - 1].X.shape[0]
    assert got["n_best"] == min(n_best, 23)
    assert len(got["planes"]) == min(n_planes, got["n_planes"])
    assert np.all(np.diff(got["use"]) <= 0)  # most used first
    assert np.all((got["answered"] >= 0) & (got["answered"] <= 23))


def test_a_plane_that_finds_one_stroke_shows_it(fitted, digits01):
    """Digits with ink at one place only: the mean patch has its ink where the digits do,
    relative to the strongest cell."""
    X = np.zeros((6, 8, 8))
    X[:, 2:6, 3] = 16  # one vertical bar, the same in every image
    got = preferred.preferred_inputs(fitted, X, 2, n_planes=1, n_best=6)
    canvas = fitted.forward(X[:1])["U0"][0]
    assert got["patches"][0].sum() == pytest.approx(canvas.sum())  # every ink pixel inside
    assert got["patches"][0].max() == pytest.approx(1.0)


@pytest.mark.parametrize("kwargs, message", [
    (dict(layer=0), "layer must be an S-layer of the cascade, 1 to 3"),
    (dict(layer=4), "layer must be an S-layer"),
    (dict(layer=True), "layer must be an S-layer"),
    (dict(n_planes=0), "n_planes must be a positive integer"),
    (dict(n_best=2.0), "n_best must be a positive integer"),
    (dict(batch_size=-1), "batch_size must be a positive integer"),
    (dict(X=np.zeros((0, 8, 8))), "0 sample"),
])
def test_bad_arguments_are_refused(deep, kwargs, message):
    args = dict(X=np.zeros((2, 8, 8)), layer=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        preferred.preferred_inputs(deep, **args)


def test_other_image_shapes_are_refused(deep):
    with pytest.raises(ValueError):
        preferred.preferred_inputs(deep, np.zeros((2, 9, 9)), 2)
