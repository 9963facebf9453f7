"""Which settings make the deep digit neocognitron (two learned stages) competitive?

A search on validation split A only (MNIST training digits 50,000-54,999; the first
``--val-size`` of them, 1,000 by default: digits 50,000-50,999), training on the first
``--train-size`` (3,000, the 2003 paper's size) training digits. The test set is never read.
Every setting of ``SETTINGS`` is fitted once per seed and read out by winner-take-all (WTA)
and by interpolating vectors (IV) without refitting; as a control, 1-NN (cosine) on what the
top stage sees (the whole last C-layer ``u_C ** top_exponent`` of all training digits) tells
whether the features or the top stage lose the information. Each run is written atomically
to ``--out/<setting>__seed<k>.json`` and skipped when that file exists, so the search
resumes; ``--table`` prints the markdown table of the runs saved in ``--out``.

Usage: python experiments/search_digits_hierarchy.py --out results/search_hierarchy
[--settings NAME,NAME] [--seeds 0,1,2] [--train-size 3000] [--val-size 1000]
[--data-home DIR] [--quick] [--table]

Findings (main 062c5b0, 30 November 2026, 2 cores shared with another job: fit seconds and
digits/s vary by 2-5x with the load, e.g. "R2 frozen" fitted in 96 s and in 21 s).
Rounds, each one factor at a time: ``BASE`` (FUKUSHIMA2003 with caps of 1000 and learning
thresholds 0.5/0.35, recognition 0.45/0.3, U_S2/U_S3 shown 1,000 digits); round 2 ``R2``
= BASE + ``top_slack=0`` + ``top_exponent=0.5``; round 3 ``R3`` = R2 + ``learning_rule=
"frozen"`` ("R2 frozen" is R3's base). Planes: U_S1/U_S2/U_S3/top.

TABLE

Conclusions (seed 0 unless said; errors in % of 1,000 validation digits, so +-0.6 points
is about one standard error at 4 %):

* FUKUSHIMA2003's learning thresholds of 0.7 fill any cap; U_S3's growth is very steep in
  theta_L3 (500 digits, frozen, theta_L2 0.5: theta_L3 0.3 -> 185 planes, 0.4 -> 401,
  0.5 -> 935). 0.5/0.35 keeps both layers near 150-250 planes from 1,000 digits, no cap hit.
* ``top_slack`` was the largest single loss: with U_C3 5x5 and slack 1 the top field is the
  central 3x3 cells slid by +-1 cell (+-8 pixels), and misses the digit's rim. slack 0:
  12.1 -> 6.7 % WTA, 9.6 -> 5.1 % IV, the top stage then matching 1-NN on its input (6.3 %).
* ``top_exponent`` 0.5: 12.1 -> 9.6 / 9.6 -> 7.7 (round 1).
* frozen add-if-silent (2014) beats winner-take-all (2003): 9.9/8.6 against 12.1/9.6 in
  round 1, 4.7/3.0 against 5.9/4.8 in round 2 (1-NN on U_C3: 4.0 against 6.0): reinforcing
  winners averages U_S2/U_S3's patterns into less selective ones.
* surround: 0 -> 5.8/4.4, 0.5 -> 4.7/3.0, 1 -> 3.7/2.8 (but 418/880 planes, 2,207 top
  planes and 35 digits/s): the surround makes the C-layers sparser, so more planes are
  needed and they carry more information. Wta rule, surround 0: 7.8/6.0 against 5.9/4.8.
* stagger off (odd d): 6.9/4.7 against 4.7/3.0.
* dual thresholds: lowering the recognition thresholds (0.35/0.2) 7.7/5.0; raising them to
  the learning ones (0.5/0.35) not run. Lower theta_L3 (0.25, theta_R3 0.2): 6.4/4.4 with
  102 U_S3 planes; higher theta_L3 (0.45): 4.4/2.8 with 602 planes at 72 digits/s; higher
  theta_L2 (0.6): 4.1/3.0 with 569/272 planes at 61 digits/s. More planes help a little,
  at a steep price in speed.
* top_learning "interpolating" (2013): IV 3.9 against 3.0 (and WTA 9.6, since the top
  planes are then chosen for the IV readout) with 559 instead of 858 top planes.
* top_learning_threshold 0.96: 3.8/2.5, but 2,176 top planes for 3,000 digits: the top
  stage then stores most training digits.
* Seeds 0/1/2 (WTA %, IV %, 1-NN on the top input %):
  shallow defaults 3.4/3.3/3.2, 2.4/2.0/2.2, 3.2 x3 (1,574-1,586 top planes, 2,000-3,600
  digits/s); ONE_LEARNED_STAGE 6.0/6.6/5.6, 3.3/3.9/3.8, 5.3/5.1/4.9 (~980 top planes);
  R2 frozen 4.7/5.4/4.9, 3.0/3.1/3.4, 4.0/4.3/4.7 (~750-860 top planes, 120-270
  digits/s); R3 top_learning_threshold 0.96 4.3 mean (3.8/4.3/4.5), 2.9 mean
  (2.5/3.0/3.1), ~2,000-2,200 top planes.

Conclusion: tuned (top_slack 0, top_exponent 0.5, frozen add-if-silent, surround 0.5,
stagger on, theta_L 0.5/0.35 with theta_R 0.45/0.3), the deep network beats the one learned
stage (WTA 5.0 against 6.1 %, IV 3.2 against 3.7 %, means of 3 seeds) but not the shallow
layout (3.3 / 2.2 %), and it is 10x slower to predict. The top stage is not what loses:
1-NN on the deep network's U_C3 (4.3 % mean) is itself worse than 1-NN on the shallow
U_C1 (3.2 %); the two learned layers lose information the shallow map keeps, and every
change that recovered some of it (more planes by higher theta_L, surround 1, more top
planes) did so by storing more, at a cost in speed, without reaching the shallow layout.
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
#: combined: round 3's two best single changes together
SETTINGS["R3 theta_L 0.5/0.45 + top_learning_threshold 0.96"] = dict(
    R3, learning_thresholds=(0.5, 0.45), top_learning_threshold=0.96)


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
