"""Where a result came from: ``run.json`` beside every experiment's outputs, and the saved
outputs a figure is redrawn from.

``run.json`` records the command line, the seeds, the git commit (and whether the tree had
uncommitted changes), the versions of the packages that compute the numbers, the machine,
the start and end time (ISO 8601, UTC) and the wall time of every named stage. It is
written when the run starts, again when each stage starts and ends, and when the run ends,
always atomically, so that a run killed half way leaves a valid file saying which stages
finished and ``"status": "running"``; a run that raises leaves ``"status": "failed"`` with
the error (the exception is re-raised)::

    from neocognitron import provenance

    with provenance.Run(out, argv=argv, seeds={"model": 0}, script=__file__) as run:
        with run.stage("load data"):
            X, y = load_mnist("train")
        with run.stage("fit"):
            clf.fit(X, y)

Schema (``"schema": 1``; every key is always present, ``null`` when unknown)::

    status        "running" | "finished" | "failed"
    command       argv (script then arguments), line (a shell command to rerun it),
                  script, python (the interpreter), cwd
    out_dir       the output folder as given
    seeds         what the caller passed as ``seeds`` (any JSON value)
    git           commit (40 hex digits), dirty (bool), changed_files (up to 100 paths,
                  untracked ones included); all null/empty when git is missing or the code
                  is not a checkout
    versions      python, neocognitron, numpy, numba, scipy, scikit-learn, matplotlib
                  (null when not installed)
    machine       hostname, platform, machine, processor, cpu_count (os.cpu_count),
                  cpu_affinity (CPUs this process may run on; null where unsupported),
                  numba_threads
    environment   the variables that change threads or data (NUMBA_NUM_THREADS,
                  OMP_NUM_THREADS, ..., NEOCOGNITRON_DATA) that are set
    started       ISO time, UTC; finished: ISO time or null while running
    wall_seconds  null while running
    stages        [{name, status ("running" | "finished" | "failed"), started, seconds}],
                  in the order they started
    notes         whatever the caller passed to ``Run.note``
    error         null, or {type, message, traceback} when the run failed

Replotting: an experiment writes ``results.json`` (every number) and, when a figure needs
arrays that are not numbers to read (learned weights, layer responses, images),
``figures.npz``; :func:`load_outputs` reads both back for ``--replot``, which every
experiment script declares with :func:`add_replot_option` and runs with :func:`run_replot`::

    add_replot_option(parser)
    args = parser.parse_args(argv)
    if args.replot is not None:
        return run_replot(parser, replot, args.replot, args.out)
"""

import json
import os
import platform
import shlex
import socket
import subprocess
import sys
import time
import traceback
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np

from . import __version__
from .results import _atomic, write_json

__all__ = ["Run", "git_info", "versions", "machine", "save_arrays", "load_outputs",
           "MissingOutputError", "add_replot_option", "run_replot"]

SCHEMA = 1
#: Distributions whose versions are recorded (besides Python and this package).
PACKAGES = ("numpy", "numba", "scipy", "scikit-learn", "matplotlib")
#: Environment variables recorded when set: they change the threads or the data used.
ENVIRONMENT = ("NUMBA_NUM_THREADS", "NUMBA_THREADING_LAYER", "OMP_NUM_THREADS",
               "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NEOCOGNITRON_DATA",
               "PYTHONHASHSEED")
#: The git executable (tests point it elsewhere to play "git is not installed").
GIT = "git"
ROOT = Path(__file__).resolve().parent.parent


def _now():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def git_info(root=None):
    """Commit of the checkout at ``root`` and whether its tree differs from it.

    ``root`` defaults to the folder holding this package, which counts only when it is the
    top of a checkout (an editable install); a copy installed in ``site-packages`` is no
    checkout, even inside one. Never raises: without git, or outside a checkout, ``commit``
    and ``dirty`` are ``None``.
    """
    top_required = root is None
    root = Path(root) if root is not None else ROOT

    def run(*args):
        return subprocess.run([GIT, *args], cwd=root, capture_output=True, text=True,
                              check=True, timeout=30).stdout

    try:
        top = Path(run("rev-parse", "--show-toplevel").strip()).resolve()
        if top_required and top != root.resolve():
            raise subprocess.SubprocessError(f"{root} is not the top of a checkout")
        commit = run("rev-parse", "HEAD").strip()
        status = run("status", "--porcelain").splitlines()
    except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
        return {"commit": None, "dirty": None, "changed_files": []}
    return {"commit": commit or None, "dirty": bool(status),
            "changed_files": [line[3:] for line in status][:100]}


def versions():
    """Versions of Python, this package and the packages it computes with."""
    out = {"python": platform.python_version(), "neocognitron": __version__}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def machine():
    """Host name, platform and how many CPUs there are and this process may use."""
    try:
        affinity = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on macOS and Windows
        affinity = None
    try:
        import numba

        threads = int(numba.config.NUMBA_NUM_THREADS)
    except Exception:  # provenance never breaks a run
        threads = None
    return {"hostname": socket.gethostname(), "platform": platform.platform(),
            "machine": platform.machine(), "processor": platform.processor() or None,
            "cpu_count": os.cpu_count(), "cpu_affinity": affinity, "numba_threads": threads}


def _command(argv, script):
    args = [str(a) for a in (sys.argv[1:] if argv is None else argv)]
    script = script if script is not None else (sys.argv[0] or None)
    if script is not None:
        path = Path(script).resolve()
        try:  # relative to the working directory when below it: shorter, and rerunnable
            script = str(path.relative_to(Path.cwd()))
        except ValueError:
            script = str(path)
    full = ([script] if script else []) + args
    return {"argv": full, "line": shlex.join(["python", *full]), "script": script,
            "python": sys.executable, "cwd": os.getcwd()}


class Run:
    """Record one run of an experiment in ``out_dir/run.json`` (see the module docstring).

    Parameters
    ----------
    out_dir : str or Path
        The experiment's output folder (made if missing).
    argv : list of str, optional
        The arguments the script was given (what ``main(argv)`` received); default
        ``sys.argv[1:]``.
    seeds : JSON value, optional
        Every seed the run uses, e.g. ``{"model": 0, "test_subset": [0, 2003]}``.
    script : str or Path, optional
        The script (pass ``__file__``); default ``sys.argv[0]``.
    filename : str
        Name of the record in ``out_dir``.
    root : str or Path, optional
        Where to ask git for the commit; default the checkout holding this package.

    Use as a context manager; ``stage(name)`` times a named step. A ``Run`` records once:
    entering it a second time raises ``RuntimeError``.
    """

    def __init__(self, out_dir, argv=None, seeds=None, script=None, filename="run.json",
                 root=None):
        self.path = Path(out_dir) / filename
        self.record = {
            "schema": SCHEMA,
            "status": "running",
            "command": _command(argv, script),
            "out_dir": str(out_dir),
            "seeds": seeds,
            "git": git_info(root),
            "versions": versions(),
            "machine": machine(),
            "environment": {k: os.environ[k] for k in ENVIRONMENT if k in os.environ},
            "started": None,
            "finished": None,
            "wall_seconds": None,
            "stages": [],
            "notes": {},
            "error": None,
        }
        self._t0 = None
        self._done = False

    # ------------------------------------------------------------------ state
    @property
    def status(self):
        return self.record["status"]

    @property
    def stages(self):
        """``{name: seconds}`` of the finished stages (the last one of a repeated name)."""
        return {s["name"]: s["seconds"] for s in self.record["stages"]
                if s["status"] == "finished"}

    def note(self, **fields):
        """Add JSON-serialisable facts to ``notes`` (written with the next update)."""
        self.record["notes"].update(fields)
        if self._t0 is not None and not self._done:
            self.write()

    def write(self):
        """Write ``run.json`` now (atomically)."""
        return write_json(self.record, self.path)

    # ------------------------------------------------------------------ context
    def __enter__(self):
        if self._t0 is not None:
            raise RuntimeError("a Run records one run; make a new Run")
        self._t0 = time.perf_counter()
        self.record["started"] = _now()
        self.write()
        return self

    def __exit__(self, exc_type, exc, tb):
        self._done = True
        self.record["finished"] = _now()
        self.record["wall_seconds"] = round(time.perf_counter() - self._t0, 3)
        if exc_type is None:
            self.record["status"] = "finished"
        else:
            self.record["status"] = "failed"
            self.record["error"] = {
                "type": exc_type.__name__,
                "message": str(exc),
                "traceback": "".join(traceback.format_exception(exc_type, exc, tb))[-20000:],
            }
        self.write()
        return False  # never swallow the exception

    @contextmanager
    def stage(self, name):
        """Time the block as stage ``name``; ``run.json`` is rewritten as it starts and ends."""
        if self._t0 is None or self._done:
            raise RuntimeError("Run.stage is used inside `with Run(...) as run:`")
        entry = {"name": str(name), "status": "running", "started": _now(), "seconds": None}
        self.record["stages"].append(entry)
        self.write()
        t0 = time.perf_counter()
        try:
            yield entry
        except BaseException:
            entry["status"] = "failed"
            raise
        else:
            entry["status"] = "finished"
        finally:
            entry["seconds"] = round(time.perf_counter() - t0, 3)
            self.write()


# ---------------------------------------------------------------------- saved outputs
class MissingOutputError(FileNotFoundError):
    """A folder given to ``--replot`` lacks what the figures are drawn from."""


class _Arrays(dict):
    """The arrays of ``figures.npz``; a missing name says which file lacks it."""

    def __init__(self, data, path):
        super().__init__(data)
        self.path = path

    def __missing__(self, key):
        raise MissingOutputError(
            f"{self.path} has no array {key!r}: it was written by another version of the "
            "experiment; run the experiment again to refresh it")


def save_arrays(path, **arrays):
    """Write ``arrays`` to a compressed ``.npz`` atomically. Only plain numeric, boolean or
    string arrays (no objects), so that it loads with ``allow_pickle=False``."""
    arrays = {k: np.asarray(v) for k, v in arrays.items()}
    for k, v in arrays.items():
        if v.dtype.hasobject:
            raise TypeError(f"array {k!r} holds Python objects; save numbers or strings")
    return _atomic(path, lambda fh: np.savez_compressed(fh, **arrays))


def load_outputs(folder, arrays="figures.npz", results="results.json"):
    """Read what an experiment saved in ``folder``, for redrawing its figures.

    Returns ``(results, arrays)``: the parsed ``results.json`` and a dict of the arrays in
    ``figures.npz`` (loaded with ``allow_pickle=False``; ``{}`` when ``arrays`` is None).
    Raises :class:`MissingOutputError` (a ``FileNotFoundError``) naming the missing file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise MissingOutputError(f"{folder} is not a folder: give --replot the output "
                                 "folder of a run of this experiment")
    rpath = folder / results
    if not rpath.is_file():
        raise MissingOutputError(
            f"{folder} has no {results}: --replot redraws figures from the {results} (and "
            f"{arrays or 'nothing else'}) a run of this experiment wrote; run it first")
    with open(rpath, encoding="utf-8") as fh:
        res = json.load(fh)
    if arrays is None:
        return res, _Arrays({}, folder / "figures.npz")
    apath = folder / arrays
    if not apath.is_file():
        raise MissingOutputError(
            f"{folder} has {results} but no {arrays} (the arrays some figures need); it "
            "was written by an older version of the experiment: run it again")
    with np.load(apath, allow_pickle=False) as npz:
        data = {k: npz[k] for k in npz.files}
    return res, _Arrays(data, apath)


def add_replot_option(parser, draws="the figures", source="the results.json and figures.npz",
                      skips="no data, no training"):
    """Give an experiment's parser the ``--replot DIR`` option.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The experiment's parser; it should also have ``--out`` (where to redraw).
    draws : str
        What is redrawn, for the help text.
    source : str
        What it is redrawn from, for the help text.
    skips : str
        What the redrawing does without, for the help text.

    Returns
    -------
    action : argparse.Action
        The option added; ``args.replot`` is the folder, or ``None`` when not given.
    """
    return parser.add_argument(
        "--replot", metavar="DIR", default=None,
        help=f"redraw {draws} from {source} in DIR ({skips}) into --out")


def run_replot(parser, replot, folder, out, noun="figures"):
    """Run an experiment's ``replot(folder, out)`` for ``--replot`` and say what it drew.

    Prints ``redrew N <noun> from <folder>/ into <out>/: <names>`` (both folders absolute).

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The experiment's parser, to exit through.
    replot : callable
        ``replot(folder, out)`` redraws from ``folder`` into ``out`` (``None``: into
        ``folder``) and returns the paths written (at least one).
    folder : str or Path
        The folder given to ``--replot``.
    out : str or Path or None
        The folder given to ``--out``.
    noun : str
        What the written files are, in the printed line.

    Returns
    -------
    written : list of Path
        What ``replot`` returned.

    Raises
    ------
    SystemExit
        With code 2 and ``<prog>: error: <message>`` on stderr (as ``parser.error`` does)
        when ``folder`` lacks what ``replot`` needs (:class:`MissingOutputError`).
    """
    try:
        written = replot(folder, out)
    except MissingOutputError as e:
        parser.exit(2, f"{parser.prog}: error: {e}\n")
    print(f"redrew {len(written)} {noun} from {Path(folder).resolve()}/ into "
          f"{written[0].parent.resolve()}/: " + ", ".join(p.name for p in written))
    return written
