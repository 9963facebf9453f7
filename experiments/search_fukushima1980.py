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

The "claim" settings change what the paper *does* give (``r`` and ``q`` of US2 or US3,
the C-cells' ``alpha``, the number of presentations): they are not candidates for the
preset; they show what makes the paper's strict claim
(:func:`neocognitron.fukushima1980.claims.strict_claim`) hold.

Usage: python experiments/search_fukushima1980.py --out results/search_fukushima1980
[--settings NAME,NAME] [--seeds N] [--quick] [--quiet]. Writes results.json (every
setting's per-seed numbers and the table) and run.json (provenance); prints the table.

Findings (branch issue15-eval, 30 November 2026; all 100 tuning seeds; NUMBA_NUM_THREADS=1
on 2 shared cores: round 1, the first 22 rows, in 755 s; rounds 2 and 3 in 212 s and 216 s,
run after it with ``--settings``). Rerun whole from clean commit 12d551a, every row the
same, in 1,669 s on 2 shared cores: the saved run ``docs/results/search_fukushima1980/``.
score: mean ± standard error over seeds; distinct, claim: fraction of seeds giving distinct
winners, and for which the strict claim holds; resp.: mean number of UC3 cells above 10 % of
the winner per pattern (the claim is 1); then the kept fraction by kind (mean over seeds).

| setting | score | distinct | claim | resp. | sh<=2 | sh>=3 | res | def | noise | erase |
|---|---|---|---|---|---|---|---|---|---|---|
| base | 0.634±0.026 | 0.87 | 0.42 | 2.2 | .93 | .73 | .73 | .61 | .73 | .66 |
| US1 gamma_c 0.3 | 0.473±0.037 | 0.63 | 0.27 | 2.3 | .91 | .71 | .74 | .65 | .73 | .67 |
| US1 gamma_c 0.6 | 0.644±0.022 | 0.90 | 0.50 | 1.8 | .95 | .76 | .69 | .52 | .71 | .63 |
| US1 gamma_c 0.8 | 0.653±0.019 | 0.93 | 0.56 | 1.4 | .97 | .76 | .68 | .48 | .73 | .58 |
| US2 gamma_c 0.6 | 0.578±0.024 | 0.87 | 0.18 | 3.2 | .84 | .64 | .66 | .55 | .66 | .57 |
| US2 gamma_c 0.9 | 0.671±0.025 | 0.89 | 0.37 | 2.2 | .95 | .76 | .74 | .63 | .75 | .68 |
| US3 gamma_c 0.8 | 0.635±0.025 | 0.88 | 0.32 | 2.3 | .93 | .73 | .72 | .60 | .72 | .66 |
| US3 gamma_c 1.0 | 0.649±0.025 | 0.88 | 0.40 | 2.1 | .93 | .74 | .74 | .62 | .73 | .67 |
| gamma_d 0.6 | 0.639±0.013 | 0.97 | 0.33 | 2.4 | .89 | .61 | .66 | .53 | .66 | .58 |
| gamma_d 0.9 | 0.515±0.035 | 0.69 | 0.30 | 2.6 | .92 | .76 | .74 | .63 | .74 | .68 |
| d_peak 0.7 | 0.640±0.018 | 0.94 | 0.32 | 2.4 | .90 | .66 | .69 | .56 | .67 | .59 |
| d_peak 1.5 | 0.429±0.039 | 0.56 | 0.17 | 3.3 | .93 | .80 | .77 | .65 | .78 | .72 |
| init_bias 0.1 | 0.613±0.029 | 0.83 | 0.53 | 2.2 | .94 | .73 | .74 | .61 | .74 | .66 |
| init_bias 0.5 | 0.592±0.033 | 0.77 | 0.31 | 2.5 | .93 | .77 | .76 | .65 | .77 | .68 |
| init_scale 0.003 | 0.662±0.014 | 0.97 | 0.22 | 1.4 | .88 | .66 | .69 | .56 | .69 | .60 |
| init_scale 0.03 | 0.000±0.000 | 0.00 | 0.00 | 9.5 | .90 | .87 | .87 | .86 | .87 | .87 |
| US3 r 1.0 | 0.346±0.039 | 0.45 | 0.19 | 1.7 | .94 | .84 | .80 | .69 | .79 | .75 |
| US3 r 2.5 | 0.480±0.010 | 0.98 | 0.00 | 10.1 | .76 | .39 | .48 | .39 | .49 | .41 |
| US3 r 4 | 0.249±0.009 | 0.95 | 0.00 | 6.6 | .47 | .18 | .27 | .21 | .27 | .22 |
| US2 r 3 | 0.174±0.027 | 0.33 | 0.02 | 4.3 | .89 | .77 | .75 | .68 | .76 | .71 |
| alpha 0.25 | 0.080±0.023 | 0.11 | 0.01 | 4.9 | .94 | .88 | .83 | .75 | .83 | .80 |
| alpha 1.0 | 0.526±0.023 | 0.86 | 0.07 | 4.0 | .83 | .58 | .60 | .48 | .60 | .52 |
| US3 r 1.2 | 0.493±0.039 | 0.62 | 0.40 | 1.6 | .95 | .82 | .79 | .68 | .79 | .73 |
| US3 r 2.0 | 0.601±0.015 | 0.96 | 0.08 | 4.9 | .87 | .58 | .62 | .50 | .63 | .54 |
| US2 r 1.0 | 0.289±0.034 | 0.43 | 0.05 | 2.5 | .81 | .62 | .67 | .57 | .65 | .58 |
| US2 r 2.0 | 0.131±0.027 | 0.20 | 0.00 | 4.0 | .90 | .80 | .72 | .61 | .74 | .68 |
| US3 q 4 | 0.528±0.024 | 0.85 | 0.00 | 10.0 | .85 | .58 | .62 | .50 | .61 | .54 |
| US3 q 64 | 0.685±0.024 | 0.90 | 0.55 | 1.4 | .95 | .77 | .76 | .64 | .76 | .69 |
| US2 q 4 | 0.072±0.019 | 0.13 | 0.02 | 4.4 | .84 | .70 | .67 | .59 | .68 | .64 |
| US2 q 64 | 0.676±0.012 | 0.98 | 0.36 | 1.8 | .93 | .66 | .69 | .56 | .69 | .61 |
| repeats 40 | 0.736±0.016 | 0.96 | 0.64 | 1.2 | .96 | .78 | .76 | .63 | .76 | .69 |
| US3 q 256 | 0.658±0.027 | 0.86 | 0.51 | 1.4 | .94 | .77 | .77 | .65 | .77 | .69 |
| repeats 80 | 0.721±0.009 | 0.99 | 0.63 | 1.1 | .97 | .79 | .76 | .62 | .77 | .66 |
| repeats 40 + US3 q 64 | 0.756±0.013 | 0.98 | 0.61 | 1.2 | .96 | .79 | .77 | .64 | .77 | .69 |
| repeats 80 + US3 q 64 | 0.723±0.010 | 0.99 | 0.60 | 1.1 | 1.00 | .80 | .77 | .62 | .76 | .66 |

* The preset is confirmed: the best free setting, "US2 gamma_c 0.9", beats "base" by
  0.037 with a paired standard error of 0.031 (the rule asks for 2 standard errors);
  "init_scale 0.003" by 0.028 ± 0.027, "US1 gamma_c 0.8" by 0.019 ± 0.032. config.py is
  unchanged. A larger ``d`` (d_peak 1.5, gamma_d 0.9) or init_bias 0.5 raises every kept
  fraction but merges patterns (distinct 0.56-0.77); init_scale 0.03 merges every network.
* The strict claim holds for 42 % of the tuning networks at the preset (responding 2.2
  cells per pattern on average): most patterns have a single responding cell, and the
  failures are a few patterns with several weak cells above 10 % of the winner, or a cell
  shared by two patterns. No value tried of the paper's selectivity ``r`` (US2, US3) or of
  ``alpha`` makes it hold more often: every change lowers it (a more selective US3, r 2-4,
  leaves 5-10 UC3 cells responding to each pattern; a less selective one merges patterns).
  More reinforcement helps, and saturates: ``q`` of US3 64 gives 0.55, 256 0.51; 40
  presentations of each pattern instead of the paper's 20 give 0.64 (distinct 0.96, 1.2
  responding cells), 80 give 0.63, 40 with US3 q 64 0.61. So no single parameter of the
  paper makes the strict claim hold in most networks; the paper's schedule doubled
  comes closest (about 2 networks in 3). With 80 presentations every shift within 2 pixels
  was presented in 86 of 100 networks, whose near-shift kind is then left out ("sh<=2"
  there is the mean over the 14 others).
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
    """Markdown table of every setting's summary (kept fractions without the leading 0)."""
    short = {"shift<=2": "sh<=2", "shift>=3": "sh>=3", "resize": "res", "deform": "def"}
    rows = ["| setting | score | distinct | claim | resp. | "
            + " | ".join(short.get(k, k) for k in VARIANT_KINDS) + " |",
            "|---" * (5 + len(VARIANT_KINDS)) + "|"]
    for name, res in results.items():
        s = res["summary"]
        kept = ["-" if s["keep"][k] is None else f"{s['keep'][k]:.2f}".removeprefix("0")
                for k in VARIANT_KINDS]
        rows.append(f"| {name} | {s['score']:.3f}±{s['score_se']:.3f} | {s['distinct']:.2f} | "
                    f"{s['holds']:.2f} | {s['n_responding']:.1f} | " + " | ".join(kept) + " |")
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
