"""experiments/search_fukushima1980.py tunes on seeds 1000-1099 only, records its run, and
applies each setting's changes to the right layers; its choice follows the stated rule."""

import json

import pytest
from mnist_home import load_experiment

from neocognitron.fukushima1980.config import fukushima1980


@pytest.fixture(scope="module")
def search():
    return load_experiment("search_fukushima1980")


def test_quick_run_uses_tuning_seeds_and_records_provenance(search, tmp_path, capsys):
    out = tmp_path / "res"
    res = search.main(["--out", str(out), "--quick", "--quiet"])
    assert res["seeds"] == [1000, 1001, 1002]
    saved = json.loads((out / "results.json").read_text())
    assert saved == json.loads(json.dumps(res))
    assert list(saved["settings"]) == ["base", "US3 r 4"]
    for setting in saved["settings"].values():
        assert [r["seed"] for r in setting["runs"]] == [1000, 1001, 1002]
        assert 0 <= setting["summary"]["score"] <= 1
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "finished" and run["seeds"]["tuning"] == [1000, 1001, 1002]
    assert "| base |" in capsys.readouterr().out


def test_settings_change_only_their_layers(search):
    base = fukushima1980()
    cfg = search.config_of("US3 r 4")
    assert cfg.stages[2].s.r == 4.0 and cfg.stages[:2] == base.stages[:2]
    cfg = search.config_of("gamma_d 0.6")
    assert all(st.c.gamma_d == 0.6 for st in cfg.stages)
    assert [st.s for st in cfg.stages] == [st.s for st in base.stages]
    cfg = search.config_of("init_bias 0.1")
    assert cfg.init_bias == 0.1 and cfg.stages == base.stages
    assert search.config_of("base") == base


def _runs(scores):
    return {"runs": [{"score": s} for s in scores], "summary": {"score": sum(scores) / len(scores)}}


def test_choice_keeps_base_unless_beaten_by_two_standard_errors(search):
    base = [0.5, 0.6, 0.7, 0.6]
    near = {"base": _runs(base), "d_peak 0.7": _runs([0.52, 0.58, 0.74, 0.6])}
    assert search.choose(near) == "base"
    far = {"base": _runs(base), "d_peak 0.7": _runs([0.7, 0.81, 0.9, 0.79])}
    assert search.choose(far) == "d_peak 0.7"
    # a claim setting is never a candidate, however it scores
    assert search.choose({"base": _runs(base), "US3 r 4": _runs([1.0] * 4)}) == "base"
    assert search.choose({"US3 r 4": _runs([1.0] * 4)}) is None


def test_too_many_seeds_and_unknown_settings_are_refused(search, tmp_path, capsys):
    for args, message in ((["--seeds", "101"], "at most 100"),
                          (["--settings", "base,no such"], "unknown settings ['no such']")):
        with pytest.raises(SystemExit) as exit_:
            search.main(["--out", str(tmp_path / "res"), *args])
        assert exit_.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "res").exists()
