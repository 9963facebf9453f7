"""Progress bars that say "compiling kernels" while numba compiles, instead of an ETA.

The first steps of a fit compile numba kernels (about a minute when the cache is cold,
see :mod:`neocognitron._numba`); a plain tqdm bar turns that into a rate and promises,
e.g., ``1/100 [00:22<37:43]`` for a run of a few seconds. :class:`KernelProgress` is a
tqdm bar that listens to numba's ``numba:compile`` events: while a kernel compiles, its
postfix reads ``compiling kernels``; a step during which anything compiled does not count
in the rate, so the remaining time is that of the compiled code (the elapsed time still
counts everything).

Bars whose steps run in other processes (joblib workers compile there, unseen) pass
``first_step_compiles=True``: the label is shown until the first step is done, and that
step does not count in the rate.
"""

import weakref

from numba.core import event
from tqdm.auto import tqdm

__all__ = ["COMPILING", "KernelProgress", "parallel_map", "workers_compile"]

COMPILING = "compiling kernels"


def workers_compile():
    """Whether worker processes compile the kernels they call: only with the cache off.

    With the cache on, a kernel the parent process has run is loaded from disk.
    """
    from . import _numba

    return not _numba.CACHE


def parallel_map(fn, tasks, n_jobs=1, desc=None, quiet=False):
    """``[fn(*task) for task in tasks]`` over ``n_jobs`` joblib processes, in order, with a
    :class:`KernelProgress` bar that knows whether the workers compile.

    Parameters
    ----------
    fn : callable
    tasks : sequence of tuples
        The arguments of each call.
    n_jobs : int
        joblib's ``n_jobs``.
    desc : str, optional
        The bar's label.
    quiet : bool
        No bar.

    Returns
    -------
    list
    """
    from joblib import Parallel, delayed  # here: importing this module stays light

    tasks = list(tasks)
    results = Parallel(n_jobs=n_jobs, return_as="generator")(delayed(fn)(*t) for t in tasks)
    return list(KernelProgress(results, total=len(tasks), desc=desc, disable=quiet,
                               first_step_compiles=workers_compile()))


class _CompileListener(event.Listener):
    def __init__(self, bar):
        # weak: a bar left unclosed (an exception in the loop) is still collected, and
        # tqdm's __del__ closes it, which unregisters this listener
        self.bar = weakref.ref(bar)
        self.depth = 0  # compiling a kernel compiles the functions it calls: nested events

    def on_start(self, event):
        self.depth += 1
        bar = self.bar()
        if self.depth == 1 and bar is not None:
            bar._compile_started()

    def on_end(self, event):
        self.depth -= 1


class KernelProgress(tqdm):
    """A tqdm bar (``tqdm.auto``) that shows ``compiling kernels`` while numba compiles.

    Same arguments as ``tqdm``, plus ``first_step_compiles``: assume the first step
    compiles (for steps that run in other processes). Use it as a context manager, or
    iterate over it to the end, or close it, so that it stops listening to numba.
    """

    def __init__(self, *args, first_step_compiles=False, **kwargs):
        self._compiled = False  # something compiled during the current step
        self._listener = None
        self._hold = False  # no display while the rate is being reset
        super().__init__(*args, **kwargs)
        if self.disable:
            return
        self._listener = _CompileListener(self)
        event.register("numba:compile", self._listener)
        if first_step_compiles:
            self._compile_started()

    def _compile_started(self):
        if not self._compiled:
            self._compiled = True
            self._postfix = self.postfix  # the caller's, given back when the step ends
        self.set_postfix_str(COMPILING)  # refreshes: shown while the compilation runs

    def update(self, n=1):
        if not self._compiled or self.disable:
            return super().update(n)
        # this step compiled: count it, but forget its rate (elapsed time stays)
        self._compiled = False
        done, start = self.n + n, self.start_t
        self._hold = True
        try:
            self.reset()  # clears the rate's averages; would show 0 steps done
        finally:
            self._hold = False
        self.start_t = start
        self.n = self.last_print_n = self.initial = done
        self.set_postfix_str(self._postfix or "")
        return True

    def refresh(self, *args, **kwargs):
        if not self._hold:
            super().refresh(*args, **kwargs)

    def __iter__(self):
        # tqdm's own loop updates only every ``mininterval``; this one after every step,
        # so that a step that compiled is known as soon as it ends
        if self.disable:
            yield from self.iterable
            return
        try:
            for obj in self.iterable:
                yield obj
                self.update(1)
        finally:
            self.close()

    def close(self):
        if self._listener is not None:
            event.unregister("numba:compile", self._listener)
            self._listener = None
        super().close()
