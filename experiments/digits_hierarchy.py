"""Does the self-organized hierarchy carry the digit neocognitron? Learned layers against
controls that store every training digit, over training sizes, seeds and two validation
splits (issue 14).

Fukushima, "Neocognitron for handwritten digit recognition", Neurocomputing 51, 161-180
(2003); interpolating vectors: Fukushima, Neural Networks 20, 904-916 (2007); LeNet-5:
LeCun et al., Proc. IEEE 86 (1998).

Rows (``--rows``): ``deep`` (``DEEP``: FUKUSHIMA2003 with the 2013/2014 rule, frozen
add-if-silent, as chosen on split A by ``experiments/search_digits_hierarchy.py``),
``one_stage`` (ONE_LEARNED_STAGE), ``shallow`` (the defaults: no learned layer), each
fitted once, read out by winner-take-all and by
interpolating vectors (``set_params(readout=...)``), and, on that fit's own top-stage input
(``neocognitron.digits.controls``), the controls 1-NN (cosine) and interpolating vectors
over *all* its training maps (no condensation); ``pixels_1nn`` (1-NN, cosine, on pixels)
and ``lenet5`` (``ConvNetClassifier()``). Every model gets ``random_state=seed``, is
trained on the first N MNIST training digits (``--sizes``) and measured on a validation
split of the training set: ``A`` = digits 50,000-54,999 (tuning), ``B`` = 55,000-59,999
(confirming), so N <= 50,000. ``--split test`` trains on all 60,000 and measures on the
10,000 test digits: for the final defaults only; results.json, results.md and the figure
then say so at the top.

Resumable: each (split, row, N, seed) is one record, ``records/<split>/<row>-n<N>-seed<S>
.json`` (and ``.npz``: the learned layers' preferred inputs), written atomically when it
is finished (``neocognitron.workflow.records``); rerunning a command skips the finished
records and refuses any made with other parameters, so a killed run loses only the record
it was running (``workflow/sweep.py`` does not fit: its points are one estimator and a
score, a record here one fit with both readouts and the controls on its features). The
summary covers every record in the folder (run A and B into one). Writes to ``--out``:

  results.json   every record (errors and digits/s of both readouts and of the controls,
                 planes per learned layer, top planes, fit seconds) and per (split, row,
                 N) the mean / std / min / max over seeds; the git commit
  results.md     per split, rows x training sizes, mean ± std over seeds
  error_vs_size.png     error against training size, a panel per network and split
  preferred_inputs.png  what U_S2 and U_S3 learned: their 32 most used planes' preferred
                 inputs in pixels (``neocognitron.digits.preferred``), from the deep
                 network with the most training digits (else one learned stage)
  figures.npz    those preferred inputs; run.json: provenance, a stage per record
``--replot DIR [--out OUT]`` redraws both figures and results.md without data or training.

Usage: python experiments/digits_hierarchy.py [--out results/digits_hierarchy] [--quick]
[--split A|B|test] [--sizes 3000,10000,50000] [--seeds 0,1,2] [--rows deep,shallow,...]
[--val-size 5000] [--data-home DIR] [--quiet] [--replot DIR]. ``--quick``: 1,000 training
and 300 validation digits, seed 0, rows deep (``n_unsupervised=100, max_planes=(50,
50)``), one_stage, shallow and pixels_1nn: 40 s on 2 busy cores. Measured for the saved
run (commit 124a05a, 2 cores shared with other jobs at load average 2-8): split A, 45
records, about 1 h 45 min; split B's 15 records at 50,000 digits, 82 min (at load 2 one
seed's five records took 10-15 min: deep fit 130-150 s, shallow 148 s); ``--split test``
with rows deep, shallow, pixels_1nn and lenet5 (11 records; one made before, under
load), 30 min at load 2.
"""

import argparse
import json
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from tqdm.auto import tqdm  # noqa: E402

import neocognitron  # noqa: E402
from neocognitron import ConvNetClassifier, NeocognitronClassifier, cli  # noqa: E402
from neocognitron.datasets import load_mnist  # noqa: E402
from neocognitron.digits import DEEP, ONE_LEARNED_STAGE  # noqa: E402
from neocognitron.digits.controls import time_controls, top_features  # noqa: E402
from neocognitron.digits.preferred import preferred_inputs  # noqa: E402
from neocognitron.digits.readouts import READOUTS, time_readouts  # noqa: E402
from neocognitron.plotting.digit_hierarchy import plot_hierarchy_study, split_title  # noqa: E402
from neocognitron.workflow import provenance, records  # noqa: E402
from neocognitron.workflow.outputs import Outputs, wrote  # noqa: E402
from neocognitron.workflow.results import now  # noqa: E402

DEFAULT_OUT, QUICK_OUT = "results/digits_hierarchy", "results/digits_hierarchy_quick"
# the checkout, for git (provenance's default ROOT is a folder too deep: it finds no commit)
CHECKOUT = Path(__file__).resolve().parent.parent
NETWORKS = {"deep": DEEP, "one_stage": ONE_LEARNED_STAGE, "shallow": {}}
ROW_LABELS = {"deep": "deep (DEEP: learned U_S2, U_S3, frozen add-if-silent)",
              "one_stage": "one learned stage (ONE_LEARNED_STAGE)",
              "shallow": "shallow (the defaults: no learned layer)",
              "pixels_1nn": "1-NN (cosine) on pixels", "lenet5": "LeNet-5 (ConvNetClassifier)"}
ROWS = tuple(ROW_LABELS)
QUICK_ROWS = ("deep", "one_stage", "shallow", "pixels_1nn")
QUICK_CHANGES = {"deep": {"n_unsupervised": 100, "max_planes": (50, 50)}}  # --quick: ~10 s
SPLITS = {"A": 50000, "B": 55000}  # first validation digit of each; "test": the test set
N_TRAIN_DIGITS, MAX_TRAIN = 60000, 50000
PREFERRED = {"n_images": 500, "n_planes": 32, "n_best": 20}  # the first 500 training digits
TEST_WARNING = ("THE MNIST TEST SET WAS USED (split 'test'): for the final defaults only; "
                "every choice was made on the validation splits A and B")


# ---------------------------------------------------------------------------- records
def record_key(split, row, n, seed):
    return f"{split}/{row}-n{n}-seed{seed}"


def expected_config(args, split, row, n, seed):
    """What a record is made with (JSON-normalised): a record on disk must match it."""
    if row in NETWORKS:
        changes = dict(NETWORKS[row], **(QUICK_CHANGES.get(row, {}) if args.quick else {}))
        model = NeocognitronClassifier(**changes, random_state=seed).get_params()
    elif row == "lenet5":
        model = ConvNetClassifier(random_state=seed).get_params()
    else:
        model = {"metric": "cosine", "features": "pixels"}
    model.pop("verbose", None)
    ev = [0, 10000] if split == "test" else [SPLITS[split], SPLITS[split] + args.n_val]
    return json.loads(json.dumps({
        "model": model, "train_indices": [0, n],
        "eval": {"set": "test" if split == "test" else "train", "indices": ev},
        "preferred": PREFERRED if row in NETWORKS else None}))


def check_records(ap, args):
    """The finished records of the output folder by key; refuses (through ``ap``) a folder
    holding a record made with other parameters or data than this command would use."""
    try:
        found = records.read_records(args.out)
    except ValueError as exc:
        ap.error(f"{exc}: use another --out")
    for key, rec in found.items():
        if rec["config"] != expected_config(args, rec["split"], rec["row"], rec["n_train"],
                                            rec["seed"]):
            ap.error(f"record {key} in {args.out} was made with other parameters or data "
                     "than this command would use (another --val-size or --quick, or changed"
                     " defaults): use another --out, or remove the record to remake it")
    return found


def _timed(f, *args):
    t0 = time.perf_counter()
    out = f(*args)
    return out, time.perf_counter() - t0


def run_network(params, X, y, Xe, ye, quiet):
    """Fit one network, read it out both ways, run the controls on its top-stage input and
    reconstruct its learned layers' preferred inputs: ``(metrics, details, arrays)``."""
    clf = NeocognitronClassifier(**params, verbose=not quiet)
    fit_seconds = _timed(clf.fit, X, y)[1]
    ev = time_readouts(clf, Xe, ye)
    F, train_seconds = _timed(top_features, clf, X)
    Fe, eval_seconds = _timed(top_features, clf, Xe)
    ctrl = time_controls(F, y, Fe, n_neighbors=clf.n_neighbors)
    metrics = {f"planes_U_S{i + 2}": k for i, k in enumerate(clf.n_planes_[1:-1])}
    metrics.update(top_planes=clf.n_planes_[-1], fit_seconds=fit_seconds)
    for r in READOUTS:
        metrics[f"{r}_error"] = ev[r]["error"]
        metrics[f"{r}_digits_per_second"] = ev[r]["digits_per_second"]
    for c, res in ctrl.items():
        metrics[f"features_{c}_error"] = float(np.mean(res["pred"] != ye))
        # what the control costs alone: the forward pass to its features, then its own work
        metrics[f"features_{c}_digits_per_second"] = len(ye) / (eval_seconds + res["seconds"])
    details = {"n_planes": list(clf.n_planes_), "planes_added": list(clf.planes_added_),
               "n_iter": clf.n_iter_, "feature_dim": int(F.shape[1]),
               "features_train_seconds": train_seconds, "features_eval_seconds": eval_seconds,
               "readouts": {r: {k: v for k, v in ev[r].items() if k != "pred"}
                            for r in READOUTS},
               "controls": {c: {"errors": int(np.sum(res["pred"] != ye)),
                                "seconds": res["seconds"]} for c, res in ctrl.items()}}
    arrays = {}
    for layer in range(2, len(clf.stages_) + 1):
        p = preferred_inputs(clf, X[:PREFERRED["n_images"]], layer,
                             n_planes=PREFERRED["n_planes"], n_best=PREFERRED["n_best"])
        arrays.update({f"U_S{layer}_{k}": np.asarray(v) for k, v in p.items()})
    return metrics, details, arrays


def run_baseline(row, seed, X, y, Xe, ye):
    """1-NN on pixels or LeNet-5: ``(metrics, details, {})``."""
    if row == "pixels_1nn":
        res = time_controls(X.reshape(len(X), -1), y, Xe.reshape(len(Xe), -1),
                            controls=("1nn",))["1nn"]
        pred, fit_seconds, seconds, details = res["pred"], 0.0, res["seconds"], {}
    else:
        clf = ConvNetClassifier(random_state=seed)
        fit_seconds = _timed(clf.fit, X, y)[1]
        pred, seconds = _timed(clf.predict, Xe)
        details = {"n_iter": clf.n_iter_}
    metrics = {"error": float(np.mean(pred != ye)), "digits_per_second": len(ye) / seconds,
               "fit_seconds": fit_seconds}
    return metrics, dict(details, errors=int(np.sum(pred != ye)), predict_seconds=seconds), {}


def make_record(args, split, row, n, seed, data):
    """Run one (split, row, N, seed) and write its record; returns it."""
    X, y, Xe, ye = data["X"][:n], data["y"][:n], data["Xe"], data["ye"]
    config = expected_config(args, split, row, n, seed)
    if row in NETWORKS:
        params = {k: tuple(v) if isinstance(v, list) else v for k, v in config["model"].items()}
        metrics, details, arrays = run_network(params, X, y, Xe, ye, args.quiet)
    else:
        metrics, details, arrays = run_baseline(row, seed, X, y, Xe, ye)
    git = args.git  # the run's: the commit of the code running, even if HEAD moves since
    rec = {"split": split, "row": row, "n_train": n, "seed": seed, "n_eval": len(ye),
           "config": config, "metrics": metrics, "details": details,
           "preferred_inputs": bool(arrays),
           "made": {"commit": git["commit"], "dirty": git["dirty"], "finished": now()}}
    return records.write_record(args.out, record_key(split, row, n, seed), rec, arrays)


def results_markdown(results):
    """results.md: per split a table of rows x training sizes, mean ± std over seeds."""
    lines = [f"**{TEST_WARNING}**", ""] if results["test_set"]["used"] else []
    commit = (results["git"]["commit"] or "unknown")[:7]
    lines.append(f"Digit hierarchy study, commit {commit}: mean ± std over seeds (errors in "
                 "%). features_*: the control on the network's own top-stage input.")
    summary = results["summary"]
    for split in dict.fromkeys(s["split"] for s in summary):
        sizes = sorted({s["n_train"] for s in summary if s["split"] == split})
        lines += ["", f"### {split_title(split, results)}", "",
                  "| row | measure | " + " | ".join(f"{n:,}" for n in sizes) + " |",
                  "|---|---|" + "---|" * len(sizes)]
        for row in ROWS:
            pts = {s["n_train"]: s for s in summary if s["split"] == split and s["row"] == row}
            for m in next(iter(pts.values()))["metrics"] if pts else ():
                cells = [_cell(pts[n]["metrics"].get(m), m) if n in pts else "" for n in sizes]
                lines.append(f"| {row} | {m} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(v, metric):
    if v is None:
        return ""
    if metric.endswith("error"):
        return f"{100 * v['mean']:.2f} ± {100 * v['std']:.2f}"
    return f"{v['mean']:,.0f} ± {v['std']:,.0f}"


#: results.json, figures.npz, the figures (``plot_hierarchy_study``) and results.md
OUTPUTS = Outputs(plot_hierarchy_study, markdown=results_markdown)


# ---------------------------------------------------------------------------- main
def _rows(text):
    rows = [r.strip() for r in text.split(",") if r.strip()]
    unknown = [r for r in rows if r not in ROWS]
    if unknown or not rows:
        raise argparse.ArgumentTypeError(f"unknown rows {unknown or text!r}: choose among "
                                         + ", ".join(ROWS))
    return [r for r in ROWS if r in rows]


def parse_args(argv):
    """The parser and the arguments, with what they select: ``sizes``, ``seed_list``,
    ``row_list``, ``n_val`` and ``out`` (a Path)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=None, help=f"output folder (default {DEFAULT_OUT}; "
                    f"--quick: {QUICK_OUT}; with --replot: DIR)")
    ap.add_argument("--quick", action="store_true", help="1,000 training / 300 validation "
                    f"digits, seed 0, rows {','.join(QUICK_ROWS)} (deep: {QUICK_CHANGES['deep']})")
    ap.add_argument("--split", choices=("A", "B", "test"), default="A",
                    help="A: validate on training digits 50,000-54,999 (tuning); B: "
                         "55,000-59,999 (confirming); test: train on all 60,000 and test "
                         "on the test set (final defaults only)")
    ap.add_argument("--sizes", type=cli.positive_int_list, default=None,
                    help=f"training sizes, the first N digits, at most {MAX_TRAIN} (default "
                         "3000,10000,50000; --quick: 1000; --split test: 60000 only)")
    ap.add_argument("--seeds", type=cli.seed_list, default=None,
                    help="random_state of every model (default 0,1,2; --quick: 0)")
    ap.add_argument("--rows", type=_rows, default=None, metavar="LIST",
                    help="comma-separated rows (default all): " + ", ".join(ROWS))
    ap.add_argument("--val-size", type=cli.positive_int, default=None,
                    help="first digits of the validation split (default 5000; --quick: 300)")
    ap.add_argument("--data-home", default=None, help="MNIST directory (default: see load_mnist)")
    ap.add_argument("--quiet", action="store_true", help="no progress bars")
    OUTPUTS.add_replot_option(ap, draws="the figures and results.md")
    args = ap.parse_args(argv)
    if args.replot is not None:
        return ap, args
    q = args.quick
    args.out = Path(args.out or (QUICK_OUT if q else DEFAULT_OUT))
    args.seed_list = args.seeds or ([0] if q else [0, 1, 2])
    args.row_list = args.rows or list(QUICK_ROWS if q else ROWS)
    args.n_val = args.val_size or (300 if q else 5000)  # also: the folder's A and B records
    if args.n_val > N_TRAIN_DIGITS - SPLITS["B"]:
        ap.error(f"--val-size must be at most {N_TRAIN_DIGITS - SPLITS['B']}, got {args.n_val}")
    if args.split == "test" and args.sizes is not None:
        ap.error("--split test trains on all 60,000 training digits: --sizes does not apply")
    args.sizes = ([N_TRAIN_DIGITS] if args.split == "test"
                  else args.sizes or ([1000] if q else [3000, 10000, MAX_TRAIN]))
    if args.split != "test" and max(args.sizes) > MAX_TRAIN:
        ap.error(f"--sizes must be at most {MAX_TRAIN} on a validation split (training digits "
                 f"{MAX_TRAIN:,} on are validation digits), got {max(args.sizes)}")
    return ap, args


def load_data(args):
    X, y = load_mnist("train", data_home=args.data_home)
    if args.split == "test":
        Xe, ye = load_mnist("test", data_home=args.data_home)
    else:
        Xe, ye = (a[SPLITS[args.split]:SPLITS[args.split] + args.n_val] for a in (X, y))
    return {"X": X[:max(args.sizes)], "y": y[:max(args.sizes)], "Xe": Xe, "ye": ye}


def run_records(run, args, found):
    """Make every record of this command that ``found`` lacks, smallest N first; returns
    the keys made."""
    plan = [(args.split, row, n, seed) for n in args.sizes for seed in args.seed_list
            for row in args.row_list]
    todo = [p for p in plan if record_key(*p) not in found]
    print(f"{len(plan)} records: {len(plan) - len(todo)} finished before, {len(todo)} to "
          "run", flush=True)
    if not todo:
        return []
    with run.stage("load data"):
        data = load_data(args)
    for p in tqdm(todo, desc="records", unit="record", disable=args.quiet):
        key = record_key(*p)
        with run.stage(key):
            found[key] = rec = make_record(args, *p, data)
        tqdm.write(f"{key}: " + ", ".join(f"{k} {100 * v:.2f}%" if k.endswith("error") else
                                          f"{k} {v:,.0f}" for k, v in rec["metrics"].items()))
    return [record_key(*p) for p in todo]


def preferred_from(args, found):
    """The record whose preferred inputs are shown, and its arrays: the deep network (else
    one learned stage) with the most training digits, split A before B before test,
    smallest seed."""
    rank = {"deep": 0, "one_stage": 1}
    shown = sorted((r for r in found if r["preferred_inputs"] and r["row"] in rank),
                   key=lambda r: (rank[r["row"]], -r["n_train"], r["split"], r["seed"]))
    if not shown:
        return None, {}
    r = shown[0]
    arrays = records.read_record_arrays(args.out, r["key"])
    names = sorted({k.rsplit("_", 1)[0] for k in arrays if k.endswith("_patches")})
    layers = [{"name": L, **{k: arrays[f"{L}_{k}"].item() for k in ("n_planes", "patch",
                                                                     "field")}} for L in names]
    keep = {f"{L}_{k}": arrays[f"{L}_{k}"] for L in names for k in
            ("patches", "planes", "answered")}
    first = {k: arrays[f"{names[0]}_{k}"].item() for k in ("n_images", "n_best")}
    return {"record": r["key"], "row": r["row"], "n_train": r["n_train"], "seed": r["seed"],
            "split": r["split"], **first, "layers": layers}, keep


def describe(run, args, done, ran, shown):
    """The content of results.json, but for the wall time."""
    used = [r["key"] for r in done if r["split"] == "test"]
    return {
        "question": "does the self-organized hierarchy (learned U_S2, U_S3) carry the digit "
                    "network, against controls that store every training digit?",
        "test_set": {"used": bool(used), "records": used,
                     **({"warning": TEST_WARNING} if used else {})},
        "papers": "Fukushima (2003) Neurocomputing 51:161-180; interpolating vectors: "
                  "Fukushima (2007) Neural Networks 20:904-916; LeNet-5: LeCun et al. (1998)",
        "quick": args.quick,
        "quick_changes": QUICK_CHANGES if args.quick else {},
        "git": run.record["git"],
        "splits": {**{s: [v, v + args.n_val] for s, v in SPLITS.items()},
                   "test": "the 10,000 MNIST test digits (train on all 60,000)",
                   "indices": "half-open [start, stop) of the MNIST training set"},
        "rows": ROW_LABELS,
        "networks": list(NETWORKS),
        "this_run": {"ran": ran, "skipped": [r["key"] for r in done if r["key"] not in ran]},
        "summary": records.over_seeds(done, by=("split", "row", "n_train")),
        "preferred_inputs": shown,
        "records": done,
        "neocognitron_version": neocognitron.__version__,
    }


def run_study(ap, args, argv):
    """Make the missing records, then save and draw everything from every record in the
    folder; results.json's content, the paths written and the wall time."""
    t_start = time.perf_counter()
    check_records(ap, args)  # before the run too: a refused folder gets no run.json
    run = provenance.Run(args.out, argv=argv, script=__file__, parser=ap, root=CHECKOUT,
                         seeds={"models": args.seed_list})
    with run:
        found = check_records(ap, args)  # again, now that the folder is locked
        args.git = run.record["git"]
        ran = run_records(run, args, found)
        done = sorted(found.values(), key=lambda r: (r["split"], ROWS.index(r["row"]),
                                                     r["n_train"], r["seed"]))
        shown, arrays = preferred_from(args, done)
        results = describe(run, args, done, ran, shown)
        results["wall_time_s"] = round(time.perf_counter() - t_start, 2)
        written = OUTPUTS.save(run, args.out, results, arrays)
    return results, written + [run.path], run.record["wall_seconds"]


def main(argv=None):
    """Run the study; returns the content of results.json (with ``--replot``: the paths
    of the files redrawn)."""
    ap, args = parse_args(argv)
    if args.replot is not None:
        return OUTPUTS.replot(ap, args.replot, args.out)
    results, written, seconds = run_study(ap, args, argv)
    print(results_markdown(results))
    print(wrote(args.out, written, seconds))
    return results


if __name__ == "__main__":
    main()
