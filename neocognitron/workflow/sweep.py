"""Parameter sweeps: seeds x a grid of hyper-parameters, run serially, with joblib, or on a
Dask cluster, resumable after any interruption.

Grid file (TOML or JSON, the same keys)::

    seeds = [0, 1, 2]                      # default [0]
    metrics = ["test_accuracy", "fit_time"]

    [target]
    estimator = "neocognitron.NeocognitronClassifier"   # any estimator class, dotted path
    params = { n_epochs = 1 }              # fixed for every point

    [data]                                 # estimator targets only
    name = "digits"                        # or "mnist" (+ train_size, test_size, data_home)
    test_size = 0.25

    [grid]                                 # cartesian product, as sklearn's ParameterGrid;
    q = [50.0, 100.0]                      # [[grid]] tables (a list) give a union of grids
    max_planes = [[8], [16]]

A target is either an ``estimator`` (given ``random_state=seed``; lists become tuples;
metrics ``fit_time``, ``score_time``, and ``test_``/``train_`` + any scikit-learn scorer
name) or a ``script`` (an experiment of ``experiments/`` by name, or a path), run as
``python SCRIPT --out <point folder> --seed N [args] --param value ...`` (``true`` gives a
bare flag, a list several values) whose ``results.json`` is read back; its ``metrics`` are
dotted paths into that file (default: every number in it), ``timeout`` is in seconds.

Output folder::

    sweep.json                the spec; a rerun must have the same target, data and metrics
    points/<key>.json         one per finished point: params, seed, metrics, wall time,
                              host, start and end time
    points/<key>.error.json   a failed point (retried by the next run)
    runs/<key>/               a script target's own output
    summary.json, summary.md  mean ± std over seeds per setting

``<key>`` is :func:`point_key` of ``(params, seed)``. Each record is written by the parent
process as soon as its point finishes, atomically
(:func:`neocognitron.workflow.results.write_json`), so whatever kills a sweep, a rerun
with the same grid and folder finds every finished point complete, skips it, and runs the
rest: no finished point runs again and none is lost (a point cut off mid-run starts over).
The parent is the only writer (no races between workers), and Dask workers need not share
its file system, except for script targets, whose ``runs/`` folder they write. A lock on the folder
(:class:`neocognitron.workflow.results.FolderLock`) keeps a second sweep, or an experiment, out of
it. A folder whose ``sweep.json`` cannot be read or is no spec, or that holds points
without one, or an experiment's ``run.json``, is refused, never written over.

Same numbers everywhere: each point gets ``random_state=seed`` and runs with the same
number of BLAS and numba threads (``threads``, default 1) in this process, a joblib worker
or a Dask worker, so a point's scores do not depend on where it ran. One thread per point
also keeps ``n_jobs`` workers from oversubscribing the cores.

MNIST (``name = "mnist"``) is read by :func:`neocognitron.datasets.load_mnist` on the
worker, from ``data_home`` or ``$NEOCOGNITRON_DATA``.
"""

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from ._sweep_grid import Point, SweepSpec, load_grid, parse_grid, point_key
from ._sweep_point import error_record, load_data, run_point
from ._sweep_summary import markdown, summarize
from .results import FolderLock, ForeignFolderError, _atomic, write_json

__all__ = ["SweepSpec", "Point", "SweepReport", "load_grid", "parse_grid", "point_key",
           "run_point", "run_sweep", "read_records", "check_folder"]


@dataclass
class SweepReport:
    """What :func:`run_sweep` did and where it wrote it."""

    out: Path
    n_points: int
    n_skipped: int  # finished by an earlier run
    ran: list = field(default_factory=list)  # keys run by this call
    errors: list = field(default_factory=list)  # error records of points still failing
    summary: dict = field(default_factory=dict)
    summary_json: Path | None = None
    summary_md: Path | None = None
    wall_time: float = 0.0

    @property
    def ok(self):
        """Every point of the grid has a result."""
        return not self.errors and self.summary.get("n_done") == self.n_points


def _result_path(out, key):
    return Path(out) / "points" / f"{key}.json"


def _error_path(out, key):
    return Path(out) / "points" / f"{key}.error.json"


def _read(path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def read_records(out, points):
    """Finished and failed records of ``points`` found in ``out``: two dicts by key.

    A point with a valid result file is finished even if an error file remains beside it
    (the parent is killed between writing the result and removing the old error).
    """
    results, errors = {}, {}
    for p in points:
        rec = _read(_result_path(out, p.key))
        if rec and rec.get("key") == p.key and rec.get("status") == "ok":
            results[p.key] = rec
            continue
        err = _read(_error_path(out, p.key))
        if err and err.get("key") == p.key:
            errors[p.key] = err
    return results, errors


def check_folder(spec, out):
    """Raise if ``out`` holds what a different sweep, or anything else, wrote; write nothing.

    :func:`run_sweep` checks this itself, holding the folder's lock; a caller that writes
    into ``out`` before (``experiments/sweep.py`` records its provenance there) checks
    first, so that a folder it is refused leaves untouched.

    Parameters
    ----------
    spec : SweepSpec
    out : str or Path
        The output folder; a missing one is new, and accepted.

    Raises
    ------
    neocognitron.workflow.results.ForeignFolderError
        One line naming the folder and whose it is. A ``sweep.json`` that cannot be read,
        or is no spec, is refused rather than replaced: the folder's points would then be
        filed under a spec they were not computed with.
    """
    why = _foreign(spec, Path(out))
    if why is not None:
        raise ForeignFolderError(f"{why}: use another output folder")


def _foreign(spec, out):
    """What makes ``out`` another's folder, or None when it is new or this sweep's."""
    path = out / "sweep.json"
    if not path.exists():
        if (out / "run.json").exists():
            return f"{out} holds the results of an experiment (run.json), not a sweep"
        if any((out / "points").glob("*.json")):
            return f"{out} holds points but no sweep.json saying which sweep they belong to"
        return None
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"{path} cannot be read ({exc}), so its points belong to no known sweep"
    new = spec.fingerprint()
    if not isinstance(old, dict):
        return f"{path} is not a sweep spec (a JSON {type(old).__name__}, not an object)"
    if set(new) - set(old):
        return f"{path} is not a sweep spec (no {', '.join(sorted(set(new) - set(old)))})"
    diff = [k for k in new if old[k] != _as_json(new[k])]
    if diff:
        return (f"{out} holds a sweep with another {', '.join(diff)}; its results would not "
                "match this grid")
    return None


def _as_json(value):
    """``value`` as it reads back from JSON (tuples become lists)."""
    return json.loads(json.dumps(value))


def _serial(spec, todo, threads, out):
    for p in todo:
        yield run_point(spec, p, threads, Path(out) / "runs" / p.key)


def _joblib(spec, todo, threads, out, n_jobs):
    from joblib import Parallel, delayed

    # generator_unordered hands back each point the moment it finishes, so its file is
    # written then and not when a slower point started earlier completes; batch_size=1 so
    # that no finished point waits in a batch with unfinished ones
    par = Parallel(n_jobs=n_jobs, return_as="generator_unordered", batch_size=1)
    yield from par(delayed(run_point)(spec, p, threads, str(Path(out) / "runs" / p.key))
                   for p in todo)


def _dask(spec, todo, threads, out, scheduler):
    from dask.distributed import Client, as_completed

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler,
                                                                    set_as_default=False)
    try:
        # pure=False: a point rerun after a failure must run again, not be served from
        # the scheduler's memory of an earlier identical task
        futures = {client.submit(run_point, spec, p, threads, str(Path(out) / "runs" / p.key),
                                 pure=False): p for p in todo}
        # the client's own loop: it is not made the default client, so as not to capture
        # the caller's later dask computations
        for fut in as_completed(futures, loop=client.loop):
            try:
                yield fut.result()
            except Exception as exc:  # the worker died (KilledWorker) or could not unpickle
                yield error_record(spec, futures[fut], exc)
            fut.release()
    finally:
        if client is not scheduler:
            client.close()


def run_sweep(grid, out, *, n_jobs=1, scheduler=None, threads=1, quiet=False):
    """Run every point of ``grid`` that has no result in ``out`` yet, then summarise.

    Parameters
    ----------
    grid : str, Path or SweepSpec
        A grid file (see the module docstring) or a spec from :func:`load_grid`.
    out : str or Path
        Output folder; reusing it resumes the sweep.
    n_jobs : int, default=1
        joblib processes on this machine (``-1``: every core); 1 runs in this process.
    scheduler : str or dask.distributed.Client, optional
        Address of a Dask scheduler (``tcp://host:8786``), or a client; the points run on
        its workers. Excludes ``n_jobs``.
    threads : int or None, default=1
        BLAS and numba threads per point. The same value gives the same numbers whatever
        the executor; ``None`` leaves the libraries' defaults.
    quiet : bool, default=False
        No progress bar and no messages on failing points.

    Returns
    -------
    SweepReport
    """
    spec = grid if isinstance(grid, SweepSpec) else load_grid(grid)
    if scheduler is not None and n_jobs not in (1, None):
        raise ValueError("give either n_jobs (joblib on this machine) or scheduler (Dask)")
    # absolute: workers (loky, Dask) may not share this process's working directory
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with FolderLock(out, f"sweep {spec.source}"):
        _prepare_folder(spec, out)
        points = spec.points()
        results, errors = read_records(out, points)
        todo = [p for p in points if p.key not in results]
        report = SweepReport(out=out, n_points=len(points), n_skipped=len(points) - len(todo))
        if todo and spec.kind == "estimator" and scheduler is None:
            load_data(spec.data)  # fail early on missing data, and download it only once
        runs = _executor(spec, todo, threads, out, n_jobs, scheduler)
        bar = tqdm(total=len(points), initial=report.n_skipped, disable=quiet, unit="point",
                   desc=f"sweep {Path(spec.source).stem}")
        with bar:
            for rec in runs:
                _store(spec, out, rec, errors, results, quiet)
                report.ran.append(rec["key"])
                bar.update()
                bar.set_postfix(failed=len(errors), refresh=False)
        _write_summary(report, spec, out, points, results, errors)
    report.wall_time = time.perf_counter() - t0
    return report


def _prepare_folder(spec, out):
    """Check that ``out`` holds this sweep or nothing, write its sweep.json, and remove the
    temporary files of a process killed mid-write."""
    check_folder(spec, out)
    write_json(spec.to_dict(), out / "sweep.json")
    points_dir = out / "points"
    points_dir.mkdir(exist_ok=True)
    for tmp in points_dir.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def _executor(spec, todo, threads, out, n_jobs, scheduler):
    """The records of the points ``todo``, as each finishes: on Dask, with joblib, or here."""
    if scheduler is not None:
        return _dask(spec, todo, threads, out, scheduler)
    if n_jobs in (1, None) or len(todo) <= 1:
        return _serial(spec, todo, threads, out)
    return _joblib(spec, todo, threads, out, n_jobs)


def _write_summary(report, spec, out, points, results, errors):
    """Summarise every point into ``report`` and write summary.json and summary.md."""
    report.summary = summarize(spec, points, results, errors)
    report.errors = list(errors.values())
    report.summary_json = write_json(report.summary, out / "summary.json")
    text = markdown(report.summary)
    report.summary_md = _atomic(out / "summary.md", lambda fh: fh.write(text.encode()))


def _store(spec, out, rec, errors, results, quiet):
    key = rec["key"]
    if rec["status"] == "ok":
        try:
            write_json(rec, _result_path(out, key))
        except (TypeError, ValueError) as exc:  # JSON cannot hold it: a failure, not a crash
            point = Point(key, rec["params"], rec["seed"])
            rec = error_record(spec, point, TypeError(f"its record cannot be written: {exc}"))
    if rec["status"] == "ok":
        # after the result, so that a kill in between leaves a finished point, not a lost one
        _error_path(out, key).unlink(missing_ok=True)
        errors.pop(key, None)
        results[key] = rec
        return
    rec["attempt"] = errors[key].get("attempt", 1) + 1 if key in errors else 1
    write_json(rec, _error_path(out, key))
    errors[key] = rec
    if not quiet:
        tqdm.write(f"point {key} {rec['params']} seed {rec['seed']} failed: "
                   f"{rec['error'].splitlines()[0]}")
