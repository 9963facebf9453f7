"""Command line: ``neocognitron info`` and ``neocognitron config NAME``.

The experiments are scripts in ``experiments/`` (one per figure or study); this entry point
only reports on the installation and prints the paper presets.
"""

import argparse
import json
import os
import sys

from . import __version__, config

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
