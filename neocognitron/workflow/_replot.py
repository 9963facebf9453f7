"""The saved outputs an experiment's figures are redrawn from (``--replot``); used through
:mod:`neocognitron.workflow.provenance`, whose docstring describes them."""

import json
from pathlib import Path

import numpy as np

from .results import _atomic


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
