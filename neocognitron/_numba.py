"""The one place that sets numba's compilation flags and cache for every kernel of the package.

**Flags.** ``fastmath`` is on for speed, but without ``nnan``/``ninf``: the public functions
reject NaN and inf before a kernel sees them, yet a kernel must never be *allowed* to assume
so, or a comparison such as ``x > 0`` may be folded away. The functions that *decide*
something (an S-cell's ``phi``, a C-cell's ``psi``, the top stage's best score) are compiled
with :func:`njit_exact` instead: plain IEEE arithmetic, each operation rounded once in the
written order, so that contraction into fused multiply-adds, reassociation or approximate
reciprocals cannot move a value across a threshold. numba compiles a called function with
its own flags (they are set explicitly here, so none is inherited from the caller), and
LLVM keeps the flags of each instruction when it inlines one function into another.

**Cache.** ``cache=True`` keeps compiled kernels on disk, so that a second Python process
starts in under a second instead of compiling for half a minute or more (measured in
``benchmarks/bench_startup.py``). numba keys a cached kernel on its own file and bytecode
only, not on the helpers it compiles in from other modules, nor on the flags set here: an
edit of a helper would leave the old machine code running. So the package's kernels are
cached by :class:`_SourceTreeLocator` instead, in a folder named after
:func:`source_digest` of the module: the SHA-256 of that module, of every module of the
package it imports (transitively: ``_kernels.py`` -> ``_correlate.py`` and this file), and
of the numba, llvmlite and numpy versions. Any edit of those sources gives a new folder and
new compiled code; the three most recently filled folders are kept (switching between two
versions of the code does not recompile each time), older ones are removed. Only this
package's functions are affected: numba's global cache settings are left alone.

numba's in-tree ``__pycache__`` is used when it is writable, else ``$NUMBA_CACHE_DIR`` or
the user-wide cache folder, as numba itself chooses. The cache is off when
``NEOCOGNITRON_NO_CACHE=1`` (e.g. on a read-only install), and when
``NUMBA_CACHE_LOCATOR_CLASSES`` replaces numba's locators (ours could not key the cache).

pynndescent dropped the cache from ``parallel=True`` kernels after segfaults when the
thread count changed between runs (numba issue 7518, since fixed by numba PR 7625).
Our parallel kernels are called from Python only (a cached non-parallel function calling a
parallel one is numba issue 8578, still open), split their work independently of the
thread count, and the start-up benchmark reruns the cached kernels under other
``NUMBA_NUM_THREADS`` and checks that the outputs are bit-for-bit the same.
"""

import ast
import functools
import hashlib
import os
import shutil
from pathlib import Path

import llvmlite
import numba
import numpy as np
from numba.core import caching

FASTMATH = set({"nsz", "arcp", "contract", "afn", "reassoc"})
# numpy's error model: a division by zero gives inf/nan instead of a Python exception, which
# lets numba drop the zero checks from inner loops so that they vectorise. Kernels only
# divide by quantities the public functions keep >= 1 (S- and C-cell denominators) or > 0.
ERROR_MODEL = "numpy"
CACHE = os.environ.get("NEOCOGNITRON_NO_CACHE", "") in ("", "0")
KEEP_CACHES = 3  # digest folders kept per module (the most recently filled)

PACKAGE_DIR = Path(__file__).resolve().parent
_PREFIX = "kernels-"


def njit(*args, parallel=False, **kwargs):
    """``numba.njit`` with the package's flags; use as ``@njit`` or ``@njit(parallel=True)``.

    Keyword arguments override the flags (``inline="always"``, ``cache=False``, ...).
    """
    options = dict(fastmath=set(FASTMATH), parallel=parallel, nogil=True,
                   error_model=ERROR_MODEL)
    options.update(kwargs)
    cache = options.pop("cache", CACHE)

    def decorate(func):
        dispatcher = numba.njit(**options)(func)
        if cache:
            _enable_cache(dispatcher)
        return dispatcher

    if args:
        if len(args) > 1 or not callable(args[0]):
            raise TypeError("njit takes the function only; types are inferred at the first call")
        return decorate(args[0])
    return decorate


def njit_exact(*args, **kwargs):
    """:func:`njit` without ``fastmath``: for functions whose result decides a branch.

    Use for the few, cheap, per-output finishing steps (thresholds, signs, maxima); the
    correlations that feed them keep ``fastmath``.
    """
    return njit(*args, fastmath=False, **kwargs)


prange = numba.prange


# ----------------------------------------------------------------------------- the cache


def _module_file(target):
    """``target.py`` or ``target/__init__.py``, whichever exists, else None."""
    for f in (target.with_suffix(".py"), target / "__init__.py"):
        if f.is_file():
            return f
    return None


@functools.cache  # one parse per file per process, however many kernel modules import it
def _imported_files(path, package_dir):
    """The source files of the package in ``package_dir`` that module ``path`` imports."""
    tree = ast.parse(path.read_bytes(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = path.parents[node.level - 1]
            elif (node.module or "").split(".")[0] == package_dir.name:
                base = package_dir.parent
            else:
                continue
            target = base.joinpath(*node.module.split(".")) if node.module else base
            if target.with_suffix(".py").is_file():
                found.add(target.with_suffix(".py"))
                continue
            for alias in node.names:  # ``from pkg import name``: a submodule or pkg's own
                found.add(_module_file(target / alias.name) or _module_file(target))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == package_dir.name:
                    found.add(_module_file(package_dir.parent.joinpath(*parts)))
    return frozenset(f.resolve() for f in found if f is not None)


@functools.cache
def source_digest(py_file, package_dir=PACKAGE_DIR):
    """SHA-256 (hex) of every source a kernel of module ``py_file`` can be compiled from.

    That is the module, the modules of this package it imports, transitively (a kernel
    reaches other code only through its module's globals), and the numba, llvmlite and
    numpy versions. Computed once per process, at the first kernel of the module, right
    after the module and its imports were loaded, so it describes the loaded code.
    """
    package_dir = Path(package_dir).resolve()
    todo, seen = [Path(py_file).resolve()], set()
    while todo:
        f = todo.pop()
        if f not in seen:
            seen.add(f)
            todo.extend(_imported_files(f, package_dir))
    h = hashlib.sha256()
    for v in (numba.__version__, llvmlite.__version__, np.__version__):
        h.update(v.encode() + b"\0")
    for f in sorted(seen):
        h.update(f.relative_to(package_dir.parent).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def _prune(parent, prefix, keep):
    """Remove all but the ``keep`` most recently filled folders ``prefix*`` in ``parent``."""
    try:
        folders = [p for p in Path(parent).iterdir() if p.name.startswith(prefix)]
        folders.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for p in folders[keep:]:
        # a process still running the old code rebuilds its folder if it saves again
        shutil.rmtree(p, ignore_errors=True)


class _SourceTreeLocator(caching._CacheLocator):
    """Caches a kernel of this package in ``<numba's folder>/kernels-<module>-<digest>``.

    The folder numba would use (in-tree, ``$NUMBA_CACHE_DIR`` or user-wide) holds one
    subfolder per :func:`source_digest`, so that a kernel compiled from other sources is
    never found. Claims no function outside this package.
    """

    # numba's own choice of folder, in its order (names with a leading "_" in older numba)
    _bases = tuple(getattr(caching, name, None) or getattr(caching, "_" + name)
                   for name in ("UserProvidedCacheLocator", "InTreeCacheLocator",
                                "UserWideCacheLocator"))

    def __init__(self, base, py_file):
        self._base = base
        self._digest = source_digest(py_file)
        self._prefix = f"{_PREFIX}{py_file.stem}-"
        self._path = os.path.join(base.get_cache_path(), self._prefix + self._digest[:20])

    def get_cache_path(self):
        return self._path

    def get_source_stamp(self):
        return self._digest

    def get_disambiguator(self):
        return self._base.get_disambiguator()

    def ensure_cache_path(self):
        new = not os.path.isdir(self._path)
        super().ensure_cache_path()
        if new:
            _prune(self._base.get_cache_path(), self._prefix, KEEP_CACHES)

    @classmethod
    def from_function(cls, py_func, py_file):
        path = Path(py_file).resolve()
        if PACKAGE_DIR not in path.parents or not path.is_file():
            return None
        # the folders depend on the module's file only: they are made and checked for
        # writing (a directory and a temporary file each) at its first kernel, not at every
        # one (numba checks again before it saves a kernel)
        if path in _BASE_OF_MODULE:
            base_cls = _BASE_OF_MODULE[path]
            return None if base_cls is None else cls(base_cls(py_func, py_file), path)
        _BASE_OF_MODULE[path] = None
        for base_cls in cls._bases:
            base = base_cls.from_function(py_func, py_file)
            if base is None:
                continue
            self = cls(base, path)
            try:
                self.ensure_cache_path()
            except OSError:
                continue
            _BASE_OF_MODULE[path] = base_cls
            return self
        return None


#: Module file -> the first of numba's locator classes whose folders (and ours in them)
#: were writable for it, or None for none.
_BASE_OF_MODULE = {}


class _CacheImpl(caching.CompileResultCacheImpl):
    _locator_classes = [_SourceTreeLocator]


class _KernelCache(caching.FunctionCache):
    _impl_class = _CacheImpl


def _enable_cache(dispatcher):
    """``dispatcher.enable_caching()``, with the cache keyed by :func:`source_digest`.

    Leaves the kernel uncached when no folder is writable, or when
    ``NUMBA_CACHE_LOCATOR_CLASSES`` made numba pick another locator (which would key the
    cache on the kernel's own file only).
    """
    try:
        cache = _KernelCache(dispatcher.py_func)
    except RuntimeError:  # numba: "no locator available"
        return
    if isinstance(cache._impl.locator, _SourceTreeLocator):
        dispatcher._cache = cache  # what Dispatcher.enable_caching() does with numba's cache
