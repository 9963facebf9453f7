"""The shift study's controls (``neocognitron.shift_study.controls``): the neocognitron's
grid of top positions derived from its parameters and checked on a fitted network, the
test-time maximum over positions against a plain loop and a hand-worked case, and 1-NN on
pixels against a plain loop."""

import numpy as np
import pytest

from neocognitron import ConvNetClassifier, NeocognitronClassifier
from neocognitron._grid import field_starts
from neocognitron.shift_study.controls import (
    ClassScores,
    CosineNearestNeighbor,
    PositionMaxClassifier,
    class_scores,
    neocognitron_grid,
    top_position_grid,
)
from neocognitron.transforms import shift


def _strokes(n, side=28, seed=0):
    """``n`` images of two classes: a vertical bar (0) or a horizontal bar (1), each of
    random length near the centre."""
    rng = np.random.default_rng(seed)
    X = np.zeros((n, side, side), dtype=np.float32)
    y = np.arange(n) % 2
    c = side // 2
    for i in range(n):
        a, b = c - rng.integers(3, 7), c + rng.integers(3, 7)
        if y[i] == 0:
            X[i, a:b, c - 1 : c + 1] = 255
        else:
            X[i, c - 1 : c + 1, a:b] = 255
    return X, y


def test_grid_of_the_defaults_is_3x3_positions_4_pixels_apart():
    g = neocognitron_grid()
    assert g["margin"] == 4 and g["spacing"] == 4 and g["offsets"] == [-4, 0, 4]
    assert len(g["positions"]) == 9 and g["positions"][0] == (-4, -4)
    g = top_position_grid(margin=6, strides=(2, 3), top_slack=2)
    assert g["spacing"] == 6 and g["offsets"] == [-12, -6, 0, 6, 12]


def test_one_grid_step_moves_the_top_c_layer_by_one_cell():
    """What the grid claims, on a fitted default network: the top C-layer has one cell per
    ``spacing`` pixels of the canvas, and a digit moved by ``spacing`` pixels moves it by
    exactly one cell (so the top field slid by one cell looks ``spacing`` pixels away),
    but for the one step of ``spacing + 1`` pixels that the centred grid rule puts in the
    middle of the 36-pixel canvas (an odd blur of 9 taps on 9 cells)."""
    X, y = _strokes(20)
    clf = NeocognitronClassifier(n_epochs=1, random_state=0).fit(X, y)
    g = neocognitron_grid(clf.get_params())
    s = g["spacing"]
    top = clf.forward(X[:2])[f"UC{len(clf.stages_)}"]
    side = clf.canvas_shape_[0]
    assert top.shape[2] * s == side == 28 + 2 * g["margin"]
    d = clf.stages_[-1].cell_parameters(np.float32)[3]
    steps = np.diff(field_starts(side, top.shape[2], d.shape[0]))
    assert sorted(steps.tolist()) == [s] * (len(steps) - 1) + [s + 1]
    moved = clf.forward(shift(X[:2], s, s))[f"UC{len(clf.stages_)}"]
    even = np.flatnonzero(steps == s)  # cell i + 1 sees what cell i saw, s pixels on
    assert np.allclose(moved[:, :, even + 1][:, :, :, even + 1],
                       top[:, :, even][:, :, :, even], atol=1e-6)
    assert top.max() > 0.1  # the stroke answers


class _Centred:
    """A model that knows only the two templates it was fitted on, exactly where they
    were: score 1 for the class whose template equals the image, 0 otherwise."""

    def __init__(self):
        self.templates = None

    def get_params(self, deep=False):
        return {}

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.templates = np.stack([X[y == c][0] for c in self.classes_])
        return self

    def class_scores(self, X):
        return np.array([[float(np.array_equal(x, t)) for t in self.templates] for x in X])


def test_a_digit_one_grid_step_away_is_recognised_as_the_centred_one():
    X, y = _strokes(2)
    model = PositionMaxClassifier(_Centred(), offsets=(-4, 0, 4)).fit(X, y)
    moved = shift(X, 4, -4)  # one grid step each way; the ink stays in the frame
    assert model.predict(X).tolist() == y.tolist()
    assert model.predict(moved).tolist() == y.tolist()
    plain = model.estimator_
    assert (plain.class_scores(moved) == 0).all()  # alone it recognises nothing there
    assert model.predict(shift(X, 2, 0)).tolist() == [0, 0]  # off the grid: no score, class 0


def _naive_position_max(model, X, offsets, margin):
    """Per image: every window of the zero-padded canvas at (margin + dy, margin + dx),
    its class scores, the largest per class, then the class of the largest."""
    H, W = X.shape[1:]
    out = []
    for x in X:
        canvas = np.zeros((H + 2 * margin, W + 2 * margin), dtype=x.dtype)
        canvas[margin : margin + H, margin : margin + W] = x
        best = None
        for dy in offsets:
            for dx in offsets:
                window = canvas[margin + dy : margin + dy + H, margin + dx : margin + dx + W]
                s = class_scores(model, window[None])[0]
                best = s if best is None else np.maximum(best, s)
        out.append(best)
    return np.array(out)


@pytest.mark.parametrize("base", ["cnn", "1nn"])
def test_position_max_matches_a_plain_loop(base):
    X, y = _strokes(40)
    Xt = shift(_strokes(12, seed=1)[0], np.arange(12) % 5 - 2, np.arange(12) % 3 - 1)
    est = (ConvNetClassifier(max_iter=1, random_state=0) if base == "cnn"
           else CosineNearestNeighbor())
    model = PositionMaxClassifier(est, offsets=(-4, 0, 4)).fit(X, y)
    expected = _naive_position_max(model.estimator_, Xt, (-4, 0, 4), margin=4)
    assert np.allclose(model.class_scores(Xt), expected, rtol=1e-5, atol=1e-6)
    assert np.array_equal(model.predict(Xt), model.classes_[np.argmax(expected, axis=1)])
    assert np.allclose(ClassScores(model).transform(Xt), expected, rtol=1e-5, atol=1e-6)


def test_cosine_nearest_neighbour_matches_a_plain_loop():
    X, y = _strokes(30)
    y = np.where(np.arange(30) % 3 == 0, 7, y)  # three classes, not 0..k-1
    Xt = shift(_strokes(9, seed=2)[0], 1, -2)
    knn = CosineNearestNeighbor(batch_size=4).fit(X, y)
    scores = knn.class_scores(Xt)
    for i, x in enumerate(Xt):
        for j, c in enumerate(knn.classes_):
            cos = [float(x.ravel() @ t.ravel()) / (np.linalg.norm(x) * np.linalg.norm(t))
                   for t in X[y == c]]
            assert scores[i, j] == pytest.approx(max(cos), abs=1e-6)
        nearest = max(range(len(X)), key=lambda k: float(x.ravel() @ X[k].ravel())
                      / np.linalg.norm(X[k]))
        assert knn.predict(Xt[i : i + 1])[0] == y[nearest]


def test_class_scores_of_a_cnn_are_its_logits_up_to_a_constant():
    X, y = _strokes(30)
    cnn = ConvNetClassifier(max_iter=1, random_state=0).fit(X, y)
    s = class_scores(cnn, X[:5])
    logits = cnn._run(X[:5], "logits")
    assert np.allclose(s - s.mean(1, keepdims=True), logits - logits.mean(1, keepdims=True),
                       atol=1e-5)
    with pytest.raises(TypeError, match="class scores"):
        class_scores(object(), X)


def test_bad_input_is_refused():
    X, y = _strokes(4)
    with pytest.raises(ValueError, match="estimator is None"):
        PositionMaxClassifier().fit(X, y)
    with pytest.raises(ValueError, match="offsets must be integers"):
        PositionMaxClassifier(CosineNearestNeighbor(), offsets=(0.5,)).fit(X, y)
    with pytest.raises(ValueError, match="y must have shape"):
        CosineNearestNeighbor().fit(X, y[:2])
    knn = CosineNearestNeighbor().fit(X, y)
    with pytest.raises(ValueError, match="pixels per image"):
        knn.predict(np.zeros((1, 5, 5)))


def test_every_row_of_the_study_builds_for_both_canvases():
    from neocognitron.shift_study.models import AUGMENT, MODELS, WIDE, make_model, model_config

    settings = {"neocognitron": {"n_epochs": 1}, "cnn": {"max_iter": 2}}
    for canvas in ("28", "44"):
        built = {n: make_model(n, 3, settings, canvas) for n in MODELS}
        assert built["augment_shift"].augment_shift == AUGMENT[canvas]
        assert built["lenet5_max"].offsets == [-4, 0, 4]
        assert built["lenet5_max"].estimator.max_iter == 2
        assert built["neocognitron"].n_epochs == 1 and built["neocognitron"].random_state == 3
        for n in ("global_pool", "blurpool_global_pool", "aps"):
            assert built[n].conv_channels == WIDE and built[n].global_pool
        assert built["aps"].pooling == "aps" and built["aps"].padding == "circular"
        cfg = model_config(built["pixels_1nn_max"])
        assert cfg == {"class": "PositionMaxClassifier", "offsets": [-4, 0, 4],
                       "estimator": {"class": "CosineNearestNeighbor", "batch_size": 500}}
        assert "random_state" not in model_config(built["lenet5"])


def test_channel_search_picks_the_best_validation_accuracy():
    from neocognitron.shift_study.channels import MEASURED, best, search_conv_channels

    X, y = _strokes(40)
    res = search_conv_channels(X[:30], y[:30], X[30:], y[30:], candidates=((2, 4), (3, 4)),
                               variants={"gp": {"global_pool": True}}, max_iter=1)
    assert [r["conv_channels"] for r in res["gp"]] == [[2, 4], [3, 4]]
    assert all(0 <= r["val_accuracy"] <= 1 for r in res["gp"])
    rows = {"a": [{"conv_channels": [6, 16], "val_accuracy": 0.9},
                  {"conv_channels": [16, 32], "val_accuracy": 0.95},
                  {"conv_channels": [32, 64], "val_accuracy": 0.95}]}
    assert best(rows) == {"a": (16, 32)}  # the narrowest of the best
    measured = {name: [{"conv_channels": list(ch), "val_accuracy": acc}
                       for ch, (acc, _) in rows.items()] for name, rows in MEASURED.items()}
    from neocognitron.shift_study.models import WIDE
    assert set(best(measured).values()) == {WIDE}  # the study uses what the search chose
