"""Fukushima (1980), section 5: ten patterns "0"-"9" and more cell-planes.

The paper: trained on the ten digits, its 24-plane network self-organised "only with
carefully adjusted parameters and presentation"; "if the number of cell-planes is further
increased, it is presumed that the neocognitron would steadily make correct recognition of
these ten patterns", a simulation "not made yet, because of the lack of memory capacity".
This runs it: the paper's network with K planes in every layer and every other parameter
as in ``fukushima1980()`` (``Neocognitron.fukushima1980(planes=K)``), for K in 24, 32, 48,
64, 96, each over seeds 0-29, trained on "0"-"9" (``fukushima1980_patterns(names=...)``;
"5"-"9" are drawn in the style of "0"-"4") with the five-pattern experiment's schedule:
each pattern 20 times, cycled in order, at random shifts of at most 2 pixels.

Per K: the fraction of seeds whose ten patterns win ten distinct UC3 cells (``distinct``)
and the fraction meeting the paper's strict claim (``strict_claim``: each pattern answered
by one UC3 cell above 10 % of its winner, no cell answering two), each with its 95 %
Clopper-Pearson interval; shift tolerance (fraction of held-out shifted variants keeping
their pattern's cell, the ``kept`` rule, and the same counting only cells that win for one
pattern alone), overall and by distance (1-2 pixels: distances trained on; 3: never); the
wall and CPU time of each fit and the peak memory of one.
Control beside it: the same networks trained on the five patterns "0"-"4".

Outputs (in ``--out``): planes.png (success, distinct cells per seed, cost against K),
patterns.png (the ten patterns), results.json, results.md, figures.npz (the patterns),
run.json (provenance).

Usage: python experiments/fukushima1980_ten.py --out results/fukushima1980_ten
[--seeds 30] [--planes 24,32,48,64,96] [--jobs 1] [--quick] [--quiet]; about 6 CPU
minutes (300 networks). ``--replot DIR [--out OUT]`` redraws the figures and results.md
without training.
"""

import argparse
import time
import tracemalloc
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from scipy.stats import binomtest

from neocognitron import Neocognitron, cli
from neocognitron.datasets import fukushima1980_patterns
from neocognitron.fukushima1980.config import fukushima1980
from neocognitron.fukushima1980.evaluation import (
    distinct,
    kept,
    pattern_variants,
    strict_claim,
    tolerance_curves,
)
from neocognitron.plotting.fukushima1980_ten import (
    plot_cells_against_planes,
    plot_cost_against_planes,
    plot_patterns,
    plot_success_against_planes,
)
from neocognitron.progress import KernelProgress, workers_compile
from neocognitron.workflow import provenance
from neocognitron.workflow.outputs import Outputs, wrote

DEFAULT_OUT = "results/fukushima1980_ten"
PLANES = (24, 32, 48, 64, 96)
TEN, FIVE = "0123456789", "01234"
DISTANCES = (1, 2, 3)  # shift distances of the tolerance curve; training shifts reach 2
HELD_OUT = [10, 1980]  # the held-out variants' own random stream
CONFIDENCE = 0.95


def own_cells(winners):
    """``winners`` with every shared cell replaced by -1: a cell that wins for two
    patterns names neither, so :func:`kept` counts no variant of theirs."""
    w = np.asarray(winners)
    return np.where((w[:, None] == w[None]).sum(axis=1) == 1, w, -1)


def one_fit(patterns, K, seed, shifted, n_curve):
    """Train one network with ``K`` planes; what it gives on ``patterns`` and ``shifted``
    (held-out shifted variants, shape (P, n, H, W))."""
    t0, c0 = time.perf_counter(), time.process_time()
    net = Neocognitron.fukushima1980(random_state=seed, planes=K).fit(patterns)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    w = net.winners(patterns)
    vw = net.winners(shifted.reshape(-1, *shifted.shape[2:])).reshape(shifted.shape[:2])
    claim = strict_claim(net, patterns)
    curve = tolerance_curves(net, patterns, n=n_curve, strengths={"shift": DISTANCES},
                             random_state=np.random.default_rng([seed, K, 7]))["shift"]
    # how alike the patterns look to US3: the mean cosine between their UC2 responses
    uc2 = net.forward(patterns)["UC2"].reshape(len(patterns), -1)
    unit = uc2 / np.maximum(np.linalg.norm(uc2, axis=1, keepdims=True), 1e-300)
    cosines = (unit @ unit.T)[np.triu_indices(len(patterns), 1)]
    return {"seed": seed, "winners": w.tolist(), "distinct": distinct(w),
            "n_cells": len(set(w[w >= 0].tolist())), "strict": claim["holds"],
            "n_single": claim["n_single"], "n_shared": claim["n_shared"],
            "shift_kept": float(kept(w, vw).mean()),
            "shift_kept_own": float(kept(own_cells(w), vw).mean()),
            "shift_by_distance": curve, "fit_seconds": seconds, "fit_cpu_seconds": cpu,
            "uc2_cosine": float(cosines.mean()),
            "planes_used": [int((r > 0).sum()) for r in net.reinforcements_]}


def fit_memory(patterns, K):
    """Peak memory of one fit with ``K`` planes (numpy and Python allocations, traced by
    ``tracemalloc``; numba's scratch buffers inside a kernel are not counted) and the size
    of the fitted weights, in MiB."""
    tracemalloc.start()
    try:
        net = Neocognitron.fukushima1980(random_state=0, planes=K).fit(patterns)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    weights = sum(x.nbytes for x in net.a_ + net.b_ + net.c_ + net.d_)
    return {"peak_mib": peak / 2**20, "weights_mib": weights / 2**20}


def run_fits(sets, planes, seeds, n_curve, n_jobs, quiet):
    """``one_fit`` for every pattern set, K and seed, over ``n_jobs`` processes; records in
    ``{set name: {K: [per seed]}}``."""
    tasks = [(name, K, s) for name in sets for K in planes for s in seeds]
    jobs = (delayed(one_fit)(sets[name][0], K, s, sets[name][1], n_curve)
            for name, K, s in tasks)
    results = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
    out = {name: {K: [] for K in planes} for name in sets}
    bar = KernelProgress(results, total=len(tasks), desc="networks", disable=quiet,
                         first_step_compiles=workers_compile())
    for (name, K, _), record in zip(tasks, bar, strict=True):
        out[name][K].append(record)
    return out


def rate(hits):
    """Count, fraction and Clopper-Pearson interval of the true values in ``hits``."""
    k, n = int(np.sum(hits)), len(hits)
    ci = binomtest(k, n).proportion_ci(confidence_level=CONFIDENCE, method="exact")
    return {"count": k, "n": n, "fraction": k / n, "low": float(ci.low),
            "high": float(ci.high)}


def spread(values):
    v = np.asarray(values, dtype=float)
    return {"mean": float(v.mean()), "std": float(v.std()), "min": float(v.min()),
            "median": float(np.median(v)), "max": float(v.max())}


def summarise(records):
    """One K's numbers over its seeds. The shift curve is averaged over the seeds with
    distinct winners only (None without any): where patterns share a cell, :func:`kept`
    counts a variant won by the shared cell as kept."""
    def column(key, rows=records):
        return [r[key] for r in rows]

    good = [r for r in records if r["distinct"]]
    return {"distinct": rate(column("distinct")), "strict": rate(column("strict")),
            "n_single": spread(column("n_single")),
            "shift_kept": spread(column("shift_kept")),
            "shift_kept_own": spread(column("shift_kept_own")),
            "shift_by_distance": (np.mean(column("shift_by_distance", good), axis=0).tolist()
                                  if good else None),
            "n_cells": column("n_cells"), "fit_seconds": spread(column("fit_seconds")),
            "fit_cpu_seconds": spread(column("fit_cpu_seconds")),
            "uc2_cosine": spread(column("uc2_cosine")),
            "planes_used": np.mean(column("planes_used"), axis=0).tolist()}


def draw(results, arrays):
    """planes.png and patterns.png, from results.json and figures.npz; trains nothing."""
    import matplotlib.pyplot as plt

    planes, rows = results["planes"], results["by_planes"]
    n_seeds, n_ten = len(results["seeds"]), len(results["patterns"])

    def series(kind, which):
        return {k: [r[kind][which][k] for r in rows] for k in ("fraction", "low", "high")}

    def per_seed(key):
        return [[r[key] for r in results["runs"]["ten"][str(K)]] for K in planes]

    fig, axes = plt.subplots(1, 3, figsize=(19, 5.8))
    plot_success_against_planes(planes, {
        "ten patterns: ten distinct UC3 winners": series("ten", "distinct"),
        "ten patterns: the strict claim": series("ten", "strict"),
        'control, "0"-"4": five distinct winners': series("five", "distinct"),
    }, kept=per_seed("shift_kept_own"), ax=axes[0],
        kept_label="held-out shifts won by their pattern's own UC3 cell (mean; dots: seeds)",
        title=f"Seeds that self-organise ({n_seeds} seeds; bars: {CONFIDENCE:.0%} "
              "Clopper-Pearson)")
    plot_cells_against_planes(planes, per_seed("n_cells"), n_ten, ax=axes[1])
    plot_cost_against_planes(planes, per_seed("fit_cpu_seconds"),
                             [r["memory"]["peak_mib"] for r in rows], ax=axes[2],
                             time_label="CPU seconds per fit",
                             title=f"Cost of one self-organisation ({n_ten} patterns)")
    fig.suptitle('Fukushima (1980) section 5: ten patterns "0"-"9" and the number of '
                 "cell-planes", fontsize=12)
    fig.tight_layout()
    return {"planes.png": fig,
            "patterns.png": plot_patterns(arrays["patterns"], results["patterns"])}


def _row(K, row):
    """One line of the table of :func:`markdown`."""
    ten, five = row["ten"], row["five"]

    def frac(r):
        return f"{r['count']}/{r['n']} = {r['fraction']:.2f} [{r['low']:.2f}, {r['high']:.2f}]"

    def mean_std(r):
        return f"{r['mean']:.2f} ± {r['std']:.2f}"

    curve = ten["shift_by_distance"]
    cells = [frac(ten["distinct"]), frac(ten["strict"]), f"{ten['n_single']['mean']:.1f}",
             mean_std(ten["shift_kept_own"]), mean_std(ten["shift_kept"]),
             "-" if curve is None else " / ".join(f"{v:.2f}" for v in curve),
             f"{np.mean(ten['n_cells']):.1f}", f"{ten['uc2_cosine']['mean']:.2f}",
             frac(five["distinct"]), f"{ten['fit_cpu_seconds']['median']:.2f}",
             f"{ten['fit_seconds']['median']:.2f}", f"{row['memory']['peak_mib']:.1f}"]
    return f"| {K} | " + " | ".join(cells) + " |"


def markdown(results):
    """results.md: one row per K."""
    n = len(results["patterns"])
    lines = [f'# Ten patterns "0"-"9" against the number of cell-planes (seeds '
             f'{results["seeds"][0]}-{results["seeds"][-1]})', "",
             f"Intervals: {CONFIDENCE:.0%} Clopper-Pearson. One cell: patterns (of {n}) "
             "answered by exactly one UC3 cell above 10 % of their winner, mean over seeds. "
             "Shift kept: held-out shifts up to 3 px, mean ± std over seeds; *own cell* "
             "counts a variant only when its pattern's winner is no other pattern's, "
             "*kept rule* counts a shared cell too (so a network answering every pattern "
             "with one cell scores 1). By distance: 1 / 2 / 3 px, over the seeds with "
             "distinct winners (training shifts reach 2 px). UC2 cosine: mean over pattern "
             "pairs of the cosine between their UC2 responses, the input of US3 (1: alike). "
             "Control: the same networks trained on the five patterns \"0\"-\"4\".", "",
             "| K | ten distinct | strict claim | one cell | shift kept, own cell | shift "
             "kept, kept rule | by distance | distinct cells | UC2 cosine | control: five "
             "distinct | fit CPU s | fit wall s | peak MiB |",
             "|---" * 13 + "|"]
    lines += [_row(K, row) for K, row in zip(results["planes"], results["by_planes"],
                                             strict=True)]
    return "\n".join(lines) + "\n"


#: results.json, figures.npz and the figures and table drawn from them
OUTPUTS = Outputs(draw, markdown=markdown)


def parse_args(argv):
    """The parser and the arguments."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=None,
                    help=f"output folder (default {DEFAULT_OUT}; with --replot: DIR)")
    ap.add_argument("--seeds", type=cli.positive_int, default=30,
                    help="seeds 0..N-1 per number of planes")
    ap.add_argument("--planes", type=cli.positive_int_list, default=list(PLANES),
                    help="comma-separated numbers of cell-planes K (default 24,32,48,64,96)")
    ap.add_argument("--quick", action="store_true", help="K 24 and 32, 3 seeds, few variants")
    ap.add_argument("--jobs", type=cli.n_jobs, default=1,
                    help="processes, as joblib counts them (default 1, so that the fit "
                         "times are those of one process)")
    ap.add_argument("--quiet", action="store_true", help="no progress bars")
    OUTPUTS.add_replot_option(ap, skips="no training")
    return ap, ap.parse_args(argv)


def measure(run, args, planes, seeds, n_variants, n_curve):
    """Stages ``fit`` and ``memory``: every network and its numbers, and the peak memory
    of one fit per K; the patterns and the rows of results.json."""
    held_out = np.random.default_rng(HELD_OUT)
    sets = {}
    for name in (TEN, FIVE):
        patterns = fukushima1980_patterns(names=name)
        sets[name] = (patterns, pattern_variants(patterns, n=n_variants,
                                                 random_state=held_out)["shift"])
    with run.stage("fit"):
        # compiled (or loaded from numba's cache) here, so no fit's time includes it
        Neocognitron.fukushima1980(random_state=0).fit(sets[FIVE][0]).winners(sets[FIVE][1][0])
        fits = run_fits(sets, planes, seeds, n_curve, args.jobs, args.quiet)
    with run.stage("memory"):
        memory = {K: fit_memory(sets[TEN][0], K) for K in planes}
    rows = [{"planes": K, "ten": summarise(fits[TEN][K]), "five": summarise(fits[FIVE][K]),
             "memory": memory[K]} for K in planes]
    runs = {"ten" if name == TEN else "five": {str(K): fits[name][K] for K in planes}
            for name in fits}
    return sets[TEN][0], rows, runs


def reproduce(ap, args, argv, out):
    """Train and measure every network, save and draw; results.json's content, the paths
    written and the run's wall time."""
    planes = [24, 32] if args.quick else args.planes
    n_seeds, n_variants, n_curve = (3, 4, 2) if args.quick else (args.seeds, 20, 10)
    seeds = list(range(n_seeds))
    run = provenance.Run(out, argv=argv, script=__file__, parser=ap,
                         seeds={"networks": seeds, "held_out": HELD_OUT,
                                "curves": "[seed, K, 7]", "memory": 0})
    with run:
        patterns, rows, runs = measure(run, args, planes, seeds, n_variants, n_curve)
        results = {
            "paper": "Fukushima (1980) Biol. Cybern. 36:193-202, section 5 (ten patterns)",
            "quick": args.quick, "planes": planes, "seeds": seeds,
            "patterns": list(TEN), "control_patterns": list(FIVE),
            "config": fukushima1980().to_dict(),
            "departures": "planes K in every layer, all else as config (K=24); the paper's "
                          "ten-pattern run adjusted parameters and presentation, this one "
                          "keeps the five-pattern schedule",
            "variants": {"shift_per_pattern": n_variants, "max_shift": 3,
                         "curve_distances": list(DISTANCES), "curve_per_pattern": n_curve},
            "interval": f"{CONFIDENCE:.0%} Clopper-Pearson",
            "by_planes": rows, "runs": runs,
        }
        written = OUTPUTS.save(run, out, results, {"patterns": patterns})
    return results, written + [run.path], run.record["wall_seconds"]


def main(argv=None):
    """Run the experiment; returns the content of results.json (with ``--replot``: the
    paths of the files redrawn)."""
    ap, args = parse_args(argv)
    if args.replot is not None:
        return OUTPUTS.replot(ap, args.replot, args.out)
    out = Path(args.out or DEFAULT_OUT)
    results, written, seconds = reproduce(ap, args, argv, out)
    for row in results["by_planes"]:
        ten = row["ten"]
        print(f"K={row['planes']}: ten distinct {ten['distinct']['count']}/"
              f"{ten['distinct']['n']}, strict {ten['strict']['count']}, shift kept by the "
              f"own cell {ten['shift_kept_own']['mean']:.2f}; five distinct "
              f"{row['five']['distinct']['count']}; fit {ten['fit_cpu_seconds']['median']:.2f} "
              f"CPU s, {row['memory']['peak_mib']:.1f} MiB")
    print(wrote(out, written, seconds))
    return results


if __name__ == "__main__":
    main()
