"""Start-up cost of the numba kernels, and whether the cache is exact and never stale.

Each measurement runs in a fresh Python process that imports ``neocognitron.cells`` and
calls ``cells.s_layer`` once (float32 and float64, the digit network's second stage at a
small batch), then ``cells.c_layer`` and a shrinking-grid layer so that every parallel
kernel and both code paths run. The processes import a copy of the package in a temporary
folder, so that its cache starts empty and the checkout is never edited:

* **cold**: ``NEOCOGNITRON_NO_CACHE=1``, every kernel is compiled in the process;
* **warm**: the on-disk cache (``__pycache__/kernels-<module>-<digest>``, see
  ``neocognitron/_numba.py``), filled by a priming run;
* **warm, other thread count**: the same cached kernels under ``NUMBA_NUM_THREADS=1`` and
  ``=4`` (fewer and more threads than the priming run, the case of numba issue 7518),
  whose outputs must be bit-for-bit those of the priming run;
* **after an edit**: a comment appended to ``_correlate.py``, whose helpers ``_kernels.py``
  compiles in: every kernel of both modules must compile again (none loaded).

The columns ``loaded`` and ``compiled`` count the kernels of ``_kernels.py`` and
``_correlate.py`` that numba loaded from the cache or compiled in that process.

Before those, the cost of ``import neocognitron.cells`` alone, in fresh processes: the time
of the import statement, the wall time of the whole process, the modules it leaves in
``sys.modules`` and how many of them are scikit-learn, SciPy or matplotlib (``import numba``
alone, the floor, is measured the same way).

    python benchmarks/bench_startup.py [--repeats 3] [--import-only]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EDITED = "_correlate.py"  # its helpers are compiled into _kernels.py's kernels

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
from neocognitron import cells
t1 = time.perf_counter()
import numba

rng = np.random.default_rng(0)
u = rng.random((8, 24, 28, 28))
a = rng.random((24, 24, 5, 5)) * (4.0 / 600)
b = rng.random(24) * 2.0
c = np.full((5, 5), 1.0 / (25 * 24))
d = np.full((5, 5), 1.0 / 25)
u32, a32, b32, c32 = (x.astype(np.float32) for x in (u, a, b, c))
t2 = time.perf_counter()
s32 = cells.s_layer(u32, a32, b32, c32, 1.5)
t3 = time.perf_counter()
s64 = cells.s_layer(u, a, b, c, 1.5)
t4 = time.perf_counter()
outs = {
    "s32": s32, "s64": s64,
    "c32": cells.c_layer(s32, d.astype(np.float32), 0.5),
    "c64": cells.c_layer(s64, d, 0.5),
    "s64_shrink": cells.s_layer(u[:, :, :16, :16], a, b, c, 4.0, out_shape=(10, 10)),
    "c64_shrink": cells.c_layer(s64[:, :, :16, :16], d, 0.5, out_shape=(8, 8)),
    "v64_shrink": cells.v_c(u[:, :, :10, :10], c, out_shape=(8, 8)),
}
t5 = time.perf_counter()
np.savez(sys.argv[1], **outs)
from neocognitron import _correlate, _kernels
kernels = [f for m in (_kernels, _correlate) for f in vars(m).values()
           if isinstance(f, numba.core.registry.CPUDispatcher) and f.__module__ == m.__name__]
print(json.dumps({"import": t1 - t0, "s_layer_f32": t3 - t2, "s_layer_f64": t4 - t3,
                  "rest": t5 - t4, "threads": numba.get_num_threads(),
                  "loaded": sum(bool(f.stats.cache_hits) for f in kernels),
                  "compiled": sum(bool(f.stats.cache_misses) for f in kernels),
                  "cells": cells.__file__}))
"""


IMPORT_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import {module}
t1 = time.perf_counter()
heavy = [m for m in sys.modules if m.split(".")[0] in ("sklearn", "scipy", "matplotlib")]
print(json.dumps({{"import": t1 - t0, "modules": len(sys.modules), "heavy": len(heavy)}}))
"""


def import_cost(root, module, repeats):
    """Medians over ``repeats`` fresh processes that only ``import module`` from ``root``."""
    env = {k: v for k, v in os.environ.items() if k != "NEOCOGNITRON_NO_CACHE"}
    env["PYTHONPATH"] = str(root)
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", IMPORT_CHILD.format(module=module)],
                              env=env, cwd=root, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            sys.exit(f"import {module} failed:\n{proc.stderr}")
        runs.append(dict(json.loads(proc.stdout.strip().splitlines()[-1]), wall=wall))
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def print_import_costs(root, repeats):
    print(f"fresh process, import only; median of {repeats}\n")
    head = (f"{'statement':32} {'import s':>9} {'process s':>10} {'modules':>8} "
            f"{'sklearn+scipy+matplotlib':>25}")
    print(head)
    print("-" * len(head))
    for module in ("numba", "neocognitron.cells"):
        med = import_cost(root, module, repeats)
        print(f"{'import ' + module:32} {med['import']:9.2f} {med['wall']:10.2f} "
              f"{med['modules']:8.0f} {med['heavy']:25.0f}")
    print()


def run_child(root, env_changes, out_path):
    """CHILD in a fresh process that imports the package copy in ``root``."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("NEOCOGNITRON_NO_CACHE", "NUMBA_CACHE_DIR", "NUMBA_NUM_THREADS")}
    env.update(env_changes, PYTHONPATH=str(root))
    proc = subprocess.run([sys.executable, "-c", CHILD, str(out_path)], env=env, cwd=root,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"child failed ({env_changes}):\n{proc.stderr}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if Path(out["cells"]).resolve().parents[1] != root.resolve():
        sys.exit(f"the child imported {out['cells']}, not the copy in {root}")
    return out


def append_comment(path):
    path.write_text(path.read_text() + "# edited by bench_startup.py\n")


def identical(path_a, path_b):
    import numpy as np

    with np.load(path_a) as fa, np.load(path_b) as fb:
        return all(np.array_equal(fa[k], fb[k]) for k in fa.files) and fa.files == fb.files


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--import-only", action="store_true",
                   help="only the import rows, not the kernel start-up table")
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copytree(ROOT / "neocognitron", tmp / "neocognitron",
                        ignore=shutil.ignore_patterns("__pycache__"))
        # twice as many: the import rows are short and noisier
        print_import_costs(tmp, max(5, 2 * args.repeats))
        if args.import_only:
            return
        prime = run_child(tmp, {}, tmp / "prime.npz")  # fills the empty cache
        configs = [
            ("cold (NEOCOGNITRON_NO_CACHE=1)", {"NEOCOGNITRON_NO_CACHE": "1"}, None),
            ("warm cache", {}, None),
            ("warm cache, NUMBA_NUM_THREADS=1", {"NUMBA_NUM_THREADS": "1"}, None),
            ("warm cache, NUMBA_NUM_THREADS=4", {"NUMBA_NUM_THREADS": "4"}, None),
            (f"first run after editing {EDITED}", {}, EDITED),
        ]
        rows = []
        for name, env, edit in configs:
            runs = []
            same = True
            for rep in range(args.repeats):
                if edit:  # every repeat is the first run after an edit
                    append_comment(tmp / "neocognitron" / edit)
                out = tmp / f"{len(rows)}_{rep}.npz"
                runs.append(run_child(tmp, env, out))
                same = same and identical(tmp / "prime.npz", out)
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k != "cells"}
            rows.append((name, med, same))

    print(f"fresh process: import cells, then first calls (batch 8, 24 -> 24 planes, 5x5, "
          f"28x28); median of {args.repeats}; priming run used {prime['threads']} threads\n")
    head = (f"{'configuration':38} {'threads':>7} {'import s':>9} {'s_layer f32':>12} "
            f"{'s_layer f64':>12} {'others s':>9} {'loaded':>7} {'compiled':>8}  "
            "outputs identical to priming run")
    print(head)
    print("-" * len(head))
    for name, med, same in rows:
        print(f"{name:38} {med['threads']:7.0f} {med['import']:9.2f} {med['s_layer_f32']:12.2f} "
              f"{med['s_layer_f64']:12.2f} {med['rest']:9.2f} {med['loaded']:7.0f} "
              f"{med['compiled']:8.0f}  {'yes' if same else 'NO'}")
    if not all(same for _, _, same in rows):
        sys.exit("outputs differ between runs: cached parallel kernels are not reproducible")
    if rows[-1][1]["loaded"]:
        sys.exit(f"after editing {EDITED}, kernels compiled from the old source were loaded")


if __name__ == "__main__":
    main()
