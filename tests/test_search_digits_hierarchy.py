"""experiments/search_digits_hierarchy.py --quick fits its small deep setting on the real MNIST
files (300 training digits, 200 of validation split A; about 10 s, skipped without the files),
writes one JSON for the run, and a second call resumes: it reads that file and fits nothing.
Unknown settings are refused before anything is loaded."""

import json

import pytest
from mnist_home import load_experiment, mnist_home, needs_mnist, run_experiment

from neocognitron import NeocognitronClassifier

ARGS = ["--quick", "--data-home", str(mnist_home())]


@pytest.mark.slow
@needs_mnist
def test_quick_run_writes_one_json_per_run_and_resumes(tmp_path, monkeypatch):
    out, returned, printed = run_experiment("search_digits_hierarchy", tmp_path / "res", ARGS)
    path = out / "quick__seed0.json"
    res = json.loads(path.read_text())
    assert res == json.loads(json.dumps(returned[0]))
    assert res["data"] == {"train_indices": [0, 300], "val_indices": [50000, 50200]}
    assert res["params"]["max_planes"] == [40, 40] and res["params"]["random_state"] == 0
    # U_S1, U_S2, U_S3 and the top: the learned layers stay under their cap of 40
    assert len(res["n_planes"]) == 4 and all(0 < k <= 40 for k in res["n_planes"][1:3])
    for readout in ("wta", "interpolating"):
        val = res["val"][readout]
        assert val["errors"] == round(200 * val["error"]) and 0 <= val["error"] < 0.6
    assert not list(out.glob(".*")), "temporary files left behind"

    def refit(*args, **kwargs):
        raise AssertionError("a finished run was fitted again")

    monkeypatch.setattr(NeocognitronClassifier, "fit", refit)
    _, again, printed = run_experiment("search_digits_hierarchy", out, ARGS)
    assert "(done before)" in printed and again == json.loads(json.dumps(returned))


def test_unknown_setting_is_refused(tmp_path, capsys):
    module = load_experiment("search_digits_hierarchy")
    with pytest.raises(SystemExit) as exit_:
        module.main(["--out", str(tmp_path / "res"), "--settings", "base,no such"])
    assert exit_.value.code == 2
    assert "unknown settings ['no such']" in capsys.readouterr().err
    assert not (tmp_path / "res").exists()


def test_the_presets_are_the_search_choice():
    # DEEP is the setting the search chose, and FUKUSHIMA2003 the same with the 2003 rule:
    # a change to either preset that the search does not record fails here
    from neocognitron.digits import DEEP, FUKUSHIMA2003

    search = load_experiment("search_digits_hierarchy")
    chosen = NeocognitronClassifier(**search.params_of("R4 n_unsupervised 3000 + fields 7/3/3"))
    assert NeocognitronClassifier(**DEEP).get_params() == chosen.get_params()
    assert chosen.learning_rule == "frozen"
    assert (NeocognitronClassifier(**FUKUSHIMA2003).get_params()
            == chosen.set_params(learning_rule="wta").get_params())


def test_the_ablation_removes_one_mechanism_from_deep():
    from neocognitron.digits import DEEP

    search = load_experiment("search_digits_hierarchy")
    deep = NeocognitronClassifier(**DEEP).get_params()
    assert NeocognitronClassifier(**search.params_of("DEEP base")).get_params() == deep
    expected = {"DEEP wta": {"learning_rule": "wta"},
                "DEEP surrounds 0": {"surrounds": (0.0, 0.0, 0.0)},
                "DEEP stagger off": {"stagger": False},
                "DEEP theta_R = theta_L": {"thresholds": (0.55, 0.5, 0.35)},
                "DEEP top_learning interpolating": {"top_learning": "interpolating"}}
    for name, change in expected.items():
        params = NeocognitronClassifier(**search.params_of(name)).get_params()
        assert {k: v for k, v in params.items() if deep[k] != v} == change, name


def test_split_b_and_val_size_are_checked(tmp_path, capsys):
    search = load_experiment("search_digits_hierarchy")
    args = search.parse_args(["--out", str(tmp_path), "--split", "B", "--val-size", "5000"])
    assert (args.split, args.val_size, search.SPLITS[args.split]) == ("B", 5000, 55000)
    with pytest.raises(SystemExit):
        search.parse_args(["--out", str(tmp_path), "--val-size", "5001"])
    assert "--val-size must lie in 1..5000" in capsys.readouterr().err
