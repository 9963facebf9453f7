"""Reproduce Fukushima (1980), Biol. Cybern. 36:193-202, Figs. 6 and 7, held out and controlled.

The paper's network (U0 16x16 -> US1/UC1 -> US2/UC2 -> US3/UC3, 24 planes per layer) is
self-organised without a teacher on the patterns "0" to "4", each presented 20 times at
a random shift of at most 2 pixels. The claim: each pattern then drives its own UC3 cell
(strictly: "only one" UC3 cell responds to it, and no cell to two patterns), and that
cell keeps answering when the pattern is shifted, resized, deformed, noisy or incomplete.

What is measured, on seeds 0..N-1 (default 30; the free parameters were chosen on seeds
1000-1099 by experiments/search_fukushima1980.py, never on these), as mean and spread:
  * distinct winners (every pattern its own strongest UC3 cell) and the strict claim
    (neocognitron.fukushima1980.claims: one UC3 cell above 10 % of the winner per pattern,
    none shared);
  * the fraction of held-out variants keeping their pattern's cell, by kind. No variant
    is a training presentation (neocognitron.fukushima1980.heldout): "shift<=2" are
    shifts within the training distances that the network was never shown, "shift>=3"
    shifts beyond them, the other kinds are redrawn while they equal a training image;
  * the same for two controls, measured alike: a template matcher that learns nothing
    (blurred templates, cosine, best shift up to 3 px) and the untrained network (initial
    weights); the untrained network answers every pattern with one cell, so its variants
    "keep" that cell while its winners are never distinct;
  * tolerance curves over the whole range of each variation (none at strength 0, the
    pattern itself), for the network and both controls.

Outputs (in ``--out``):
  fig6.png            varied patterns and the UC3 response to each (paper's Fig. 6)
  fig7.png            every layer's response to "4" (paper's Fig. 7)
  us1_filters.png     the 24 learned US1 weight patterns
  seeds.png           per seed: kept fractions, distinct winners, strict claim ("0"-"4"
                      and "X","Y","T","Z")
  tolerance.png       kept fraction against the strength of each variation, with controls
  results.json        every number, the tables (markdown) and the parameters used
  figures.npz         the arrays the figures need that are not in results.json: the five
                      patterns, the Fig. 6 inputs and UC3 responses, every layer's response
                      to "4" (Fig. 7), the learned US1 weights
  run.json            provenance: command, seeds, git commit, versions, machine, the time
                      of every stage (``neocognitron.workflow.provenance``)

Usage: python experiments/fukushima1980.py --out results/fukushima1980 [--seed 0]
[--seeds 30] [--quick] [--jobs N] [--quiet]. Prints the table of the network and its
controls for both pattern sets.

``--replot DIR [--out OUT]`` redraws every figure from the results.json and figures.npz a
run wrote in DIR, into OUT (default DIR), without training: ``make figures`` does this for
the copies in ``docs/results/``.
"""

import argparse
import time
from pathlib import Path

import numpy as np

from neocognitron import Neocognitron, cli, transforms
from neocognitron.datasets import fukushima1980_patterns, fukushima1980_xytz_patterns
from neocognitron.fukushima1980.config import fukushima1980
from neocognitron.fukushima1980.controls import TemplateMatcher, untrained_network
from neocognitron.fukushima1980.evaluation import (
    FRACTION,
    STRENGTHS,
    TRAIN_SHIFT,
    VARIANT_KINDS,
    deform_strokes,
    pattern_variants,
    resize_strokes,
    strict_claim,
    tolerance_curves,
    winner_consistency,
)
from neocognitron.fukushima1980.heldout import training_presentations, unpresented_shifts
from neocognitron.plotting import (
    plot_fig6,
    plot_fig7,
    plot_filters,
    plot_seed_summary,
    plot_tolerance_curves,
)
from neocognitron.progress import parallel_map
from neocognitron.workflow import provenance
from neocognitron.workflow.outputs import Outputs, wrote

DEFAULT_OUT = "results/fukushima1980"
FIG7_PATTERN = 4  # Fig. 7 shows every layer's response to "4"
#: the trained network and its two controls, measured alike (table labels)
MODELS = {"trained": "trained network", "untrained": "untrained network (initial weights)",
          "template": "template matcher (no learning)"}
FIG6_LABELS = ("(a) shifted 3", "(b) shifted 3", "(c) shifted 3", "(d) smaller", "(e) larger",
               "(f) deformed", "(g) noisy", "(g) incomplete")


def fig6_variants(patterns, rng):
    """The eight inputs per pattern shown in Fig. 6, drawn from ``rng``; the three shifted
    ones beyond the training distances, so that none is a training presentation."""
    far = unpresented_shifts(patterns, training_presentations(patterns, TRAIN_SHIFT), 3,
                             (TRAIN_SHIFT + 1,), rng)
    rows = []
    for p, shifted in zip(patterns, far, strict=True):
        shifts = list(shifted)
        small, large = resize_strokes(p[None], 0.8)[0], resize_strokes(p[None], 1.2)[0]
        deformed = deform_strokes(p[None], 8.0, 3.0, rng)[0]
        noisy = transforms.salt_and_pepper(p, 0.03, rng)
        incomplete = transforms.erase(p, 0.15, rng)
        rows.append(shifts + [small, large, deformed, noisy, incomplete])
    return np.array(rows)


def measure(model, patterns, variants, n_curve, curve_seed, presented, claim=True):
    """One model's kept fractions, tolerance curves and (for a network) strict claim."""
    res = winner_consistency(model, patterns, variants)
    res["curves"] = tolerance_curves(model, patterns, n=n_curve, presented=presented,
                                     random_state=np.random.default_rng(curve_seed))
    if claim:
        res["strict_claim"] = strict_claim(model, patterns)
    return res


def measure_all(net, patterns, variants, seed, n_curve):
    """The trained ``net`` and the two controls, measured on the same held-out variants:
    those of ``variants`` and shifts within the training distances ``net`` was never shown
    (drawn from ``[seed, 1980, 2]``); curves from ``[seed, 7]``."""
    presented = net.presentations(patterns)[0]
    n = next(iter(variants.values())).shape[1]
    near = unpresented_shifts(patterns, presented, n, range(1, TRAIN_SHIFT + 1),
                              np.random.default_rng([seed, 1980, 2]))
    held = {"shift<=2": near, **variants}
    models = {"trained": net, "untrained": untrained_network(),
              "template": TemplateMatcher(patterns)}
    return {name: measure(m, patterns, held, n_curve, [seed, 7], presented,
                          claim=name != "template")
            for name, m in models.items()}


def one_seed(patterns, seed, variants, n_curve):
    """Train one network with ``seed``; :func:`measure_all`."""
    net = Neocognitron.fukushima1980(random_state=seed).fit(patterns)
    return measure_all(net, patterns, variants, seed, n_curve)


def run_seeds(patterns, seeds, variants, n_curve, n_jobs, quiet, label):
    """``one_seed`` for every seed, fanned out over ``n_jobs`` processes."""
    # the workers compile the kernels only when the cache is off (the fit above filled it)
    return parallel_map(one_seed, [(patterns, s, variants, n_curve) for s in seeds], n_jobs,
                        desc=f"seeds ({label})", quiet=quiet)


def _mean_sd(values):
    v = np.asarray(values, dtype=float)
    return {"mean": float(v.mean()), "std": float(v.std())}


def _claim_summary(claims):
    """The strict claim over seeds: how many hold, responding cells, shared cells."""
    return {
        "fraction": claims[0]["fraction"],
        "holds": [c["holds"] for c in claims],
        "n_holds": int(sum(c["holds"] for c in claims)),
        "n_responding": [c["n_responding"] for c in claims],
        "n_responding_mean": _mean_sd([np.mean(c["n_responding"]) for c in claims]),
        "n_shared": [c["n_shared"] for c in claims],
        "runner_up": [c["runner_up"] for c in claims],
    }


def summarise_model(runs):
    """One model's numbers over seeds: per seed, and mean and spread (std over seeds)."""
    keep = {k: [r["keep"][k] for r in runs] for k in VARIANT_KINDS}
    out = {
        "distinct": [r["distinct"] for r in runs],
        "n_distinct": int(sum(r["distinct"] for r in runs)),
        "keep": keep,
        "keep_mean": {k: float(np.mean(v)) for k, v in keep.items()},
        "keep_std": {k: float(np.std(v)) for k, v in keep.items()},
        "keep_all": _mean_sd([r["keep_all"] for r in runs]),
        # the search's score: a network whose winners are not distinct recognises nothing
        "keep_if_distinct": _mean_sd([r["keep_all"] * r["distinct"] for r in runs]),
        "winners": [r["winners"] for r in runs],
        # None: no fresh variant at that strength (left out of the mean, a gap in the plot)
        "curves": {k: [r["curves"][k] for r in runs] for k in STRENGTHS},
    }
    if "strict_claim" in runs[0]:
        out["strict_claim"] = _claim_summary([r["strict_claim"] for r in runs])
    return out


def summarise(results, seeds):
    """The trained network's summary, its controls' beside it, and the table of all three."""
    by_model = {name: summarise_model([r[name] for r in results]) for name in MODELS}
    return {"seeds": list(seeds), **by_model["trained"],
            "controls": {name: by_model[name] for name in MODELS if name != "trained"},
            "table": table(by_model, len(seeds))}


def table(by_model, n_seeds):
    """Markdown: distinct winners, strict claim and kept fraction (mean ± sd over seeds);
    the last column counts 0 for a network whose winners are not distinct (the untrained
    network answers every pattern with one cell, so its variants all "keep" it)."""
    rows = ["| model | distinct winners | strict claim | " + " | ".join(VARIANT_KINDS)
            + " | all kinds | all kinds, 0 if not distinct |",
            "|---" * (5 + len(VARIANT_KINDS)) + "|"]

    def ms(v):
        return f"{v['mean']:.2f} ± {v['std']:.2f}"

    for name, s in by_model.items():
        claim = s.get("strict_claim")
        claim = f"{claim['n_holds']}/{n_seeds}" if claim else "n/a"
        kept = [ms({"mean": s["keep_mean"][k], "std": s["keep_std"][k]}) for k in VARIANT_KINDS]
        rows.append(f"| {MODELS[name]} | {s['n_distinct']}/{n_seeds} | {claim} | "
                    + " | ".join(kept + [ms(s["keep_all"]), ms(s["keep_if_distinct"])]) + " |")
    return "\n".join(rows)


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

    fig, axes = plt.subplots(2, 1, figsize=(max(7, 0.45 * n_seeds + 2), 8))
    for ax, summary, what in ((axes[0], digits, '"0"-"4"'), (axes[1], letters, '"X" "Y" "T" "Z"')):
        plot_seed_summary(keep(summary), summary["distinct"], kinds, ax=ax,
                          holds=summary["strict_claim"]["holds"])
        ax.set_title(f"patterns {what}: " + ax.get_title(), fontsize=10)
    fig.tight_layout()
    figs["seeds.png"] = fig
    figs["tolerance.png"] = plot_tolerance_curves(
        digits["curves"], results["variants"]["curve_strengths"],
        controls={f"{MODELS[k]}, distinct in {v['n_distinct']}/{n_seeds}": v["curves"]
                  for k, v in digits["controls"].items()},
        train_shift=results["variants"]["train_shift"],
        title=f'Patterns "0"-"4": held-out variants keeping their UC3 cell ({n_seeds} seeds; '
              "none is a training presentation)")
    return figs


#: results.json, figures.npz and the figures drawn from them
OUTPUTS = Outputs(draw)


def parse_args(argv):
    """The parser and the arguments."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=None,
                    help=f"output folder (default {DEFAULT_OUT}; with --replot: DIR)")
    ap.add_argument("--seed", type=cli.seed, default=0, help="random_state of the main network")
    ap.add_argument("--seeds", type=cli.positive_int, default=30,
                    help="seeds in the multi-seed summary: 0, 1, ..., N-1 (default 30; the "
                         "parameters were tuned on seeds 1000-1099, never on these)")
    ap.add_argument("--quick", action="store_true", help="3 seeds, fewer variants")
    ap.add_argument("--jobs", type=cli.n_jobs, default=-1,
                    help="processes for the seeds, as joblib counts them (-1: all cores, "
                         "-2: all but one)")
    ap.add_argument("--quiet", action="store_true", help="no progress bars")
    OUTPUTS.add_replot_option(ap, skips="no training")
    return ap, ap.parse_args(argv)


def fit_and_show(run, seed, quiet, n_variants, n_curve, held_out):
    """Stages ``fit`` and ``evaluate``: the main network, its result on held-out variants,
    and the arrays of Figs. 6 and 7 (the inputs shown, the UC3 responses, every layer's
    response to "4")."""
    with run.stage("fit"):
        patterns, names = fukushima1980_patterns(return_names=True)
        net = Neocognitron.fukushima1980(random_state=seed, verbose=not quiet)
        net.fit(patterns)
    with run.stage("evaluate"):
        variants = pattern_variants(patterns, n=n_variants, random_state=held_out)
        measured = measure_all(net, patterns, variants, seed, n_curve)
        shown = fig6_variants(patterns, held_out)
        P, V = shown.shape[:2]
        responses = net.transform(shown.reshape(P * V, 16, 16)).reshape(P, V, -1)
        layers = net.forward(patterns[FIG7_PATTERN : FIG7_PATTERN + 1])
    result = {**measured["trained"], "patterns": list(names),
              "controls": {k: v for k, v in measured.items() if k != "trained"},
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
    digits = summarise(digit_runs, seeds)
    letters_summary = summarise(letter_runs, seeds)
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
                                "summary": seeds, "curves": [[s, 7] for s in seeds],
                                "near_shifts": [[s, 1980, 2] for s in seeds]})
    with run:
        # held-out variants: their own random stream, never seen in training
        held_out = np.random.default_rng([args.seed, 1980])
        patterns, variants, main_net, arrays = fit_and_show(run, args.seed, args.quiet,
                                                            n_variants, n_curve, held_out)
        digits, letters = all_seeds(run, args, patterns, variants, seeds, n_variants,
                                    n_curve, held_out)
        results = {
            "paper": "Fukushima (1980) Biol. Cybern. 36:193-202, Figs. 6-7",
            "seed": args.seed,
            "quick": args.quick,
            "config": fukushima1980().to_dict(),
            "variants": {"per_pattern_and_kind": n_variants, "kinds": list(VARIANT_KINDS),
                         "train_shift": TRAIN_SHIFT, "max_shift": 3, "resize": [0.8, 1.25],
                         "elastic_alpha_sigma": [8, 3], "noise": 0.03, "erase_fraction": 0.15,
                         "curve_strengths": STRENGTHS, "per_pattern_and_strength": n_curve,
                         "never_a_training_presentation": True},
            "strict_claim_fraction": FRACTION,
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
    for key, what in (("seeds_digits", '"0"-"4"'), ("seeds_xytz", '"X" "Y" "T" "Z"')):
        print(f"patterns {what}, seeds 0-{n_seeds - 1} (kept: mean ± sd over seeds):")
        print(results[key]["table"])
    print(wrote(out, written, seconds))
    return results


if __name__ == "__main__":
    main()
