"""Sweeps of an experiment script (neocognitron.workflow.sweep, experiments/sweep.py):
resumed after SIGKILL without rerunning finished points; failures recorded and retried,
and the command line's exit status."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from mnist_home import ROOT, load_experiment
from sweep_cases import point_results, write_grid

from neocognitron.workflow.sweep import load_grid, parse_grid, run_sweep

# a stand-in for an experiment script: --out, --seed, params as flags, results.json; it
# logs every completed run so that the test can count how often each point ran
SCRIPT = """\
import argparse, json, os, time
ap = argparse.ArgumentParser()
ap.add_argument("--out"); ap.add_argument("--seed", type=int); ap.add_argument("--x", type=int)
ap.add_argument("--sleep", type=float, default=0.0); ap.add_argument("--log")
ap.add_argument("--fail-if", default=None); ap.add_argument("--stall-if", default=None)
ap.add_argument("--verbose", action="store_true")
a = ap.parse_args()
if a.fail_if and os.path.exists(a.fail_if) and a.x == 2:
    raise SystemExit("injected failure for x=2")
time.sleep(60 if a.stall_if and os.path.exists(a.stall_if) and a.x == 3 else a.sleep)
with open(os.path.join(a.out, "results.json"), "w") as fh:
    json.dump({"y": 10 * a.x + a.seed, "nested": {"z": a.seed}, "label": "text"}, fh)
with open(a.log, "a") as fh:
    fh.write(f"{a.x} {a.seed}\\n")
"""


def _script_grid(tmp_path, **params):
    script = tmp_path / "fake_experiment.py"
    script.write_text(SCRIPT)
    return {"seeds": [0, 1],
            "target": {"script": str(script), "args": ["--verbose"],
                       "params": {"log": str(tmp_path / "runs.log"), **params}},
            "grid": {"x": [0, 1, 2, 3]}}


def _runs(tmp_path):
    lines = (tmp_path / "runs.log").read_text().split("\n")
    return [tuple(map(int, line.split())) for line in lines if line]


def test_killed_sweep_resumes_without_rerunning_finished_points(tmp_path):
    # the points with x = 3 come last and hang while the stall file exists, so the first
    # run cannot finish before it is killed, however slow the machine
    stall = tmp_path / "stall"
    stall.touch()
    grid = write_grid(tmp_path, _script_grid(tmp_path, sleep=0.2, stall_if=str(stall)))
    out = tmp_path / "out"
    cmd = [sys.executable, str(ROOT / "experiments" / "sweep.py"), str(grid), "--out",
           str(out), "--quiet"]
    # a session of its own, so that SIGKILL reaches the point's subprocess too, as when a
    # job scheduler kills the whole job
    with open(tmp_path / "first.log", "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while len(point_results(out)) < 3:
            assert proc.poll() is None, (tmp_path / "first.log").read_text()
            assert time.monotonic() < deadline, "no progress"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns)
              for p in (out / "points").glob("*.json")}
    assert 3 <= len(before) <= 6

    stall.unlink()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "8/8 points done" in done.stdout
    after = point_results(out)
    assert sorted(after) == sorted(p.key for p in load_grid(grid).points())
    for name, stamp in before.items():  # untouched: same file, never rewritten
        p = out / "points" / name
        assert (p.stat().st_ino, p.stat().st_mtime_ns) == stamp, name
    runs = _runs(tmp_path)
    assert set(runs) == {(x, s) for x in range(4) for s in (0, 1)}  # none lost
    for name in before:
        rec = after[name.removesuffix(".json")]
        assert runs.count((rec["params"]["x"], rec["seed"])) == 1  # not run twice
        assert rec["metrics"]["y"] == 10 * rec["params"]["x"] + rec["seed"]
    assert not list((out / "points").glob(".*")), "temporary files left behind"
    # each invocation left its provenance: the killed one still says "running"
    records = [json.loads(p.read_text())
               for p in sorted((out / "provenance").glob("run-*.json"))]
    assert [r["status"] for r in records] == ["running", "finished"]
    assert [s["name"] for s in records[1]["stages"]] == ["points"]
    assert records[1]["command"]["argv"][1:] == [str(grid), "--out", str(out), "--quiet"]


def test_failed_points_are_recorded_and_retried(tmp_path, capsys):
    flag = tmp_path / "fail"
    flag.touch()
    grid = write_grid(tmp_path, _script_grid(tmp_path, fail_if=str(flag)))
    out = tmp_path / "out"
    first = run_sweep(grid, out, quiet=True)
    assert not first.ok and len(first.ran) == 8
    assert sorted((e["params"]["x"], e["seed"]) for e in first.errors) == [(2, 0), (2, 1)]
    for e in first.errors:
        assert "exited with code 1" in e["error"] and "injected failure" in e["error"]
        assert (out / "points" / f"{e['key']}.error.json").is_file()
    summary = json.loads(first.summary_json.read_text())
    assert summary["n_done"] == 6 and summary["n_errors"] == 2
    assert "injected failure" in first.summary_md.read_text()

    second = run_sweep(grid, out, n_jobs=2, quiet=True)  # still failing: retried only
    assert sorted(second.ran) == sorted(e["key"] for e in first.errors)
    assert [e["attempt"] for e in second.errors] == [2, 2]

    flag.unlink()
    status = load_experiment("sweep").main([str(grid), "--out", str(out), "--quiet"])
    assert status == 0 and "8/8 points done (2 run now, 6 from earlier" in capsys.readouterr().out
    assert not list((out / "points").glob("*.error.json"))
    assert sorted(_runs(tmp_path)) == sorted({(x, s) for x in range(4) for s in (0, 1)})
    summary = json.loads((out / "summary.json").read_text())
    assert summary["metrics"] == ["y", "nested.z"]  # every number of results.json
    for s in summary["settings"]:  # y = 10 x + seed over seeds 0, 1
        y = s["metrics"]["y"]
        assert y["mean"] == 10 * s["params"]["x"] + 0.5
        assert y["std"] == pytest.approx(np.sqrt(0.5)) and y["n"] == 2


def test_estimator_error_and_cli_exit_status(tmp_path, capsys):
    raw = {"target": {"estimator": "sklearn.linear_model.LogisticRegression",
                      "params": {"max_iter": 200}},
           "data": {"name": "digits", "train_size": 200, "test_size": 100},
           "grid": {"C": [-1.0, 1.0]}}
    grid = tmp_path / "grid.toml"
    grid.write_text('[target]\nestimator = "sklearn.linear_model.LogisticRegression"\n'
                    'params = { max_iter = 200 }\n[data]\nname = "digits"\ntrain_size = 200\n'
                    'test_size = 100\n[grid]\nC = [-1.0, 1.0]\n')
    assert load_grid(grid).points() == parse_grid(raw).points()
    status = load_experiment("sweep").main([str(grid), "--out", str(tmp_path / "o"), "--quiet"])
    printed = capsys.readouterr().out
    assert status == 1 and "FAILED" in printed and "'C' parameter" in printed
    assert "1/2 points done" in printed
