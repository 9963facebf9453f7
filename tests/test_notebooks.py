"""The tutorials: committed with the outputs of their code as it stands, and they run top to
bottom again (on fewer digits, ``NEOCOGNITRON_QUICK_NOTEBOOK=1``)."""

import importlib.util

import nbformat
import pytest
from mnist_home import ROOT, mnist_home, needs_mnist

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PARAMS = [pytest.param(p, id=p.name, marks=[needs_mnist] if "load_mnist" in p.read_text() else [])
          for p in NOTEBOOKS]
_spec = importlib.util.spec_from_file_location("execute", ROOT / "notebooks" / "execute.py")
execute = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(execute)


def outputs(nb, output_type=None):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if output_type is None or o.get("output_type") == output_type]


def pngs(nb):
    return [o for o in outputs(nb) if "image/png" in o.get("data", {})]


def test_notebooks_found():
    assert [p.name for p in NOTEBOOKS] == ["01_fukushima1980.ipynb",
                                           "02_shift_invariance.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_committed_with_the_outputs_of_its_code(path):
    """What a code host shows is what the code in the notebook prints and draws, in full."""
    nb = nbformat.read(path, as_version=4)
    stamp = nb.metadata.get("neocognitron", {})
    assert stamp.get("code_sha256") == execute.code_digest(nb), \
        f"{path.name}: code changed since it was executed; run `make notebooks`"
    assert stamp.get("quick") is False, f"{path.name}: executed in quick mode"
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), f"not one run top to bottom: {counts}"
    assert not outputs(nb, "error")
    assert pngs(nb), f"{path.name} shows no figure"


@pytest.mark.slow
@pytest.mark.parametrize("path", PARAMS)
def test_runs_again(path, tmp_path, monkeypatch):
    home = mnist_home()
    if home is not None:
        monkeypatch.setenv("NEOCOGNITRON_DATA", str(home))  # absolute: the kernel runs elsewhere
    monkeypatch.setenv("MPLBACKEND", "Agg")  # as on a headless machine: figures all the same
    nb = execute.execute(path, cwd=tmp_path, quick=True)  # raises on a failing cell
    assert not outputs(nb, "error")
    committed = nbformat.read(path, as_version=4)
    assert len(pngs(nb)) == len(pngs(committed)) > 0
    assert nb.metadata["neocognitron"]["quick"] is True
