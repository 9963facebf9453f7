"""Where the tests find MNIST: ``$NEOCOGNITRON_DATA`` if it holds the four files, else
``../shared/datasets/mnist`` beside the repository (as on CI); ``None`` when absent, so that
tests needing the files skip instead of downloading."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
         "t10k-labels-idx1-ubyte")


def mnist_home():
    """An absolute folder holding the MNIST IDX files (gzipped or not), or ``None``."""
    for home in (os.environ.get("NEOCOGNITRON_DATA"),
                 ROOT.parent / "shared" / "datasets" / "mnist"):
        if not home:
            continue
        home = Path(home).resolve()
        for d in (home, home / "mnist"):
            if all(any((d / (f + gz)).is_file() for gz in (".gz", "")) for f in FILES):
                return d
    return None
