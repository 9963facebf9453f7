"""experiments/digits_hierarchy.py --quick fits its four rows on the real MNIST files and
writes one record per row, results.json, the figures, results.md and run.json; a rerun
skips every finished record (nothing is fitted again) and remakes only a missing one;
--replot redraws the figures and the table byte for byte without data or training (about
60 s in all on 2 busy cores; skipped without the files). Bad arguments, and records made with other
parameters, are refused before anything is trained or written."""

import json

import pytest
from mnist_home import (
    assert_replot_identical,
    assert_replot_refuses_missing,
    assert_run_wrote,
    forbid,
    load_experiment,
    mnist_home,
    needs_mnist,
    run_experiment,
)

from neocognitron import ConvNetClassifier, NeocognitronClassifier, datasets

DATA_HOME = mnist_home()
ARGS = ["--quick", "--quiet", "--data-home", str(DATA_HOME)]
KEYS = ["A/deep-n1000-seed0", "A/one_stage-n1000-seed0", "A/shallow-n1000-seed0",
        "A/pixels_1nn-n1000-seed0"]
DRAWN = ("error_vs_size.png", "preferred_inputs.png", "results.md")
NETWORK_METRICS = {"fit_seconds", "top_planes", "wta_error", "wta_digits_per_second",
                   "interpolating_error", "interpolating_digits_per_second",
                   "features_1nn_error", "features_1nn_digits_per_second",
                   "features_interpolating_error", "features_interpolating_digits_per_second"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("digits_hierarchy") / "res"
    return run_experiment("digits_hierarchy", out, ARGS)


@pytest.mark.slow
@needs_mnist
def test_quick_run_writes_a_record_per_row(quick_run):
    out, returned, printed = quick_run
    assert_run_wrote(out, printed, ("results.json", "figures.npz", *DRAWN, "run.json"),
                     min_size=200)
    res = json.loads((out / "results.json").read_text())
    assert res == json.loads(json.dumps(returned))
    assert res["quick"] is True and res["test_set"] == {"used": False, "records": []}
    assert res["splits"]["A"] == [50000, 50300] and res["splits"]["B"] == [55000, 55300]
    assert len(res["git"]["commit"]) == 40  # the checkout's commit, not null
    assert res["this_run"] == {"ran": KEYS, "skipped": []}
    assert [r["key"] for r in res["records"]] == KEYS
    for rec in res["records"]:
        assert (out / "records" / f"{rec['key']}.json").is_file()
        assert rec["n_train"] == 1000 and rec["n_eval"] == 300 and rec["seed"] == 0
        assert rec["made"]["commit"] == res["git"]["commit"]
        assert rec["config"]["train_indices"] == [0, 1000]
        assert rec["config"]["eval"] == {"set": "train", "indices": [50000, 50300]}
        m = rec["metrics"]
        errors = [v for k, v in m.items() if k.endswith("error")]
        assert errors and all(0 <= e <= 1 for e in errors)
        assert all(v > 0 for k, v in m.items() if k.endswith("per_second"))
    deep, one, shallow, pixels = res["records"]
    for rec in (deep, one, shallow):
        assert NETWORK_METRICS <= set(rec["metrics"])
        assert rec["config"]["model"]["random_state"] == 0
        assert rec["metrics"]["top_planes"] == rec["details"]["n_planes"][-1]
        errs = rec["details"]["readouts"]["wta"]["errors"]
        assert rec["metrics"]["wta_error"] == errs / 300
    assert {"planes_U_S2", "planes_U_S3"} <= set(deep["metrics"])
    assert deep["config"]["model"]["n_unsupervised"] == 100  # --quick's deep network
    assert deep["config"]["model"]["max_planes"] == [50, 50]
    assert "planes_U_S2" in one["metrics"] and "planes_U_S3" not in one["metrics"]
    assert not any(k.startswith("planes_") for k in shallow["metrics"])
    assert set(pixels["metrics"]) == {"error", "digits_per_second", "fit_seconds"}
    assert [r["preferred_inputs"] for r in res["records"]] == [True, True, False, False]
    # one group per row, one seed each: the statistics are the record's numbers
    assert [(s["row"], s["n_train"], s["seeds"]) for s in res["summary"]] == [
        ("deep", 1000, [0]), ("one_stage", 1000, [0]), ("shallow", 1000, [0]),
        ("pixels_1nn", 1000, [0])]
    s = res["summary"][2]["metrics"]["wta_error"]
    assert s["mean"] == s["min"] == s["max"] == shallow["metrics"]["wta_error"]
    assert s["std"] == 0
    p = res["preferred_inputs"]
    assert (p["record"], p["n_images"], p["n_best"]) == (KEYS[0], 500, 20)
    assert [L["name"] for L in p["layers"]] == ["U_S2", "U_S3"]
    table = (out / "results.md").read_text()
    assert "| shallow | wta_error |" in table and "| pixels_1nn | error |" in table


@pytest.mark.slow
@needs_mnist
def test_run_json_has_a_stage_per_record(quick_run):
    out, _, _ = quick_run
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "finished" and run["seeds"] == {"models": [0]}
    assert [s["name"] for s in run["stages"]] == ["load data", *KEYS, "save results",
                                                  "figures"]


@pytest.mark.slow
@needs_mnist
def test_a_rerun_skips_finished_records_and_makes_a_missing_one(quick_run, monkeypatch):
    out, first, _ = quick_run
    before = {k: (out / "records" / f"{k}.json").read_bytes() for k in KEYS}
    (out / "records" / f"{KEYS[-1]}.json").unlink()  # as if killed while running it
    forbid(monkeypatch, [(NeocognitronClassifier, "fit"), (ConvNetClassifier, "fit")],
           why="a rerun must not fit again what is finished")
    _, res, printed = run_experiment("digits_hierarchy", out, ARGS)
    assert "4 records: 3 finished before, 1 to run" in printed
    assert res["this_run"] == {"ran": [KEYS[-1]], "skipped": KEYS[:-1]}
    assert {k: (out / "records" / f"{k}.json").read_bytes() for k in KEYS[:-1]} == \
        {k: before[k] for k in KEYS[:-1]}
    # 1-NN on pixels is deterministic: the remade record has the same numbers
    assert res["records"][-1]["metrics"]["error"] == first["records"][-1]["metrics"]["error"]
    # and again: nothing left to run, not even data to load
    forbid(monkeypatch, [(datasets, "load_mnist")])
    _, res, printed = run_experiment("digits_hierarchy", out, ARGS)
    assert "4 records: 4 finished before, 0 to run" in printed
    assert res["this_run"] == {"ran": [], "skipped": KEYS}


@pytest.mark.slow
@needs_mnist
def test_records_of_other_parameters_are_refused(quick_run, capsys):
    out, _, _ = quick_run
    before = (out / "run.json").read_bytes()
    with pytest.raises(SystemExit) as exit_:
        load_experiment("digits_hierarchy").main(["--out", str(out), *ARGS,
                                                  "--val-size", "200"])
    assert exit_.value.code == 2
    assert "was made with other parameters or data" in capsys.readouterr().err
    assert (out / "run.json").read_bytes() == before


@pytest.mark.slow
@needs_mnist
def test_replot_redraws_without_data_or_training(quick_run, tmp_path, monkeypatch, capsys):
    out, _, _ = quick_run
    module = load_experiment("digits_hierarchy")
    # nothing that loads, fits, predicts or measures: the figures come from the saved files
    forbid(monkeypatch, [(NeocognitronClassifier, "fit"), (ConvNetClassifier, "fit"),
                         *((module, name) for name in ("load_mnist", "time_readouts",
                                                       "time_controls", "top_features",
                                                       "preferred_inputs"))])
    assert_replot_identical(module, out, tmp_path / "replotted", DRAWN, capsys)


def test_replot_without_results_says_so(tmp_path, capsys):
    assert_replot_refuses_missing(load_experiment("digits_hierarchy"), tmp_path, capsys)


@pytest.mark.parametrize("args, message", [
    (["--sizes", "50001"], "--sizes must be at most 50000 on a validation split"),
    (["--split", "test", "--sizes", "3000"], "--sizes does not apply"),
    (["--split", "C"], "invalid choice: 'C'"),
    (["--val-size", "5001"], "--val-size must be at most 5000"),
    (["--rows", "deep,cnn"], "unknown rows ['cnn']"),
    (["--seeds", "-1"], "a seed must lie in"),
])
def test_bad_arguments_are_refused_before_loading(args, message, tmp_path, capsys):
    out = tmp_path / "never"
    with pytest.raises(SystemExit) as exit_:
        load_experiment("digits_hierarchy").main(
            ["--out", str(out), "--data-home", str(tmp_path / "no-mnist"), *args])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
