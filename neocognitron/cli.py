"""Command line: ``neocognitron info`` and ``neocognitron config NAME``, and the argument
types of the experiment scripts.

The experiments are scripts in ``experiments/`` (one per figure or study); this entry point
only reports on the installation and prints the paper presets. The scripts take their
numeric options through the types below (``ap.add_argument("--seed", type=cli.seed)``), so
that a bad value ends in argparse's own one-line error (exit status 2) naming the option,
before any data is loaded, and every script reads an option the same way.
"""

import argparse
import json
import os
import sys

from ._version import __version__
from .fukushima1980 import config

#: The largest seed: every model's ``random_state`` accepts 0 .. 2**32 - 1 (the range of
#: ``np.random.RandomState``, the strictest of the generators the package uses).
MAX_SEED = 2**32 - 1


def _integer(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def positive_int(text):
    """An integer >= 1: sizes, counts, epochs. ``0`` is refused rather than read as "the
    default"."""
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def seed(text):
    """A random seed, an integer in ``[0, MAX_SEED]``."""
    value = _integer(text)
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"a seed must lie in [0, {MAX_SEED}], got {value}")
    return value


def _int_list(text, item):
    values = [item(s.strip()) for s in str(text).split(",") if s.strip()]
    if not values:
        raise argparse.ArgumentTypeError(f"expected a comma-separated list, got {text!r}")
    return values


def seed_list(text):
    """Comma-separated seeds, e.g. ``0,1,2``, in the order given."""
    return _int_list(text, seed)


def positive_int_list(text):
    """Comma-separated positive integers, e.g. training-set sizes ``300,1000``; sorted,
    without repeats."""
    return sorted(set(_int_list(text, positive_int)))


def name_list(known, what="settings"):
    """An argument type: comma-separated names, each one of ``known``, in the order given.

    >>> name_list(["a", "b"])("b, a")
    ['b', 'a']
    """
    def parse(text):
        names = [t.strip() for t in str(text).split(",") if t.strip()]
        unknown = [n for n in names if n not in known]
        if unknown or not names:
            raise argparse.ArgumentTypeError(f"unknown {what} {unknown}; known: {list(known)}")
        return names

    return parse


def n_jobs(text):
    """A number of worker processes as joblib reads it: ``n >= 1`` processes, ``-1`` one
    per core, ``-2`` all cores but one, and so on (at least one). ``0`` is refused."""
    value = _integer(text)
    if value == 0:
        raise argparse.ArgumentTypeError(
            "0 workers would run nothing: give a positive count, or -1 for every core")
    return value


def threads(text):
    """A positive number of threads, or ``auto`` (None: the libraries' defaults)."""
    return None if str(text).strip().lower() == "auto" else positive_int(text)

PRESETS = {"fukushima1980": config.fukushima1980}


def _info():
    import numba
    import numpy

    data_home = os.environ.get("NEOCOGNITRON_DATA") or os.path.join(
        os.path.expanduser("~"), ".cache", "neocognitron")
    print(f"neocognitron {__version__}")
    print(f"numpy {numpy.__version__}, numba {numba.__version__} "
          f"({numba.config.NUMBA_NUM_THREADS} threads)")
    print(f"data home: {data_home}")


def _table(cfg):
    rows = [f"U0   1 x {cfg.input_shape[0]}x{cfg.input_shape[1]}"]
    for i, st in enumerate(cfg.stages, start=1):
        s, c = st.s, st.c
        rows.append(f"US{i}  {s.planes} x {s.size[0]}x{s.size[1]}  field {s.field[0]}x"
                    f"{s.field[1]}  column {s.column[0]}x{s.column[1]}  r={s.r}  q={s.q}")
        rows.append(f"UC{i}  {s.planes} x {c.size[0]}x{c.size[1]}  field {c.field[0]}x"
                    f"{c.field[1]}")
    return "\n".join(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="neocognitron", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser("info", help="versions, threads and where data is cached")
    cp = sub.add_parser("config", help="print a paper preset")
    cp.add_argument("name", choices=sorted(PRESETS))
    cp.add_argument("--json", action="store_true", help="the full config as JSON")
    args = ap.parse_args(argv)
    if args.command == "info":
        _info()
    else:
        cfg = PRESETS[args.name]()
        print(json.dumps(cfg.to_dict(), indent=2) if args.json else _table(cfg))
    return 0


if __name__ == "__main__":
    sys.exit(main())
