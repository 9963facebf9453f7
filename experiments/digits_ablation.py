"""What limits the digit neocognitron: one factor changed at a time, on a validation split.

Fits ``NeocognitronClassifier`` (Fukushima 2003; interpolating vectors after Fukushima
2007) with its defaults and with one change at a time (``VARIANTS``: the paper's top
exponent, the top learning threshold, U_S1's threshold, 16 orientations, the C-layer blur,
the 2003 layout with one learned stage ``neocognitron.digits.ONE_LEARNED_STAGE``), every
fit with ``random_state=--seed``, on the *first* ``--train-size`` MNIST training digits,
and measures it on training digits 50,000 .. 50,000 + ``--val-size``: a validation split,
never the test set (so ``--train-size`` may not exceed 50,000). Each fit is read out twice,
winner-take-all and interpolating vectors (``set_params(readout=...)``, no refit). Writes
to ``--out``:

  results.json   every number: per variant its changes and full parameters, validation
                 error (fraction and count) and digits/s of both readouts, planes per
                 S-layer, top planes added per epoch, fit seconds; the data sizes and index
                 ranges, the seed, the git commit
  ablation.png   validation error (%) of both readouts per variant (grouped bars)
  results.md     the same numbers as a markdown table
  run.json       provenance: command, seed, git commit, versions, machine, the time of
                 every stage (one per variant; ``neocognitron.workflow.provenance``)

Every file is written under a temporary name and renamed when complete; ablation.png and
results.md are drawn from the results.json just written, exactly as ``--replot DIR
[--out OUT]`` redraws them (into OUT, default DIR) without data or training. BLAS and
numba threads are left as the environment sets them, as in mnist_neocognitron.py's
``main`` (run.json records the variables that set them).

Usage: python experiments/digits_ablation.py [--out results/digits_ablation] [--quick]
[--train-size 20000] [--val-size 5000] [--variants 1,2,defaults,...] [--seed 0]
[--data-home DIR] [--quiet] [--replot DIR]. ``--quick``: 1,000 training and 500
validation digits, variants 1, 2 and 8 (a smoke test: 28-51 s on 2 busy cores, measured
at load average 3.5-5; the 51 s was the first run, whose variant-8 fit took 25 s instead of
12 s, probably numba compiling). The defaults
(9 variants at 20,000 / 5,000 digits) take about 1-3 minutes per variant, 10-30 minutes in
all: an ESTIMATE, not a measurement; the one-learned-stage variants are the slowest.
"""

import argparse
import re
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from tqdm.auto import tqdm  # noqa: E402

from neocognitron import NeocognitronClassifier, cli  # noqa: E402
from neocognitron.datasets import load_mnist  # noqa: E402
from neocognitron.digits import ONE_LEARNED_STAGE  # noqa: E402
from neocognitron.digits.readouts import READOUTS, time_readouts  # noqa: E402
from neocognitron.plotting import plot_ablation  # noqa: E402
from neocognitron.workflow import provenance  # noqa: E402
from neocognitron.workflow.outputs import Outputs, wrote  # noqa: E402

DEFAULT_OUT = "results/digits_ablation"
VAL_START = 50000  # validation digits: training digits VAL_START .. VAL_START + val_size
N_TRAIN_DIGITS = 60000
QUICK_VARIANTS = (1, 2, 8)
#: name -> parameters given on top of the defaults (and ``random_state``), in this order
VARIANTS = {
    "defaults": {},
    "top_exponent=1 (the paper)": {"top_exponent": 1.0},
    "top_learning_threshold=0.9": {"top_learning_threshold": 0.9},
    "U_S1 theta 0.5": {"thresholds": (0.5,)},
    "U_S1 theta 0.6": {"thresholds": (0.6,)},
    "16 orientations": {"n_orientations": 16},
    "C-layer blur 2.0": {"blurs": (2.0,)},
    "one learned stage (2003 layout)": dict(ONE_LEARNED_STAGE),
    "one learned stage + top_exponent 0.5, threshold 0.95":
        dict(ONE_LEARNED_STAGE, top_exponent=0.5, top_learning_threshold=0.95),
}
NAMES = list(VARIANTS)


def _key(text):
    return re.sub(r"\s*,\s*", ",", text.strip()).lower()


def _variants(text):
    """1-based indices of the variants named in ``text`` (comma-separated indices or names;
    a name holding a comma may be given whole), in the order of ``VARIANTS``."""
    keys = {_key(n): k for k, n in enumerate(NAMES, 1)}
    tokens, chosen, i = text.split(","), set(), 0
    while i < len(tokens):
        tok = tokens[i].strip()
        if tok.isdigit() and 1 <= int(tok) <= len(NAMES):
            chosen.add(int(tok))
            i += 1
            continue
        for j in range(len(tokens), i, -1):  # the longest run of tokens that is a name
            if _key(",".join(tokens[i:j])) in keys:
                chosen.add(keys[_key(",".join(tokens[i:j]))])
                i = j
                break
        else:
            if tok:
                raise argparse.ArgumentTypeError(
                    f"unknown variant {tok!r}: give indices 1-{len(NAMES)} or names: "
                    + "; ".join(f"{k} {n!r}" for k, n in enumerate(NAMES, 1)))
            i += 1
    if not chosen:
        raise argparse.ArgumentTypeError(f"no variant in {text!r}")
    return sorted(chosen)


def run_variant(params, X, y, Xv, yv):
    """Fit one variant and read out the validation digits both ways (no refit)."""
    clf = NeocognitronClassifier(**params)
    t0 = time.perf_counter()
    clf.fit(X, y)
    fit_seconds = time.perf_counter() - t0
    val = {r: {k: v for k, v in ev.items() if k != "pred"}
           for r, ev in time_readouts(clf, Xv, yv).items()}
    return {"fit_seconds": round(fit_seconds, 2), "val": val, "n_planes": list(clf.n_planes_),
            "planes_added": list(clf.planes_added_), "n_iter": clf.n_iter_,
            "params": clf.get_params()}


# ---------------------------------------------------------------------------- outputs
def results_markdown(results):
    """The table of results.md."""
    d = results["data"]
    commit = (results["git"]["commit"] or "unknown")[:7]
    dirty = " (uncommitted changes)" if results["git"]["dirty"] else ""
    lines = [f"Digit neocognitron ablation: first {d['n_train']:,} MNIST training digits, "
             f"validation on training digits {d['val_indices'][0]:,}-{d['val_indices'][1] - 1:,}"
             f" ({d['n_val']:,}), seed {results['seed']}, commit {commit}{dirty}.", "",
             "| variant | WTA % | IV % | planes | fit s | WTA digits/s |",
             "|---|---|---|---|---|---|"]
    for v in results["variants"]:
        wta, iv = v["val"]["wta"], v["val"]["interpolating"]
        lines.append(f"| {v['index']}. {v['name']} | {100 * wta['error']:.2f} | "
                     f"{100 * iv['error']:.2f} | {' / '.join(map(str, v['n_planes']))} | "
                     f"{v['fit_seconds']:.1f} | {wta['digits_per_second']:.0f} |")
    return "\n".join(lines) + "\n"


def draw(results, arrays):
    """ablation.png from the content of results.json; trains nothing."""
    return {"ablation.png": plot_ablation(results).figure}


#: results.json, and ablation.png and results.md drawn from it
OUTPUTS = Outputs(draw, markdown=results_markdown, arrays=False)


# ---------------------------------------------------------------------------- main
def parse_args(argv):
    """The parser, the arguments, and the sizes and variants they select."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=None,
                    help=f"output folder (default {DEFAULT_OUT}; with --replot: DIR)")
    ap.add_argument("--quick", action="store_true",
                    help="1,000 training / 500 validation digits, variants 1, 2 and 8")
    ap.add_argument("--train-size", type=cli.positive_int, default=None,
                    help=f"first N training digits, at most {VAL_START} (default 20000; "
                         "--quick: 1000)")
    ap.add_argument("--val-size", type=cli.positive_int, default=None,
                    help=f"validation digits from training digit {VAL_START} on (default "
                         "5000; --quick: 500)")
    ap.add_argument("--variants", type=_variants, default=None, metavar="LIST",
                    help="comma-separated 1-based indices or names of the variants to run "
                         "(default all; --quick: 1,2,8): "
                         + "; ".join(f"{k}. {n}" for k, n in enumerate(NAMES, 1)))
    ap.add_argument("--seed", type=cli.seed, default=0, help="random_state of every fit")
    ap.add_argument("--data-home", default=None, help="MNIST directory (default: see load_mnist)")
    ap.add_argument("--quiet", action="store_true", help="no progress bars")
    OUTPUTS.add_replot_option(ap, draws="ablation.png and results.md")
    args = ap.parse_args(argv)
    if args.replot is not None:
        return ap, args
    args.n_train = args.train_size or (1000 if args.quick else 20000)
    args.n_val = args.val_size or (500 if args.quick else 5000)
    args.chosen = args.variants or (list(QUICK_VARIANTS) if args.quick else
                                    list(range(1, len(NAMES) + 1)))
    n_train, n_val = args.n_train, args.n_val
    if not 1 <= n_train <= VAL_START:
        ap.error(f"--train-size must lie in [1, {VAL_START}], got {n_train}: training digits "
                 f"0..{n_train - 1} would overlap the validation digits from {VAL_START} on")
    if not 1 <= n_val <= N_TRAIN_DIGITS - VAL_START:
        ap.error(f"--val-size must lie in [1, {N_TRAIN_DIGITS - VAL_START}] (training digits "
                 f"{VAL_START} to {N_TRAIN_DIGITS - 1}), got {n_val}")
    return ap, args


def run_variants(run, args, X, y, Xv, yv):
    """Fit and validate every chosen variant, one stage each; their entries of
    results.json."""
    variants = []
    bar = tqdm(args.chosen, desc="variants", disable=args.quiet, unit="variant")
    for k in bar:
        name = NAMES[k - 1]
        bar.set_postfix_str(name)
        params = dict(VARIANTS[name], random_state=args.seed, verbose=not args.quiet)
        with run.stage(f"variant {k}: {name}"):
            r = run_variant(params, X, y, Xv, yv)
        variants.append({"index": k, "name": name, "changes": VARIANTS[name], **r})
        e = {ro: r["val"][ro] for ro in READOUTS}
        tqdm.write(f"{k}. {name}: WTA {100 * e['wta']['error']:.2f}% "
                   f"({e['wta']['errors']}/{args.n_val}), IV "
                   f"{100 * e['interpolating']['error']:.2f}% "
                   f"({e['interpolating']['errors']}/{args.n_val}); planes {r['n_planes']}; "
                   f"fit {r['fit_seconds']:.1f} s")
    bar.close()
    return variants


def describe(run, args, variants):
    """The content of results.json, but for the wall time."""
    n_train, n_val = args.n_train, args.n_val
    return {
        "question": "what limits the digit neocognitron: one factor changed at a time "
                    "from the defaults, measured on a validation split",
        "paper": "Fukushima (2003) Neurocomputing 51:161-180; interpolating vectors: "
                 "Fukushima (2007) Neural Networks 20",
        "seed": args.seed,
        "quick": args.quick,
        "git": run.record["git"],  # run.json is the full record of provenance
        "data": {
            "n_train": n_train, "n_val": n_val,
            "train_indices": [0, n_train], "val_indices": [VAL_START, VAL_START + n_val],
            "indices": "half-open [start, stop) ranges of the MNIST training set",
            "test_set": "not used",
        },
        "readouts": list(READOUTS),
        "variants": variants,
        **run.summary(),
    }


def run_ablation(ap, args, argv, out):
    """Fit every variant, save and draw; results.json's content, the paths written and the
    run's wall time."""
    t_start = time.perf_counter()
    run = provenance.Run(out, argv=argv, script=__file__, seeds={"fits": args.seed},
                         parser=ap)
    with run:
        with run.stage("load data"):
            X_all, y_all = load_mnist("train", data_home=args.data_home)
        X, y = X_all[:args.n_train], y_all[:args.n_train]
        val = slice(VAL_START, VAL_START + args.n_val)
        variants = run_variants(run, args, X, y, X_all[val], y_all[val])
        results = describe(run, args, variants)
        results["wall_time_s"] = round(time.perf_counter() - t_start, 2)
        written = OUTPUTS.save(run, out, results)
    return results, written + [run.path], run.record["wall_seconds"]


def main(argv=None):
    """Run the ablation; returns the content of results.json (with ``--replot``: the paths
    of the files redrawn)."""
    ap, args = parse_args(argv)
    if args.replot is not None:
        return OUTPUTS.replot(ap, args.replot, args.out)
    out = Path(args.out or DEFAULT_OUT)
    results, written, seconds = run_ablation(ap, args, argv, out)
    print(results_markdown(results))
    print(wrote(out, written, seconds))
    return results


if __name__ == "__main__":
    main()
