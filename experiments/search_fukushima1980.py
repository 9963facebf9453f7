"""Choose what Fukushima (1980) leaves open, on tuning seeds 1000-1099 only.

The paper fixes the architecture, ``r``, ``q`` and ``alpha``; it leaves open the fall-off
of the fixed weights ``c`` (per S-layer) and ``d`` (C-layers), the peak of ``d`` and the
initial weights (``neocognitron/fukushima1980/config.py``). This script scores a coarse
grid of those, one factor at a time around the preset, on networks trained with seeds
1000-1099 (the experiment reports seeds 0-29, never used here) and on variants drawn
from a stream of their own (``[seed, 2]``), none a training presentation
(:func:`neocognitron.fukushima1980.evaluation.pattern_variants`, 8 per pattern and kind,
both shift kinds included).

Score of a setting: the mean over seeds of the mean kept fraction over the six kinds,
counting 0 for a network whose five winners are not distinct (a merged network recognises
nothing). Rule, fixed before the run: the preset ("base") stays unless a setting beats it
by more than two standard errors of the paired difference over seeds.

The "claim" settings change a parameter the paper *does* give (``r`` of US2 or US3, the
C-cells' ``alpha``): they
are not candidates for the preset; they show what makes the paper's strict claim
(:func:`neocognitron.fukushima1980.claims.strict_claim`) hold.

Usage: python experiments/search_fukushima1980.py --out results/search_fukushima1980
[--settings NAME,NAME] [--seeds N] [--quick] [--quiet]. Writes results.json (every
setting's per-seed numbers and the table) and run.json (provenance); prints the table.

Findings: see the end of this docstring (filled in from the run it describes).
"""

import argparse
import dataclasses
import time
from pathlib import Path

import numpy as np

from neocognitron import Neocognitron, cli
from neocognitron.datasets import fukushima1980_patterns
from neocognitron.fukushima1980.claims import strict_claim
from neocognitron.fukushima1980.config import fukushima1980
from neocognitron.fukushima1980.evaluation import (
    VARIANT_KINDS,
    distinct,
    pattern_variants,
    winner_consistency,
)
from neocognitron.progress import KernelProgress
from neocognitron.workflow import provenance
from neocognitron.workflow.results import write_json

TUNING_SEEDS = tuple(range(1000, 1100))
N_VARIANTS = 8
#: name -> changes to the preset: "s1.gamma_c" (S-layer 1), "c.gamma_d" (every C-layer),
#: or a NetworkConfig field
FREE = {
    "base": {},
    "US1 gamma_c 0.3": {"s1.gamma_c": 0.3},
    "US1 gamma_c 0.6": {"s1.gamma_c": 0.6},
    "US1 gamma_c 0.8": {"s1.gamma_c": 0.8},
    "US2 gamma_c 0.6": {"s2.gamma_c": 0.6},
    "US2 gamma_c 0.9": {"s2.gamma_c": 0.9},
    "US3 gamma_c 0.8": {"s3.gamma_c": 0.8},
    "US3 gamma_c 1.0": {"s3.gamma_c": 1.0},
    "gamma_d 0.6": {"c.gamma_d": 0.6},
    "gamma_d 0.9": {"c.gamma_d": 0.9},
    "d_peak 0.7": {"c.d_peak": 0.7},
    "d_peak 1.5": {"c.d_peak": 1.5},
    "init_bias 0.1": {"init_bias": 0.1},
    "init_bias 0.5": {"init_bias": 0.5},
    "init_scale 0.003": {"init_scale": 0.003},
    "init_scale 0.03": {"init_scale": 0.03},
}
#: the paper's own parameters, for the strict claim only (not candidates for the preset)
CLAIM = {
    "US3 r 1.0": {"s3.r": 1.0},
    "US3 r 2.5": {"s3.r": 2.5},
    "US3 r 4": {"s3.r": 4.0},
    "US2 r 3": {"s2.r": 3.0},
    "alpha 0.25": {"alpha": 0.25},
    "alpha 1.0": {"alpha": 1.0},
    # a second round, after the first found no r or alpha that helps
    "US3 r 1.2": {"s3.r": 1.2},
    "US3 r 2.0": {"s3.r": 2.0},
    "US2 r 1.0": {"s2.r": 1.0},
    "US2 r 2.0": {"s2.r": 2.0},
    "US3 q 4": {"s3.q": 4.0},
    "US3 q 64": {"s3.q": 64.0},
    "US2 q 4": {"s2.q": 4.0},
    "US2 q 64": {"s2.q": 64.0},
    "repeats 40": {"repeats": 40},
    # a third round: more reinforcement (round 2's two gains), further and together
    "US3 q 256": {"s3.q": 256.0},
    "repeats 80": {"repeats": 80},
    "repeats 40 + US3 q 64": {"repeats": 40, "s3.q": 64.0},
    "repeats 80 + US3 q 64": {"repeats": 80, "s3.q": 64.0},
}
SETTINGS = {**FREE, **CLAIM}


def config_of(name):
    """The preset with the changes of setting ``name``."""
    cfg = fukushima1980()
    stages = list(cfg.stages)
    top = {}
    for key, value in SETTINGS[name].items():
        layer, _, field = key.rpartition(".")
        if layer == "c":
            stages = [dataclasses.replace(st, c=dataclasses.replace(st.c, **{field: value}))
                      for st in stages]
        elif layer:
            i = int(layer[1:]) - 1
            stages[i] = dataclasses.replace(
                stages[i], s=dataclasses.replace(stages[i].s, **{field: value}))
        else:
            top[field] = value
    return dataclasses.replace(cfg, stages=tuple(stages), **top)


def one_seed(cfg, patterns, seed):
    """Train with ``seed``; kept fractions on held-out variants, distinct, strict claim."""
    net = Neocognitron(config=cfg, random_state=seed).fit(patterns)
    presented = net.presentations(patterns)[0]
    kw = {"n": N_VARIANTS, "train_shift": cfg.max_shift}
    try:
        variants = pattern_variants(patterns, presented=presented, **kw,
                                    random_state=np.random.default_rng([seed, 2]))
    except ValueError:  # every near shift was presented (many repeats): that kind is left out
        variants = pattern_variants(patterns, **kw, random_state=np.random.default_rng([seed, 2]))
    res = winner_consistency(net, patterns, variants)
    claim = strict_claim(net, patterns)
    return {"seed": seed, "distinct": res["distinct"], "keep": res["keep"],
            "score": res["keep_all"] if distinct(np.asarray(res["winners"])) else 0.0,
            "holds": claim["holds"], "n_responding": claim["n_responding"],
            "n_shared": claim["n_shared"]}


def summary(runs):
    """Means (and the standard error of the score) of one setting's runs."""
    score = np.array([r["score"] for r in runs])
    return {
        "n_seeds": len(runs),
        "score": float(score.mean()),
        "score_se": float(score.std(ddof=1) / np.sqrt(len(score))) if len(score) > 1 else 0.0,
        "distinct": float(np.mean([r["distinct"] for r in runs])),
        "holds": float(np.mean([r["holds"] for r in runs])),
        "n_responding": float(np.mean([r["n_responding"] for r in runs])),
        # None for a kind no run could measure (near shifts, when every one was presented)
        "keep": {k: float(np.mean(v)) if (v := [r["keep"][k] for r in runs if k in r["keep"]])
                 else None for k in VARIANT_KINDS},
    }


def choose(results):
    """The rule: the best free setting if it beats "base" by more than two standard errors
    of the paired difference over seeds; else "base". None when no free setting ran."""
    free = [n for n in results if n in FREE]
    if not free:
        return None
    best = max(free, key=lambda n: results[n]["summary"]["score"])
    if best == "base" or "base" not in results:
        return best
    diff = (np.array([r["score"] for r in results[best]["runs"]])
            - np.array([r["score"] for r in results["base"]["runs"]]))
    se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else np.inf
    return best if diff.mean() > 2 * se else "base"


def table(results):
    """Markdown table of every setting's summary."""
    rows = ["| setting | score | distinct | strict claim | responding | "
            + " | ".join(VARIANT_KINDS) + " |", "|---" * (5 + len(VARIANT_KINDS)) + "|"]
    for name, res in results.items():
        s = res["summary"]
        rows.append(f"| {name} | {s['score']:.3f} ± {s['score_se']:.3f} | {s['distinct']:.2f} | "
                    f"{s['holds']:.2f} | {s['n_responding']:.1f} | "
                    + " | ".join("-" if s["keep"][k] is None else f"{s['keep'][k]:.2f}"
                                 for k in VARIANT_KINDS) + " |")
    return "\n".join(rows)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, type=Path, help="output folder")
    ap.add_argument("--settings", type=cli.name_list(SETTINGS), default=list(SETTINGS),
                    help="comma-separated setting names (default all)")
    ap.add_argument("--seeds", type=cli.positive_int, default=len(TUNING_SEEDS),
                    help="the first N tuning seeds (1000, 1001, ...; at most 100)")
    ap.add_argument("--quick", action="store_true", help="3 tuning seeds, base and one other")
    ap.add_argument("--quiet", action="store_true", help="no progress bars")
    args = ap.parse_args(argv)
    if args.seeds > len(TUNING_SEEDS):
        ap.error(f"--seeds must be at most {len(TUNING_SEEDS)} (seeds 1000-1099)")
    if args.quick:
        args.seeds, args.settings = 3, ["base", "US3 r 4"]
    return ap, args


def main(argv=None):
    """Run the search; returns the content of results.json."""
    ap, args = parse_args(argv)
    seeds = list(TUNING_SEEDS[: args.seeds])
    patterns = fukushima1980_patterns()
    t0 = time.perf_counter()
    run = provenance.Run(args.out, argv=argv, script=__file__, parser=ap,
                         seeds={"tuning": seeds, "variants": [[s, 2] for s in seeds]})
    results = {}
    with run:
        for name in args.settings:
            with run.stage(name):
                cfg = config_of(name)
                runs = [one_seed(cfg, patterns, s) for s in KernelProgress(
                    seeds, desc=name, disable=args.quiet)]
            results[name] = {"changes": SETTINGS[name], "runs": runs, "summary": summary(runs)}
        chosen = choose(results)
        out = {"seeds": seeds, "n_variants": N_VARIANTS, "settings": results, "chosen": chosen,
               "table": table(results), "wall_time_s": round(time.perf_counter() - t0, 1)}
        with run.stage("save results"):
            write_json(out, args.out / "results.json")
    print(out["table"])
    print(f"chosen: {chosen} ({len(seeds)} tuning seeds, {out['wall_time_s']} s); wrote "
          f"{args.out / 'results.json'}, {run.path}")
    return out


if __name__ == "__main__":
    main()
