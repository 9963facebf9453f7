"""How invariant to shift are the Neocognitron and convolutional networks? MNIST and the
five patterns of 1980.

The Neocognitron (Fukushima 1980) was built to recognise a pattern "unaffected by shift in
position"; CNNs inherited its layout but subsample without low-pass filtering, which
aliases (Zhang 2019), and small shifts change their answers often (Azulay & Weiss 2019).
The digit neocognitron (Fukushima 2003, ``NeocognitronClassifier``, no backprop) against
LeNet-5 (``ConvNetClassifier``) and the controls of ``neocognitron.shift_study.models``,
each trained on the same digits (the first ``n_train`` MNIST training digits, unshifted
unless augmented) and tested on shifted copies of held-out digits: BlurPool (Zhang 2019),
global average pooling, both together; adaptive polyphase sampling (APS, Chaman &
Dokmanic 2021, with circular padding and global pooling: exactly invariant to circular
shifts); augmentation by random shifts up to the canvas's largest test shift (±4 on
28×28, ±8 on 44×44); LeNet-5 with the neocognitron's own test-time search (its top stage
slides over 3×3 positions 4 px apart inside a 4-px margin, ``controls.neocognitron_grid``;
the CNN scores the digit translated to each position, zero fill, and keeps per class the
largest probability); 1-NN (cosine) on pixels, alone and with the same search. The
global-pool and APS rows have ``conv_channels=WIDE``, chosen on a validation split of the
training digits (``neocognitron.shift_study.channels``).

Canvases: 28×28 (shifts up to ±4) and 44×44 (digits centred with 8 empty pixels a side,
models trained there, shifts up to ±8). Shifts: zero-filled (``transforms.shift``) and
circular (``np.roll``); on 44×44 no ink reaches the frame, so both give the same images.
Measures (``shift_study.measures``): accuracy over the grid of shifts and by distance
``max(|dy|, |dx|)`` and consistency (Zhang 2019), under both kinds of shift, with 95 %
bootstrap intervals over test digits (1,000 resamples, the same for every model) beside
the std over seeds; change rate along a diagonal sweep (after Azulay & Weiss 2019);
similarity of a digit's ten class scores (every model the same dimension) with its
shifted copy's; on 28×28 accuracy under elastic deformation (Simard et al. 2003) and
salt-and-pepper noise. The 1980 network against a LeNet-5 trained on its same 100 shifted
presentations of "0"-"4" (``shift_study.fukushima1980``). results.json defines each.

Resumable: each (canvas, model, seed) is one record, ``records/<canvas>/<model>-seed<S>
.json`` (``-noseed`` for 1-NN: deterministic, run once) with an ``.npz`` of what each test
digit did, each 1980 comparison ``records/fukushima1980/seed<S>.json``, written
atomically when finished (``neocognitron.workflow.records``): a rerun skips finished
records and refuses a folder holding records made with other settings. Outputs in
``--out``, from every record in it: results.json (every number, intervals, means and stds
over seeds, every row less the neocognitron with paired bootstrap intervals, settings,
parameters, git commit, definitions), results.md (the table: acc. at 0, ±2, ±4 on 28×28
zero-filled and ±4 circular, ±8 on 44×44, consistency zero-filled and circular, change
rate; mean ± std [95 % interval]; the differences), accuracy_vs_shift.png (28×28
zero-filled, 28×28 circular, 44×44), accuracy_heatmaps.png, change_rate.png,
representation_similarity.png, robustness.png, fukushima1980_vs_cnn.png, run.json
(provenance, every stage's time). ``--replot DIR [--out OUT]`` redraws the figures and
results.md from DIR's results.json without data or training.

Settings (``--train-size``, ``--test-size``, ``--seeds``, ``--cnn-epochs`` override them):
default: 10,000 training and 2,000 test digits (drawn once with ``default_rng(2019)``),
seeds 0-4, the models' defaults (CNNs 15 epochs), every shift on 28×28 and every second
on 44×44 (9×9 grids), 2,000 consistency pairs. ``--quick``: 2,000 / 500 digits, seed 0,
NeocognitronClassifier(n_epochs=2, n_unsupervised=500), CNNs 3 epochs, 5×5 grids, 500
pairs.

Run time on 2 idle cores, measured (commit 0477696): seed 0 41.5 min (the 1-NN rows, run
once, 10 min of it: their search over positions evaluates slowly), each other seed about
31 min (28×28 10 min, 44×44 20 min; the (32, 64) global-pool and APS fits 75-115 s on 28×28,
155-285 s on 44×44), about 2.7 h for the 5 seeds; ``--quick`` 7 min on loaded cores
(commit 386884b). Every record's fit_seconds and eval_seconds are in results.json. Killed,
it resumes where it stopped.

Usage: python experiments/shift_invariance.py [--out results/shift_invariance] [--quick]
[--seeds 0,1,2,3,4] [--train-size N] [--test-size N] [--cnn-epochs N] [--models a,b,...]
[--data-home DIR] [--quiet] [--replot DIR]

References: Fukushima 1980, 2003; Zhang 2019; Chaman & Dokmanic 2021; Azulay & Weiss 2019;
Simard et al. 2003 (full titles: results.json's ``references``).
"""

import argparse
import json
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from tqdm.auto import tqdm  # noqa: E402

from neocognitron import cli  # noqa: E402
from neocognitron.datasets import fukushima1980_patterns, load_mnist  # noqa: E402
from neocognitron.plotting.shift_study import plot_shift_study  # noqa: E402
from neocognitron.shift_study import (  # noqa: E402
    canvas_grid,
    channels,
    collect_records,
    evaluate_shifts,
    pad_to_canvas,
    perturbed_copies,
    report,
    robustness,
    summarise,
)
from neocognitron.shift_study import fukushima1980 as study1980  # noqa: E402
from neocognitron.shift_study.controls import neocognitron_grid  # noqa: E402
from neocognitron.shift_study.models import (  # noqa: E402
    AUGMENT,
    MODELS,
    UNSEEDED,
    make_model,
    model_config,
)
from neocognitron.workflow import provenance, records  # noqa: E402
from neocognitron.workflow.outputs import Outputs, wrote  # noqa: E402
from neocognitron.workflow.results import now  # noqa: E402

DEFAULT_OUT = "results/shift_invariance"
CHECKOUT = Path(__file__).resolve().parent.parent  # for git

#: canvas name -> (side, largest shift)
CANVASES = {"28": (28, 4), "44": (44, 8)}

_ROBUSTNESS = {"elastic_alpha": [0.0, 17.0, 34.0, 51.0], "noise_p": [0.0, 0.02, 0.05, 0.1]}
SETTINGS = {
    "full": {"n_train": 10000, "n_test": 2000, "seeds": [0, 1, 2, 3, 4], "neocognitron": {},
             "cnn": {}, "grid_step": {"28": 1, "44": 2}, "n_pairs": 2000, **_ROBUSTNESS},
    "quick": {"n_train": 2000, "n_test": 500, "seeds": [0],
              "neocognitron": {"n_epochs": 2, "n_unsupervised": 500}, "cnn": {"max_iter": 3},
              "grid_step": {"28": 2, "44": 4}, "n_pairs": 500, **_ROBUSTNESS},
    # used by the test only: everything exercised, nothing meaningful
    "smoke": {"n_train": 300, "n_test": 100, "seeds": [0],
              "neocognitron": {"n_epochs": 1, "n_unsupervised": 150}, "cnn": {"max_iter": 1},
              "grid_step": {"28": 2, "44": 8}, "n_pairs": 100,
              "elastic_alpha": [0.0, 34.0], "noise_p": [0.0, 0.05]},
}

ELASTIC_SIGMA = 4.0  # pixels (Simard et al. 2003: alpha = 34, sigma = 4 on MNIST)
NOISE_HIGH = 255  # the "salt" of the salt-and-pepper noise: white on 0-255 digits
TEST_SEED = 2019  # the test subset
CONSISTENCY_SEED = 2019  # the same random shift pairs for every model and seed
BOOTSTRAP = {"n_resamples": 1000, "level": 0.95, "random_state": 2019}
REFERENCE = "neocognitron"  # every other row's differences are from it (paired bootstrap)
#: the CNN trained on the 1980 patterns (100 presentations): small batches, more epochs
CNN_1980 = {"max_iter": 30, "batch_size": 10}
SHIFT_1980 = 3  # patterns have 3 empty pixels on every side


def draw(results, arrays):
    """Every figure, from the content of results.json; trains nothing."""
    return plot_shift_study(results)


#: results.json, and the figures and results.md drawn from it
OUTPUTS = Outputs(draw, markdown=report.results_markdown, arrays=False)


# ---------------------------------------------------------------------------- records
def record_key(canvas, name, seed):
    if canvas == "fukushima1980":
        return f"fukushima1980/seed{seed}"
    return f"{canvas}/{name}-" + ("noseed" if seed is None else f"seed{seed}")


def expected_config(settings, canvas, name, seed):
    """What a record is made with (JSON): a record on disk must match it."""
    step = settings["grid_step"][canvas] if canvas in CANVASES else None
    return json.loads(json.dumps({
        "model": model_config(make_model(name, seed, settings, canvas)),
        "data": {"n_train": settings["n_train"], "n_test": settings["n_test"],
                 "test_seed": TEST_SEED},
        "evaluation": {"max_shift": CANVASES[canvas][1], "grid_step": step,
                       "n_pairs": settings["n_pairs"], "consistency_seed": CONSISTENCY_SEED,
                       "robustness": ({k: settings[k] for k in _ROBUSTNESS}
                                      if canvas == "28" else None)}}))


def config_1980():
    return {"cnn": CNN_1980, "max_test_shift": SHIFT_1980}


def check_records(ap, out, settings):
    """The finished records of ``out``; refuses a folder holding one made otherwise."""
    try:
        found = records.read_records(out)
    except ValueError as exc:
        ap.error(f"{exc}: use another --out")
    for key, rec in found.items():
        want = (config_1980() if rec["canvas"] == "fukushima1980"
                else expected_config(settings, rec["canvas"], rec["model"], rec["seed"]))
        if rec["config"] != json.loads(json.dumps(want)):
            ap.error(f"record {key} in {out} was made with other settings than this command "
                     "would use (another --quick, size, epochs, or changed defaults): use "
                     "another --out, or remove the record to remake it")
    return found


def plan(args, settings):
    """Every (canvas, model, seed) of this command, then the 1980 comparisons."""
    todo = []
    for seed_i, seed in enumerate(settings["seeds"]):
        for canvas in CANVASES:
            for name in args.names:
                if name in UNSEEDED:
                    if seed_i == 0:
                        todo.append((canvas, name, None))
                else:
                    todo.append((canvas, name, seed))
        todo.append(("fukushima1980", "fukushima1980", seed))
    return todo


def make_record(run, args, settings, item, data):
    """Fit and measure one (canvas, model, seed), or run one 1980 comparison; write it."""
    canvas, name, seed = item
    made = {"commit": args.git["commit"], "dirty": args.git["dirty"]}
    if canvas == "fukushima1980":
        key = record_key(canvas, name, seed)
        with run.stage(f"1980 comparison seed {seed}"):
            r = study1980.compare_with_cnn(data["patterns"], seed, CNN_1980, SHIFT_1980)
        return records.write_record(args.out, key, {
            "canvas": canvas, "model": name, "seed": seed, "config": config_1980(),
            "result": r, "made": dict(made, finished=now())})
    side, max_shift = CANVASES[canvas]
    X, y, Xt, yt = (pad_to_canvas(a, side) if a.ndim == 3 else a for a in data["mnist"])
    model = make_model(name, seed, settings, canvas)
    what = f"{name} {canvas}x{canvas} " + ("no seed" if seed is None else f"seed {seed}")
    with run.stage(f"fit {what}") as fit:
        model.fit(X, y)
    with run.stage(f"evaluate {what}") as evaluation:
        r, outcomes = evaluate_shifts(model, Xt, yt, max_shift, settings["grid_step"][canvas],
                                      settings["n_pairs"], random_state=CONSISTENCY_SEED)
        if canvas == "28":
            r["robustness"] = robustness(model, data["variants"], yt)
    r.update(seed=seed, fit_seconds=round(fit["seconds"], 2),
             eval_seconds=round(evaluation["seconds"], 2))
    inner = getattr(model, "estimator_", model)
    r.update(n_planes=list(inner.n_planes_) if hasattr(inner, "n_planes_") else None,
             n_epochs=getattr(inner, "n_iter_", None))
    config = expected_config(settings, canvas, name, seed)
    return records.write_record(args.out, record_key(canvas, name, seed), {
        "canvas": canvas, "model": name, "seed": seed, "config": config, "result": r,
        "made": dict(made, finished=now())}, outcomes)


# ---------------------------------------------------------------------------- main
def parse_args(argv=None):
    """The parser, the arguments, and the settings they select."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=None,
                    help=f"output folder (default {DEFAULT_OUT}; with --replot: DIR)")
    ap.add_argument("--quick", action="store_true",
                    help="2,000 training / 500 test digits, one seed, coarse shift grids, "
                         "short training")
    ap.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)  # tests only
    ap.add_argument("--seeds", "--seed", type=cli.seed_list, default=None,
                    help="comma-separated model seeds (default 0,1,2,3,4; --quick: 0)")
    ap.add_argument("--train-size", type=cli.positive_int, default=None,
                    help="first N training digits (default 10000; --quick: 2000)")
    ap.add_argument("--test-size", type=cli.positive_int, default=None,
                    help="test digits, drawn once with default_rng(2019) (default 2000; "
                         "--quick: 500)")
    ap.add_argument("--cnn-epochs", type=cli.positive_int, default=None,
                    help="max_iter of the MNIST CNNs (default 15; --quick: 3)")
    ap.add_argument("--models", default=",".join(MODELS),
                    help=f"comma-separated subset of {','.join(MODELS)}")
    ap.add_argument("--data-home", default=None, help="MNIST directory (default: see load_mnist)")
    ap.add_argument("--quiet", action="store_true", help="no progress bars")
    OUTPUTS.add_replot_option(ap, draws="the figures and results.md")
    args = ap.parse_args(argv)

    args.mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    settings = {k: (dict(v) if isinstance(v, dict) else v)
                for k, v in SETTINGS[args.mode].items()}
    for key, value in (("seeds", args.seeds), ("n_train", args.train_size),
                       ("n_test", args.test_size)):
        if value is not None:
            settings[key] = value
    if args.cnn_epochs is not None:
        settings["cnn"]["max_iter"] = args.cnn_epochs
    names = [n.strip() for n in args.models.split(",") if n.strip()]
    unknown = sorted(set(names) - set(MODELS))
    if unknown or not names:
        ap.error(f"--models: unknown {unknown}; choose from {list(MODELS)}")
    args.names = [n for n in MODELS if n in names]
    if args.replot is None:
        args.out = Path(args.out or DEFAULT_OUT)
    return ap, args, settings


def load_data(ap, args, settings):
    """The first ``n_train`` training digits, ``n_test`` test digits drawn with
    ``default_rng(TEST_SEED)`` (float32), their deformed and noisy copies, the 1980
    patterns, and the indices of the test digits."""
    n_train, n_test = settings["n_train"], settings["n_test"]
    X_all, y_all = load_mnist("train", data_home=args.data_home)
    Xt_all, yt_all = load_mnist("test", data_home=args.data_home)
    if not 10 <= n_train <= len(X_all):
        ap.error(f"--train-size must lie in [10, {len(X_all)}], got {n_train}")
    if not 1 <= n_test <= len(Xt_all):
        ap.error(f"--test-size must lie in [1, {len(Xt_all)}], got {n_test}")
    test_idx = np.sort(np.random.default_rng(TEST_SEED).choice(len(Xt_all), n_test, replace=False))
    Xt = Xt_all[test_idx].astype(np.float32)
    variants = perturbed_copies(Xt, settings["elastic_alpha"], settings["noise_p"],
                                ELASTIC_SIGMA, NOISE_HIGH, seed=TEST_SEED)
    return {"mnist": (X_all[:n_train].astype(np.float32), y_all[:n_train], Xt,
                      yt_all[test_idx]),
            "variants": variants, "patterns": fukushima1980_patterns(), "test_idx": test_idx}


def run_records(run, ap, args, settings, found):
    """Make every record of this command that ``found`` lacks; returns the keys made."""
    items = plan(args, settings)
    todo = [item for item in items if record_key(*item) not in found]
    print(f"{len(items)} records: {len(items) - len(todo)} finished before, {len(todo)} to "
          "run", flush=True)
    if not todo:
        return []
    with run.stage("load data"):
        data = load_data(ap, args, settings)
    made = []
    for item in tqdm(todo, desc="shift study", unit="record", disable=args.quiet):
        rec = make_record(run, args, settings, item, data)
        found[rec["key"]] = rec
        made.append(rec["key"])
    return made


def collect(out, found):
    """:func:`~neocognitron.shift_study.measures.collect` of every record in ``out``."""
    return collect_records(found, lambda key: records.read_record_arrays(out, key), MODELS,
                           CANVASES, BOOTSTRAP, reference=REFERENCE)


def describe(run, args, settings, measured, ran, found_keys):
    """The content of results.json, but for the wall time."""
    runs, ci, diffs, params, runs_1980 = measured
    names = [n for n in MODELS if all(n in runs[c] for c in CANVASES)]  # both canvases done
    runs = {c: {n: runs[c][n] for n in names} for c in CANVASES}
    seeds = sorted({r["seed"] for c in runs.values() for v in c.values() for r in v} - {None})
    canvases = {c: canvas_grid(side, s, settings["grid_step"][c])
                for c, (side, s) in CANVASES.items()}
    summary = summarise(runs)
    s1980 = {"runs": runs_1980, "summary": study1980.summarise_runs(runs_1980)}
    n_seeds = {n: len(runs["28"][n]) for n in names}
    labels = {n: MODELS[n][0] for n in names}
    return {
        "study": report.STUDY, "references": list(report.REFERENCES), "mode": args.mode,
        "quick": args.mode != "full", "settings": settings, "seeds": seeds,
        "git": run.record["git"],
        "data": {"n_train": settings["n_train"], "n_test": settings["n_test"],
                 "train_subset": f"first {settings['n_train']} of the MNIST training set",
                 "test_subset": f"{settings['n_test']} of the 10,000 test digits drawn with "
                                f"default_rng({TEST_SEED})", "pixels": "0-255 as float32"},
        "definitions": report.definitions(CONSISTENCY_SEED, ELASTIC_SIGMA, NOISE_HIGH,
                                          SHIFT_1980, BOOTSTRAP),
        "models": {n: {"label": MODELS[n][0], "estimator": MODELS[n][1],
                       "params": params[n], "n_seeds": n_seeds[n]} for n in names},
        "augment_shift_per_canvas": AUGMENT, "conv_channels_choice": channels.describe(),
        "position_grid": neocognitron_grid(settings["neocognitron"]),
        "canvases": canvases,
        "robustness_strengths": {"elastic_alpha": settings["elastic_alpha"],
                                 "elastic_sigma": ELASTIC_SIGMA,
                                 "noise_p": settings["noise_p"], "noise_high": NOISE_HIGH},
        "bootstrap": BOOTSTRAP,
        "runs": runs, "summary": summary, "intervals": ci,
        "differences": {"reference": REFERENCE, **{c: {n: d[n] for n in names if n in d}
                                                   for c, d in diffs.items()}},
        "this_run": {"ran": ran, "records": sorted(found_keys)},
        "fukushima1980": {"patterns": list(fukushima1980_patterns(return_names=True)[1]),
                          "max_test_shift": SHIFT_1980,
                          "cnn_params": dict(CNN_1980), **s1980},
        "table_markdown": report.markdown_table(summary, ci, canvases, labels, n_seeds),
        "table_differences_markdown": report.differences_table(
            diffs, canvases, labels, MODELS[REFERENCE][0].split(" (")[0]),
        "table_1980_markdown": report.fukushima1980_table(s1980["summary"],
                                                          len(runs_1980)),
        **run.summary(),
    }


def run_study(ap, args, settings, argv):
    """Make the missing records, then save and draw everything from every record in the
    folder; results.json's content, the paths written and the wall time."""
    t_start = time.perf_counter()
    check_records(ap, args.out, settings)  # before the run too: a refused folder gets no run.json
    run = provenance.Run(args.out, argv=argv, script=__file__, parser=ap, root=CHECKOUT, seeds={
        "models": settings["seeds"], "test_subset": TEST_SEED,
        "consistency": CONSISTENCY_SEED, "perturbations": TEST_SEED,
        "bootstrap": BOOTSTRAP["random_state"]})
    with run:
        found = check_records(ap, args.out, settings)  # again, now the folder is locked
        args.git = run.record["git"]
        ran = run_records(run, ap, args, settings, found)
        results = describe(run, args, settings, collect(args.out, found), ran, found)
        results["wall_time_s"] = round(time.perf_counter() - t_start, 2)
        written = OUTPUTS.save(run, args.out, results)
    return results, written + [run.path], run.record["wall_seconds"]


def main(argv=None):
    """Run the study; returns the content of results.json (with ``--replot``: the paths of
    the files redrawn)."""
    ap, args, settings = parse_args(argv)
    if args.replot is not None:
        return OUTPUTS.replot(ap, args.replot, args.out)
    results, written, seconds = run_study(ap, args, settings, argv)
    print(results["table_markdown"], results["table_differences_markdown"],
          results["table_1980_markdown"], sep="\n\n")
    print(wrote(args.out, written, seconds))
    return results


if __name__ == "__main__":
    main()
