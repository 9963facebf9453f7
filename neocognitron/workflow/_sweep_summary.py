"""The summary of a sweep: mean and spread over seeds of every metric, per setting.

Part of :mod:`neocognitron.workflow.sweep`. Reads the result files, not the records of the last run,
so that a sweep finished in several runs is summarised as a whole.
"""

import json
import math

import numpy as np

from ._sweep_grid import _canonical, is_number

__all__ = ["summarize", "markdown"]


def _stats(values):
    # sample standard deviation (ddof=1): the seeds are a sample of the model's randomness;
    # undefined (None) for a single seed rather than a misleading 0
    a = np.asarray(values, dtype=float)
    std = float(a.std(ddof=1)) if len(a) > 1 else None
    return {"mean": float(a.mean()), "std": std, "min": float(a.min()), "max": float(a.max()),
            "n": len(a), "values": list(values)}


def summarize(spec, points, results, errors):
    """Group the results of ``points`` by setting and reduce every metric over seeds.

    Parameters
    ----------
    spec : SweepSpec
    points : list of Point
    results, errors : dict
        Records of finished and of failed points, by key.

    Returns
    -------
    dict
        JSON-able: ``settings`` (one per grid setting, in grid order: ``params``,
        ``seeds`` done, ``metrics`` name -> ``mean``, ``std``, ``min``, ``max``, ``n``,
        ``values``), ``errors`` and counts.
    """
    settings, names = {}, list(spec.metrics)
    for p in points:
        s = settings.setdefault(_canonical(p.params), {"params": p.params, "seeds": [],
                                                       "seeds_missing": [], "values": {}})
        rec = results.get(p.key)
        if rec is None:
            s["seeds_missing"].append(p.seed)
            continue
        s["seeds"].append(p.seed)
        for name, v in rec["metrics"].items():
            if name not in names:
                names.append(name)
            s["values"].setdefault(name, []).append(v)
    out = []
    for s in settings.values():
        values = s.pop("values")
        s["metrics"] = {n: _stats(values[n]) for n in names
                        if n in values and all(is_number(v) for v in values[n])}
        out.append(s)
    return {
        "source": spec.source, "target": spec.target, "data": spec.data,
        "fixed_params": spec.params, "seeds": list(spec.seeds), "metrics": names,
        "n_points": len(points), "n_done": sum(p.key in results for p in points),
        "n_errors": len(errors), "n_missing": sum(p.key not in results and p.key not in errors
                                                   for p in points),
        "settings": out,
        "errors": [{"key": e["key"], "params": e["params"], "seed": e["seed"],
                    "error": e["error"], "attempt": e.get("attempt", 1)}
                   for e in errors.values()],
    }


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, str):
        return v
    return json.dumps(v)


def _cell(m):
    if m is None:
        return "–"
    if m["std"] is None or not math.isfinite(m["std"]):
        return f"{m['mean']:.4g}"
    return f"{m['mean']:.4g} ± {m['std']:.2g}"


def markdown(summary):
    """A Markdown page: a table of mean ± std (over seeds) per setting, then the errors."""
    keys = []
    for s in summary["settings"]:
        keys += [k for k in s["params"] if k not in keys]
    names = summary["metrics"]
    lines = [f"# Sweep: {summary['source']}", "",
             f"Target `{summary['target']}`"
             + (f", data `{_canonical(summary['data'])}`" if summary["data"] else "")
             + (f", fixed `{_canonical(summary['fixed_params'])}`"
                if summary["fixed_params"] else "") + ".",
             f"{summary['n_done']} of {summary['n_points']} points done, "
             f"{summary['n_errors']} failed, {summary['n_missing']} not run; "
             f"seeds {summary['seeds']}; mean ± sample std over the seeds done.", "",
             "| " + " | ".join([*keys, "seeds", *names]) + " |",
             "|" + "---|" * (len(keys) + 1 + len(names))]
    for s in summary["settings"]:
        row = [_fmt(s["params"][k]) if k in s["params"] else "–" for k in keys]
        row.append(str(len(s["seeds"])))
        row += [_cell(s["metrics"].get(n)) for n in names]
        lines.append("| " + " | ".join(row) + " |")
    if summary["errors"]:
        lines += ["", "## Failed points (retried on the next run)", ""]
        for e in summary["errors"]:
            first = e["error"].splitlines()[0] if e["error"] else ""
            lines.append(f"- `{e['key']}` {_canonical(e['params'])} seed {e['seed']} "
                         f"(attempt {e['attempt']}): {first}")
    return "\n".join(lines) + "\n"
