"""The layout rules of ``docs/design.md``, checked on the sources (``layout_rules``):

* private numba kernel modules import only numpy, numba, math, the package's ``_numba`` and
  other kernel modules;
* the three models (``fukushima1980/``, ``digits/``, ``cnn/``) never import each other's
  private modules or names, nor ``workflow/``, but for the module that registers a model's
  state for save/load (``<model>/_state.py``), which imports ``workflow.io``;
* ``workflow/`` imports no model at module level (it reaches them through that registry);
* ``experiments/`` and the notebooks import no private module or name of the package;
* no module of the package is over 400 lines;
* no import cycle among the package's modules.

Each rule is also run on a small broken tree in ``tmp_path``, where it must fail.
"""

import ast
import json
from pathlib import Path

import pytest
from layout_rules import (
    MAX_LINES,
    MODELS,
    PACKAGE,
    Import,
    import_cycles,
    imports_in,
    kernel_modules,
    kernel_violations,
    long_modules,
    model_violations,
    private_import_violations,
    workflow_violations,
)

ROOT = Path(__file__).resolve().parents[1]

# -- the rules on this repository -----------------------------------------------------------

#: files that break a rule today and that another change owns; strict, so each one fails the
#: suite the moment it is fixed, to be taken off the list
PENDING_PRIVATE = {}


def _marked(items, pending, key):
    return [pytest.param(x, marks=pytest.mark.xfail(strict=True, reason=pending[key(x)]))
            if key(x) in pending else x for x in items]


def test_the_kernel_modules_are_found():
    # the rule below must not hold vacuously: these are kernel modules today
    expected = {f"{PACKAGE}.{m}" for m in ("_kernels", "_kernels_c", "_correlate", "cnn._conv",
                                            "cnn._pool", "cnn._aps", "cnn._dense", "cnn._batch")}
    if (ROOT / PACKAGE / "digits" / "_kernels.py").exists():
        expected.add(f"{PACKAGE}.digits._kernels")
    assert expected <= kernel_modules(ROOT)
    assert f"{PACKAGE}._numba" not in kernel_modules(ROOT)


def test_kernel_modules_import_only_numpy_numba_math_and_kernels():
    assert kernel_violations(ROOT) == []


def test_models_keep_out_of_each_others_internals_and_of_the_workflow():
    assert model_violations(ROOT) == []


@pytest.mark.parametrize("filename",
                         sorted(p.name for p in (ROOT / PACKAGE / "workflow").glob("*.py")))
def test_workflow_imports_no_model_at_module_level(filename):
    assert workflow_violations(ROOT, filename) == []


@pytest.mark.parametrize("path", _marked(
    sorted((ROOT / "experiments").glob("*.py")) + sorted((ROOT / "notebooks").glob("*.ipynb")),
    PENDING_PRIVATE, lambda p: p.name), ids=lambda p: p.name)
def test_experiments_and_notebooks_import_no_private_module(path):
    assert private_import_violations(path) == []


@pytest.mark.parametrize("name", sorted(p.relative_to(ROOT / PACKAGE).as_posix()
                                        for p in (ROOT / PACKAGE).rglob("*.py")))
def test_no_module_is_over_400_lines(name):
    assert name not in long_modules(ROOT)


def test_no_import_cycle():
    assert import_cycles(ROOT) == []


# -- each checker fails on a broken tree ----------------------------------------------------

def test_imports_resolve_relative_names_submodules_and_late_imports():
    code = ("import numpy as np\nfrom . import _grid, cells\nfrom .._numba import njit\n"
            "from ..cnn.network import _spec\n\ndef f():\n    from ...x import y\n")
    known = {f"{PACKAGE}.a._grid", f"{PACKAGE}.a"}
    got = imports_in(ast.parse(code), f"{PACKAGE}.a.b", False, known)
    assert got == [Import("numpy", None, 1, True), Import(f"{PACKAGE}.a._grid", None, 2, True),
                   Import(f"{PACKAGE}.a", "cells", 2, True),
                   Import(f"{PACKAGE}._numba", "njit", 3, True),
                   Import(f"{PACKAGE}.cnn.network", "_spec", 4, True),
                   Import("x", "y", 7, False)]
    # in a package's __init__, "." is the package itself
    assert imports_in(ast.parse("from . import cells\n"), PACKAGE, True, set()) == \
        [Import(PACKAGE, "cells", 1, True)]


# -- each checker fails on a broken tree

def _tree(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _package(root, files):
    """A small package with the real one's folders, plus ``files``."""
    base = {f"{PACKAGE}/__init__.py": "", f"{PACKAGE}/_numba.py": "import numba\n",
            f"{PACKAGE}/cells.py": "",
            **{f"{PACKAGE}/{m}/__init__.py": "" for m in (*MODELS, "workflow")}}
    return _tree(root, {**base, **files})


KERNEL = "\n@njit(cache=True)\ndef f(x):\n    return x\n"


def test_kernel_rule_fails_on_a_kernel_importing_upward(tmp_path):
    root = _package(tmp_path, {
        f"{PACKAGE}/_kern.py": "import math\nimport numpy as np\nfrom ._numba import njit\n"
                               "from .cells import x\n" + KERNEL,
        f"{PACKAGE}/_other.py": "from ._kern import f\nfrom ._numba import njit\n",
        f"{PACKAGE}/cnn/_conv.py": "from numba import njit\n" + KERNEL
                                   + "def g():\n    import scipy\n",
        f"{PACKAGE}/cnn/_helper.py": "import scipy\n",  # private, but no kernel
    })
    assert kernel_modules(root) == {f"{PACKAGE}._kern", f"{PACKAGE}._other",
                                    f"{PACKAGE}.cnn._conv"}
    assert kernel_violations(root) == [
        f"{PACKAGE}/_kern.py:4 (kernel module) imports {PACKAGE}.cells",
        f"{PACKAGE}/cnn/_conv.py:7 (kernel module) imports scipy",
    ]


def test_model_rule_fails_on_a_model_reaching_into_another_or_the_workflow(tmp_path):
    root = _package(tmp_path, {
        f"{PACKAGE}/cnn/_dense.py": "", f"{PACKAGE}/cnn/network.py": "_spec = 1\n",
        f"{PACKAGE}/fukushima1980/learning.py": "",
        f"{PACKAGE}/digits/a.py": "from ..cnn import _dense\n"
                                  "from ..fukushima1980.learning import representatives\n",
        f"{PACKAGE}/digits/b.py": f"import {PACKAGE}.cnn._dense\n",
        f"{PACKAGE}/fukushima1980/c.py": "from ..cnn.network import _spec\n",
        f"{PACKAGE}/cnn/d.py": "from . import _dense\n\ndef f():\n"
                               "    from ..workflow import io\n",
        # the registration module may import workflow.io, and nothing else of workflow
        f"{PACKAGE}/workflow/io.py": "", f"{PACKAGE}/workflow/results.py": "",
        f"{PACKAGE}/cnn/_state.py": "from ..workflow import io\n",
        f"{PACKAGE}/digits/_state.py": "from ..workflow import io, results\n",
    })
    assert model_violations(root) == [
        f"{PACKAGE}/cnn/d.py:4 (cnn) imports the workflow: {PACKAGE}.workflow.io",
        f"{PACKAGE}/digits/_state.py:1 (digits) imports the workflow: "
        f"{PACKAGE}.workflow.results",
        f"{PACKAGE}/digits/a.py:1 (digits) imports a private part of cnn: {PACKAGE}.cnn._dense",
        f"{PACKAGE}/digits/b.py:1 (digits) imports a private part of cnn: {PACKAGE}.cnn._dense",
        f"{PACKAGE}/fukushima1980/c.py:1 (fukushima1980) imports a private part of cnn: "
        f"{PACKAGE}.cnn.network._spec",
    ]


def test_workflow_rule_fails_on_a_module_level_import_of_a_model(tmp_path):
    root = _package(tmp_path, {
        f"{PACKAGE}/digits/estimator.py": "",
        f"{PACKAGE}/workflow/io.py": "from ..digits.estimator import NeocognitronClassifier\n",
        f"{PACKAGE}/workflow/late.py": "def load():\n    from ..cnn import ConvNetClassifier\n",
    })
    assert workflow_violations(root, "io.py") == [
        f"{PACKAGE}/workflow/io.py:1 imports {PACKAGE}.digits.estimator.NeocognitronClassifier "
        "at module level"]
    assert workflow_violations(root, "late.py") == []


def test_private_rule_fails_on_scripts_and_notebooks_importing_private_parts(tmp_path):
    root = _tree(tmp_path, {
        "experiments/e.py": f"from {PACKAGE}._progress import KernelProgress\n"
                            f"import {PACKAGE}.cnn._conv\nfrom {PACKAGE}.cnn import _dense\n"
                            f"from {PACKAGE} import __version__, transforms\n",
        "notebooks/n.ipynb": json.dumps({"cells": [
            {"cell_type": "markdown", "source": ["from neocognitron import _x"]},
            {"cell_type": "code", "source": ["%matplotlib inline\n",
                                             f"from {PACKAGE}.workflow.results import _atomic"]},
        ]}),
    })
    assert private_import_violations(root / "experiments" / "e.py") == [
        f"e.py:1 imports {PACKAGE}._progress.KernelProgress",
        f"e.py:2 imports {PACKAGE}.cnn._conv",
        f"e.py:3 imports {PACKAGE}.cnn._dense",
    ]
    assert private_import_violations(root / "notebooks" / "n.ipynb") == [
        f"n.ipynb:1 imports {PACKAGE}.workflow.results._atomic"]


def test_length_rule_fails_on_a_long_module(tmp_path):
    root = _package(tmp_path, {f"{PACKAGE}/a.py": "x = 1\n" * MAX_LINES,
                               f"{PACKAGE}/cnn/b.py": "x = 1\n" * (MAX_LINES + 1)})
    assert long_modules(root) == {"cnn/b.py": MAX_LINES + 1}


def test_cycle_rule_fails_on_a_cycle_and_not_on_a_late_import(tmp_path):
    root = _package(tmp_path, {
        f"{PACKAGE}/a.py": "from . import b\n",
        f"{PACKAGE}/b.py": "from .c import f\n",
        f"{PACKAGE}/c.py": f"import {PACKAGE}.a\n\ndef f():\n    pass\n",
        f"{PACKAGE}/d.py": "from . import e\n",
        f"{PACKAGE}/e.py": "def g():\n    from . import d\n",  # runs after both are loaded
        f"{PACKAGE}/cnn/__init__.py": "from .estimator import ConvNetClassifier\n",
        f"{PACKAGE}/cnn/estimator.py": "from ..cnn import ConvNetClassifier\n",
    })
    assert sorted(import_cycles(root)) == [[f"{PACKAGE}.a", f"{PACKAGE}.b", f"{PACKAGE}.c"],
                                           [f"{PACKAGE}.cnn", f"{PACKAGE}.cnn.estimator"]]
