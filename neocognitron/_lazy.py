"""Module ``__getattr__`` for packages whose names are imported on first use (PEP 562).

A package lists its public names and the submodule defining each; ``import`` of the
package then costs nothing beyond its own file, and ``from package import name`` imports
only the submodule that ``name`` needs. That keeps ``import neocognitron.cells`` free of
scikit-learn, SciPy and matplotlib, which the estimators, plots and workflow need.
"""

import importlib
import pkgutil


def lazy_names(package, path, defined_in):
    """``(__getattr__, __dir__)`` for ``package``: names and submodules imported on use.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    path : list of str
        The package's ``__path__``; every submodule found there is importable by attribute.
    defined_in : dict
        Public name -> the submodule (relative to ``package``) that defines it.
    """
    submodules = frozenset(m.name for m in pkgutil.iter_modules(path))
    namespace = importlib.import_module(package).__dict__

    def __getattr__(name):
        if name in defined_in:
            value = getattr(importlib.import_module(f".{defined_in[name]}", package), name)
        elif name in submodules:
            value = importlib.import_module(f".{name}", package)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = value  # later look-ups skip this function
        return value

    def __dir__():
        public = {m for m in submodules if not m.startswith("_")}
        return sorted(set(namespace) | set(defined_in) | public)

    return __getattr__, __dir__
