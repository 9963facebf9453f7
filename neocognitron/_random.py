"""``random_state``: its one meaning in this package, converted once.

Every model and random transform takes ``random_state`` as

* ``None``: fresh entropy from the operating system (``numpy.random.default_rng()``), so
  two calls give different numbers and ``np.random.seed`` has no effect;
* an int ``>= 0``: a seed; the same seed gives the same numbers;
* a ``numpy.random.Generator`` or ``numpy.random.RandomState``: drawn from as is, so the
  caller's stream advances and one stream can be passed through several calls.

The only thing that differs between callers is which stream an int seeds (``legacy``): the
1980 network and the CNN have drawn from ``RandomState(seed)`` since their first saved
results, the digit neocognitron and the transforms from ``default_rng(seed)``; keeping
that keeps every saved number regenerable.
"""

import numbers

import numpy as np

__all__ = ["check_random_state", "integers", "legacy_random_state", "uniform_integers"]

_KINDS = (np.random.Generator, np.random.RandomState)


def check_random_state(random_state, *, legacy=False):
    """The random stream ``random_state`` stands for (see the module docstring).

    Parameters
    ----------
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
    legacy : bool, default=False
        An int seeds ``numpy.random.RandomState(seed)`` (the seeds of the 1980 network and
        the CNN) instead of ``numpy.random.default_rng(seed)``.

    Returns
    -------
    numpy.random.Generator or numpy.random.RandomState
        The instance itself when one was given. Callers draw only with methods both kinds
        have (``uniform``, ``permutation``, ...); integers come from :func:`uniform_integers`
        or :func:`integers`, whose names both kinds spell differently (``integers``,
        ``randint``); code that needs more of the RandomState API goes through
        :func:`legacy_random_state`.
    """
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, _KINDS):
        return random_state
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        seed = int(random_state)
        if seed < 0 or (legacy and seed >= 2**32):
            bound = ", below 2**32" if legacy else ""
            raise ValueError(f"random_state must be a seed >= 0{bound}, got {seed}")
        return np.random.RandomState(seed) if legacy else np.random.default_rng(seed)
    kind = type(random_state).__name__
    raise TypeError(
        f"random_state must be None, an int, a numpy Generator or RandomState, got {kind}"
    )


def legacy_random_state(rng):
    """``rng`` as a ``RandomState`` for code that needs its API (``randint``, scikit-learn's
    splitters): a Generator is wrapped around its own bit generator, so draws still
    advance the caller's stream."""
    if isinstance(rng, np.random.RandomState):
        return rng
    return np.random.RandomState(rng.bit_generator)


def uniform_integers(rng, low, high, size=None):
    """Uniform integers in ``[low, high]`` (inclusive; arrays broadcast), drawn alike by both
    kinds: from ``rng.uniform``, which Generator and RandomState share, so the same stream
    gives the same integers whichever kind wraps it.

    ``size`` defaults to the broadcast shape of ``low`` and ``high``.
    """
    low, high = np.asarray(low), np.asarray(high)
    if size is None:
        size = np.broadcast(low, high).shape
    u = rng.uniform(0.0, 1.0, size=size)
    return low + np.minimum(np.floor(u * (high - low + 1)), high - low).astype(np.int64)


def integers(rng, low, high, size=None):
    """Uniform integers in ``[low, high)`` from the kind's own method: ``Generator.integers``
    or ``RandomState.randint``.

    For callers whose saved results were drawn with ``Generator.integers``, which
    :func:`uniform_integers` would change; the two kinds give different integers here.
    """
    draw = rng.integers if isinstance(rng, np.random.Generator) else rng.randint
    return draw(low, high, size=size)
