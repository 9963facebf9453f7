"""How a fitted :class:`~neocognitron.Neocognitron` is saved by
:mod:`neocognitron.workflow.io`: its config dataclasses, the effective config saved beside
its parameters, and the shapes its weights must have."""

import warnings

import numpy as np

from ..workflow import io
from . import config as _config
from .network import Neocognitron


def _check(model):
    cfg = model._config()
    n = len(cfg.stages)
    for name in ("a_", "b_", "c_", "d_", "reinforcements_"):
        io.expect(isinstance(getattr(model, name), list) and len(getattr(model, name)) == n,
                  f"{name} must be a list of {n} arrays, one per stage")
    n_in = 1
    for i, st in enumerate(cfg.stages):
        K = st.s.planes
        for name, shape in (("a_", (K, n_in) + st.s.field), ("b_", (K,)), ("c_", st.s.field),
                            ("d_", st.c.field), ("reinforcements_", (K,))):
            got = np.shape(getattr(model, name)[i])
            io.expect(got == shape, f"{name}[{i}] has shape {got}, the config needs {shape}")
        n_in = K


def _restore_config(model, saved):
    """Give the loaded network the config it was trained with, also with ``config=None``
    if the preset has changed since."""
    if not isinstance(saved, _config.NetworkConfig):
        raise ValueError("the 1980 network's 'config' is missing")
    if model.config is None and _config.fukushima1980() != saved:
        warnings.warn("this network was saved with config=None, and the fukushima1980 preset "
                      "has changed since; it is loaded with the config it was trained with",
                      UserWarning, stacklevel=io.LOAD_STACKLEVEL)
        model.config = saved
    io.expect(model._config() == saved, "'config' differs from the config parameter")


STATE = io.ModelState(
    check=_check,
    dataclasses={"config.NetworkConfig": _config.NetworkConfig, "config.Stage": _config.Stage,
                 "config.SLayerConfig": _config.SLayerConfig,
                 "config.CLayerConfig": _config.CLayerConfig},
    # the effective config, also when config=None chose the preset (which may change)
    extras={"config": io.Extra(get=lambda model: model._config(), restore=_restore_config)},
)
io.register(Neocognitron, STATE)
