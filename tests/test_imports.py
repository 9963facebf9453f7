"""What importing the package loads, and that its public names resolve.

The import checks run in fresh processes: this one has imported everything already.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import neocognitron

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sklearn", "scipy", "matplotlib")


def _heavy_modules(statement):
    """The scikit-learn, SciPy and matplotlib modules a fresh process has after ``statement``."""
    code = (f"{statement}\nimport json, sys\n"
            f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_cells_loads_no_sklearn_scipy_or_matplotlib():
    loaded = _heavy_modules("import neocognitron.cells")
    # numba's own version check imports the top of scipy when scipy is installed (numba
    # 0.68 __init__, _ensure_critical_deps); those few modules are not the package's doing
    by_numba = set(_heavy_modules("import numba"))
    assert [m for m in loaded if m not in by_numba] == []
    assert not [m for m in loaded if m.split(".")[0] in ("sklearn", "matplotlib")]


def test_setup_cfg_resolves_the_package_version():
    setupcfg = pytest.importorskip("setuptools.config.setupcfg")
    metadata = setupcfg.read_configuration(ROOT / "setup.cfg")["metadata"]
    assert metadata["version"] == neocognitron.__version__
    assert neocognitron.__version__.count(".") == 2


@pytest.mark.parametrize("name", neocognitron.__all__)
def test_every_name_in_all_resolves_and_is_listed(name):
    assert getattr(neocognitron, name) is not None
    assert name in dir(neocognitron)


def test_public_names_are_the_defining_objects():
    from neocognitron.cnn.estimator import ConvNetClassifier
    from neocognitron.digits.estimator import NeocognitronClassifier
    from neocognitron.fukushima1980.network import Neocognitron

    assert neocognitron.Neocognitron is Neocognitron
    assert neocognitron.NeocognitronClassifier is NeocognitronClassifier
    assert neocognitron.ConvNetClassifier is ConvNetClassifier
    from neocognitron import transforms  # submodules, imported on first use
    from neocognitron.workflow import io

    assert io.__name__ == "neocognitron.workflow.io"
    assert transforms.__name__ == "neocognitron.transforms"
    models = {"fukushima1980", "digits", "cnn"}
    assert models | {"cells", "workflow", "transforms"} <= set(dir(neocognitron))


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        neocognitron.not_a_name  # noqa: B018
    with pytest.raises(ImportError):
        from neocognitron import not_a_name  # noqa: F401
