"""Sweep grid files: reading, validation, and the points they expand to.

Part of :mod:`neocognitron.workflow.sweep`; the format is described there. Everything a sweep runs
is decided here, in the parent process, so that a bad file fails before any worker starts
and with a message naming the offending key.
"""

import hashlib
import importlib
import inspect
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from sklearn.metrics import get_scorer_names
from sklearn.model_selection import ParameterGrid

__all__ = ["SweepSpec", "Point", "load_grid", "parse_grid", "point_key"]

_TOP_KEYS = ("seeds", "metrics", "target", "data", "grid")
_TARGET_KEYS = ("estimator", "script", "params", "args", "timeout")
_DATA_KEYS = {
    "digits": ("name", "train_size", "test_size", "split_seed"),
    "mnist": ("name", "train_size", "test_size", "data_home", "download"),
}
_TIMES = ("fit_time", "score_time")
DEFAULT_METRICS = ("test_accuracy", "fit_time")


class Point(NamedTuple):
    """One run of a sweep: grid parameters and a seed, named by :func:`point_key`."""

    key: str
    params: dict
    seed: int


def _canonical(obj):
    # sorted keys and no whitespace: the same values give the same bytes in every process
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)


def point_key(params, seed):
    """A stable name for a point: 16 hex digits of the SHA-256 of ``(params, seed)``.

    Stable across processes, machines and Python versions (it hashes canonical JSON, not
    ``hash()``), so a rerun finds the files of the points already done.
    """
    text = _canonical({"params": params, "seed": int(seed)})
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: what to run (``target``), on which points (``grid`` x ``seeds``).

    Build it with :func:`load_grid` or :func:`parse_grid`, not by hand.
    """

    kind: str  # "estimator" or "script"
    target: str  # dotted path of the estimator, or the script as written in the file
    script_path: str | None  # absolute path of a script target
    params: dict  # fixed parameters of every point
    args: tuple  # fixed extra command-line arguments of a script target
    timeout: float | None
    data: dict | None
    metrics: tuple  # empty for a script target: every number of its results.json
    grid: list = field(default_factory=list)  # ParameterGrid's input: a list of dicts
    seeds: tuple = (0,)
    source: str = "<dict>"

    def points(self):
        """Every point, in grid order and seed order within a setting, each once (a list
        of grids may overlap; a point listed twice would run twice)."""
        points = {}
        for p in ParameterGrid(self.grid):
            for s in self.seeds:
                points.setdefault(point_key(p, s), Point(point_key(p, s), p, s))
        return list(points.values())

    def fingerprint(self):
        """What must match for an output folder to be reused: all but the grid and seeds.

        Points are named by ``(params, seed)`` only, so a folder can grow by new seeds or
        grid values; a different target, data set or metric would make its files wrong.
        """
        return {"kind": self.kind, "target": self.target, "params": self.params,
                "args": list(self.args), "data": self.data, "metrics": list(self.metrics)}

    def to_dict(self):
        """The spec as plain JSON-able data (written to the output folder's sweep.json)."""
        return {**self.fingerprint(), "script_path": self.script_path,
                "timeout": self.timeout, "grid": self.grid, "seeds": list(self.seeds),
                "source": self.source}


def _read(path):
    path = Path(path)
    if path.suffix == ".json":
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    if path.suffix == ".toml":
        try:
            import tomllib
        except ModuleNotFoundError:  # Python 3.10
            import tomli as tomllib
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    raise ValueError(f"{path}: a grid file must end in .toml or .json")


def load_grid(path):
    """Read and validate a grid file (``.toml`` or ``.json``).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    SweepSpec

    Raises
    ------
    ValueError
        On an unknown or malformed key (named in the message), an unknown target or
        metric, or a file that is not TOML or JSON.
    """
    path = Path(path).resolve()
    try:
        raw = _read(path)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not valid JSON: {exc}") from exc
    except Exception as exc:
        if type(exc).__name__ == "TOMLDecodeError":
            raise ValueError(f"{path}: not valid TOML: {exc}") from exc
        raise
    return parse_grid(raw, source=str(path), base=path.parent)


def _fail(source, where, msg):
    raise ValueError(f"{source}: {where} {msg}")


def _check_keys(source, where, table, allowed):
    if not isinstance(table, dict):
        _fail(source, where, f"must be a table (mapping), got {type(table).__name__}")
    for key in table:
        if key not in allowed:
            _fail(source, where, f"has an unknown key {key!r} (expected one of "
                                 f"{', '.join(allowed)})")


def _check_value(source, where, value):
    """Grid values must survive a JSON round trip: they name the point's file."""
    try:
        _canonical(value)
    except (TypeError, ValueError) as exc:
        _fail(source, where, f"holds a value JSON cannot represent exactly ({exc})")


def resolve_estimator(dotted):
    """The estimator class named by ``package.module.Class``; ValueError if there is none."""
    module, _, name = dotted.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module), name) if module else None
    except ImportError as exc:
        raise ValueError(f"unknown target estimator {dotted!r}: {exc}") from exc
    except AttributeError:
        cls = None
    if not (inspect.isclass(cls) and hasattr(cls, "fit") and hasattr(cls, "get_params")):
        raise ValueError(f"unknown target estimator {dotted!r}: not a scikit-learn estimator "
                         "class (give its dotted path, e.g. 'neocognitron.ConvNetClassifier')")
    return cls


def _resolve_script(source, script, base):
    """A script target: a path (absolute, or relative to the grid file or the working
    directory), or the bare name of one of ``experiments/`` found above the grid file."""
    p = Path(script).expanduser()
    tries = [p] if p.is_absolute() else [base / p, Path.cwd() / p]
    if p.suffix != ".py" and len(p.parts) == 1:
        tries += [d / "experiments" / f"{script}.py" for d in (base, *base.parents, Path.cwd())]
    for t in tries:
        if t.is_file():
            return str(t.resolve())
    _fail(source, "[target] script", f"is an unknown target {script!r}: no such file "
                                     f"(looked at {', '.join(str(t) for t in tries[:4])} ...)")


def _check_size(source, where, v, fraction_ok):
    whole = isinstance(v, int) and not isinstance(v, bool) and v >= 1
    fraction = fraction_ok and isinstance(v, float) and 0 < v < 1
    if not (whole or fraction):
        also = " or a fraction in (0, 1)" if fraction_ok else ""
        _fail(source, where, f"must be a positive count{also}, got {v!r}")


def _parse_data(source, data):
    if data is None:
        _fail(source, "[data]", "is required for an estimator target (name = 'digits' or "
                                "'mnist')")
    if not isinstance(data, dict):
        _fail(source, "[data]", f"must be a table (mapping), got {type(data).__name__}")
    name = data.get("name")
    if name not in _DATA_KEYS:
        _fail(source, "[data] name", f"must be one of {', '.join(_DATA_KEYS)}, got {name!r}")
    _check_keys(source, "[data]", data, _DATA_KEYS[name])
    for key in ("train_size", "test_size"):
        if key in data:
            _check_size(source, f"[data] {key}", data[key], fraction_ok=name == "digits")
    if "split_seed" in data and (isinstance(data["split_seed"], bool)
                                 or not isinstance(data["split_seed"], int)):
        _fail(source, "[data] split_seed", f"must be an integer, got {data['split_seed']!r}")
    if "download" in data and not isinstance(data["download"], bool):
        _fail(source, "[data] download", f"must be true or false, got {data['download']!r}")
    if "data_home" in data and not isinstance(data["data_home"], str):
        _fail(source, "[data] data_home", f"must be a string, got {data['data_home']!r}")
    return dict(data)


def _parse_metrics(source, metrics, kind):
    if metrics is None:
        return DEFAULT_METRICS if kind == "estimator" else ()
    if isinstance(metrics, str) or not isinstance(metrics, list) or not all(
            isinstance(m, str) and m for m in metrics):
        _fail(source, "metrics", f"must be a list of names, got {metrics!r}")
    if kind == "estimator":
        scorers = set(get_scorer_names())
        for m in metrics:
            split, _, scorer = m.partition("_")
            if m not in _TIMES and not (split in ("train", "test") and scorer in scorers):
                _fail(source, "metrics", f"has an unknown metric {m!r} (expected fit_time, "
                                         "score_time, or test_/train_ + a scikit-learn "
                                         "scorer name, e.g. test_accuracy)")
    if len(set(metrics)) != len(metrics):
        _fail(source, "metrics", f"names a metric twice: {metrics!r}")
    return tuple(metrics)


def _parse_grid_tables(source, grid, reserved, valid):
    tables = grid if isinstance(grid, list) else [grid]
    if not tables:
        _fail(source, "[grid]", "must not be an empty list")
    for i, table in enumerate(tables):
        where = "[grid]" if isinstance(grid, dict) else f"[[grid]] #{i + 1}"
        if not isinstance(table, dict):
            _fail(source, where, f"must be a table (mapping), got {type(table).__name__}")
        for key, values in table.items():
            if key in reserved:
                _fail(source, f"{where} {key!r}", f"is set by the sweep itself ({reserved[key]})")
            if valid is not None and key not in valid:
                _fail(source, f"{where} {key!r}", f"is not a parameter of the target (it "
                                                  f"takes {', '.join(sorted(valid))})")
            if not isinstance(values, list) or not values:
                _fail(source, f"{where} {key!r}",
                      f"must be a non-empty list of values, got {values!r}")
            _check_value(source, f"{where} {key!r}", values)
    return [dict(t) for t in tables]


def parse_grid(raw, source="<dict>", base=None):
    """Validate the content of a grid file (already parsed into a dict).

    Parameters
    ----------
    raw : dict
    source : str
        Named in error messages.
    base : Path, optional
        Folder relative script paths start from (the grid file's); default the working
        directory.

    Returns
    -------
    SweepSpec
    """
    base = Path(base) if base is not None else Path.cwd()
    _check_keys(source, "the grid file", raw, _TOP_KEYS)
    kind, name, params, args, timeout = _parse_target(source, raw)
    if kind == "estimator":
        valid, reserved, data, script_path = _estimator_target(source, raw, name, params,
                                                               args, timeout)
    else:
        valid, reserved, data, script_path = _script_target(source, raw, name, params, base)
    seeds = _parse_seeds(source, raw.get("seeds", [0]))
    grid = _parse_grid_tables(source, raw.get("grid", {}), reserved, valid)
    for table in grid:
        for key in table:
            if key in params:
                _fail(source, f"[grid] {key!r}", "is also fixed in [target] params")
    metrics = _parse_metrics(source, raw.get("metrics"), kind)
    return SweepSpec(kind=kind, target=name, script_path=script_path, params=dict(params),
                     args=tuple(args), timeout=None if timeout is None else float(timeout),
                     data=data, metrics=metrics, grid=grid, seeds=tuple(seeds),
                     source=source)


def _parse_target(source, raw):
    """The ``[target]`` table: ``(kind, name, params, args, timeout)``, each checked on its
    own; what depends on the kind is checked by :func:`_estimator_target` or
    :func:`_script_target`."""
    if "target" not in raw:
        _fail(source, "the grid file", "has no [target] table")
    target = raw["target"]
    _check_keys(source, "[target]", target, _TARGET_KEYS)
    kinds = [k for k in ("estimator", "script") if k in target]
    if len(kinds) != 1:
        _fail(source, "[target]", "must name exactly one of 'estimator' (a dotted class path) "
                                  "or 'script' (an experiment script)")
    kind = kinds[0]
    name = target[kind]
    if not isinstance(name, str) or not name:
        _fail(source, f"[target] {kind}", f"must be a non-empty string, got {name!r}")

    params = target.get("params", {})
    _check_keys(source, "[target] params", params, list(params))
    _check_value(source, "[target] params", params)
    args = target.get("args", [])
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        _fail(source, "[target] args", f"must be a list of strings, got {args!r}")
    timeout = target.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int | float)
                                or not timeout > 0):
        _fail(source, "[target] timeout", f"must be a positive number of seconds, got {timeout!r}")
    return kind, name, params, args, timeout


def _estimator_target(source, raw, name, params, args, timeout):
    """An estimator target: ``(valid, reserved, data, script_path)``: the parameter names of
    the estimator, those the sweep sets itself (``random_state``), the ``[data]`` table and
    no script."""
    if args or timeout is not None:
        _fail(source, "[target]", "'args' and 'timeout' apply to script targets only")
    if "data" not in raw:
        _parse_data(source, None)
    try:
        cls = resolve_estimator(name)
    except ValueError as exc:
        raise ValueError(f"{source}: [target] estimator: {exc}") from exc
    valid = set(cls().get_params(deep=True))
    reserved = {"random_state": "from seeds"} if "random_state" in valid else {}
    for key in params:
        if key in reserved:
            _fail(source, f"[target] params {key!r}", "is set by the sweep (from seeds)")
        if key not in valid:
            _fail(source, f"[target] params {key!r}", f"is not a parameter of {name}")
    return valid, reserved, _parse_data(source, raw["data"]), None


def _script_target(source, raw, name, params, base):
    """A script target: ``(valid, reserved, data, script_path)``: any parameter name (None),
    the options the sweep sets itself (``--out``, ``--seed``), no data and the script's
    absolute path."""
    if "data" in raw:
        _fail(source, "[data]", "applies to estimator targets only (a script loads its "
                                "own data; pass its options through [grid] or params)")
    reserved = {"out": "--out <point folder>", "seed": "--seed from seeds"}
    for key in params:
        if key in reserved:
            _fail(source, f"[target] params {key!r}", f"is set by the sweep itself "
                                                      f"({reserved[key]})")
    return None, reserved, None, _resolve_script(source, name, base)


def _parse_seeds(source, seeds):
    if (not isinstance(seeds, list) or not seeds
            or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds)):
        _fail(source, "seeds", f"must be a non-empty list of integers >= 0, got {seeds!r}")
    if len(set(seeds)) != len(seeds):
        _fail(source, "seeds", f"lists a seed twice: {seeds!r}")
    return seeds


def is_number(v):
    """A metric value that can be averaged (bools count as 0/1)."""
    return isinstance(v, bool | int | float) and math.isfinite(v)
