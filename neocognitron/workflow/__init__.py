"""The research workflow, apart from the models.

* ``io``: :func:`save` and :func:`load` of fitted models (``.npz``, no pickle), through a
  registry that each model fills with its own state description;
* ``provenance``: :class:`Run`, an experiment's output folder with its ``run.json``;
* ``results``: atomic writes, folder locks, JSON and figures;
* ``sweep``: parameter sweeps over joblib or Dask.
"""

from .._lazy import lazy_names as _lazy_names

__all__ = ["save", "load", "Run"]

__getattr__, __dir__ = _lazy_names(__name__, __path__, {
    "save": "io", "load": "io", "Run": "provenance",
})
