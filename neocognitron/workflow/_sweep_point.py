"""Running one point of a sweep, in whatever process a worker gives it.

Part of :mod:`neocognitron.workflow.sweep`. :func:`run_point` never raises for a failing point: it
returns an error record, so that one bad point neither stops a joblib pool nor is lost
by a Dask client, and the parent records it like any other result.
"""

import functools
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import traceback
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ._sweep_grid import _canonical, is_number, resolve_estimator
from .results import now as _now

__all__ = ["run_point", "error_record", "limit_threads", "load_data"]

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "NUMBA_NUM_THREADS")


@contextmanager
def limit_threads(n):
    """Cap BLAS/OpenMP and numba threads at ``n`` (``None``: leave them alone).

    Every point of a sweep runs under the same cap whether serial, in a joblib worker or
    on a Dask worker, so that kernels split their work the same way and give the same
    numbers; and ``n_jobs`` workers of ``n`` threads each do not oversubscribe the cores.
    numba's setting is per thread, so threaded Dask workers do not disturb each other.
    """
    if n is None:
        yield
        return
    import numba
    from threadpoolctl import threadpool_limits

    before = numba.get_num_threads()
    numba.set_num_threads(max(1, min(int(n), numba.config.NUMBA_NUM_THREADS)))
    try:
        with threadpool_limits(limits=int(n)):
            yield
    finally:
        numba.set_num_threads(before)


@functools.lru_cache(maxsize=4)
def _load_data_cached(key):
    data = json.loads(key)
    if data["name"] == "digits":
        from sklearn.model_selection import train_test_split

        from ..datasets import load_digits_images

        X, y = load_digits_images()
        X = X.reshape(len(X), -1)
        test = data.get("test_size", 0.25 if "train_size" not in data else None)
        X, Xt, y, yt = train_test_split(X, y, train_size=data.get("train_size"), test_size=test,
                                        stratify=y, random_state=data.get("split_seed", 0))
    else:
        from ..datasets import load_mnist

        home, download = data.get("data_home"), data.get("download", True)
        X, y = load_mnist("train", data_home=home, download=download)
        Xt, yt = load_mnist("test", data_home=home, download=download)
        X, y = X[: data.get("train_size")], y[: data.get("train_size")]
        Xt, yt = Xt[: data.get("test_size")], yt[: data.get("test_size")]
        X, Xt = X.reshape(len(X), -1), Xt.reshape(len(Xt), -1)
    arrays = tuple(np.ascontiguousarray(a) for a in (X, y, Xt, yt))
    for a in arrays:
        # shared by every point this process runs: an estimator writing into its input
        # would change the data of the next point, so it must fail loudly instead
        a.setflags(write=False)
    return arrays


def load_data(data):
    """``X, y, X_test, y_test`` of a ``[data]`` table, images flattened to rows.

    Cached per process: a worker loads the data set once for all its points. ``digits``
    is scikit-learn's 8x8 digits split by ``train_test_split`` (stratified,
    ``split_seed``, default 0: the same split for every seed, so the seeds measure the
    model's own randomness); ``mnist`` takes the first ``train_size`` training and the first
    ``test_size`` test digits.
    """
    return _load_data_cached(_canonical(data))


def _tuples(v):
    """TOML and JSON have no tuples; scikit-learn parameters are conventionally tuples."""
    if isinstance(v, list):
        return tuple(_tuples(x) for x in v)
    if isinstance(v, dict):
        return {k: _tuples(x) for k, x in v.items()}
    return v


def _run_estimator(spec, params, seed):
    from sklearn.metrics import get_scorer

    cls = resolve_estimator(spec.target)
    kwargs = _tuples({**spec.params, **params})
    if "random_state" in cls().get_params():
        kwargs["random_state"] = seed
    est = cls(**kwargs)
    X, y, Xt, yt = load_data(spec.data)
    t0 = time.perf_counter()
    est.fit(X, y)
    fit_time = time.perf_counter() - t0
    metrics = {}
    t0 = time.perf_counter()
    for name in spec.metrics:
        split, _, scorer = name.partition("_")
        if split in ("train", "test"):
            Xs, ys = (X, y) if split == "train" else (Xt, yt)
            metrics[name] = float(get_scorer(scorer)(est, Xs, ys))
    score_time = time.perf_counter() - t0
    for name, value in (("fit_time", fit_time), ("score_time", score_time)):
        if name in spec.metrics:
            metrics[name] = value
    return {name: metrics[name] for name in spec.metrics}, {"n_train": len(y), "n_test": len(yt)}


def _flags(params):
    """Parameters as command-line flags: ``a_b=1`` -> ``--a-b 1``; ``true`` -> ``--a-b``;
    ``false`` and ``null`` -> nothing; a list -> ``--a-b v1 v2`` (argparse ``nargs``)."""
    out = []
    for key, v in params.items():
        flag = "--" + key.replace("_", "-")
        if v is True:
            out.append(flag)
        elif v is False or v is None:
            continue
        elif isinstance(v, list):
            out += [flag, *(str(x) for x in v)]
        else:
            out += [flag, str(v)]
    return out


def _dig(results, dotted):
    value = results
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(f"results.json has no {dotted!r}")
        value = value[part]
    return value


def _numbers(results, prefix=""):
    """Every finite number of a results.json (lists excluded), by dotted path."""
    out = {}
    for k, v in results.items():
        if isinstance(v, dict):
            out.update(_numbers(v, f"{prefix}{k}."))
        elif is_number(v):
            out[f"{prefix}{k}"] = v
    return out


def _run_script(spec, params, seed, run_dir, threads):
    if run_dir is None:
        raise ValueError("a script target needs a run folder")
    run_dir = Path(run_dir)
    # a point killed mid-run may have left partial output: never read it back as results
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    cmd = [sys.executable, spec.script_path, "--out", str(run_dir), "--seed", str(seed),
           *spec.args, *_flags({**spec.params, **params})]
    env = dict(os.environ)
    if threads is not None:
        env.update({v: str(threads) for v in _THREAD_VARS})
    with open(run_dir / "log.txt", "wb") as log:
        try:
            proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                                  timeout=spec.timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise TimeoutError(f"{Path(spec.script_path).name} ran past the "
                               f"{spec.timeout:g} s timeout; log: {run_dir / 'log.txt'}") from exc
    if proc.returncode != 0:
        tail = (run_dir / "log.txt").read_text(errors="replace").strip().splitlines()[-15:]
        # the last line of the log first: it usually says what went wrong, and the first
        # line of an error is what the summary and the console show
        raise RuntimeError(f"{Path(spec.script_path).name} exited with code {proc.returncode}"
                           f": {tail[-1] if tail else '(no output)'}\nlog "
                           f"{run_dir / 'log.txt'} ends with:\n" + "\n".join(tail))
    results = json.loads((run_dir / "results.json").read_text())
    if spec.metrics:
        return {m: _dig(results, m) for m in spec.metrics}, {"command": cmd}
    return _numbers(results), {"command": cmd}


def _jsonable(v):
    """Metrics as plain JSON: numpy scalars to Python, NaN and inf to ``None`` (JSON has no
    NaN, and a point must not be lost for one undefined score)."""
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v


def _base(spec, point):
    return {"key": point.key, "params": point.params, "seed": point.seed,
            "target": spec.target, "host": socket.gethostname(), "pid": os.getpid()}


def error_record(spec, point, exc, tb=None, start=None, wall=None):
    """The record of a point that failed with ``exc`` (also used by the parent for a
    worker that died)."""
    return {**_base(spec, point), "status": "error",
            "error": f"{type(exc).__name__}: {exc}",
            "traceback": tb or "".join(traceback.format_exception(exc)),
            "start_time": start or _now(), "end_time": _now(), "wall_time": wall}


def run_point(spec, point, threads=1, run_dir=None):
    """Run one point of ``spec`` and return its record (a JSON-able dict).

    Parameters
    ----------
    spec : SweepSpec
    point : Point
    threads : int or None, default=1
        BLAS and numba threads of this point (see :func:`limit_threads`).
    run_dir : path, optional
        Output folder of a script target (``--out``); emptied first.

    Returns
    -------
    dict
        ``status`` ``"ok"`` with ``metrics``, or ``"error"`` with ``error`` and
        ``traceback``; always ``params``, ``seed``, ``host``, ``start_time``, ``end_time``
        (UTC, ISO 8601) and ``wall_time`` (seconds).
    """
    start, t0 = _now(), time.perf_counter()
    try:
        with limit_threads(threads):
            if spec.kind == "estimator":
                metrics, info = _run_estimator(spec, point.params, point.seed)
            else:
                metrics, info = _run_script(spec, point.params, point.seed, run_dir, threads)
    except Exception as exc:
        return error_record(spec, point, exc, start=start, wall=time.perf_counter() - t0)
    return {**_base(spec, point), "status": "ok", "metrics": _jsonable(metrics), **info,
            "start_time": start, "end_time": _now(), "wall_time": time.perf_counter() - t0,
            "threads": threads}
