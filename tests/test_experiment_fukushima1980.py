"""The main job runs end to end, writes what it says it writes, records where it came from
(run.json), and --replot redraws the same figures from its saved outputs without training."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from mnist_home import (
    assert_replot_identical,
    assert_replot_refuses_missing,
    assert_run_wrote,
    forbid,
    load_experiment,
)

from neocognitron import Neocognitron

ROOT = Path(__file__).parent.parent
FIGURES = ("fig6.png", "fig7.png", "us1_filters.png", "seeds.png", "tolerance.png")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("fukushima1980") / "res"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "experiments" / "fukushima1980.py"), "--out", str(out),
         "--quick", "--quiet"],
        capture_output=True, text=True, timeout=600, check=True,
    )
    return out, proc.stdout


def test_quick_run_writes_figures_and_results(quick_run):
    out, stdout = quick_run
    assert_run_wrote(out, stdout, (*FIGURES, "results.json", "figures.npz", "run.json"))
    res = json.loads((out / "results.json").read_text())
    assert res["main"]["distinct"] is True
    assert len(set(res["main"]["winners"])) == 5
    assert res["seeds_digits"]["n_distinct"] >= 2
    assert set(res["main"]["keep"]) == {"shift<=2", "shift>=3", "resize", "deform", "noise",
                                        "erase"}
    assert set(res["seeds_digits"]["controls"]) == {"untrained", "template"}
    assert len(res["seeds_digits"]["strict_claim"]["holds"]) == 3
    assert res["config"]["stages"][0]["s"]["r"] == 4.0


def test_run_json_records_the_run(quick_run):
    out, _ = quick_run
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "finished" and run["error"] is None
    assert run["command"]["argv"][0].endswith("fukushima1980.py")
    assert run["command"]["argv"][1:] == ["--out", str(out), "--quick", "--quiet"]
    assert run["seeds"]["main"] == 0 and run["seeds"]["summary"] == [0, 1, 2]
    assert [s["name"] for s in run["stages"]] == ["fit", "evaluate", "seeds 0-4", "seeds XYTZ",
                                                  "save results", "figures"]
    assert all(s["status"] == "finished" and s["seconds"] >= 0 for s in run["stages"])


def test_replot_redraws_the_same_figures_without_training(quick_run, tmp_path, monkeypatch,
                                                          capsys):
    out, _ = quick_run
    module = load_experiment("fukushima1980")
    forbid(monkeypatch, [(Neocognitron, "fit"), (module, "run_seeds")],
           why="--replot must not train")
    assert_replot_identical(module, out, tmp_path / "replotted", FIGURES, capsys)


def test_replot_without_results_says_so(tmp_path, capsys):
    assert_replot_refuses_missing(load_experiment("fukushima1980"), tmp_path, capsys,
                                  out=tmp_path / "figs")
