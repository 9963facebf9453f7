"""experiments/digits_ablation.py --quick fits its three variants on the real MNIST files and
writes results.json, ablation.png, results.md and run.json; --replot redraws the figure and
the table from results.json without data or training (about 35 s; skipped without the
files). Bad sizes and variant names are refused before anything is loaded or written."""

import json

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

from neocognitron import NeocognitronClassifier

DATA_HOME = mnist_home()
ARGS = ["--quick", "--quiet", "--data-home", str(DATA_HOME)]
QUICK = [(1, "defaults"), (2, "top_exponent=1 (the paper)"),
         (8, "one learned stage (2003 layout)")]
DRAWN = ("ablation.png", "results.md")



def needs_mnist(test):
    """The tests that run the experiment: slow, and skipped without the MNIST files."""
    skip = pytest.mark.skipif(DATA_HOME is None, reason="MNIST files not available")
    return pytest.mark.slow(skip(test))


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("digits_ablation") / "res"
    return run_experiment("digits_ablation", out, ARGS)


@needs_mnist
def test_quick_run_writes_results(quick_run):
    out, returned, printed = quick_run
    assert_run_wrote(out, printed, ("results.json", *DRAWN, "run.json"), min_size=200)
    res = json.loads((out / "results.json").read_text())
    assert res == json.loads(json.dumps(returned))
    assert res["quick"] is True and res["seed"] == 0
    assert res["data"]["n_train"] == 1000 and res["data"]["n_val"] == 500
    assert res["data"]["train_indices"] == [0, 1000]
    assert res["data"]["val_indices"] == [50000, 50500]
    assert len(res["git"]["commit"] or "0" * 40) == 40
    assert [(v["index"], v["name"]) for v in res["variants"]] == QUICK
    for v in res["variants"]:
        for readout in ("wta", "interpolating"):
            r = v["val"][readout]
            assert 0 <= r["error"] <= 1 and r["errors"] == round(r["error"] * 500)
            assert r["predict_seconds"] > 0 and r["digits_per_second"] > 0
        assert v["fit_seconds"] > 0
        assert isinstance(v["n_planes"], list) and all(n >= 1 for n in v["n_planes"])
        assert v["n_planes"][0] == v["params"]["n_orientations"] == 8
        assert v["n_planes"][-1] == sum(v["planes_added"])
        assert v["params"]["random_state"] == 0 and v["params"]["readout"] == "wta"
        assert all(v["params"][k] == val for k, val in v["changes"].items())
    # the one-learned-stage layout grows a U_S2; tuples are written as lists
    assert len(res["variants"][2]["n_planes"]) == 3
    assert res["variants"][2]["params"]["thresholds"] == [0.55, 0.5]
    table = (out / "results.md").read_text()
    assert all(f"| {k}. {name} |" in table for k, name in QUICK)


@needs_mnist
def test_run_json_has_a_stage_per_variant(quick_run):
    out, _, _ = quick_run
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "finished" and run["error"] is None
    assert run["seeds"] == {"fits": 0}
    assert [s["name"] for s in run["stages"]] == [
        "load data", *(f"variant {k}: {name}" for k, name in QUICK), "save results",
        "figures"]
    assert all(s["status"] == "finished" for s in run["stages"])


@needs_mnist
def test_replot_redraws_without_data_or_training(quick_run, tmp_path, monkeypatch, capsys):
    out, _, _ = quick_run
    module = load_experiment("digits_ablation")
    forbid(monkeypatch, [(NeocognitronClassifier, "fit"), (NeocognitronClassifier, "predict"),
                         (module, "load_mnist")])
    assert_replot_identical(module, out, tmp_path / "replotted", DRAWN, capsys)


def test_replot_without_results_says_so(tmp_path, capsys):
    assert_replot_refuses_missing(load_experiment("digits_ablation"), tmp_path, capsys)


@pytest.mark.parametrize("args, message", [
    (["--train-size", "50001"], "--train-size must lie in [1, 50000], got 50001"),
    (["--val-size", "10001"], "--val-size must lie in [1, 10000]"),
    (["--variants", "1,no such variant"], "unknown variant 'no such variant'"),
    (["--variants", "10"], "unknown variant '10'"),
])
def test_bad_arguments_are_refused_before_loading(args, message, tmp_path, capsys):
    out = tmp_path / "never"
    with pytest.raises(SystemExit) as exit_:
        load_experiment("digits_ablation").main(
            ["--out", str(out), "--data-home", str(tmp_path / "no-mnist"), *args])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_variants_by_index_or_name():
    parse = load_experiment("digits_ablation")._variants
    assert parse("8, defaults,2") == [1, 2, 8]
    # a name holding a comma, given whole, with or without the space after it
    assert parse("one learned stage + top_exponent 0.5, threshold 0.95,3") == [3, 9]
    assert parse("one learned stage + top_exponent 0.5,threshold 0.95") == [9]
