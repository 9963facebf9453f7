"""Parameter sweeps (neocognitron.workflow.sweep, experiments/sweep.py) give the same numbers
serially, with joblib and on a Dask cluster, and scikit-learn's GridSearchCV runs on the
Dask joblib backend. Everything runs on loopback with fixed seeds."""

import json
import logging
import os

import numpy as np
import pytest

distributed = pytest.importorskip("dask.distributed")

from mnist_home import load_experiment  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sweep_cases import point_results, write_grid  # noqa: E402

from neocognitron import NeocognitronClassifier  # noqa: E402
from neocognitron.datasets import load_digits_images  # noqa: E402
from neocognitron.workflow.sweep import load_grid, point_key, run_sweep  # noqa: E402

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


@pytest.fixture(scope="module")
def cluster():
    # processes=True: the points cross a process boundary (pickling, a fresh numba and
    # BLAS in each worker) as on a real cluster
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  silence_logs=logging.ERROR) as c:
        yield c


def test_same_numbers_serial_joblib_and_dask(tmp_path, cluster, capsys):
    grid = write_grid(tmp_path, NEOCOGNITRON_GRID)
    serial = run_sweep(grid, tmp_path / "serial", quiet=True)
    pool = run_sweep(grid, tmp_path / "joblib", n_jobs=2, quiet=True)
    status = load_experiment("sweep").main([str(grid), "--out", str(tmp_path / "dask"),
                                            "--scheduler", cluster.scheduler_address,
                                            "--quiet"])
    assert status == 0
    assert str((tmp_path / "dask" / "summary.md").resolve()) in capsys.readouterr().out
    assert serial.ok and pool.ok and len(serial.ran) == len(pool.ran) == 8

    runs = {name: point_results(tmp_path / name) for name in ("serial", "joblib", "dask")}
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
