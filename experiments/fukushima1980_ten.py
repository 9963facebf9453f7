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
pattern alone) on shifts of 3 pixels (``pattern_variants``' "shift>=3": beyond the training
distances), and by distance 1, 2, 3 on shifts the network was never shown; the wall and CPU
time of each fit and the peak memory of one. A quiet start beside it: the same networks
with smaller initial weights (``init_scale``, chosen on tuning seeds 1000-1019 among 0.01,
0.001, 0.0001 at K = 48 and 96), because unlearned planes answer every pattern alike.
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
import dataclasses
import time
import tracemalloc
from pathlib import Path

import numpy as np
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
from neocognitron.progress import parallel_map
from neocognitron.workflow import provenance
from neocognitron.workflow.outputs import Outputs, wrote

DEFAULT_OUT = "results/fukushima1980_ten"
PLANES = (24, 32, 48, 64, 96)
TEN, FIVE = "0123456789", "01234"
DISTANCES = (1, 2, 3)  # shift distances of the tolerance curve; training shifts reach 2
HELD_OUT = [10, 1980]  # the held-out variants' own random stream
CONFIDENCE = 0.95
# the quiet start's initial-weight scale, chosen on tuning seeds only (never 0-29)
TUNE_SEEDS, TUNE_PLANES, TUNE_SCALES = range(1000, 1020), (48, 96), (0.01, 0.001, 0.0001)


def network(K, seed, init_scale=None):
    """The paper's network with ``K`` planes, untrained; ``init_scale`` replaces the
    config's scale of the initial weights (None: as configured)."""
    cfg = fukushima1980(planes=K)
    if init_scale is not None:
        cfg = dataclasses.replace(cfg, init_scale=init_scale)
    return Neocognitron(config=cfg, random_state=seed)


def own_cells(winners):
    """``winners`` with every shared cell replaced by -1: a cell that wins for two
    patterns names neither, so :func:`kept` counts no variant of theirs."""
    w = np.asarray(winners)
    return np.where((w[:, None] == w[None]).sum(axis=1) == 1, w, -1)


def one_fit(patterns, K, seed, shifted, n_curve, init_scale=None):
    """Train one network with ``K`` planes; what it gives on ``patterns`` and ``shifted``
    (held-out shifted variants, shape (P, n, H, W))."""
    t0, c0 = time.perf_counter(), time.process_time()
    net = network(K, seed, init_scale).fit(patterns)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    w = net.winners(patterns)
    vw = net.winners(shifted.reshape(-1, *shifted.shape[2:])).reshape(shifted.shape[:2])
    claim = strict_claim(net, patterns)
    # shifts at each distance that this network was never shown
    curve = tolerance_curves(net, patterns, n=n_curve, strengths={"shift": DISTANCES},
                             presented=net.presentations(patterns)[0],
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
        net = network(K, 0).fit(patterns)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    weights = sum(x.nbytes for x in net.a_ + net.b_ + net.c_ + net.d_)
    return {"peak_mib": peak / 2**20, "weights_mib": weights / 2**20}


def run_fits(arms, planes, seeds, n_curve, n_jobs, quiet):
    """``one_fit`` for every arm (name -> patterns, shifted variants, init_scale), K and
    seed; records in ``{arm: {str(K): [per seed]}}``."""
    tasks = [(name, K, s) for name in arms for K in planes for s in seeds]
    records = parallel_map(one_fit, [(arms[n][0], K, s, arms[n][1], n_curve, arms[n][2])
                                     for n, K, s in tasks], n_jobs, desc="networks",
                           quiet=quiet)
    out = {name: {str(K): [] for K in planes} for name in arms}
    for (name, K, _), record in zip(tasks, records, strict=True):
        out[name][str(K)].append(record)
    return out


def tune_one(patterns, K, scale, seed):
    """Whether one network of the tuning gives every pattern its own UC3 cell."""
    return distinct(network(K, seed, scale).fit(patterns).winners(patterns))


def tune(patterns, planes, seeds, scales, n_jobs, quiet):
    """The quiet start's ``init_scale``: of ``scales``, the one giving distinct winners in
    the most networks over ``planes`` x ``seeds`` (ties: the larger scale, nearer the
    configured one)."""
    tasks = [(K, sc, s) for sc in scales for K in planes for s in seeds]
    hits = parallel_map(tune_one, [(patterns, *t) for t in tasks], n_jobs, desc="tuning",
                        quiet=quiet)
    counts = {str(sc): [0] * len(planes) for sc in scales}
    for (K, sc, _), hit in zip(tasks, hits, strict=True):
        counts[str(sc)][list(planes).index(K)] += int(hit)
    chosen = max(scales, key=lambda sc: (sum(counts[str(sc)]), sc))
    return {"seeds": list(seeds), "planes": list(planes), "distinct": counts, "chosen": chosen}


def rate(hits):
    """Count, fraction and Clopper-Pearson interval of the true values in ``hits``."""
    k, n = int(np.sum(hits)), len(hits)
    ci = binomtest(k, n).proportion_ci(confidence_level=CONFIDENCE, method="exact")
    return {"count": k, "n": n, "fraction": k / n, "low": float(ci.low), "high": float(ci.high)}


def spread(values):
    """Mean, standard deviation, minimum, median and maximum of ``values``."""
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
            "n_single": spread(column("n_single")), "shift_kept": spread(column("shift_kept")),
            "shift_kept_own": spread(column("shift_kept_own")),
            "shift_by_distance": (np.nanmean(np.array(column("shift_by_distance", good),
                                                      dtype=float), axis=0).tolist()
                                  if good else None),
            "n_cells": column("n_cells"), "fit_seconds": spread(column("fit_seconds")),
            "fit_cpu_seconds": spread(column("fit_cpu_seconds")),
            "uc2_cosine": spread(column("uc2_cosine")),
            "planes_used": np.mean(column("planes_used"), axis=0).tolist()}


def draw(results, arrays):
    """planes.png and patterns.png, from results.json and figures.npz; trains nothing."""
    import matplotlib.pyplot as plt

    planes, rows, n_ten = results["planes"], results["by_planes"], len(results["patterns"])
    quiet = f"quiet start (init_scale {results['tuning']['chosen']:g})"

    def series(arm, which):
        return {k: [r[arm][which][k] for r in rows] for k in ("fraction", "low", "high")}

    def per_seed(arm, key):
        return [[r[key] for r in results["runs"][arm][str(K)]] for K in planes]

    fig, axes = plt.subplots(2, 2, figsize=(15, 11))
    plot_success_against_planes(planes, {
        "ten distinct UC3 winners": series("ten", "distinct"),
        "the strict claim": series("ten", "strict"),
        f"ten distinct, {quiet}": series("quiet", "distinct"),
        f"the strict claim, {quiet}": series("quiet", "strict"),
        'control: "0"-"4", five distinct': series("five", "distinct"),
    }, kept={"held-out shifts won by the pattern's own cell": per_seed("ten", "shift_kept_own"),
             f"the same, {quiet}": per_seed("quiet", "shift_kept_own")}, ax=axes[0, 0],
        title=f"Seeds that self-organise ({len(results['seeds'])} seeds; bars: "
              f"{CONFIDENCE:.0%} Clopper-Pearson)")
    plot_cells_against_planes(planes, per_seed("ten", "n_cells"), n_ten, ax=axes[0, 1],
                              title="Distinct UC3 winners per seed, the paper's network")
    plot_cells_against_planes(planes, per_seed("quiet", "n_cells"), n_ten, ax=axes[1, 0],
                              title=f"Distinct UC3 winners per seed, {quiet}")
    plot_cost_against_planes(planes, per_seed("ten", "fit_cpu_seconds"),
                             [r["memory"]["peak_mib"] for r in rows], ax=axes[1, 1],
                             time_label="CPU seconds per fit",
                             title=f"Cost of one self-organisation ({n_ten} patterns)")
    fig.suptitle('Fukushima (1980) section 5: ten patterns "0"-"9" and the number of '
                 "cell-planes", fontsize=12)
    fig.tight_layout()
    return {"planes.png": fig,
            "patterns.png": plot_patterns(arrays["patterns"], results["patterns"])}


def _frac(r):
    return f"{r['count']}/{r['n']} = {r['fraction']:.2f} [{r['low']:.2f}, {r['high']:.2f}]"


def _row(K, row, arm, start):
    """One line of the table of :func:`markdown`."""
    ten = row[arm]

    def mean_std(r):
        return f"{r['mean']:.2f} ± {r['std']:.2f}"

    curve = ten["shift_by_distance"]
    cells = [start, _frac(ten["distinct"]), _frac(ten["strict"]),
             f"{ten['n_single']['mean']:.1f}", mean_std(ten["shift_kept_own"]),
             mean_std(ten["shift_kept"]),
             "-" if curve is None else " / ".join(f"{v:.2f}" for v in curve),
             f"{np.mean(ten['n_cells']):.1f}", f"{ten['uc2_cosine']['mean']:.2f}",
             _frac(row["five"]["distinct"]) if arm == "ten" else "-",
             f"{ten['fit_cpu_seconds']['median']:.2f}", f"{ten['fit_seconds']['median']:.2f}",
             f"{row['memory']['peak_mib']:.1f}"]
    return f"| {K} | " + " | ".join(cells) + " |"


def markdown(results):
    """results.md: one row per K and start, then the tuning of the quiet start."""
    tuning, n = results["tuning"], len(results["patterns"])
    starts = {"ten": f"paper ({results['config']['init_scale']:g})",
              "quiet": f"quiet ({tuning['chosen']:g})"}
    lines = [f'# Ten patterns "0"-"9" against the number of cell-planes (seeds '
             f'{results["seeds"][0]}-{results["seeds"][-1]})', "",
             f"Intervals: {CONFIDENCE:.0%} Clopper-Pearson. Start: the initial-weight scale "
             "(`init_scale`). One cell: patterns (of " + str(n) + ") answered by exactly one "
             "UC3 cell above 10 % of their winner, mean over seeds. Shift kept: held-out "
             "shifts of 3 px (beyond training), mean ± std over seeds; *own cell* counts a "
             "variant only when its pattern's winner is no other pattern's, *kept rule* "
             "counts a shared cell too (one cell for every pattern scores 1). By distance: "
             "1 / 2 / 3 px, shifts never shown to the network, over seeds with distinct winners. "
             "UC2 cosine: mean over pattern pairs of the cosine between their UC2 responses, "
             "the input of US3 (1: alike). Control: the paper's networks trained on the five "
             'patterns "0"-"4".', "",
             "| K | start | ten distinct | strict claim | one cell | shift kept, own cell | "
             "shift kept, kept rule | by distance | distinct cells | UC2 cosine | control: "
             "five distinct | fit CPU s | fit wall s | peak MiB |", "|---" * 14 + "|"]
    lines += [_row(K, row, arm, start) for arm, start in starts.items()
              for K, row in zip(results["planes"], results["by_planes"], strict=True)]
    lines += ["", f"Quiet start: `init_scale` chosen on tuning seeds {tuning['seeds'][0]}-"
              f"{tuning['seeds'][-1]} (never the seeds above): networks with ten distinct "
              f"winners, of {len(tuning['seeds'])} per K.", "",
              "| init_scale | " + " | ".join(f"K = {K}" for K in tuning["planes"]) + " |",
              "|---" * (len(tuning["planes"]) + 1) + "|"]
    lines += [f"| {sc} | " + " | ".join(map(str, c)) + " |"
              for sc, c in tuning["distinct"].items()]
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


def measure(run, args, planes, seeds, n_variants, n_curve, tuning):
    """Stages ``tune``, ``fit`` and ``memory``: the quiet start's scale, every network and
    its numbers, and the peak memory of one fit per K; the patterns, the tuning and the
    rows and runs of results.json."""
    held_out = np.random.default_rng(HELD_OUT)
    data = {}
    for name in (TEN, FIVE):
        patterns = fukushima1980_patterns(names=name)
        data[name] = (patterns, pattern_variants(patterns, n=n_variants,
                                                 random_state=held_out)["shift>=3"])
    with run.stage("tune"):
        tuned = tune(data[TEN][0], planes=tuning["planes"], seeds=tuning["seeds"],
                     scales=tuning["scales"], n_jobs=args.jobs, quiet=args.quiet)
    arms = {"ten": (*data[TEN], None), "five": (*data[FIVE], None),
            "quiet": (*data[TEN], tuned["chosen"])}
    with run.stage("fit"):
        # compiled (or loaded from numba's cache) here, so no fit's time includes it
        network(24, 0).fit(data[FIVE][0]).winners(data[FIVE][1][0])
        runs = run_fits(arms, planes, seeds, n_curve, args.jobs, args.quiet)
    with run.stage("memory"):
        memory = {K: fit_memory(data[TEN][0], K) for K in planes}
    rows = [{"planes": K, **{arm: summarise(runs[arm][str(K)]) for arm in arms},
             "memory": memory[K]} for K in planes]
    return data[TEN][0], tuned, rows, runs


def reproduce(ap, args, argv, out):
    """Tune, train and measure every network, save and draw; results.json's content, the
    paths written and the run's wall time."""
    planes = [24, 32] if args.quick else args.planes
    n_seeds, n_variants, n_curve = (3, 4, 2) if args.quick else (args.seeds, 20, 10)
    tuning = (dict(seeds=range(1000, 1002), planes=(32,), scales=(0.01, 0.001)) if args.quick
              else dict(seeds=TUNE_SEEDS, planes=TUNE_PLANES, scales=TUNE_SCALES))
    seeds = list(range(n_seeds))
    run = provenance.Run(out, argv=argv, script=__file__, parser=ap,
                         seeds={"networks": seeds, "tuning": list(tuning["seeds"]),
                                "held_out": HELD_OUT, "curves": "[seed, K, 7]", "memory": 0})
    with run:
        patterns, tuned, rows, runs = measure(run, args, planes, seeds, n_variants, n_curve,
                                              tuning)
        results = {
            "paper": "Fukushima (1980) Biol. Cybern. 36:193-202, section 5 (ten patterns)",
            "quick": args.quick, "planes": planes, "seeds": seeds,
            "patterns": list(TEN), "control_patterns": list(FIVE),
            "config": fukushima1980().to_dict(), "tuning": tuned,
            "departures": "K planes in every layer, all else as config (K=24); the quiet "
                          "start also scales the initial weights (tuned); the paper's "
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
    print(f"quiet start: init_scale {results['tuning']['chosen']:g}")
    for row in results["by_planes"]:
        ten, quiet = row["ten"], row["quiet"]
        print(f"K={row['planes']}: ten distinct {ten['distinct']['count']}/"
              f"{ten['distinct']['n']} (quiet start {quiet['distinct']['count']}), strict "
              f"{ten['strict']['count']} ({quiet['strict']['count']}), shift kept by the own "
              f"cell {ten['shift_kept_own']['mean']:.2f} ({quiet['shift_kept_own']['mean']:.2f})"
              f"; five distinct {row['five']['distinct']['count']}; fit "
              f"{ten['fit_cpu_seconds']['median']:.2f} CPU s, {row['memory']['peak_mib']:.1f} MiB")
    print(wrote(out, written, seconds))
    return results


if __name__ == "__main__":
    main()
