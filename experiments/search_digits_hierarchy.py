"""Which settings make the deep digit neocognitron (two learned stages) competitive?

A search on validation split A only (MNIST training digits 50,000-54,999; the first
``--val-size`` of them, 1,000 by default), training on the first ``--train-size`` (3,000,
the 2003 paper's size) training digits. The test set is never read. Every setting of
``SETTINGS`` (parameters given on top of ``BASE``) is fitted once per seed and read out by
winner-take-all and by interpolating vectors (no refit); each run is written atomically to
``--out/<setting>__seed<k>.json`` and skipped when that file exists, so the search resumes.

Usage: python experiments/search_digits_hierarchy.py --out results/search_hierarchy
[--settings NAME,NAME] [--seeds 0,1,2] [--train-size 3000] [--val-size 1000]
[--data-home DIR] [--quick]

FINDINGS: see the end of this docstring (filled in from the runs).
"""

import argparse
import json
import re
import time
from pathlib import Path

import numpy as np

from neocognitron import NeocognitronClassifier
from neocognitron.datasets import load_mnist
from neocognitron.digits import FUKUSHIMA2003, ONE_LEARNED_STAGE, _fitting
from neocognitron.digits.readouts import time_readouts
from neocognitron.workflow.results import write_json

VAL_START = 50000  # split A: training digits 50,000-54,999
VAL_END = 55000
#: the deep layout with room to grow (caps of 1000, never reached) and learning thresholds
#: low enough that U_S3 stays small: at FUKUSHIMA2003's 0.7 both layers fill any cap
BASE = dict(FUKUSHIMA2003, max_planes=(1000, 1000), learning_thresholds=(0.5, 0.35),
            thresholds=(0.55, 0.45, 0.3), n_unsupervised=1000)
#: name -> parameters on top of BASE ("replace": the whole parameter set instead)
SETTINGS = {
    "quick": {"max_planes": (40, 40), "n_unsupervised": 100},
    "base": {},
    "shallow defaults": {"replace": {}},
    "one learned stage": {"replace": dict(ONE_LEARNED_STAGE)},
    "frozen": {"learning_rule": "frozen"},
    "top_learning interpolating": {"top_learning": "interpolating"},
    "top_exponent 0.5": {"top_exponent": 0.5},
    "surrounds 0": {"surrounds": (0.0, 0.0, 0.0)},
    "surrounds 1": {"surrounds": (1.0, 1.0, 1.0)},
    "stagger off": {"stagger": False},
    "theta_L 0.6/0.35": {"learning_thresholds": (0.6, 0.35)},
    "theta_L 0.5/0.45": {"learning_thresholds": (0.5, 0.45)},
    "theta_L 0.5/0.25": {"learning_thresholds": (0.5, 0.25), "thresholds": (0.55, 0.45, 0.2)},
    "theta_R = theta_L": {"thresholds": (0.55, 0.5, 0.35)},
    "theta_R lower": {"thresholds": (0.55, 0.35, 0.2)},
    "surrounds 0.25": {"surrounds": (0.25, 0.25, 0.25)},
    "min_activity 0.5": {"min_activity": 0.5},
    "competition_area 3": {"competition_area": 3},
    "n_unsupervised 3000": {"n_unsupervised": 3000},
    "top_learning_threshold 0.96": {"top_learning_threshold": 0.96},
    "blurs 1.6": {"blurs": (1.6, 1.6, 1.6)},
    "fields 7/3/3": {"fields": (7, 3, 3)},
    "top_slack 0": {"top_slack": 0},
    "U_C3 stride 1 (no stagger)": {"strides": (2, 2, 1), "stagger": False},
}
#: round 2: BASE with the two changes of round 1 that helped, then one factor at a time;
#: round 3: the same from round 2's best (frozen add-if-silent)
R2 = {"top_slack": 0, "top_exponent": 0.5}
R3 = dict(R2, learning_rule="frozen")
FACTORS = {
    "base": {},
    "frozen": {"learning_rule": "frozen"},
    "surrounds 0": {"surrounds": (0.0, 0.0, 0.0)},
    "surrounds 0.25": {"surrounds": (0.25, 0.25, 0.25)},
    "surrounds 1": {"surrounds": (1.0, 1.0, 1.0)},
    "stagger off": {"stagger": False},
    "theta_L 0.5/0.25": {"learning_thresholds": (0.5, 0.25), "thresholds": (0.55, 0.45, 0.2)},
    "theta_L 0.5/0.45": {"learning_thresholds": (0.5, 0.45)},
    "theta_L 0.6/0.35": {"learning_thresholds": (0.6, 0.35)},
    "theta_L 0.4/0.35": {"learning_thresholds": (0.4, 0.35), "thresholds": (0.55, 0.35, 0.3)},
    "theta_R lower": {"thresholds": (0.55, 0.35, 0.2)},
    "theta_R = theta_L": {"thresholds": (0.55, 0.5, 0.35)},
    "top_learning interpolating": {"top_learning": "interpolating"},
    "min_activity 0.5": {"min_activity": 0.5},
    "n_unsupervised 3000": {"n_unsupervised": 3000},
    "top_learning_threshold 0.96": {"top_learning_threshold": 0.96},
    "top_learning_threshold 0.8": {"top_learning_threshold": 0.8},
    "blurs 1.6": {"blurs": (1.6, 1.6, 1.6)},
    "fields 7/3/3": {"fields": (7, 3, 3)},
    "competition_area 3": {"competition_area": 3},
    "wta": {"learning_rule": "wta"},
}
SETTINGS.update({f"{r} {name}": dict(base, **over) for r, base in (("R2", R2), ("R3", R3))
                 for name, over in FACTORS.items()})


def _slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def params_of(name):
    """The estimator parameters of setting ``name`` (without ``random_state``)."""
    over = dict(SETTINGS[name])
    if "replace" in over:
        return dict(over["replace"])
    return dict(BASE, **over)


def nn_error(clf, X, y, Xv, yv):
    """Validation error of 1-NN (cosine) on what the fitted top stage sees, the whole last
    C-layer ``u_C ** top_exponent`` of every training digit: whether the features or the
    top stage's condensation lose the information."""

    def maps(images):
        images, _ = clf._images(images, reset=False)
        u = _fitting.top_response(_fitting.top_input(clf, images), clf.top_exponent)
        u = u.reshape(len(u), -1)
        return u / np.maximum(np.linalg.norm(u, axis=1, keepdims=True), 1e-30)

    train = maps(X)
    pred = np.asarray(y)[np.argmax(maps(Xv) @ train.T, axis=1)]
    return float(np.mean(pred != np.asarray(yv)))


def run(params, seed, X, y, Xv, yv):
    """Fit one setting with ``random_state=seed``; both readouts of the validation digits."""
    clf = NeocognitronClassifier(**params, random_state=seed)
    t0 = time.perf_counter()
    clf.fit(X, y)
    fit_seconds = time.perf_counter() - t0
    val = {r: {k: v for k, v in ev.items() if k != "pred"}
           for r, ev in time_readouts(clf, Xv, yv).items()}
    return {"seed": seed, "fit_seconds": round(fit_seconds, 1), "val": val,
            "nn_error": nn_error(clf, X, y, Xv, yv),
            "n_planes": list(clf.n_planes_), "planes_added": list(clf.planes_added_),
            "params": {k: v for k, v in clf.get_params().items() if k != "verbose"}}


def line(name, res):
    """One row of the table: errors (%), planes, fit seconds, WTA digits/s."""
    w, i = res["val"]["wta"], res["val"]["interpolating"]
    return (f"{name:<34} s{res['seed']} WTA {100 * w['error']:5.2f} IV {100 * i['error']:5.2f}"
            f" 1-NN {100 * res.get('nn_error', np.nan):5.2f}"
            f"  planes {'/'.join(map(str, res['n_planes']))}  fit {res['fit_seconds']:.0f} s"
            f"  {w['digits_per_second']:.0f}/{i['digits_per_second']:.0f} digits/s")


def table(out):
    """The markdown table of every run saved in ``out``, in the order of ``SETTINGS``."""
    runs = [json.loads(p.read_text()) for p in sorted(Path(out).glob("*__seed*.json"))]
    order = {name: k for k, name in enumerate(SETTINGS)}
    runs.sort(key=lambda r: (order.get(r["name"], len(order)), r["seed"]))
    rows = ["| setting | seed | WTA % | IV % | 1-NN % | planes | fit s | digits/s WTA/IV |",
            "|---|---|---|---|---|---|---|---|"]
    for r in runs:
        w, i = r["val"]["wta"], r["val"]["interpolating"]
        nn = f"{100 * r['nn_error']:.1f}" if "nn_error" in r else "-"
        rows.append(f"| {r['name']} | {r['seed']} | {100 * w['error']:.1f} | "
                    f"{100 * i['error']:.1f} | {nn} | {'/'.join(map(str, r['n_planes']))} | "
                    f"{r['fit_seconds']:.0f} | {w['digits_per_second']:.0f}/"
                    f"{i['digits_per_second']:.0f} |")
    return "\n".join(rows)


def _names(text):
    names = [t.strip() for t in text.split(",") if t.strip()] if text else list(SETTINGS)
    unknown = [n for n in names if n not in SETTINGS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown settings {unknown}; known: {list(SETTINGS)}")
    return names


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, type=Path, help="results folder (one JSON per run)")
    p.add_argument("--settings", type=_names, default=None, help="comma-separated names")
    p.add_argument("--seeds", default="0", help="comma-separated seeds (default 0)")
    p.add_argument("--train-size", type=int, default=3000)
    p.add_argument("--val-size", type=int, default=1000)
    p.add_argument("--data-home", default=None)
    p.add_argument("--table", action="store_true",
                   help="print the markdown table of the runs saved in --out; fit nothing")
    p.add_argument("--quick", action="store_true",
                   help="300 training and 200 validation digits, the 'quick' setting")
    args = p.parse_args(argv)
    if args.quick:
        args.train_size, args.val_size, args.settings = 300, 200, ["quick"]
    if args.settings is None:
        args.settings = list(SETTINGS)
    if not 0 < args.train_size <= VAL_START:
        p.error(f"--train-size must lie in 1..{VAL_START} (split A starts there)")
    if not 0 < args.val_size <= VAL_END - VAL_START:
        p.error(f"--val-size must lie in 1..{VAL_END - VAL_START} (split A)")
    args.seeds = [int(s) for s in args.seeds.split(",")]
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.table:
        print(table(args.out))
        return []
    X, y = load_mnist("train", data_home=args.data_home, download=False)
    Xt, yt = X[: args.train_size], y[: args.train_size]
    Xv, yv = X[VAL_START : VAL_START + args.val_size], y[VAL_START : VAL_START + args.val_size]
    data = {"train_indices": [0, args.train_size],
            "val_indices": [VAL_START, VAL_START + args.val_size]}
    done = []
    for name in args.settings:
        for seed in args.seeds:
            path = args.out / f"{_slug(name)}__seed{seed}.json"
            if path.exists():
                res = json.loads(path.read_text())
                if res["data"] == data:
                    print(line(name, res), "(done before)", flush=True)
                    done.append(res)
                    continue
            res = dict(run(params_of(name), seed, Xt, yt, Xv, yv), name=name, data=data)
            write_json(res, path)
            print(line(name, res), flush=True)
            done.append(res)
    print(f"wrote {len(done)} runs to {args.out.resolve()}")
    return done


if __name__ == "__main__":
    main()
