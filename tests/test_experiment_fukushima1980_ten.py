"""experiments/fukushima1980_ten.py: --quick runs end to end and trains the networks it
says it trains (checked by training them again here), its counts and intervals agree with
its per-seed records and with hand-worked binomial intervals, --replot redraws the same
files without training, and bad options exit with argparse's error."""

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mnist_home import (
    assert_replot_identical,
    assert_replot_refuses_missing,
    assert_run_wrote,
    forbid,
    load_experiment,
)

from neocognitron import Neocognitron
from neocognitron.datasets import fukushima1980_patterns
from neocognitron.fukushima1980.config import fukushima1980

ROOT = Path(__file__).parent.parent
FILES = ("planes.png", "patterns.png", "results.md")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("fukushima1980_ten") / "res"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "experiments" / "fukushima1980_ten.py"), "--out", str(out),
         "--quick", "--quiet"],
        capture_output=True, text=True, timeout=600, check=True,
    )
    return out, proc.stdout, json.loads((out / "results.json").read_text())


def test_quick_run_writes_its_files(quick_run):
    out, stdout, res = quick_run
    assert_run_wrote(out, stdout, ("planes.png", "patterns.png", "results.json", "run.json"))
    assert (out / "results.md").stat().st_size > 300
    with np.load(out / "figures.npz") as arrays:  # small: the ten patterns, compressed
        np.testing.assert_array_equal(arrays["patterns"],
                                      fukushima1980_patterns(names="0123456789"))
    assert res["planes"] == [24, 32] and res["seeds"] == [0, 1, 2]
    assert res["patterns"] == list("0123456789") and res["control_patterns"] == list("01234")
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "finished"
    assert [s["name"] for s in run["stages"]] == ["tune", "fit", "memory", "save results",
                                                  "figures"]


def quiet(K, seed, scale):
    cfg = dataclasses.replace(fukushima1980(planes=K), init_scale=scale)
    return Neocognitron(config=cfg, random_state=seed)


def test_the_tuning_is_on_its_own_seeds_and_picks_the_best_scale(quick_run):
    _, _, res = quick_run
    tuning, ten = res["tuning"], fukushima1980_patterns(names="0123456789")
    assert tuning["seeds"] == [1000, 1001] and tuning["planes"] == [32]
    assert not set(tuning["seeds"]) & set(res["seeds"])
    for scale, counts in tuning["distinct"].items():
        nets = [quiet(32, s, float(scale)).fit(ten) for s in tuning["seeds"]]
        winners = [net.winners(ten) for net in nets]
        assert counts == [sum(len(set(w.tolist())) == 10 and (w >= 0).all() for w in winners)]
    best = max(sum(c) for c in tuning["distinct"].values())
    tied = [float(sc) for sc, c in tuning["distinct"].items() if sum(c) == best]
    assert tuning["chosen"] == max(tied)


@pytest.mark.parametrize("K", [24, 32])
def test_the_runs_are_the_networks_named(quick_run, K):
    # trained again here, outside the script: the same winners, seed by seed
    _, _, res = quick_run
    ten = fukushima1980_patterns(names="0123456789")
    for name, patterns in (("ten", ten), ("five", fukushima1980_patterns()), ("quiet", ten)):
        for record in res["runs"][name][str(K)]:
            net = (quiet(K, record["seed"], res["tuning"]["chosen"]) if name == "quiet" else
                   Neocognitron.fukushima1980(random_state=record["seed"], planes=K))
            assert net.fit(patterns).winners(patterns).tolist() == record["winners"]
            assert record["fit_seconds"] > 0
            assert record["planes_used"] == [int((r > 0).sum()) for r in net.reinforcements_]
            assert record["uc2_cosine"] == pytest.approx(mean_cosine(net.forward(patterns)["UC2"]))


def mean_cosine(responses):
    """Mean over pairs of patterns of the cosine between their responses, pair by pair."""
    flat = [r.ravel() for r in responses]
    pairs = [(a, b) for i, a in enumerate(flat) for b in flat[i + 1:]]
    return np.mean([a @ b / (np.linalg.norm(a) * np.linalg.norm(b)) for a, b in pairs])


def test_summaries_agree_with_the_records(quick_run):
    _, _, res = quick_run
    for row in res["by_planes"]:
        for name in ("ten", "five", "quiet"):
            records, summary = res["runs"][name][str(row["planes"])], row[name]
            winners = [np.array(r["winners"]) for r in records]
            distinct = [len(set(w.tolist())) == len(w) and (w >= 0).all() for w in winners]
            assert summary["distinct"]["count"] == sum(distinct)
            assert summary["strict"]["count"] == sum(r["strict"] for r in records)
            # the strict claim demands distinct winners
            assert all(d for d, r in zip(distinct, records, strict=True) if r["strict"])
            assert summary["n_cells"] == [len(set(w[w >= 0].tolist())) for w in winners]
            for key in ("distinct", "strict"):
                r = summary[key]
                assert r["n"] == 3 and r["fraction"] == r["count"] / 3
                assert r["low"] <= r["fraction"] <= r["high"]
            kept = [r["shift_kept"] for r in records]
            assert summary["shift_kept"]["mean"] == pytest.approx(np.mean(kept))
            assert all(0 <= k <= 1 for k in kept)
            for d, r in zip(distinct, records, strict=True):
                # a shared cell counts under the kept rule only: equal when none is shared
                assert r["shift_kept_own"] <= r["shift_kept"]
                assert not d or r["shift_kept_own"] == r["shift_kept"]
                assert r["fit_cpu_seconds"] > 0
        assert row["memory"]["peak_mib"] > row["memory"]["weights_mib"] > 0
    weights = [row["memory"]["weights_mib"] for row in res["by_planes"]]
    assert weights[1] > weights[0]  # 32 planes hold more weights than 24


def test_own_cells_drops_every_shared_winner():
    own = load_experiment("fukushima1980_ten").own_cells
    assert own(np.array([3, 5, 3, -1, 7])).tolist() == [-1, 5, -1, -1, 7]
    assert own(np.array([0, 1, 2])).tolist() == [0, 1, 2]
    assert own(np.array([4, 4])).tolist() == [-1, -1]


def test_the_table_has_a_row_per_number_of_planes(quick_run):
    out, _, res = quick_run
    table = (out / "results.md").read_text()
    for row in res["by_planes"]:
        for arm, start in (("ten", "paper (0.01)"), ("quiet", "quiet (")):
            d = row[arm]["distinct"]
            assert f"| {row['planes']} | {start}" in table
            assert f"{d['count']}/3 = {d['fraction']:.2f}" in table
    for scale, counts in res["tuning"]["distinct"].items():
        assert f"| {scale} | {counts[0]} |" in table


@pytest.mark.parametrize("hits, low, high", [
    ([False] * 30, 0.0, 1 - 0.025 ** (1 / 30)),
    ([True] * 30, 0.025 ** (1 / 30), 1.0),
    # k = 1 of n = 2: 1 - (1 - p)^2 = 0.025 and 1 - p^2 = 0.025
    ([True, False], 1 - 0.975 ** 0.5, 0.975 ** 0.5),
])
def test_rate_is_the_clopper_pearson_interval(hits, low, high):
    r = load_experiment("fukushima1980_ten").rate(hits)
    assert r["count"] == sum(hits) and r["n"] == len(hits)
    assert r["low"] == pytest.approx(low, abs=1e-9) and r["high"] == pytest.approx(high,
                                                                                   abs=1e-9)


def test_replot_redraws_the_same_files_without_training(quick_run, tmp_path, monkeypatch,
                                                        capsys):
    out, _, _ = quick_run
    module = load_experiment("fukushima1980_ten")
    forbid(monkeypatch, [(Neocognitron, "fit"), (module, "run_fits")],
           why="--replot must not train")
    assert_replot_identical(module, out, tmp_path / "replotted", FILES, capsys)


def test_replot_without_results_says_so(tmp_path, capsys):
    assert_replot_refuses_missing(load_experiment("fukushima1980_ten"), tmp_path, capsys,
                                  out=tmp_path / "figs")


@pytest.mark.parametrize("opt, value", [("--planes", "0"), ("--planes", "24,x"),
                                        ("--seeds", "0"), ("--jobs", "0")])
def test_bad_options_exit_2_naming_them(opt, value, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        load_experiment("fukushima1980_ten").main(["--out", str(tmp_path), f"{opt}={value}"])
    assert exit_.value.code == 2
    assert f"argument {opt}" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
