"""experiments/mnist_cnn.py --quick (LeNet-5 only) runs end to end on the real MNIST files,
writes its figures, results.json and run.json, and --replot redraws the same figures from
them without data or training (about 20 s; skipped without the files)."""

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
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

from neocognitron import ConvNetClassifier

ROOT = Path(__file__).resolve().parents[1]
DATA_HOME = mnist_home()
FIGURES = ("loss_curve.png", "confusion_matrix.png", "filters.png")
ARGS = ["--quick", "--variants", "lenet5", "--data-home", str(DATA_HOME)]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(DATA_HOME is None, reason="MNIST files not available")]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    return run_experiment("mnist_cnn", tmp_path_factory.mktemp("mnist_cnn") / "res", ARGS)


def test_quick_run_writes_figures_results_and_provenance(quick_run):
    out, returned, stdout = quick_run
    assert_run_wrote(out, stdout, (*FIGURES, "results.json", "figures.npz", "run.json"),
                     min_size=500)

    res = json.loads((out / "results.json").read_text())
    assert res == json.loads(json.dumps(returned))
    assert res["quick"] is True and res["n_train"] == 6000 and res["n_test"] == 2000
    lenet = res["models"]["lenet5"]
    assert 0.5 < lenet["test_accuracy"] <= 1 and lenet["epochs"] == len(lenet["loss_curve"])
    cm = res["confusion_matrix"]
    assert cm["model"] == "lenet5" and cm["labels"] == list(range(10))
    assert sum(map(sum, cm["counts"])) == 2000
    assert 2000 - sum(cm["counts"][i][i] for i in range(10)) == lenet["test_errors"]

    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "finished" and run["seeds"] == {"models": 0}
    assert run["command"]["argv"][1:] == ["--out", str(out), *ARGS]
    assert [s["name"] for s in run["stages"]] == ["load data", "fit lenet5", "evaluate lenet5",
                                                  "save results", "figures"]
    assert res["machine"]["cpus"] == run["machine"]["cpu_count"]


def test_replot_redraws_the_same_figures_without_data_or_training(quick_run, tmp_path,
                                                                  monkeypatch, capsys):
    out, _, _ = quick_run
    module = load_experiment("mnist_cnn")
    forbid(monkeypatch, [(ConvNetClassifier, "fit"), (ConvNetClassifier, "predict"),
                         (module, "load_mnist")])
    assert_replot_identical(module, out, tmp_path / "replotted", FIGURES, capsys)


def test_replot_without_results_says_so(tmp_path, capsys):
    assert_replot_refuses_missing(load_experiment("mnist_cnn"), tmp_path, capsys)


def test_confusion_title_names_the_model_drawn():
    # --variants may put another model first; the title must name it, not "LeNet-5"
    module = load_experiment("mnist_cnn")
    summary = json.loads((ROOT / "docs/results/mnist_cnn/results.json").read_text())
    arrays = {"filters": np.zeros((6, 1, 5, 5))}
    titles = {}
    for model in ("lenet5", "avg_pool"):
        summary["confusion_matrix"]["model"] = model
        fig = module.draw(summary, arrays)["confusion_matrix.png"]
        titles[model] = fig.axes[0].get_title()
        plt.close("all")
    assert "LeNet-5" in titles["lenet5"]
    assert "avg_pool" in titles["avg_pool"] and "LeNet-5" not in titles["avg_pool"]
