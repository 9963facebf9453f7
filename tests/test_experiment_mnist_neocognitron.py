"""experiments/mnist_neocognitron.py --quick runs end to end on the real MNIST files and
writes the figures and a results.json with sane numbers (about 25 s; skipped without the
files)."""

import json
from pathlib import Path

import pytest
from mnist_home import load_experiment, mnist_home

ROOT = Path(__file__).resolve().parent.parent

DATA_HOME = mnist_home()


@pytest.mark.slow
@pytest.mark.skipif(DATA_HOME is None, reason="MNIST files not available")
def test_quick_run_writes_figures_and_results(tmp_path, capsys):
    out = tmp_path / "res"
    returned = load_experiment("mnist_neocognitron").main(["--quick", "--out", str(out), "--quiet",
                                    "--data-home", str(DATA_HOME)])
    assert str(out.resolve()) in capsys.readouterr().out
    for name in ("learning_curve.png", "confusion_matrix.png", "features.png",
                 "layer_responses.png", "misclassified.png", "results.json"):
        assert (out / name).stat().st_size > 1000, name
    assert not list(out.glob(".*")), "temporary files left behind"

    res = json.loads((out / "results.json").read_text())
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
