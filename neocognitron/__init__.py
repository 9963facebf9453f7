"""neocognitron: Fukushima's Neocognitron reproduced with numba kernels, and a CNN baseline.

The public names below are imported on first use (PEP 562), so that ``import
neocognitron.cells`` loads the cell layers and numba only, not scikit-learn or matplotlib,
which the estimators and the workflow modules need.
"""

import importlib as _importlib
import pkgutil as _pkgutil

from ._version import __version__

# public name -> the submodule that defines it
_CLASSES = {
    "Neocognitron": "network",
    "NeocognitronClassifier": "digits",
    "ConvNetClassifier": "cnn",
}
# every submodule and subpackage; listing the folder imports none of them
_SUBMODULES = frozenset(m.name for m in _pkgutil.iter_modules(__path__))

# ``io`` is public (``neocognitron.io``) but left out of ``import *``, where it would hide
# the standard library's io
__all__ = ["cells", "Neocognitron", "ConvNetClassifier", "NeocognitronClassifier", "__version__"]


def __getattr__(name):
    if name in _CLASSES:
        value = getattr(_importlib.import_module(f".{_CLASSES[name]}", __name__), name)
    elif name in _SUBMODULES:
        value = _importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    public = {m for m in _SUBMODULES if not m.startswith("_")}
    return sorted(set(globals()) | set(__all__) | public)
