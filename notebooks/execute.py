"""Execute the tutorials top to bottom, as ``make notebooks`` and the tests do.

``python notebooks/execute.py [NOTEBOOK ...]`` re-executes each notebook (default: all of
``notebooks/*.ipynb``) in its own folder and writes it back with its outputs, so that a code
host shows the printed numbers and the figures. Run it after any change to the code a
notebook shows; ``tests/test_notebooks.py`` fails on a notebook whose code changed since.

Each run is made alike: a fresh kernel whose ``neocognitron`` is this checkout's, figures
drawn inline as PNG whatever ``$MPLBACKEND`` says (Agg would draw none), a fixed hash seed,
no timestamps in the cells, and the digest of the code cells in the notebook's metadata.
"""

import argparse
import hashlib
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from neocognitron.workflow.results import write_text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: Set to "1" by the tests: the notebooks that honour it run on less data.
QUICK_ENV = "NEOCOGNITRON_QUICK_NOTEBOOK"
INLINE = "module://matplotlib_inline.backend_inline"


def code_digest(nb):
    """SHA-256 of the notebook's code cells, the code its outputs came from."""
    sources = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    return hashlib.sha256("\n\0\n".join(sources).encode()).hexdigest()


def kernel_env(quick):
    """The environment of the kernel: this checkout first on the path, inline figures."""
    env = dict(os.environ, MPLBACKEND=INLINE, PYTHONHASHSEED="0",
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH"))
                                          if p),
               # tqdm's notice that ipywidgets is missing says nothing about the code shown
               PYTHONWARNINGS="ignore:IProgress not found")
    env.pop(QUICK_ENV, None)
    if quick:
        env[QUICK_ENV] = "1"
    return env


def merge_streams(nb):
    """Join consecutive outputs of one stream in every cell: how the kernel flushes
    ``print`` into messages depends on timing, and the file must not."""
    for cell in nb.cells:
        merged = []
        for out in cell.get("outputs", []):
            last = merged[-1] if merged else None
            if (out.output_type == "stream" and last is not None
                    and last.output_type == "stream" and last.name == out.name):
                last.text += out.text
            else:
                merged.append(out)
        if cell.cell_type == "code":
            cell.outputs = merged
    return nb


def execute(path, cwd=None, quick=False, timeout=1800):
    """Execute the notebook at ``path`` in ``cwd`` (default: its folder) and return it.

    Raises ``nbclient.exceptions.CellExecutionError`` on the first cell that fails."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(cwd or Path(path).parent)}})
    client.execute(env=kernel_env(quick))
    merge_streams(nb)
    nb.metadata["neocognitron"] = {"code_sha256": code_digest(nb), "quick": quick}
    nb.metadata.pop("widgets", None)
    return nb


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        default=sorted(HERE.glob("*.ipynb")))
    args = parser.parse_args(argv)
    for path in args.notebooks:
        text = nbformat.writes(execute(path))
        write_text(text if text.endswith("\n") else text + "\n", path)  # renamed when whole
        print(f"executed {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
