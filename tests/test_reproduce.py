"""The saved 1980 reproduction is what a fresh ``make reproduce`` gives, number for number.

``docs/results/fukushima1980/`` is the run the README quotes. It must come from a clean
commit (its ``run.json`` says ``"dirty": false``) and the code of this checkout must give
it again exactly: every number of ``results.json`` (the wall time aside) and every array of
``figures.npz``. The run is the full one ``make reproduce`` makes (ten seeds, both pattern
sets), in a fresh process with an empty numba cache, so that neither a warm cache nor
anything of this process can stand in for the code.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAVED = ROOT / "docs" / "results" / "fukushima1980"
# the only entries of results.json that depend on the machine rather than on the code
MACHINE_DEPENDENT = ("wall_time_s",)


def _differences(saved, fresh, path="results"):
    """Every place where two JSON values differ, as ``"path: saved != fresh"`` lines."""
    if isinstance(saved, dict) and isinstance(fresh, dict):
        out = [f"{path}/{k}: only in one run" for k in sorted(set(saved) ^ set(fresh))]
        for k in sorted(set(saved) & set(fresh)):
            out += _differences(saved[k], fresh[k], f"{path}/{k}")
        return out
    if isinstance(saved, list) and isinstance(fresh, list) and len(saved) == len(fresh):
        return [d for i, (s, f) in enumerate(zip(saved, fresh, strict=True))
                for d in _differences(s, f, f"{path}[{i}]")]
    return [] if saved == fresh else [f"{path}: {saved!r} != {fresh!r}"]


def test_differences_finds_every_changed_number():
    saved = {"a": [1, 2, {"b": 0.5}], "c": True}
    assert _differences(saved, json.loads(json.dumps(saved))) == []
    assert _differences(saved, {"a": [1, 3, {"b": 0.5000001}], "c": True}) == [
        "results/a[1]: 2 != 3", "results/a[2]/b: 0.5 != 0.5000001"]
    assert _differences(saved, {"a": [1, 2], "d": 0}) == [
        "results/c: only in one run", "results/d: only in one run",
        "results/a: [1, 2, {'b': 0.5}] != [1, 2]"]


@pytest.mark.parametrize("run_json", sorted((ROOT / "docs" / "results").rglob("run.json")),
                         ids=lambda p: str(p.parent.relative_to(ROOT / "docs" / "results")))
def test_every_saved_run_comes_from_a_clean_commit(run_json):
    run = json.loads(run_json.read_text())
    assert run["status"] == "finished"
    assert run["git"]["dirty"] is False, f"{run_json.parent} was saved from a dirty tree"


def test_saved_1980_run_is_the_full_one():
    argv = json.loads((SAVED / "run.json").read_text())["command"]["argv"]
    assert argv[1:3] == ["--out", "docs/results/fukushima1980"]
    assert "--quick" not in argv


@pytest.mark.slow
def test_fresh_make_reproduce_gives_the_saved_numbers(tmp_path):
    out = tmp_path / "fukushima1980"
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba-cache"))
    subprocess.run([sys.executable, str(ROOT / "experiments" / "fukushima1980.py"),
                    "--out", str(out), "--quiet"],
                   cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, check=True)
    saved = json.loads((SAVED / "results.json").read_text())
    fresh = json.loads((out / "results.json").read_text())
    for key in MACHINE_DEPENDENT:
        saved.pop(key), fresh.pop(key)
    diff = _differences(saved, fresh)
    assert not diff, f"{len(diff)} saved values differ, e.g.:\n" + "\n".join(diff[:20])
    with np.load(SAVED / "figures.npz", allow_pickle=False) as s, \
            np.load(out / "figures.npz", allow_pickle=False) as f:
        assert sorted(s.files) == sorted(f.files)
        for name in s.files:
            np.testing.assert_array_equal(f[name], s[name], err_msg=name)
