"""The one place that sets numba's compilation flags for every kernel of the package.

``fastmath`` is on for speed, but without ``nnan``/``ninf``: the public functions reject
NaN and inf before a kernel sees them, yet a kernel must never be *allowed* to assume so,
or a comparison such as ``x > 0`` may be folded away.

``cache=True`` writes compiled kernels to ``__pycache__`` so that a second Python process
starts in well under a second instead of recompiling (measured in
``benchmarks/bench_startup.py``). pynndescent dropped the cache from ``parallel=True``
kernels after crashes when the thread count changed between runs; our parallel kernels
only use ``prange`` over independent slices and no thread-count dependent state, and the
start-up benchmark re-runs them under a different ``NUMBA_NUM_THREADS`` to check that the
cached code still gives the same numbers. Set ``NEOCOGNITRON_NO_CACHE=1`` to switch the
cache off (e.g. on a read-only install).
"""

import os

import numba

FASTMATH = set({"nsz", "arcp", "contract", "afn", "reassoc"})
# numpy's error model: a division by zero gives inf/nan instead of a Python exception, which
# lets numba drop the zero checks from inner loops so that they vectorise. Kernels only
# divide by quantities the public functions keep >= 1 (S- and C-cell denominators) or > 0.
ERROR_MODEL = "numpy"
CACHE = os.environ.get("NEOCOGNITRON_NO_CACHE", "") in ("", "0")


def njit(*args, parallel=False, **kwargs):
    """``numba.njit`` with the package's flags; use as ``@njit`` or ``@njit(parallel=True)``."""
    options = dict(fastmath=set(FASTMATH), cache=CACHE, parallel=parallel, nogil=True,
                   error_model=ERROR_MODEL)
    options.update(kwargs)
    if args and callable(args[0]):
        return numba.njit(**options)(args[0])
    return numba.njit(*args, **options)


prange = numba.prange
