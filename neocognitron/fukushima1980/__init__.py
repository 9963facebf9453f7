"""The 1980 neocognitron (Fukushima, Biol. Cybern. 36:193-202, 1980).

* ``config``: the architecture as frozen dataclasses and the paper's preset;
* ``weights``: the fixed connections (``c``, ``d``) and the initial ``a``;
* ``learning``: representatives and reinforcement (the paper's eqs. 6-7);
* ``network``: :class:`Neocognitron`, the cascade and its training schedule;
* ``evaluation``: the 1980 measures (variants of the patterns, whether a UC3 winner is kept);
* ``claims``: the paper's strict claim (one responding UC3 cell per pattern, none shared);
* ``heldout``: variants that are never a training presentation;
* ``controls``: a template matcher and the untrained network, measured like the network.

See ``docs/design.md`` §1.
"""

from .._lazy import lazy_names as _lazy_names

__all__ = ["Neocognitron", "NetworkConfig"]

__getattr__, __dir__ = _lazy_names(__name__, __path__, {
    "Neocognitron": "network",
    "NetworkConfig": "config",
})
