"""Reproduce Fukushima (1980), Biol. Cybern. 36:193-202, Figs. 6 and 7.

The paper's network (U0 16x16 -> US1/UC1 -> US2/UC2 -> US3/UC3, 24 planes per layer) is
self-organised without a teacher on the patterns "0" to "4", each presented 20 times at
a random shift. The claim: each pattern then drives its own UC3 cell, and that cell keeps
answering when the pattern is shifted, resized, deformed, noisy or incomplete.

Outputs (in ``--out``):
  fig6.png            varied patterns and the UC3 response to each (paper's Fig. 6)
  fig7.png            every layer's response to "4" (paper's Fig. 7)
  us1_filters.png     the 24 learned US1 weight patterns
  seeds.png           the claim over ``--seeds`` seeds ("0"-"4" and "X","Y","T","Z")
  tolerance.png       kept fraction against the strength of each variation
  results.json        every number and the parameters used
  figures.npz         the arrays the figures need that are not in results.json: the five
                      patterns, the Fig. 6 inputs and UC3 responses, every layer's response
                      to "4" (Fig. 7), the learned US1 weights
  run.json            provenance: command, seeds, git commit, versions, machine, the time
                      of every stage (``neocognitron.workflow.provenance``)

Usage: python experiments/fukushima1980.py --out results/fukushima1980 [--seed 0]
[--seeds 10] [--quick] [--quiet]. Expected: five distinct UC3 cells for seed 0 and for
10 of 10 seeds; run time about 15 s once numba's cache is warm (see README).

``--replot DIR [--out OUT]`` redraws every figure from the results.json and figures.npz a
run wrote in DIR, into OUT (default DIR), without training: ``make figures`` does this for
the copies in ``docs/results/``.
"""

import argparse
import time
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed

from neocognitron import Neocognitron, cli, transforms
from neocognitron.datasets import fukushima1980_patterns, fukushima1980_xytz_patterns
from neocognitron.fukushima1980.config import fukushima1980
from neocognitron.fukushima1980.evaluation import (
    STRENGTHS,
    VARIANT_KINDS,
    deform_strokes,
    pattern_variants,
    resize_strokes,
    tolerance_curves,
    winner_consistency,
)
from neocognitron.plotting import (
    plot_fig6,
    plot_fig7,
    plot_filters,
    plot_seed_summary,
    plot_tolerance_curves,
)
from neocognitron.progress import KernelProgress, workers_compile
from neocognitron.workflow import provenance
from neocognitron.workflow.outputs import Outputs, wrote

DEFAULT_OUT = "results/fukushima1980"
FIG7_PATTERN = 4  # Fig. 7 shows every layer's response to "4"
FIG6_LABELS = ("(a) shifted", "(b) shifted", "(c) shifted", "(d) smaller", "(e) larger",
               "(f) deformed", "(g) noisy", "(g) incomplete")


def fig6_variants(patterns, rng):
    """The eight inputs per pattern shown in Fig. 6, drawn from ``rng``."""
    rows = []
    for p in patterns:
        shifts = [transforms.random_shift(p, 3, rng)[0] for _ in range(3)]
        small, large = resize_strokes(p[None], 0.8)[0], resize_strokes(p[None], 1.2)[0]
        deformed = deform_strokes(p[None], 8.0, 3.0, rng)[0]
        noisy = transforms.salt_and_pepper(p, 0.03, rng)
        incomplete = transforms.erase(p, 0.15, rng)
        rows.append(shifts + [small, large, deformed, noisy, incomplete])
    return np.array(rows)


def one_seed(patterns, seed, variants, n_curve):
    """Train one network; return its consistency result and tolerance curves."""
    net = Neocognitron.fukushima1980(random_state=seed).fit(patterns)
    res = winner_consistency(net, patterns, variants)
    res["curves"] = tolerance_curves(net, patterns, n=n_curve,
                                     random_state=np.random.default_rng([seed, 7]))
    return res


def run_seeds(patterns, seeds, variants, n_curve, n_jobs, quiet, label):
    """``one_seed`` for every seed, fanned out over ``n_jobs`` processes."""
    jobs = (delayed(one_seed)(patterns, s, variants, n_curve) for s in seeds)
    results = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
    # the workers compile the kernels only when the cache is off (the fit above filled it)
    return list(KernelProgress(results, total=len(seeds), desc=f"seeds ({label})",
                               disable=quiet, first_step_compiles=workers_compile()))


def summarise(results, seeds):
    keep = np.array([[r["keep"][k] for k in VARIANT_KINDS] for r in results])
    distinct = [r["distinct"] for r in results]
    return {
        "seeds": list(seeds),
        "distinct": distinct,
        "n_distinct": int(np.sum(distinct)),
        "keep": {k: keep[:, j].tolist() for j, k in enumerate(VARIANT_KINDS)},
        "keep_mean": {k: float(keep[:, j].mean()) for j, k in enumerate(VARIANT_KINDS)},
        "winners": [r["winners"] for r in results],
        "curves": {k: [r["curves"][k] for r in results] for k in STRENGTHS},
    }, keep, distinct


def draw(results, arrays):
    """Every figure, from the content of results.json and figures.npz; trains nothing."""
    import matplotlib.pyplot as plt

    main, names = results["main"], results["main"]["patterns"]
    layers = {name: arrays[f"fig7_{name}"] for name in arrays["fig7_layers"]}
    figs = {
        "fig6.png": plot_fig6(arrays["patterns"], arrays["fig6_inputs"],
                              arrays["fig6_responses"], np.array(main["winners"]),
                              names=(names, FIG6_LABELS)),
        "fig7.png": plot_fig7(layers, name=names[int(arrays["fig7_pattern"])]),
        "us1_filters.png": plot_filters(arrays["us1_a"]).figure,
    }
    kinds = results["variants"]["kinds"]
    digits, letters = results["seeds_digits"], results["seeds_xytz"]
    n_seeds = len(digits["seeds"])

    def keep(summary):
        return np.array([summary["keep"][k] for k in kinds]).T  # (n_seeds, n_kinds)

    fig, axes = plt.subplots(2, 1, figsize=(max(7, 0.8 * n_seeds + 2), 7.5))
    plot_seed_summary(keep(digits), digits["distinct"], kinds, ax=axes[0])
    axes[0].set_title('patterns "0"-"4": ' + axes[0].get_title(), fontsize=10)
    plot_seed_summary(keep(letters), letters["distinct"], kinds, ax=axes[1])
    axes[1].set_title('patterns "X" "Y" "T" "Z": ' + axes[1].get_title(), fontsize=10)
    fig.tight_layout()
    figs["seeds.png"] = fig
    figs["tolerance.png"] = plot_tolerance_curves(
        digits["curves"], results["variants"]["curve_strengths"],
        title=f'Patterns "0"-"4": variants keeping their UC3 cell ({n_seeds} seeds)')
    return figs


#: results.json, figures.npz and the figures drawn from them
OUTPUTS = Outputs(draw)


def parse_args(argv):
    """The parser and the arguments."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=None,
                    help=f"output folder (default {DEFAULT_OUT}; with --replot: DIR)")
    ap.add_argument("--seed", type=cli.seed, default=0, help="random_state of the main network")
    ap.add_argument("--seeds", type=cli.positive_int, default=10,
                    help="seeds in the multi-seed summary")
    ap.add_argument("--quick", action="store_true", help="3 seeds, fewer variants")
    ap.add_argument("--jobs", type=cli.n_jobs, default=-1,
                    help="processes for the seeds, as joblib counts them (-1: all cores, "
                         "-2: all but one)")
    ap.add_argument("--quiet", action="store_true", help="no progress bars")
    OUTPUTS.add_replot_option(ap, skips="no training")
    return ap, ap.parse_args(argv)


def fit_and_show(run, seed, quiet, n_variants, held_out):
    """Stages ``fit`` and ``evaluate``: the main network, its result on held-out variants,
    and the arrays of Figs. 6 and 7 (the inputs shown, the UC3 responses, every layer's
    response to "4")."""
    with run.stage("fit"):
        patterns, names = fukushima1980_patterns(return_names=True)
        net = Neocognitron.fukushima1980(random_state=seed, verbose=not quiet)
        net.fit(patterns)
    with run.stage("evaluate"):
        variants = pattern_variants(patterns, n=n_variants, random_state=held_out)
        main_result = winner_consistency(net, patterns, variants)
        shown = fig6_variants(patterns, held_out)
        P, V = shown.shape[:2]
        responses = net.transform(shown.reshape(P * V, 16, 16)).reshape(P, V, -1)
        layers = net.forward(patterns[FIG7_PATTERN : FIG7_PATTERN + 1])
    result = {**main_result, "patterns": list(names),
            "reinforcements": [r.tolist() for r in net.reinforcements_]}
    arrays = {"patterns": patterns, "fig6_inputs": shown, "fig6_responses": responses,
              "fig7_layers": list(layers), "fig7_pattern": FIG7_PATTERN, "us1_a": net.a_[0],
              **{f"fig7_{name}": v for name, v in layers.items()}}
    return patterns, variants, result, arrays


def all_seeds(run, args, patterns, variants, seeds, n_variants, n_curve, held_out):
    """Stages ``seeds 0-4`` and ``seeds XYTZ``: the summaries over ``seeds`` of the patterns
    "0"-"4" and of "X", "Y", "T", "Z"."""
    with run.stage("seeds 0-4"):
        digit_runs = run_seeds(patterns, seeds, variants, n_curve, args.jobs, args.quiet,
                               "0-4")
    with run.stage("seeds XYTZ"):
        letters, letter_names = fukushima1980_xytz_patterns(return_names=True)
        letter_variants = pattern_variants(letters, n=n_variants, random_state=held_out)
        letter_runs = run_seeds(letters, seeds, letter_variants, n_curve, args.jobs,
                                args.quiet, "XYTZ")
    digits, _, _ = summarise(digit_runs, seeds)
    letters_summary, _, _ = summarise(letter_runs, seeds)
    return digits, {**letters_summary, "patterns": list(letter_names)}


def reproduce(ap, args, argv, out):
    """Train, evaluate, run every seed, save and draw; results.json's content, the paths
    written and the run's wall time."""
    t0 = time.perf_counter()
    n_seeds, n_variants = (3, 6) if args.quick else (args.seeds, 12)
    seeds = list(range(n_seeds))
    n_curve = 3 if args.quick else 6
    run = provenance.Run(out, argv=argv, script=__file__, parser=ap,
                         seeds={"main": args.seed, "held_out": [args.seed, 1980],
                                "summary": seeds, "curves": [[s, 7] for s in seeds]})
    with run:
        # held-out variants: their own random stream, never seen in training
        held_out = np.random.default_rng([args.seed, 1980])
        patterns, variants, main_net, arrays = fit_and_show(run, args.seed, args.quiet,
                                                            n_variants, held_out)
        digits, letters = all_seeds(run, args, patterns, variants, seeds, n_variants,
                                    n_curve, held_out)
        results = {
            "paper": "Fukushima (1980) Biol. Cybern. 36:193-202, Figs. 6-7",
            "seed": args.seed,
            "quick": args.quick,
            "config": fukushima1980().to_dict(),
            "variants": {"per_pattern_and_kind": n_variants, "kinds": list(VARIANT_KINDS),
                         "max_shift": 3, "resize": [0.8, 1.25], "elastic_alpha_sigma": [8, 3],
                         "noise": 0.03, "erase_fraction": 0.15,
                         "curve_strengths": STRENGTHS},
            "main": main_net,
            "seeds_digits": digits,
            "seeds_xytz": letters,
            "wall_time_s": round(time.perf_counter() - t0, 2),
        }
        written = OUTPUTS.save(run, out, results, arrays)
    return results, written + [run.path], run.record["wall_seconds"]


def main(argv=None):
    """Run the reproduction; returns the content of results.json (with ``--replot``: the
    paths of the figures redrawn)."""
    ap, args = parse_args(argv)
    if args.replot is not None:
        return OUTPUTS.replot(ap, args.replot, args.out)
    out = Path(args.out or DEFAULT_OUT)
    results, written, seconds = reproduce(ap, args, argv, out)
    net, n_seeds = results["main"], len(results["seeds_digits"]["seeds"])
    print(f"UC3 cells of seed {args.seed}: {net['winners']} "
          f"(distinct: {net['distinct']}); kept: "
          + ", ".join(f"{k} {v:.2f}" for k, v in net["keep"].items()))
    print(f"distinct UC3 cells in {results['seeds_digits']['n_distinct']}/{n_seeds} seeds "
          f"(0-4), {results['seeds_xytz']['n_distinct']}/{n_seeds} seeds (XYTZ)")
    print(wrote(out, written, seconds))
    return results


if __name__ == "__main__":
    main()
