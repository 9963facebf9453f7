"""neocognitron: Fukushima's Neocognitron reproduced with numba kernels, and a CNN baseline.

The three models sit side by side over the shared cell layers (``cells``):

* ``fukushima1980``: the 1980 network, :class:`Neocognitron`;
* ``digits``: the digit neocognitron of 2003-2014, :class:`NeocognitronClassifier`;
* ``cnn``: the learned CNN baseline, :class:`ConvNetClassifier`;

with ``datasets``, ``transforms`` and ``metrics`` shared by all three, ``shift_study`` and
``plotting`` for the experiments, and ``workflow`` for save/load, provenance, atomic
results and sweeps. ``docs/design.md`` gives the equations and where each is implemented.

The public names are imported on first use (PEP 562), so that ``import
neocognitron.cells`` loads the cell layers and numba only, not scikit-learn or matplotlib.
"""

from ._lazy import lazy_names as _lazy_names
from ._version import __version__

__all__ = ["cells", "Neocognitron", "ConvNetClassifier", "NeocognitronClassifier", "__version__"]

__getattr__, __dir__ = _lazy_names(__name__, __path__, {
    "Neocognitron": "fukushima1980.network",
    "NeocognitronClassifier": "digits",
    "ConvNetClassifier": "cnn",
})
