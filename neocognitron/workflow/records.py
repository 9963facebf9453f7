"""Resumable studies: one record per finished piece of work, in the study's output folder.

A study that runs for hours (``experiments/digits_hierarchy.py``) writes each finished
piece (a fit and its measurements) as ``records/<key>.json``, with its arrays beside it as
``records/<key>.npz`` when it has any, as soon as it is finished. The arrays are written
first and the JSON last, each atomically (:func:`~neocognitron.workflow.results.write_json`),
so a record's JSON exists only once the whole record does: a run killed at any moment
leaves every finished record whole and no half of the one it was running, and a rerun
that skips the keys :func:`read_records` finds loses nothing but that one. The study
holds the folder's lock while it writes (:class:`~neocognitron.workflow.provenance.Run`).

:func:`over_seeds` then sums the records up: mean, standard deviation, minimum and maximum
over the seeds of every group of records that differ only in their seed.
"""

import json
import re
from pathlib import Path

import numpy as np

from ._replot import save_arrays
from .results import write_json

__all__ = ["record_path", "write_record", "read_records", "read_record_arrays", "over_seeds"]

_KEY = re.compile(r"[A-Za-z0-9_.=+-]+(/[A-Za-z0-9_.=+-]+)*")


def record_path(folder, key):
    """``folder/records/<key>.json``; ``key`` is one or more names joined by ``/`` (letters,
    digits and ``_ . = + -``; no name of dots only)."""
    if not isinstance(key, str) or not _KEY.fullmatch(key) \
            or any(set(part) == {"."} for part in key.split("/")):
        raise ValueError(f"a record key is names of letters, digits and _.=+- joined by '/', "
                         f"got {key!r}")
    return Path(folder) / "records" / f"{key}.json"


def write_record(folder, key, record, arrays=None):
    """Write one finished record: ``arrays`` (a dict of name -> array, if any) to
    ``<key>.npz``, then ``record`` (a JSON-able dict; its ``"key"`` is set to ``key``) to
    ``<key>.json``. Returns the record as it reads back from the file."""
    path = record_path(folder, key)
    if arrays:
        save_arrays(path.with_suffix(".npz"), **arrays)
    write_json(dict(record, key=key), path)
    return json.loads(path.read_text(encoding="utf-8"))


def read_records(folder):
    """Every finished record in ``folder``, by key (sorted).

    Raises
    ------
    ValueError
        A record whose ``"key"`` is not where it lies (a file moved or renamed by hand),
        or that is no JSON object: the folder is not what a study wrote.
    """
    root = Path(folder) / "records"
    found = {}
    for path in sorted(root.rglob("*.json")):
        key = path.relative_to(root).with_suffix("").as_posix()
        try:
            rec = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ValueError(f"{path} is no JSON record: {exc}") from None
        if not isinstance(rec, dict) or rec.get("key") != key:
            raise ValueError(f"{path} is not the record of {key!r} (it says key "
                             f"{rec.get('key') if isinstance(rec, dict) else None!r})")
        found[key] = rec
    return found


def read_record_arrays(folder, key):
    """The arrays written with record ``key`` (``{}`` if it has none)."""
    path = record_path(folder, key).with_suffix(".npz")
    if not path.is_file():
        return {}
    with np.load(path, allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def over_seeds(records, by, metrics="metrics", seed="seed"):
    """Mean, standard deviation, minimum and maximum over seeds.

    Parameters
    ----------
    records : iterable of dict
        Each with the fields named in ``by``, a seed and a dict of numbers ``metrics``.
    by : sequence of str
        The fields that make a group (every field but the seed, say).
    metrics, seed : str
        The names of the metrics' dict and of the seed in every record.

    Returns
    -------
    groups : list of dict
        One per group, in the order of the groups' first records: the ``by`` fields,
        ``seeds`` (sorted) and ``metrics``: per metric of the group's first record,
        ``{"mean", "std", "min", "max"}`` over its records (``std`` with ``ddof=1``, 0 for
        one record). A metric missing from a record, or not a number, raises ValueError.
    """
    groups = {}
    for r in records:
        groups.setdefault(tuple(r[k] for k in by), []).append(r)
    out = []
    for values, recs in groups.items():
        stats = {}
        for m in recs[0][metrics]:
            try:
                v = np.array([r[metrics][m] for r in recs], dtype=float)
            except (KeyError, TypeError, ValueError):
                raise ValueError(f"metric {m!r} is missing or not a number in a record of "
                                 f"{dict(zip(by, values, strict=True))}") from None
            stats[m] = {"mean": float(v.mean()),
                        "std": float(v.std(ddof=1)) if len(v) > 1 else 0.0,
                        "min": float(v.min()), "max": float(v.max())}
        out.append({**dict(zip(by, values, strict=True)),
                    seed + "s": sorted(r[seed] for r in recs), metrics: stats})
    return out
