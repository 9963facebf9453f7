"""Where a result came from: ``run.json`` beside every experiment's outputs, and the saved
outputs a figure is redrawn from.

``run.json`` records the command line, the seeds, the git commit (and whether the tree had
uncommitted changes), the versions of the packages that compute the numbers, the machine,
the start and end time (ISO 8601, UTC) and the wall time of every named stage. It is
written when the run starts, again when each stage starts and ends, and when the run ends,
always atomically, so that a run killed half way leaves a valid file saying which stages
finished and ``"status": "running"``; a run that raises leaves ``"status": "failed"`` with
the error (the exception is re-raised)::

    from neocognitron.workflow import provenance

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
                  is not a checkout. The saved outputs themselves (``docs/results/``,
                  ``docs/figures/``) do not make a tree dirty: regenerating one experiment
                  must not taint the record of the next
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

One output folder, one experiment: a run holds a lock on its folder
(:class:`~neocognitron.workflow.results.FolderLock`) and refuses a folder in use by another process
(:class:`~neocognitron.workflow.results.FolderInUseError`) or one holding the outputs of another
experiment, a sweep, or results with no ``run.json`` saying where they came from
(:class:`~neocognitron.workflow.results.ForeignFolderError`); either message is one line naming the
owner. A rerun of the same script into its own folder replaces its results, which is how
they are regenerated. The saved results in the checkout's ``docs/results/`` come only from
clean commits: a run into them from a tree with uncommitted changes is refused
(:class:`DirtyTreeError`), so that every ``run.json`` there names a commit holding the code.

Replotting: an experiment writes ``results.json`` (every number) and, when a figure needs
arrays that are not numbers to read (learned weights, layer responses, images),
``figures.npz``; :func:`load_outputs` reads both back for ``--replot``, declared with
:func:`add_replot_option` and run with :func:`run_replot`. The experiment scripts do all
of this through :class:`neocognitron.workflow.outputs.Outputs`, which saves a run's files
and redraws its figures from them with one drawing function::

    OUTPUTS = Outputs(draw)                        # draw(results, arrays) -> {name: figure}
    OUTPUTS.add_replot_option(parser)
    args = parser.parse_args(argv)
    if args.replot is not None:
        return OUTPUTS.replot(parser, args.replot, args.out)
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
from importlib import metadata
from pathlib import Path

from .._version import __version__
from ._replot import MissingOutputError, add_replot_option, load_outputs, run_replot, save_arrays
from .results import FolderInUseError, FolderLock, ForeignFolderError, write_json
from .results import now as _now

__all__ = ["Run", "git_info", "versions", "machine", "save_arrays", "load_outputs",
           "MissingOutputError", "ForeignFolderError", "DirtyTreeError", "add_replot_option",
           "run_replot"]

SCHEMA = 1
#: Distributions whose versions are recorded (besides Python and this package).
PACKAGES = ("numpy", "numba", "scipy", "scikit-learn", "matplotlib")
#: Environment variables recorded when set: they change the threads or the data used.
ENVIRONMENT = ("NUMBA_NUM_THREADS", "NUMBA_THREADING_LAYER", "OMP_NUM_THREADS",
               "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NEOCOGNITRON_DATA",
               "PYTHONHASHSEED")
#: The git executable (tests point it elsewhere to play "git is not installed").
GIT = "git"
#: The folder holding the package: the top of the checkout in an editable install.
ROOT = Path(__file__).resolve().parents[2]
#: Folders of a checkout holding saved outputs, not code (see ``git`` in the schema).
OUTPUTS = ("docs/results", "docs/figures")


class DirtyTreeError(ValueError):
    """A run into the checkout's saved results (``docs/results/``) from a tree with
    uncommitted changes: its ``run.json`` would name a commit that lacks the code."""


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
        status = run("status", "--porcelain", "--", ".",
                     *(f":(exclude){p}" for p in OUTPUTS)).splitlines()
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
    parser : argparse.ArgumentParser, optional
        The script's parser: a refused folder then ends the program through it (``prog:
        error: ...``, exit status 2), as a bad argument does, instead of raising.

    Use as a context manager; ``stage(name)`` times a named step. A ``Run`` records once:
    entering it a second time raises ``RuntimeError``. Entering it locks ``out_dir`` until
    the run ends; it raises :class:`~neocognitron.workflow.results.FolderInUseError` if another
    process holds it, :class:`~neocognitron.workflow.results.ForeignFolderError` if it holds what
    another experiment or a sweep wrote (see the module docstring).
    """

    def __init__(self, out_dir, argv=None, seeds=None, script=None, filename="run.json",
                 root=None, parser=None):
        self.path = Path(out_dir) / filename
        self._parser, self._lock = parser, None
        self._root = ROOT if root is None else Path(root)
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

    def summary(self):
        """The package version and machine an experiment repeats in its ``results.json``
        (kept for readers of older results; ``run.json`` is the record of provenance)."""
        return {"neocognitron_version": __version__,
                "machine": {"cpus": self.record["machine"]["cpu_count"],
                            "python": self.record["versions"]["python"]}}

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
        command = self.record["command"]
        lock = FolderLock(self.path.parent, command["script"] or "a run", command["line"])
        try:
            _check_clean(self.path.parent, self.record["git"], self._root)
            lock.__enter__()  # held until the run ends (__exit__)
            try:
                _check_owner(self.path, command["script"])
                self._t0 = time.perf_counter()
                self.record["started"] = _now()
                self.write()
            except BaseException:
                lock.release()
                raise
        except (FolderInUseError, ForeignFolderError, DirtyTreeError) as exc:
            if self._parser is None:
                raise
            self._parser.exit(2, f"{self._parser.prog}: error: {exc}\n")
        self._lock = lock
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
        try:
            self.write()
        finally:
            self._lock.release()
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


def _check_clean(folder, git, root=ROOT):
    """Raise :class:`DirtyTreeError` if ``folder`` lies in ``root/docs/results`` and the
    tree (``git``, from :func:`git_info`) has uncommitted changes or is no checkout."""
    saved = (Path(root) / OUTPUTS[0]).resolve()
    if not Path(folder).resolve().is_relative_to(saved) or git["dirty"] is False:
        return
    changed = ", ".join(git["changed_files"][:5]) or "git could not tell"
    raise DirtyTreeError(f"{folder} holds saved results, which come only from clean commits: "
                         f"commit first (uncommitted: {changed})")


def _check_owner(record, script):
    """Raise :class:`ForeignFolderError` unless the folder of ``record`` (its ``run.json``)
    is new or was written by ``script`` (the same file name: the checkout may have moved)."""
    folder, why = record.parent, None

    def name(path):
        return None if path is None else Path(path).name

    if (folder / "sweep.json").exists():
        why = "holds a sweep (sweep.json)"
    elif record.exists():
        try:
            old = json.loads(record.read_text(encoding="utf-8"))["command"]["script"]
            if name(old) != name(script):
                why = f"holds the results of {old} (says its {record.name})"
        except (OSError, ValueError, KeyError, TypeError) as exc:
            why = f"holds a {record.name} that is no run record ({type(exc).__name__}: {exc})"
    else:
        found = [n for n in ("results.json", "figures.npz") if (folder / n).exists()]
        if found:
            why = (f"holds {' and '.join(found)} but no {record.name} saying which "
                   "experiment wrote them")
    if why is not None:
        raise ForeignFolderError(f"{folder} {why}; {script or 'this run'} will not write "
                                 "into it: use another output folder")
