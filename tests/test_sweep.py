"""Parameter sweeps (neocognitron.workflow.sweep, experiments/sweep.py): the same numbers serially,
with joblib and on a Dask cluster; resumed after SIGKILL without rerunning finished points;
failures recorded and retried; bad grid files rejected by name. Everything runs on
loopback with fixed seeds."""

import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

distributed = pytest.importorskip("dask.distributed")

from mnist_home import load_experiment  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from neocognitron import NeocognitronClassifier  # noqa: E402
from neocognitron.datasets import load_digits_images  # noqa: E402
from neocognitron.workflow.results import (  # noqa: E402
    FolderInUseError,
    FolderLock,
    ForeignFolderError,
    _atomic,
    write_json,
)
from neocognitron.workflow.sweep import load_grid, parse_grid, point_key, run_sweep  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LR = "sklearn.linear_model.LogisticRegression"

# a digit neocognitron small enough for well under a second per fit on 8x8 digits
TINY = {"margin": 2, "thresholds": [0.55, 0.5], "learning_thresholds": [0.75],
        "fields": [5, 3], "blurs": [1.2, 1.2], "strides": [1, 2], "n_unsupervised": 100,
        "n_epochs": 1}
NEOCOGNITRON_GRID = {
    "seeds": [0, 1],
    "metrics": ["test_accuracy", "train_accuracy", "fit_time"],
    "target": {"estimator": "neocognitron.NeocognitronClassifier", "params": TINY},
    "data": {"name": "digits", "train_size": 300, "test_size": 200},
    "grid": {"max_planes": [[4], [8]], "q": [30.0, 100.0]},
}

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


def _write_grid(tmp_path, raw, name="grid.json"):
    path = tmp_path / name
    path.write_text(json.dumps(raw))
    return path


def _results(out):
    return {p.stem: json.loads(p.read_text())
            for p in (Path(out) / "points").glob("*.json") if not p.stem.endswith(".error")}


def _runs(tmp_path):
    lines = (tmp_path / "runs.log").read_text().split("\n")
    return [tuple(map(int, line.split())) for line in lines if line]


@pytest.fixture(scope="module")
def cluster():
    # processes=True: the points cross a process boundary (pickling, a fresh numba and
    # BLAS in each worker) as on a real cluster
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  silence_logs=logging.ERROR) as c:
        yield c


def test_same_numbers_serial_joblib_and_dask(tmp_path, cluster, capsys):
    grid = _write_grid(tmp_path, NEOCOGNITRON_GRID)
    serial = run_sweep(grid, tmp_path / "serial", quiet=True)
    pool = run_sweep(grid, tmp_path / "joblib", n_jobs=2, quiet=True)
    status = load_experiment("sweep").main([str(grid), "--out", str(tmp_path / "dask"),
                                            "--scheduler", cluster.scheduler_address,
                                            "--quiet"])
    assert status == 0
    assert str((tmp_path / "dask" / "summary.md").resolve()) in capsys.readouterr().out
    assert serial.ok and pool.ok and len(serial.ran) == len(pool.ran) == 8

    runs = {name: _results(tmp_path / name) for name in ("serial", "joblib", "dask")}
    keys = {p.key for p in load_grid(grid).points()}
    for name, recs in runs.items():
        assert set(recs) == keys, name
        for key, rec in recs.items():
            assert rec["key"] == key == point_key(rec["params"], rec["seed"])
            assert rec["status"] == "ok" and rec["wall_time"] > 0
            assert rec["start_time"] < rec["end_time"] and rec["host"]
    assert all(r["pid"] != os.getpid() for r in runs["dask"].values())
    # the same code on the same data with one BLAS/numba thread everywhere: the same
    # floating-point operations in the same order, so the scores agree exactly
    for key, rec in runs["serial"].items():
        for name in ("joblib", "dask"):
            other = runs[name][key]["metrics"]
            assert other["test_accuracy"] == rec["metrics"]["test_accuracy"], (name, key)
            assert other["train_accuracy"] == rec["metrics"]["train_accuracy"], (name, key)
    accs = [r["metrics"]["test_accuracy"] for r in runs["serial"].values()]
    assert min(accs) > 0.3 and len(set(accs)) > 1  # learned something; seeds matter

    summary = json.loads((tmp_path / "dask" / "summary.json").read_text())
    assert summary["n_done"] == 8 and summary["n_errors"] == 0
    assert len(summary["settings"]) == 4
    for s in summary["settings"]:
        values = [runs["dask"][point_key(s["params"], seed)]["metrics"]["test_accuracy"]
                  for seed in (0, 1)]
        m = s["metrics"]["test_accuracy"]
        assert m["mean"] == pytest.approx(np.mean(values))
        assert m["std"] == pytest.approx(np.std(values, ddof=1))


def test_gridsearchcv_on_the_dask_joblib_backend(cluster):
    import joblib

    X, y = load_digits_images()
    X, y = X[:240], y[:240]
    est = NeocognitronClassifier(random_state=0, **{k: tuple(v) if isinstance(v, list) else v
                                                    for k, v in TINY.items()})
    grid = {"q": [30.0, 100.0], "max_planes": [(4,), (8,)]}
    serial = GridSearchCV(est, grid, cv=2).fit(X, y)
    with distributed.Client(cluster.scheduler_address) as client, \
            distributed.get_task_stream(client) as stream, joblib.parallel_backend("dask"):
        dask = GridSearchCV(est, grid, cv=2, n_jobs=2).fit(X, y)
    assert stream.data, "no task ran on the cluster"
    np.testing.assert_array_equal(dask.cv_results_["mean_test_score"],
                                  serial.cv_results_["mean_test_score"])
    assert dask.best_params_ == serial.best_params_
    assert dask.score(X, y) == serial.score(X, y)


def test_killed_sweep_resumes_without_rerunning_finished_points(tmp_path):
    # the points with x = 3 come last and hang while the stall file exists, so the first
    # run cannot finish before it is killed, however slow the machine
    stall = tmp_path / "stall"
    stall.touch()
    grid = _write_grid(tmp_path, _script_grid(tmp_path, sleep=0.2, stall_if=str(stall)))
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
        while len(_results(out)) < 3:
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
    after = _results(out)
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
    grid = _write_grid(tmp_path, _script_grid(tmp_path, fail_if=str(flag)))
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


def test_output_folder_guards(tmp_path):
    raw = {"target": {"estimator": "sklearn.linear_model.LogisticRegression",
                      "params": {"max_iter": 200}},
           "data": {"name": "digits", "train_size": 200, "test_size": 100},
           "grid": {"C": [1.0]}, "seeds": [0]}
    out = tmp_path / "o"
    assert run_sweep(parse_grid(raw), out, quiet=True).ok
    # more seeds later: only the new points run
    more = run_sweep(parse_grid(dict(raw, seeds=[0, 1])), out, quiet=True)
    assert more.n_skipped == 1 and len(more.ran) == 1
    other = dict(raw, data={"name": "digits", "train_size": 300})
    with pytest.raises(ValueError, match="another data"):
        run_sweep(parse_grid(other), out, quiet=True)
    # a sweep already running in the folder: refused, naming it
    with FolderLock(out, "sweep other.toml", "python experiments/sweep.py other.toml"):
        with pytest.raises(FolderInUseError, match=re.escape(
                f"{out} is in use by sweep other.toml (pid {os.getpid()}: python "
                "experiments/sweep.py other.toml, since ")):
            run_sweep(parse_grid(raw), out, quiet=True)
    assert not (out / ".lock").exists()  # let go, and removed


def _lr_grid(**changes):
    return parse_grid({"target": {"estimator": LR, "params": {"max_iter": 200}},
                       "data": {"name": "digits", "train_size": 200, "test_size": 100},
                       "grid": {"C": [1.0]}, "seeds": [0], **changes})


@pytest.mark.parametrize("content, says", [
    ('{"kind": "estimator", "targ', "sweep.json cannot be read (Unterminated string"),
    ("", "sweep.json cannot be read (Expecting value"),
    ("[1, 2]", "sweep.json is not a sweep spec (a JSON list, not an object)"),
    ('{"name": "my own notes"}', "sweep.json is not a sweep spec (no args, data, kind, "
                                 "metrics, params, target)"),
])
def test_a_corrupt_or_foreign_sweep_json_is_refused_not_overwritten(tmp_path, content, says):
    out = tmp_path / "o"
    assert run_sweep(_lr_grid(), out, quiet=True).ok
    points = {p.name: p.read_bytes() for p in (out / "points").iterdir()}
    (out / "sweep.json").write_text(content)
    # a sweep of another target would file these points under its own spec
    other = _lr_grid(target={"estimator": "sklearn.svm.LinearSVC"})
    for spec in (other, _lr_grid()):
        with pytest.raises(ForeignFolderError, match=re.escape(str(out / says))):
            run_sweep(spec, out, quiet=True)
    assert (out / "sweep.json").read_text() == content
    assert {p.name: p.read_bytes() for p in (out / "points").iterdir()} == points


def _files(folder):
    """Everything under ``folder``, by relative path: a file's bytes, a folder's None."""
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
            for p in folder.rglob("*")}


def test_points_without_a_spec_or_an_experiment_folder_are_refused(tmp_path, capsys):
    out = tmp_path / "o"
    assert run_sweep(_lr_grid(), out, quiet=True).ok
    (out / "sweep.json").unlink()
    with pytest.raises(ForeignFolderError, match="holds points but no sweep.json saying"):
        run_sweep(_lr_grid(), out, quiet=True)
    assert not (out / "sweep.json").exists()
    exp = tmp_path / "exp"
    write_json({"command": {"script": "experiments/fukushima1980.py"}}, exp / "run.json")
    grid = _write_grid(tmp_path, {"target": {"estimator": LR}, "grid": {"C": [1.0]},
                                  "data": {"name": "digits", "train_size": 200}})
    for folder, says in ((exp, "holds the results of an experiment (run.json), not a sweep"),
                         (out, "holds points but no sweep.json saying which sweep they "
                               "belong to")):
        before = _files(folder)
        with pytest.raises(SystemExit) as exit_:  # the command line says it in one line
            load_experiment("sweep").main([str(grid), "--out", str(folder), "--quiet"])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert err.endswith(f": error: {folder} {says}: use another output folder\n")
        assert err.count("\n") == 1
        # refused, never written to: not even the script's provenance record
        assert _files(folder) == before


def test_what_a_killed_run_leaves_cannot_be_committed(tmp_path):
    """A run killed in its output folder leaves the folder's lock and may leave a file half
    written under its temporary name: git ignores both, in the saved results or anywhere
    else in the checkout, and still sees the results themselves."""
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse"], capture_output=True).returncode:
        pytest.skip("not a git checkout")
    seen = set()

    def look(fh=None):
        seen.update(p.name for p in tmp_path.iterdir())

    # a run's files, written as results._atomic writes them, while the folder is locked
    with FolderLock(tmp_path, "a test"):
        for name in ("results.json", "run.json", "figures.npz", "summary.md"):
            _atomic(tmp_path / name, look)
    transient = seen - {p.name for p in tmp_path.iterdir()}  # gone when the run ends
    assert FolderLock.NAME in transient and len(transient) == 5, transient
    folders = ["docs/results/fukushima1980", "docs/results/shift_invariance/defaults",
               "docs/results/sweep/points", "docs/results/sweep/provenance", "docs/figures/x",
               "results/x", "elsewhere"]

    def ignored(paths):  # the rules alone (--no-index), whether or not a path is tracked
        done = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "--no-index", "--stdin"],
                              input="\n".join(paths), capture_output=True, text=True)
        assert done.returncode in (0, 1), done.stderr
        return set(done.stdout.split())

    paths = {f"{d}/{name}" for d in folders for name in transient}
    assert ignored(paths) == paths
    kept = [f"docs/results/fukushima1980/{n}" for n in ("results.json", "run.json",
                                                         "figures.npz")]
    assert not ignored(kept)


def test_point_keys_are_stable():
    # the key names files on disk: changing it would orphan every existing sweep folder
    assert point_key({"C": 1.0}, 0) == point_key({"C": 1.0}, np.int64(0))
    assert point_key({"a": 1, "b": [2, 3]}, 7) == point_key({"b": [2, 3], "a": 1}, 7)
    assert point_key({"C": 1.0}, 0) != point_key({"C": 1.0}, 1)
    assert point_key({"C": 1.0}, 0) == "f213335db9f42b6f"
    # overlapping grids: a point listed twice is still one point
    spec = parse_grid({"target": {"estimator": LR}, "data": {"name": "digits"},
                       "grid": [{"C": [1.0]}, {"C": [1.0, 2.0]}], "seeds": [3, 4]})
    assert [(p.params, p.seed) for p in spec.points()] == [
        ({"C": 1.0}, 3), ({"C": 1.0}, 4), ({"C": 2.0}, 3), ({"C": 2.0}, 4)]


def test_example_grids_are_valid():
    for path in sorted((ROOT / "experiments" / "sweeps").glob("*")):
        spec = load_grid(path)
        assert len(spec.points()) >= 4, path.name


@pytest.mark.parametrize("raw, match", [
    ({"target": {"estimator": LR}, "data": {"name": "digits"}, "seed": [0]},
     "unknown key 'seed'"),
    ({"target": {"estimator": LR}, "data": {"name": "digits"}, "grid": {"Cee": [1.0]}},
     "'Cee' is not a parameter"),
    ({"target": {"estimator": LR}, "data": {"name": "digits"}, "grid": {"C": 1.0}},
     "'C' must be a non-empty list"),
    ({"target": {"estimator": LR}, "data": {"name": "digits"}, "grid": {"random_state": [1]}},
     "'random_state' is set by the sweep"),
    ({"target": {"estimator": LR, "params": {"tol": 1e-3}}, "data": {"name": "digits"},
      "grid": {"tol": [1e-4]}}, "'tol' is also fixed"),
    ({"target": {"estimator": LR}, "data": {"name": "digits"}, "seeds": [0, "1"]}, "seeds"),
    ({"target": {"estimator": LR}, "data": {"name": "digits"}, "metrics": ["test_acc"]},
     "unknown metric 'test_acc'"),
    ({"target": {"estimator": LR}, "data": {"name": "cifar"}}, r"\[data\] name"),
    ({"target": {"estimator": LR}, "data": {"name": "digits", "home": "x"}},
     "unknown key 'home'"),
    ({"target": {"estimator": LR}}, r"\[data\] is required"),
    ({"target": {"estimator": LR, "script": "x"}}, "exactly one"),
    ({"grid": {"C": [1.0]}}, r"no \[target\]"),
    ({"target": {"estimator": "sklearn.linear_model.NoSuchModel"}, "data": {"name": "digits"}},
     "unknown target estimator"),
    ({"target": {"estimator": "no_such_package.Model"}, "data": {"name": "digits"}},
     "unknown target estimator"),
    ({"target": {"estimator": "json.dumps"}, "data": {"name": "digits"}},
     "unknown target estimator"),
    ({"target": {"script": "no_such_experiment"}}, "unknown target 'no_such_experiment'"),
    ({"target": {"script": "fukushima1980", "params": {"seed": 3}}}, "'seed' is set by"),
])
def test_bad_grid_is_rejected_by_name(raw, match):
    with pytest.raises(ValueError, match=match):
        parse_grid(raw, base=ROOT / "experiments" / "sweeps")


def test_bad_grid_files(tmp_path):
    (tmp_path / "g.toml").write_text("seeds = [0,\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        load_grid(tmp_path / "g.toml")
    (tmp_path / "g.yaml").write_text("seeds: [0]\n")
    with pytest.raises(ValueError, match=".toml or .json"):
        load_grid(tmp_path / "g.yaml")
