"""experiments/mnist_cnn.py --quick (LeNet-5 only) runs end to end on the real MNIST files,
writes its figures, results.json and run.json, and --replot redraws the same figures from
them without data or training (about 20 s; skipped without the files)."""

import contextlib
import io
import json

import pytest
from mnist_home import load_experiment, mnist_home

from neocognitron import ConvNetClassifier

DATA_HOME = mnist_home()
FIGURES = ("loss_curve.png", "confusion_matrix.png", "filters.png")
ARGS = ["--quick", "--variants", "lenet5", "--data-home", str(DATA_HOME)]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(DATA_HOME is None, reason="MNIST files not available")]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("mnist_cnn") / "res"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        returned = load_experiment("mnist_cnn").main(["--out", str(out), *ARGS])
    return out, returned, stdout.getvalue()


def test_quick_run_writes_figures_results_and_provenance(quick_run):
    out, returned, stdout = quick_run
    assert str(out.resolve()) in stdout
    for name in (*FIGURES, "results.json", "figures.npz", "run.json"):
        assert (out / name).stat().st_size > 500, name
    assert not list(out.glob(".*")), "temporary files left behind"

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

    def forbidden(*args, **kwargs):
        raise AssertionError("--replot must neither load data nor train nor predict")

    monkeypatch.setattr(ConvNetClassifier, "fit", forbidden)
    monkeypatch.setattr(ConvNetClassifier, "predict", forbidden)
    monkeypatch.setattr(module, "load_mnist", forbidden)
    new = tmp_path / "replotted"
    written = module.main(["--replot", str(out), "--out", str(new)])
    assert str(new.resolve()) in capsys.readouterr().out
    assert sorted(p.name for p in written) == sorted(FIGURES)
    assert sorted(p.name for p in new.iterdir()) == sorted(p.name for p in out.glob("*.png"))
    for name in FIGURES:
        assert (new / name).read_bytes() == (out / name).read_bytes(), name


def test_replot_without_results_says_so(tmp_path, capsys):
    module = load_experiment("mnist_cnn")
    with pytest.raises(SystemExit) as exit_:
        module.main(["--replot", str(tmp_path)])
    assert exit_.value.code == 2
    assert f"{tmp_path} has no results.json" in capsys.readouterr().err
