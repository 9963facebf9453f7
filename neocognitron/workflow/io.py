"""Saved models: :func:`save` a fitted model to one ``.npz`` file, :func:`load` it back.

Works for the three model classes: :class:`neocognitron.Neocognitron` (the 1980 network),
:class:`neocognitron.NeocognitronClassifier` and :class:`neocognitron.ConvNetClassifier`,
and for any class registered with :func:`register`.

Models
------
This module knows no model. Each describes its fitted state in a :class:`ModelState` (its
invariants, the classes its state may hold, values saved beside its parameters) and
registers it with :func:`register` from a module of its own package
(``neocognitron/cnn/_state.py``); a model of this package is added by writing that module
and naming it in :data:`neocognitron.workflow._registry.MODULES`, which is imported the
first time such a model is saved or loaded. See :mod:`neocognitron.workflow._registry`.

>>> from neocognitron import Neocognitron, io
>>> from neocognitron.datasets import fukushima1980_patterns
>>> patterns = fukushima1980_patterns()
>>> net = Neocognitron.fukushima1980(random_state=0).fit(patterns)
>>> io.save(net, "net1980.npz")                                   # doctest: +SKIP
>>> (io.load("net1980.npz").winners(patterns) == net.winners(patterns)).all()  # doctest: +SKIP
True

Format
------
One ``.npz`` archive (a zip of ``.npy`` files, readable by :func:`numpy.load`) holds

* every array of the model, named by where it sits: ``fitted/a_/0``,
  ``fitted/stages_/1/X``, ``params/config/...``;
* ``__meta__``: a UTF-8 JSON document, stored as a ``uint8`` array, with ``format``
  (``"neocognitron-model"``), ``format_version`` (:data:`FORMAT_VERSION`),
  ``package_version``, ``class``, ``params`` (``get_params()``; for the 1980 network its
  :class:`~neocognitron.fukushima1980.config.NetworkConfig`), the values the model's
  :attr:`ModelState.extras` add (the 1980 network's ``config``: its effective config, also
  when ``config=None`` chose the preset), ``classes`` (the class labels, for reading),
  ``fitted`` (every attribute of ``vars(model)`` ending in ``_``), ``private``
  (the other attributes starting with ``_``, e.g. the CNN's random stream that
  ``partial_fit`` continues) and ``arrays`` (the dtype and shape of every array). Values
  are encoded by :mod:`neocognitron.workflow._io_state`, which restores their types (tuples stay
  tuples, so ``get_params()`` and :func:`sklearn.base.clone` work on the loaded model);
* ``__sha256__``: the SHA-256 of the JSON document and of every array (name, dtype,
  shape and bytes), as hex digits.

Memory: :func:`load` reads the JSON document (at most 64 MiB) first, adds up the bytes its
``arrays`` declare and refuses the file if they exceed ``max_bytes`` (default
:data:`MAX_BYTES`, 1 GiB) before it allocates any array; then each array is inflated only
into memory of the size declared, and a member whose sizes in the zip or its ``.npy`` header
disagree with the description is refused before it is inflated. So the arrays read from a
file take at most ``max_bytes`` in total, whatever the file says: the checksum cannot vouch
for the sizes, since whoever writes the file can recompute it.

One file rather than arrays plus a JSON sidecar, so that nothing can be separated, copied
half-way or paired with the wrong weights. Files are read with ``allow_pickle=False``:
loading runs no code from the file, and only the classes the model's :class:`ModelState`
lists can be built; a class name read from a file is looked up among the registered ones,
never imported. Arrays are compressed (``savez_compressed``).

A parameter added to a class after a file was written (``top_exponent`` of
``NeocognitronClassifier``, in its :attr:`ModelState.added_params`) is given the value that
reproduces the saved model, never the current default; any other parameter missing from a
file is refused.

What is refused (``TypeError`` for a model that cannot be saved, ``ValueError`` for a
file that cannot be loaded, each naming the problem): another model type (also a
subclass, which may hold state this module does not know), an unfitted model, any
attribute of a type that cannot be written (so no state is dropped silently), a model
whose arrays disagree with its own parameters; a file that is not an ``.npz`` archive or
not a saved model, one from a newer format version, a missing or an extra array, a
checksum that does not match (the file was edited or damaged), arrays that declare more
than ``max_bytes`` in total, an unknown class or parameter, and arrays inconsistent with
the configuration. The checksum detects edits and
damage; it is not a signature (whoever edits the file can recompute it).

Writing is atomic: the archive is written to a temporary name in the same folder, then
renamed over ``path``; a failed save leaves no temporary file and any existing file intact.
"""

import hashlib
import hmac
import json
import numbers
from pathlib import Path

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._version import __version__
from . import _io_state, _io_zip, _registry
from ._registry import LOAD_STACKLEVEL, Codec, Extra, ModelState, expect, register
from .results import _atomic

__all__ = ["FORMAT_VERSION", "LOAD_STACKLEVEL", "MAX_BYTES", "Codec", "Extra", "ModelState",
           "expect", "load", "register", "save"]

FORMAT = "neocognitron-model"
#: Version of the file layout; :func:`load` refuses files with a larger one.
FORMAT_VERSION = 1
#: Default of :func:`load`'s ``max_bytes``: the most bytes the arrays of a file may declare
#: in total. The largest model the experiments save, the NeocognitronClassifier fitted to
#: 60,000 MNIST digits (``docs/results/mnist_neocognitron/model.npz``), declares 24,951,392
#: (24 MiB); 1 GiB leaves room for forty such models, yet a crafted file cannot take the
#: machine's memory.
MAX_BYTES = 1 << 30

_META, _CHECKSUM = "__meta__", "__sha256__"
_MAX_META = 64 << 20  # bytes of JSON; a model's description takes a few kB


def _check(model, state):
    """Raise ``ValueError`` if the fitted state disagrees with itself or the parameters."""
    if hasattr(model, "classes_"):
        expect(isinstance(model.classes_, np.ndarray) and model.classes_.ndim == 1,
               "classes_ must be a 1-D array")
    state.check(model)


# ----------------------------------------------------------------------------- saving
def _checksum(meta, arrays):
    """SHA-256 hex digest of the JSON bytes and of every array's name, dtype, shape, bytes."""
    h = hashlib.sha256(FORMAT.encode())
    for part in [meta] + [x for key in sorted(arrays) for x in (
            json.dumps([key, arrays[key].dtype.str, list(arrays[key].shape)]).encode(),
            np.ascontiguousarray(arrays[key]).reshape(-1).view(np.uint8))]:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


def _document(model):
    cls = type(model)
    state = _registry.state_of(cls)
    check_is_fitted(model, msg=f"cannot save an unfitted {cls.__name__}: call fit first")
    params = model.get_params(deep=False)
    stray = [k for k in vars(model) if k not in params and not k.startswith("_")
             and not k.endswith("_")]
    if stray:
        raise TypeError(f"cannot save {cls.__name__}: attributes {stray} are neither "
                        "parameters nor fitted attributes (ending in '_')")
    _check(model, state)
    arrays = {}

    def encode(value, *path):
        return _io_state.encode(value, path, arrays, state)

    doc = {"format": FORMAT, "format_version": FORMAT_VERSION,
           "package_version": __version__, "class": cls.__name__,
           "params": {k: encode(v, "params", k) for k, v in params.items()}}
    doc.update({name: encode(extra.get(model), name) for name, extra in state.extras.items()})
    if hasattr(model, "classes_"):
        doc["classes"] = encode(model.classes_.tolist(), "classes")
    for section, keep in (("fitted", lambda k: k.endswith("_") and not k.startswith("_")),
                          ("private", lambda k: k.startswith("_"))):
        doc[section] = {k: encode(v, section, k) for k, v in vars(model).items() if keep(k)}
    doc["arrays"] = {k: {"dtype": a.dtype.str, "shape": list(a.shape)}
                     for k, a in arrays.items()}
    return doc, arrays


def _write_npz(fh, payload):
    np.savez_compressed(fh, **payload)


def save(model, path):
    """Save a fitted model to one ``.npz`` file, atomically.

    Parameters
    ----------
    model : Neocognitron, NeocognitronClassifier, ConvNetClassifier or a registered class
        A fitted model.
    path : str or path-like
        Where to write; used as given (no suffix is added). Missing folders are made.

    Returns
    -------
    path : pathlib.Path

    Raises
    ------
    TypeError
        If the model is of another type (a subclass too: it may hold state its class's
        :class:`ModelState` does not describe), or holds an attribute that cannot be saved.
    sklearn.exceptions.NotFittedError
        If the model is not fitted (a ``ValueError``).
    ValueError
        If its fitted arrays disagree with its parameters (e.g. ``set_params`` after
        ``fit`` changed the architecture).
    """
    doc, arrays = _document(model)
    meta = json.dumps(doc, allow_nan=False, separators=(",", ":")).encode()
    payload = dict(arrays)
    payload[_META] = np.frombuffer(meta, dtype=np.uint8)
    payload[_CHECKSUM] = np.frombuffer(_checksum(meta, arrays).encode("ascii"), np.uint8)
    return _atomic(path, lambda fh: _write_npz(fh, payload))


# ----------------------------------------------------------------------------- loading
def _read(path, max_bytes):
    """The JSON document and the arrays of a model file, checked against the checksum.

    The arrays the description declares are refused if they take more than ``max_bytes``
    (None: no bound) in total, before any is read; each is inflated only once its sizes in
    the zip agree with the description (:mod:`neocognitron.workflow._io_zip`).
    """
    with _io_zip.Archive(path) as npz:
        files = npz.files
        if _META not in files:
            raise ValueError(f"{path} is an .npz file but not a saved model (no {_META})")
        meta = npz.read(_META, max_bytes=_MAX_META)
        try:
            if meta.dtype != np.uint8 or meta.ndim != 1:
                raise ValueError(f"{_META} is not a uint8 vector")
            meta = meta.tobytes()
            doc = json.loads(meta.decode("utf-8"))
            if not isinstance(doc, dict) or doc.get("format") != FORMAT:
                raise ValueError(f"format is not {FORMAT!r}")
        # RecursionError: JSON nested deeper than the parser recurses (a 100 kB "[[[...")
        except (ValueError, UnicodeError, RecursionError) as exc:
            raise ValueError(f"{path}: unreadable model description ({exc})") from exc
        # before the checksum: a newer format may lay out or hash its content differently
        version = doc.get("format_version")
        if type(version) is not int or version < 1:
            raise ValueError(f"{path}: invalid format_version {version!r}")
        if version > FORMAT_VERSION:
            raise ValueError(
                f"{path} has format version {version}, newer than this neocognitron "
                f"{__version__} reads ({FORMAT_VERSION}); it was written by neocognitron "
                f"{doc.get('package_version')!r}: upgrade the package to load it")
        manifest = doc.get("arrays")
        if not isinstance(manifest, dict):
            raise ValueError(f"{path}: the model description lists no arrays")
        present = files - {_META, _CHECKSUM}
        if set(manifest) - present:
            raise ValueError(f"{path}: missing array(s) {sorted(set(manifest) - present)}")
        if present - set(manifest):
            raise ValueError(f"{path}: unexpected array(s) {sorted(present - set(manifest))}")
        # the sizes are the file's word (every check below only holds a member to them), so
        # their total is bounded before anything is allocated
        expected = {key: npz.expected(key, manifest[key]) for key in manifest}
        total = sum(_io_zip.nbytes(*e) for e in expected.values())
        if max_bytes is not None and total > max_bytes:
            raise ValueError(
                f"{path}: its arrays take {total} bytes ({total / 2**30:.1f} GiB) by its model "
                f"description, more than max_bytes={max_bytes}; if you trust this file, load "
                "it with io.load(path, max_bytes=None) or a larger max_bytes")
        if _CHECKSUM not in files:
            raise ValueError(f"{path}: no checksum ({_CHECKSUM})")
        stored = npz.read(_CHECKSUM, max_bytes=64)
        arrays = {key: npz.read(key, expected[key]) for key in manifest}
    stored = stored.tobytes() if stored.dtype == np.uint8 else b""
    if not hmac.compare_digest(stored, _checksum(meta, arrays).encode("ascii")):
        raise ValueError(f"{path}: checksum mismatch, the file was modified or damaged "
                         "after it was saved; refusing to load it")
    return doc, arrays


def _attributes(doc, section, path):
    nodes = doc.get(section, {})
    if not isinstance(nodes, dict):
        raise ValueError(f"{path}: {section!r} must be a JSON object")
    for name in nodes:
        public = not name.startswith("_") and name.endswith("_")
        private = name.startswith("_") and not name.startswith("__")
        if not (name.isidentifier() and (public if section == "fitted" else private)):
            raise ValueError(f"{path}: {name!r} is not a valid {section} attribute name")
    return nodes


def _model_class(doc, path):
    """The class a file names and its state description; ``ValueError`` if unknown."""
    name = doc.get("class")
    entry = _registry.lookup(name) if isinstance(name, str) else None
    if entry is None:
        raise ValueError(f"{path}: unknown model class {name!r} (expected one of "
                         f"{', '.join(_registry.names())})")
    return entry


def _parameters(doc, cls, state, path):
    """The JSON nodes of the parameters, and the values of parameters the file predates."""
    nodes = doc.get("params")
    if not isinstance(nodes, dict):
        raise ValueError(f"{path}: 'params' must be a JSON object")
    known = set(cls().get_params(deep=False))
    unknown = sorted(set(nodes) - known)
    if unknown:
        raise ValueError(f"{path}: {unknown} are not parameters of {cls.__name__}")
    # a parameter added after a file was written takes the value the file's model had, never
    # today's default (which may differ); any other missing parameter is an error
    missing = sorted(known - set(nodes) - set(state.added_params))
    if missing:
        raise ValueError(f"{path}: parameter(s) {missing} of {cls.__name__} are missing")
    return nodes, {k: v for k, v in state.added_params.items() if k not in nodes}


def _build(doc, arrays, path):
    cls, state = _model_class(doc, path)
    nodes, params = _parameters(doc, cls, state, path)
    used = set()

    def decode(node, *where):
        return _io_state.decode(node, arrays, used, where, state)

    try:
        params.update({k: decode(v, "params", k) for k, v in nodes.items()})
        model = cls(**params)
        for section in ("fitted", "private"):
            for k, node in _attributes(doc, section, path).items():
                setattr(model, k, decode(node, section, k))
        if not any(k.endswith("_") and not k.startswith("_") for k in vars(model)):
            raise ValueError("no fitted attributes")
        for name, extra in state.extras.items():
            extra.restore(model, decode(doc.get(name), name))  # LOAD_STACKLEVEL counts this
        if "classes" in doc:
            labels = decode(doc["classes"], "classes")
            expect(labels == model.classes_.tolist(), "'classes' differs from classes_")
        _check(model, state)
    except (KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise ValueError(f"{path}: inconsistent model description ({type(exc).__name__}: "
                         f"{exc})") from exc
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    if used != set(arrays):
        raise ValueError(f"{path}: array(s) {sorted(set(arrays) - used)} belong to nothing")
    return model


def load(path, max_bytes=MAX_BYTES):
    """Load a model written by :func:`save`.

    Parameters
    ----------
    path : str or path-like
    max_bytes : int or None, default=MAX_BYTES
        The most bytes the model's arrays may take in total (1 GiB by default, forty times
        the largest model the experiments save), checked against the sizes the file
        declares before any array is read, so that a crafted file cannot exhaust memory.
        Raise it for a larger model you trust; ``None`` removes the bound.

    Returns
    -------
    model : Neocognitron, NeocognitronClassifier, ConvNetClassifier or a registered class
        Fitted, with the same parameters and fitted attributes as the model saved: its
        predictions, ``transform`` and ``forward`` are identical.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        If the file is not a valid ``.npz`` model file, has a newer format version, misses
        an array, declares arrays of more than ``max_bytes`` in total, fails its checksum,
        or describes a model that is inconsistent (unknown class or parameter, arrays that
        disagree with the configuration); if ``max_bytes`` is negative.
    TypeError
        If ``max_bytes`` is neither an int nor None.
    """
    if max_bytes is not None:
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, numbers.Integral):
            raise TypeError(f"max_bytes must be an int or None, got {max_bytes!r}")
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be >= 0, got {max_bytes}")
    path = Path(path)
    doc, arrays = _read(path, max_bytes)
    return _build(doc, arrays, path)
