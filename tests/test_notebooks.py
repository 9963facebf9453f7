"""Every tutorial runs top to bottom."""

from pathlib import Path

import nbformat
import pytest
from mnist_home import SKIP_REASON, mnist_home
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    nb = nbformat.read(path, as_version=4)
    if "load_mnist" in path.read_text():
        home = mnist_home()
        if home is None:
            pytest.skip(SKIP_REASON)
        monkeypatch.setenv("NEOCOGNITRON_DATA", str(home))  # absolute: the kernel runs elsewhere
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
