"""experiments/mnist_neocognitron.py --quick runs end to end on the real MNIST files and
writes the figures, a results.json with sane numbers and a run.json; --replot redraws the
same figures from them without data or training (about 40 s; skipped without the files)."""

import json
from pathlib import Path

import pytest
from mnist_home import (
    assert_replot_identical,
    assert_replot_refuses_missing,
    assert_run_wrote,
    forbid,
    load_experiment,
    mnist_home,
    run_experiment,
)

import neocognitron
from neocognitron import NeocognitronClassifier

ROOT = Path(__file__).resolve().parent.parent

DATA_HOME = mnist_home()
FIGURES = ("learning_curve.png", "confusion_matrix.png", "features.png",
           "layer_responses.png", "misclassified.png")
ARGS = ["--quick", "--quiet", "--data-home", str(DATA_HOME)]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(DATA_HOME is None, reason="MNIST files not available")]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("mnist_neocognitron") / "res"
    return run_experiment("mnist_neocognitron", out, ARGS)


def test_quick_run_writes_figures_and_results(quick_run):
    out, returned, stdout = quick_run
    assert_run_wrote(out, stdout, (*FIGURES, "results.json", "figures.npz", "run.json",
                                   "model.npz"))

    res = json.loads((out / "results.json").read_text())
    model = neocognitron.workflow.io.load(out / "model.npz")  # the network of the main fit
    assert list(model.n_planes_) == res["n_planes"]
    assert returned["test"]["wta"]["error"] == res["test"]["wta"]["error"]
    assert res["quick"] is True
    assert res["data"]["n_train"] == 1000 and res["data"]["n_test"] == 500
    for readout in ("wta", "interpolating"):
        t = res["test"][readout]
        assert 0 <= t["error"] <= 1
        assert t["error"] < 0.5, f"{readout}: {t['error']} is no better than guessing"
        assert t["errors"] == round(t["error"] * 500)
        assert t["predict_seconds"] > 0 and t["digits_per_second"] > 0
    assert res["fit_seconds"] > 0
    # U_S1 has one plane per orientation; every layer has at least one plane
    assert res["n_planes"][0] == res["params"]["n_orientations"]
    assert all(n >= 1 for n in res["n_planes"])
    assert res["n_planes"][-1] == sum(res["planes_added_per_epoch"])
    assert 1 <= res["n_iter"] == len(res["planes_added_per_epoch"]) <= res["params"]["n_epochs"]
    assert res["params"]["random_state"] == 0

    curve = res["learning_curve"]
    assert curve["sizes"] == [300, 1000]
    for readout in ("wta", "interpolating"):
        errs = curve[f"{readout}_error"]
        assert len(errs) == 2 and all(0 <= e <= 1 for e in errs)
        assert errs[-1] == res["test"][readout]["error"]  # the main fit, reused

    cm = res["confusion_matrix"]
    assert cm["labels"] == list(range(10))
    for readout in ("wta", "interpolating"):
        m = cm[readout]
        assert sum(map(sum, m)) == 500
        assert 500 - sum(m[i][i] for i in range(10)) == res["test"][readout]["errors"]
    wrong = res["misclassified_wta"]
    assert len(wrong["test_indices"]) == res["test"]["wta"]["errors"]
    assert all(t != p for t, p in zip(wrong["true"], wrong["pred"], strict=True))
    assert res["references"]["etl1_fukushima2003"]["error"] == 0.014


def test_run_json_records_the_run(quick_run):
    out, _, _ = quick_run
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "finished" and run["error"] is None
    assert run["command"]["argv"][0].endswith("mnist_neocognitron.py")
    assert run["command"]["argv"][1:] == ["--out", str(out), *ARGS]
    assert run["seeds"] == {"fits": 0, "test_subset": [0, 2003]}
    assert [s["name"] for s in run["stages"]] == [
        "load data", "fit", "evaluate", "learning curve 300", "responses", "save results",
        "figures"]
    assert all(s["status"] == "finished" and s["seconds"] >= 0 for s in run["stages"])


def test_replot_redraws_the_same_figures_without_data_or_training(quick_run, tmp_path,
                                                                  monkeypatch, capsys):
    out, _, _ = quick_run
    module = load_experiment("mnist_neocognitron")
    forbid(monkeypatch, [*((NeocognitronClassifier, method)
                           for method in ("fit", "predict", "transform", "forward")),
                         (module, "load_mnist")])
    assert_replot_identical(module, out, tmp_path / "replotted", FIGURES, capsys)


def test_replot_without_results_says_so(tmp_path, capsys):
    assert_replot_refuses_missing(load_experiment("mnist_neocognitron"), tmp_path, capsys)
    assert list(tmp_path.iterdir()) == []
