"""What the MNIST experiment tests share.

They find MNIST in ``$NEOCOGNITRON_DATA`` if it holds the four files, else in
``../shared/datasets/mnist`` beside the repository (as on CI); ``None`` when absent, so that
tests needing the files skip instead of downloading."""

import importlib.util
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


def load_experiment(name):
    """The module ``experiments/<name>.py`` (the scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "experiments" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
