"""experiments/shift_invariance.py runs end to end on the real MNIST files and writes the
figures, results.json, results.md, run.json and one record per (canvas, model, seed) with
sane numbers; a rerun skips finished records and remakes a missing one with the same
numbers, a folder of other settings is refused, and --replot redraws the same figures and
results.md from results.json without data or training. One run of the hidden ``--smoke``
setting (300 training / 100 test digits, tiny models: 68 s on 2 cores at load average 5,
where the study's five rows before took 78 s) serves every test; ``--quick`` takes about 7
minutes. Skipped without the files. Also the study's library pieces
(``neocognitron.shift_study``) on hand-made inputs, without MNIST."""

import json
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from mnist_home import (  # noqa: E402
    assert_replot_identical,
    assert_replot_refuses_missing,
    assert_run_wrote,
    forbid,
    load_experiment,
    mnist_home,
    run_experiment,
)

from neocognitron import ConvNetClassifier, Neocognitron, NeocognitronClassifier  # noqa: E402
from neocognitron.shift_study import (  # noqa: E402
    by_distance,
    canvas_grid,
    mean_std,
    pad_to_canvas,
    perturbed_copies,
    report,
    shift_offsets,
)
from neocognitron.shift_study.fukushima1980 import WinnerClassPredictor  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

DATA_HOME = mnist_home()
FIGURES = ("accuracy_vs_shift.png", "accuracy_heatmaps.png", "change_rate.png",
           "representation_similarity.png", "robustness.png", "fukushima1980_vs_cnn.png")
MODELS = ("neocognitron", "lenet5", "lenet5_max", "blurpool", "global_pool",
          "blurpool_global_pool", "aps", "augment_shift", "pixels_1nn", "pixels_1nn_max")
UNSEEDED = ("pixels_1nn", "pixels_1nn_max")
ARGS = ["--smoke", "--quiet", "--data-home", str(DATA_HOME)]


def _fraction(x):
    return 0.0 <= x <= 1.0


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return run_experiment("shift_invariance", tmp_path_factory.mktemp("shift") / "res", ARGS)


@pytest.mark.slow
@pytest.mark.skipif(DATA_HOME is None, reason="MNIST files not available")
def test_writes_every_file(run):
    out, returned, printed = run
    assert_run_wrote(out, printed, FIGURES + ("results.json", "results.md", "run.json"))
    assert not (out / "figures.npz").exists()  # every figure is drawn from results.json
    res = json.loads((out / "results.json").read_text())
    assert res["wall_time_s"] == returned["wall_time_s"]
    assert res["mode"] == "smoke" and res["seeds"] == [0]
    assert res["data"]["n_train"] == 300 and res["data"]["n_test"] == 100
    assert set(res["models"]) == set(MODELS)
    assert res["git"]["commit"] is None or len(res["git"]["commit"]) == 40
    assert res["settings"]["grid_step"] == {"28": 2, "44": 8}

    md = (out / "results.md").read_text()
    for name in MODELS:
        assert res["models"][name]["label"] in md
    assert "acc. at ±4 (28×28)" in md and "acc. at ±8 (44×44)" in md
    assert "consistency, circular (28×28, ±4)" in md
    assert res["augment_shift_per_canvas"] == {"28": 4, "44": 8}
    params = {c: res["models"]["augment_shift"]["params"][c]["augment_shift"] for c in ("28", "44")}
    assert params == {"28": 4, "44": 8}
    assert res["position_grid"]["offsets"] == [-4, 0, 4]
    assert res["models"]["lenet5_max"]["params"]["44"]["offsets"] == [-4, 0, 4]
    assert res["models"]["pixels_1nn"]["n_seeds"] == 1
    wide = res["conv_channels_choice"]["conv_channels"]
    assert all(res["models"][n]["params"][c]["conv_channels"] == wide for c in ("28", "44")
               for n in ("global_pool", "blurpool_global_pool", "aps"))
    # one record per (canvas, model, seed), with what each test digit did beside it
    keys = sorted(p.relative_to(out / "records").as_posix()
                  for p in (out / "records").rglob("*.json"))
    assert len(keys) == 2 * len(MODELS) + 1 and "28/aps-seed0.json" in keys
    assert "44/pixels_1nn-noseed.json" in keys and "fukushima1980/seed0.json" in keys
    assert md.count("\n|") >= 2 + len(MODELS) + 2 + len(MODELS) - 1 + 2 + 3  # three tables
    assert "model − Neocognitron (points)" in md


@pytest.mark.slow
@pytest.mark.skipif(DATA_HOME is None, reason="MNIST files not available")
def test_numbers_are_sane(run):
    out, _, _ = run
    res = json.loads((out / "results.json").read_text())
    for canvas, (side, max_shift) in {"28": (28, 4), "44": (44, 8)}.items():
        c = res["canvases"][canvas]
        assert c["side"] == side and c["max_shift"] == max_shift
        assert c["offsets"][0] == -max_shift and c["offsets"][-1] == max_shift
        n = len(c["offsets"])
        for name in MODELS:
            (r,) = res["runs"][canvas][name]
            grid = np.array(r["accuracy_grid"])
            assert grid.shape == (n, n) and ((grid >= 0) & (grid <= 1)).all()
            # a multiple of 1/100: 100 test digits
            assert np.allclose(grid * 100, np.round(grid * 100))
            assert r["accuracy_unshifted"] == grid[n // 2, n // 2]
            assert r["distances"] == c["distances"] and r["distances"][0] == 0
            assert r["accuracy_by_distance"][0] == r["accuracy_unshifted"]
            ring = [grid[i, j] for i, dy in enumerate(c["offsets"])
                    for j, dx in enumerate(c["offsets"]) if max(abs(dy), abs(dx)) == max_shift]
            assert np.isclose(r["accuracy_by_distance"][-1], np.mean(ring))
            assert _fraction(r["consistency"]) and _fraction(r["change_rate"])
            circ = r["circular"]
            assert circ["accuracy_unshifted"] == r["accuracy_unshifted"]  # no shift at all
            assert circ["same_images_as_zero_fill"] == (canvas == "44")
            if canvas == "44":
                assert circ["accuracy_grid"] == r["accuracy_grid"]
            for kind, acc, cons in (("zero", r["accuracy_by_distance"], r["consistency"]),
                                    ("circular", circ["accuracy_by_distance"],
                                     circ["consistency"])):
                ci = res["intervals"][canvas][name][kind]
                assert all(lo <= a <= hi for (lo, hi), a in
                           zip(ci["accuracy_by_distance"], acc, strict=True))
                assert ci["consistency"][0] <= cons <= ci["consistency"][1]
            assert len(r["change_rate_per_step"]) == max_shift
            assert np.isclose(np.mean(r["change_rate_per_step"]), r["change_rate"])
            assert len(r["similarity"]) == max_shift + 1
            assert np.isclose(r["similarity"][0], 1.0)  # scores of the same digits
            assert all(-1 <= s <= 1 for s in r["similarity"])
            assert r["fit_seconds"] >= 0 and r["eval_seconds"] > 0
            if canvas == "28":
                rob = r["robustness"]
                # strength 0 leaves the digits as they are
                assert rob["elastic"][0] == rob["noise"][0] == r["accuracy_unshifted"]
                assert len(rob["elastic"]) == len(res["settings"]["elastic_alpha"])
                assert all(_fraction(a) for a in rob["elastic"] + rob["noise"])
            s = res["summary"][canvas][name]
            assert np.allclose(s["accuracy_grid"]["mean"], grid)
            assert np.allclose(s["accuracy_grid"]["std"], 0)  # one seed
    # each row less the neocognitron: the difference of the two rows' numbers (one seed),
    # inside its paired interval; the neocognitron has no row of its own
    diffs = res["differences"]
    assert diffs["reference"] == "neocognitron"
    for canvas in ("28", "44"):
        assert set(diffs[canvas]) == set(MODELS) - {"neocognitron"}
        ref = res["runs"][canvas]["neocognitron"][0]
        for name in set(MODELS) - {"neocognitron"}:
            r, d = res["runs"][canvas][name][0], diffs[canvas][name]["zero"]
            acc = d["accuracy_by_distance"]
            assert np.allclose(acc["difference"], np.subtract(r["accuracy_by_distance"],
                                                              ref["accuracy_by_distance"]))
            assert all(lo - 1e-9 <= v <= hi + 1e-9
                       for v, (lo, hi) in zip(acc["difference"], acc["interval"], strict=True))
            assert np.isclose(d["consistency"]["difference"],
                              r["consistency"] - ref["consistency"])
    # APS with circular padding: exactly the same answer under every circular shift
    assert res["runs"]["28"]["aps"][0]["circular"]["consistency"] == 1.0
    # the 1-NN with the maximum over positions equals plain 1-NN on unshifted digits or
    # does better at the grid's own shifts
    acc = {n: res["runs"]["28"][n][0]["accuracy_by_distance"] for n in UNSEEDED}
    assert acc["pixels_1nn_max"][-1] >= acc["pixels_1nn"][-1]
    # even tiny, the neocognitron learns digits: well above chance on unshifted digits
    assert res["runs"]["28"]["neocognitron"][0]["accuracy_unshifted"] > 0.5

    f = res["fukushima1980"]
    (r,) = f["runs"]
    assert f["patterns"] == ["0", "1", "2", "3", "4"]
    assert r["cnn_train_accuracy"] == 1.0  # 100 images of 5 patterns, 30 epochs
    same_cell = np.array(r["neocognitron1980"]["same_cell"]["grid"])
    same_class = np.array(r["cnn"]["same_prediction"]["grid"])
    assert same_cell.shape == same_class.shape == (7, 7)
    if min(r["winners"]) >= 0:
        assert same_cell[3, 3] == 1.0  # the unshifted patterns keep their own cells
    assert same_class[3, 3] == 1.0
    for model, key in (("neocognitron1980", "same_cell"), ("neocognitron1980", "class_accuracy"),
                       ("cnn", "accuracy"), ("cnn", "same_prediction")):
        d = r[model][key]
        assert d["distances"] == [0, 1, 2, 3]
        assert all(_fraction(a) for a in d["by_distance"])
        assert np.isclose(d["mean"], np.mean(d["grid"]))
    if r["distinct"]:
        assert r["neocognitron1980"]["class_accuracy"] == r["neocognitron1980"]["same_cell"]


@pytest.mark.slow
@pytest.mark.skipif(DATA_HOME is None, reason="MNIST files not available")
def test_run_json_records_the_stages(run):
    out, returned, _ = run
    rec = json.loads((out / "run.json").read_text())
    assert rec["status"] == "finished" and rec["error"] is None
    assert rec["command"]["argv"][1:] == ["--out", str(out), *ARGS]
    assert rec["seeds"] == {"models": [0], "test_subset": 2019, "consistency": 2019,
                            "perturbations": 2019, "bootstrap": 2019}
    per_model = [f"{step} {name} {c}x{c} " + ("no seed" if name in UNSEEDED else "seed 0")
                 for c in ("28", "44") for name in MODELS for step in ("fit", "evaluate")]
    assert [s["name"] for s in rec["stages"]] == \
        ["load data", *per_model, "1980 comparison seed 0", "save results", "figures"]
    assert all(s["status"] == "finished" and s["seconds"] >= 0 for s in rec["stages"])
    # results.json keeps its git key: the run record's
    assert returned["git"] == rec["git"]
    assert returned["git"]["commit"] is None or len(returned["git"]["commit"]) == 40
    fit = {s["name"]: s["seconds"] for s in rec["stages"]}["fit lenet5 28x28 seed 0"]
    assert returned["runs"]["28"]["lenet5"][0]["fit_seconds"] == round(fit, 2)


@pytest.mark.slow
@pytest.mark.skipif(DATA_HOME is None, reason="MNIST files not available")
def test_replot_redraws_the_same_files_without_data_or_training(run, tmp_path, monkeypatch,
                                                                 capsys):
    out, _, _ = run
    module = load_experiment("shift_invariance")
    forbid(monkeypatch, [*((cls, method)
                           for cls in (NeocognitronClassifier, ConvNetClassifier, Neocognitron)
                           for method in ("fit", "predict") if hasattr(cls, method)),
                         (module, "load_mnist"), (module, "fukushima1980_patterns")])
    new = tmp_path / "replotted"
    assert_replot_identical(module, out, new, FIGURES + ("results.md",), capsys)
    res = json.loads((out / "results.json").read_text())
    assert report.results_markdown(res) == (new / "results.md").read_text()


@pytest.mark.slow
@pytest.mark.skipif(DATA_HOME is None, reason="MNIST files not available")
def test_a_rerun_skips_finished_records_and_remakes_a_missing_one(run, tmp_path, monkeypatch):
    out, first, _ = run
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    key = "28/pixels_1nn_max-noseed"
    (copy / "records" / f"{key}.json").unlink()  # as if killed while running it
    forbid(monkeypatch, [(NeocognitronClassifier, "fit"), (ConvNetClassifier, "fit"),
                         (Neocognitron, "fit")],
           why="a rerun must not fit again what is finished")
    _, res, printed = run_experiment("shift_invariance", copy, ARGS)
    n = 2 * len(MODELS) + 1
    assert f"{n} records: {n - 1} finished before, 1 to run" in printed
    assert res["this_run"]["ran"] == [key] and len(res["this_run"]["records"]) == n
    # deterministic: the remade record has the same numbers, and so has everything else
    assert res["runs"]["28"]["pixels_1nn_max"][0]["accuracy_grid"] == \
        first["runs"]["28"]["pixels_1nn_max"][0]["accuracy_grid"]
    assert res["table_markdown"] == first["table_markdown"]
    assert res["intervals"] == json.loads(json.dumps(first["intervals"]))


@pytest.mark.slow
@pytest.mark.skipif(DATA_HOME is None, reason="MNIST files not available")
def test_records_of_other_settings_are_refused(run, capsys):
    out, _, _ = run
    before = (out / "run.json").read_bytes()
    with pytest.raises(SystemExit) as exit_:
        load_experiment("shift_invariance").main(["--out", str(out), *ARGS, "--cnn-epochs", "2"])
    assert exit_.value.code == 2
    assert "was made with other settings" in capsys.readouterr().err
    assert (out / "run.json").read_bytes() == before


def test_replot_without_results_says_so(tmp_path, capsys):
    assert_replot_refuses_missing(load_experiment("shift_invariance"), tmp_path, capsys)
    assert not list(tmp_path.iterdir())  # nothing written, no run.json


# -- the library pieces, without MNIST -----------------------------------------------------

def test_canvas_grid_and_pad_to_canvas():
    g = canvas_grid(44, 8, 4)
    assert g["offsets"] == [-8, -4, 0, 4, 8] and g["distances"] == [0, 4, 8]
    assert g["similarity_shifts"] == list(range(9)) and g["grid_step"] == 4
    X = np.arange(2 * 28 * 28, dtype=np.float32).reshape(2, 28, 28)
    big = pad_to_canvas(X, 44)
    assert big.shape == (2, 44, 44) and np.array_equal(big[:, 8:36, 8:36], X)
    assert big.sum() == X.sum()


def test_perturbed_copies_are_the_same_on_every_call():
    X = np.zeros((3, 28, 28))
    X[:, 10:18, 12:16] = 255
    a = perturbed_copies(X, [0.0, 34.0], [0.0, 0.1], 4.0, 255, seed=2019)
    b = perturbed_copies(X, [0.0, 34.0], [0.0, 0.1], 4.0, 255, seed=2019)
    assert [len(a["elastic"]), len(a["noise"])] == [2, 2]
    for kind in a:
        for u, v in zip(a[kind], b[kind], strict=True):
            assert np.array_equal(u, v)
    assert np.allclose(a["elastic"][0], X) and np.array_equal(a["noise"][0], X)
    assert not np.array_equal(a["noise"][1], X)


def test_shift_offsets_and_rings():
    assert shift_offsets(4, 2) == [-4, -2, 0, 2, 4]
    with pytest.raises(ValueError, match="divide"):
        shift_offsets(4, 3)
    pairs = [(0, 0), (1, 0), (-1, 1), (2, -1), (0, -2)]
    dists, means = by_distance(pairs, [1.0, 0.5, 0.7, 0.2, 0.4])
    assert dists == [0, 1, 2] and means == pytest.approx([1.0, 0.6, 0.3])


class _FakeNet:
    def __init__(self, winners):
        self.table = np.asarray(winners)

    def winners(self, X):
        return self.table[np.asarray(X, dtype=int).ravel()]


def test_winner_class_maps_only_cells_won_by_one_pattern():
    # patterns 0 and 2 share cell 5, pattern 3 is silent: only cells 7 and 9 map to a class
    unshifted = np.array([5, 7, 5, -1, 9])
    pred = WinnerClassPredictor(_FakeNet([5, 7, 5, -1, 9, 7]), unshifted)
    assert pred.cell_to_class == {7: 1, 9: 4}
    assert pred.predict(np.arange(6)).tolist() == [-1, 1, -1, -1, 4, 1]


def test_tables_format_mean_and_std():
    one = mean_std([[0.5, 0.25]])
    assert report.format_stat(one, 1) == "25.0"
    two = mean_std([[0.5], [0.7]])
    assert report.format_stat(two, 0, n_seeds=2) == "60.0 ± 10.0"
    assert report.format_stat(mean_std([0.125, 0.125]), percent=False, n_seeds=2) == \
        "0.125 ± 0.000"
    stats = {"by_distance": mean_std([[1.0, 0.5]]), "grid": mean_std([np.ones((3, 3))]),
             "mean": mean_std([0.75])}
    summary = {"distances": [0, 1], "neocognitron1980": {"same_cell": stats},
               "cnn": {"accuracy": stats, "same_prediction": stats}}
    table = report.fukushima1980_table(summary, 1).splitlines()
    assert table[0] == "| model (measure) | shift 0 | shift 1 | all 9 shifts |"
    assert table[2].endswith("| 100.0 | 50.0 | 75.0 |") and len(table) == 5


def test_differences_table_by_hand():
    def d(values, intervals):
        return {"difference": values, "interval": intervals}

    acc = d([0.012, -0.0004, -0.25], [[0.004, 0.02], [-0.007, 0.0004], [-0.26, -0.24]])
    cons = d(-0.1, [-0.12, -0.08])
    row = {"zero": {"accuracy_by_distance": acc, "consistency": cons},
           "circular": {"accuracy_by_distance": acc, "consistency": cons}}
    canvases = {"28": {"distances": [0, 2, 4], "max_shift": 4},
                "44": {"distances": [0, 4, 8], "max_shift": 8}}
    table = report.differences_table({"28": {"m": row}, "44": {"m": row}}, canvases,
                                     {"ref": "Ref", "m": "Model"}, "Ref").splitlines()
    assert table[0].startswith("| model − Ref (points) | acc. at 0 (28×28) | acc. at ±4 (28×28)")
    assert len(table) == 3  # the reference has no row of its own
    assert table[2] == ("| Model | +1.2 [+0.4, +2.0] | -25.0 [-26.0, -24.0] | -25.0 [-26.0, -24.0]"
                        " | -25.0 [-26.0, -24.0] | -10.0 [-12.0, -8.0] | -10.0 [-12.0, -8.0]"
                        " | -10.0 [-12.0, -8.0] |")
    # a rounded small negative prints as +0.0, not -0.0
    assert report._diff_cell(acc, 1) == "+0.0 [-0.7, +0.0]"
