"""numba's on-disk cache never serves a kernel compiled from other sources (``_numba``).

numba keys a cached function on its own file and bytecode; a kernel of ``_kernels.py``
also compiles in helpers of ``_correlate.py`` and the flags of ``_numba.py``. The first
test edits such a helper in a copy of the package after a warm run, in fresh processes.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numba
import pytest
from numba.core import caching

from neocognitron import _kernels, _numba
from neocognitron.digits import _kernels as digits_kernels

PACKAGE = Path(_numba.__file__).resolve().parent

# A small non-parallel kernel of _kernels_c.py that calls _correlate._unflatten (flat path):
# it compiles in a few seconds.
CHILD = r"""
import json
import numpy as np
from neocognitron import _kernels_c as K
u = np.arange(50, dtype=np.float64).reshape(1, 2, 5, 5)
out = np.zeros((1, 2, 4, 4))
d, starts = np.ones((2, 2)), np.arange(4)
plan = K._phase_plan(d, starts, starts, 4, 4)
cover = np.zeros((2, 5), dtype=np.int64)  # unused: sparse=-1 takes the flat path
K._c_excitation_job(u, d, starts, starts, plan, cover, cover, -1, np.int64(1), out)
stats = K._c_excitation_job.stats
print(json.dumps({"file": K.__file__, "plane": out[0, 1].tolist(),
                  "hits": sum(stats.cache_hits.values()),
                  "misses": sum(stats.cache_misses.values())}))
"""


def copy_package(tmp_path):
    dst = tmp_path / PACKAGE.name
    shutil.copytree(PACKAGE, dst, ignore=shutil.ignore_patterns("__pycache__"))
    return dst


def run_child(root):
    """CHILD in a fresh process that imports the package copy in ``root``, cache on."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("NEOCOGNITRON_NO_CACHE", "NUMBA_CACHE_DIR", "NUMBA_CACHE_LOCATOR_CLASSES",
                        "NUMBA_DISABLE_JIT")}
    env["PYTHONPATH"] = str(root)
    proc = subprocess.run([sys.executable, "-c", CHILD], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert Path(out["file"]).resolve().parent == (root / PACKAGE.name).resolve()
    return out


def test_editing_a_helper_recompiles_the_kernels_that_use_it(tmp_path):
    pkg = copy_package(tmp_path)
    first = run_child(tmp_path)
    assert first["misses"] == 1
    again = run_child(tmp_path)
    assert (again["hits"], again["misses"]) == (1, 0)  # unchanged sources: from the cache
    assert again["plane"] == first["plane"]

    helper = pkg / "_correlate.py"
    text = helper.read_text()
    assert text.count("row[j] = src[j]") == 1
    helper.write_text(text.replace("row[j] = src[j]", "row[j] = 2 * src[j]"))
    edited = run_child(tmp_path)
    assert edited["misses"] == 1, "the cache served a kernel compiled before the edit"
    assert edited["plane"] == [[2 * v for v in row] for row in first["plane"]]


def write(path, text):
    path.write_text(text)
    os.utime(path, (time.time() + 1,) * 2)


@pytest.mark.parametrize("edited, changes", [
    ("_correlate.py", {"_kernels.py", "_kernels_c.py", "_correlate.py"}),
    ("_numba.py", {"_kernels.py", "_kernels_c.py", "_correlate.py", "cnn/_conv.py",
                   "cnn/optimizers.py", "digits/_kernels.py"}),
    ("_kernels_c.py", {"_kernels_c.py"}),
    ("cnn/_conv.py", {"cnn/_conv.py"}),
    ("digits/_kernels.py", {"digits/_kernels.py"}),
    ("cells.py", set()),  # not a kernel module, imported by none
])
def test_source_digest_covers_what_a_kernel_module_imports(tmp_path, edited, changes):
    pkg = copy_package(tmp_path)
    modules = ["_kernels.py", "_kernels_c.py", "_correlate.py", "cnn/_conv.py",
               "cnn/optimizers.py", "digits/_kernels.py"]
    digest = _numba.source_digest.__wrapped__
    before = {m: digest(pkg / m, pkg) for m in modules}
    write(pkg / edited, (pkg / edited).read_text() + "# an edit\n")
    after = {m: digest(pkg / m, pkg) for m in modules}
    assert {m for m in modules if after[m] != before[m]} == changes


def test_locator_claims_only_this_package(tmp_path):
    def foreign(x):
        return x

    assert _numba._SourceTreeLocator.from_function(foreign, __file__) is None
    kernel = _kernels._s_finish.py_func
    locator = _numba._SourceTreeLocator.from_function(kernel, kernel.__code__.co_filename)
    digest = _numba.source_digest(Path(_kernels.__file__).resolve())
    assert Path(locator.get_cache_path()).name == f"kernels-_kernels-{digest[:20]}"
    assert locator.get_source_stamp() == digest


def test_kernel_modules_of_one_name_have_their_own_folders():
    # digits/_kernels.py and _kernels.py: both folders are named kernels-_kernels-<digest>,
    # each in numba's folder for its own directory, with its own module's digest
    locators = {}
    for module, kernel in ((_kernels, _kernels._s_finish.py_func),
                           (digits_kernels, digits_kernels._top_max_scores.py_func)):
        py_file = Path(module.__file__).resolve()
        loc = _numba._SourceTreeLocator.from_function(kernel, kernel.__code__.co_filename)
        assert Path(loc.get_cache_path()).name == (
            f"kernels-_kernels-{_numba.source_digest(py_file)[:20]}")
        locators[module] = loc
    paths = {Path(loc.get_cache_path()) for loc in locators.values()}
    assert len(paths) == 2 and len({p.parent for p in paths}) == 2


def test_folders_are_checked_once_per_module(monkeypatch):
    # each check makes a directory and a temporary file: ~130 at import, one per kernel
    checked = []
    check = caching._CacheLocator.ensure_cache_path
    monkeypatch.setattr(caching._CacheLocator, "ensure_cache_path",
                        lambda self: checked.append(self.get_cache_path()) or check(self))
    monkeypatch.setattr(_numba, "_BASE_OF_MODULE", {}, raising=False)
    kernels = [_kernels._s_finish, _kernels._v_c_job, _kernels._s_layer]
    locators = [_numba._SourceTreeLocator.from_function(k.py_func, k.py_func.__code__.co_filename)
                for k in kernels]
    assert len(checked) == 2 and len(set(checked)) == 2  # numba's folder, then ours in it
    assert {loc.get_cache_path() for loc in locators} == {checked[1]}
    # the index of each kernel is still its own (numba tells kernels apart by line number)
    assert len({loc.get_disambiguator() for loc in locators}) == 3


def test_another_locator_means_no_cache(monkeypatch):
    kernel = _kernels._s_finish.py_func
    on = numba.njit(kernel)
    _numba._enable_cache(on)
    assert isinstance(on._cache, _numba._KernelCache)
    # NUMBA_CACHE_LOCATOR_CLASSES replaces every locator, ours too: then do not cache
    monkeypatch.setattr(numba.config, "CACHE_LOCATOR_CLASSES", "InTreeCacheLocator")
    off = numba.njit(kernel)
    _numba._enable_cache(off)
    assert not isinstance(off._cache, _numba._KernelCache)


def test_prune_keeps_the_most_recent_folders_of_each_module(tmp_path):
    now = time.time()
    for i in range(5):
        for module in ("a", "b"):
            p = tmp_path / f"kernels-{module}-{i}"
            p.mkdir()
            os.utime(p, (now - 100 * i,) * 2)
    (tmp_path / "other").mkdir()
    _numba._prune(tmp_path, "kernels-a-", 3)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == (["kernels-a-0", "kernels-a-1", "kernels-a-2"]
                    + [f"kernels-b-{i}" for i in range(5)] + ["other"])


def test_njit_refuses_signatures():
    with pytest.raises(TypeError, match="function only"):
        _numba.njit("float64(float64)")
