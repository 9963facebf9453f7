"""Saved models: :func:`save` a fitted model to one ``.npz`` file, :func:`load` it back.

Works for the three model classes: :class:`neocognitron.Neocognitron` (the 1980 network),
:class:`neocognitron.NeocognitronClassifier` and :class:`neocognitron.ConvNetClassifier`.

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
  :class:`~neocognitron.fukushima1980.config.NetworkConfig`), ``config`` (the 1980 network's
  effective config, also when ``config=None`` chose the preset), ``classes`` (the class labels, for
  reading), ``fitted`` (every attribute of ``vars(model)`` ending in ``_``), ``private``
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
loading runs no code from the file, and only the classes :mod:`neocognitron.workflow._io_state`
lists can be built. Arrays are compressed (``savez_compressed``).

A parameter added to a class after a file was written (``top_exponent`` of
``NeocognitronClassifier``) is given the value that reproduces the saved model, never the
current default; any other parameter missing from a file is refused.

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
import warnings
from pathlib import Path

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._version import __version__
from ..cnn import ConvNetClassifier
from ..cnn.network import DataParallel, _spec, lenet_layers
from ..digits import NeocognitronClassifier
from ..fukushima1980 import config as _config
from ..fukushima1980.network import Neocognitron
from . import _io_state, _io_zip
from .results import _atomic

__all__ = ["FORMAT_VERSION", "MAX_BYTES", "load", "save"]

FORMAT = "neocognitron-model"
#: Version of the file layout; :func:`load` refuses files with a larger one.
FORMAT_VERSION = 1
#: Default of :func:`load`'s ``max_bytes``: the most bytes the arrays of a file may declare
#: in total. The largest model the experiments save, the NeocognitronClassifier fitted to
#: 60,000 MNIST digits (``docs/results/mnist_neocognitron/model.npz``), declares 24,951,392
#: (24 MiB); 1 GiB leaves room for forty such models, yet a crafted file cannot take the
#: machine's memory.
MAX_BYTES = 1 << 30

# Parameters added since format version 1, per class, with the value that reproduces a model
# saved before they existed.
_ADDED_PARAMS = {"NeocognitronClassifier": {"top_exponent": 1.0}}
_META, _CHECKSUM = "__meta__", "__sha256__"
_MAX_META = 64 << 20  # bytes of JSON; a model's description takes a few kB
_CLASSES = {cls.__name__: cls for cls in (Neocognitron, NeocognitronClassifier,
                                          ConvNetClassifier)}


# ----------------------------------------------------------------------------- checks
def _expect(ok, message):
    if not ok:
        raise ValueError(f"inconsistent model: {message}")


def _check_neocognitron(model, cfg):
    n = len(cfg.stages)
    for name in ("a_", "b_", "c_", "d_", "reinforcements_"):
        _expect(isinstance(getattr(model, name), list) and len(getattr(model, name)) == n,
                f"{name} must be a list of {n} arrays, one per stage")
    n_in = 1
    for i, st in enumerate(cfg.stages):
        K = st.s.planes
        for name, shape in (("a_", (K, n_in) + st.s.field), ("b_", (K,)), ("c_", st.s.field),
                            ("d_", st.c.field), ("reinforcements_", (K,))):
            got = np.shape(getattr(model, name)[i])
            _expect(got == shape, f"{name}[{i}] has shape {got}, the config needs {shape}")
        n_in = K


def _check_digits(model):
    stages, n_mid = model.stages_, len(tuple(model.max_planes))
    _expect(isinstance(stages, list) and len(stages) == n_mid + 1,
            f"stages_ must list {n_mid + 1} stages (max_planes has {n_mid} entries)")
    below = None
    for i, st in enumerate(stages):
        X = np.asarray(st.X)
        _expect(X.ndim == 4 and X.shape[2:] == np.shape(st.c),
                f"stages_[{i}]: X {X.shape} and c {np.shape(st.c)} do not agree")
        _expect(below is None or X.shape[1] == below,
                f"stages_[{i}].X reads {X.shape[1]} planes, the layer below has {below}")
        below = X.shape[0]
    n_top = np.shape(model.top_X_)[0]
    planes = tuple(np.shape(st.X)[0] for st in stages) + (n_top,)
    _expect(tuple(model.n_planes_) == planes, f"n_planes_ {model.n_planes_} != {planes}")
    D = below * int(np.prod(model.top_field_))
    _expect(np.shape(model.top_X_) == (n_top, D),
            f"top_X_ has shape {np.shape(model.top_X_)}, the layers need {(n_top, D)}")
    labels = np.asarray(model.top_labels_)
    _expect(labels.shape == (n_top,) and labels.dtype.kind in "iu"
            and np.all((labels >= 0) & (labels < len(model.classes_))),
            "top_labels_ must hold one index into classes_ per top plane")
    _expect(int(np.prod(model.image_shape_)) == model.n_features_in_,
            f"image_shape_ {model.image_shape_} does not give n_features_in_ "
            f"{model.n_features_in_}")


def _check_cnn(model):
    net = model.network_
    _expect(isinstance(net, DataParallel), "network_ must be a DataParallel network")
    _expect(int(np.prod(model.image_shape_)) == model.n_features_in_,
            f"image_shape_ {model.image_shape_} does not give n_features_in_ "
            f"{model.n_features_in_}")
    _expect(tuple(net.in_shape) == (1,) + tuple(model.image_shape_),
            f"network_ reads {net.in_shape}, image_shape_ is {model.image_shape_}")
    ref = lenet_layers(len(model.classes_), tuple(model.conv_channels), model.kernel_size,
                       tuple(model.hidden_layer_sizes), model.pooling, bool(model.antialias),
                       bool(model.global_pool), model.padding)
    specs = [(type(la).__name__, _spec(la)) for la in net.layers]
    _expect(specs == [(type(la).__name__, _spec(la)) for la in ref],
            "network_'s layers are not those its parameters and classes_ build")
    for name, v in vars(model.optimizer_).items():
        if isinstance(v, np.ndarray):
            _expect(v.shape == (net.n_params,), f"optimizer_.{name} has shape {v.shape}, "
                    f"the network has {net.n_params} parameters")


def _check(model):
    """Raise ``ValueError`` if the fitted state disagrees with itself or the parameters."""
    if hasattr(model, "classes_"):
        _expect(isinstance(model.classes_, np.ndarray) and model.classes_.ndim == 1,
                "classes_ must be a 1-D array")
    if isinstance(model, Neocognitron):
        _check_neocognitron(model, model._config())
    elif isinstance(model, NeocognitronClassifier):
        _check_digits(model)
    else:
        _check_cnn(model)


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
    if _CLASSES.get(cls.__name__) is not cls:
        raise TypeError(f"cannot save a {cls.__module__}.{cls.__qualname__}: "
                        f"neocognitron.workflow.io saves only {', '.join(_CLASSES)} "
                        "(not subclasses)")
    check_is_fitted(model, msg=f"cannot save an unfitted {cls.__name__}: call fit first")
    params = model.get_params(deep=False)
    extra = [k for k in vars(model) if k not in params and not k.startswith("_")
             and not k.endswith("_")]
    if extra:
        raise TypeError(f"cannot save {cls.__name__}: attributes {extra} are neither "
                        "parameters nor fitted attributes (ending in '_')")
    _check(model)
    arrays = {}
    doc = {"format": FORMAT, "format_version": FORMAT_VERSION,
           "package_version": __version__, "class": cls.__name__,
           "params": {k: _io_state.encode(v, ("params", k), arrays) for k, v in params.items()}}
    if isinstance(model, Neocognitron):
        doc["config"] = _io_state.encode(model._config(), ("config",), arrays)
    if hasattr(model, "classes_"):
        doc["classes"] = _io_state.encode(model.classes_.tolist(), ("classes",), arrays)
    for section, keep in (("fitted", lambda k: k.endswith("_") and not k.startswith("_")),
                          ("private", lambda k: k.startswith("_"))):
        doc[section] = {k: _io_state.encode(v, (section, k), arrays)
                        for k, v in vars(model).items() if keep(k)}
    doc["arrays"] = {k: {"dtype": a.dtype.str, "shape": list(a.shape)}
                     for k, a in arrays.items()}
    return doc, arrays


def _write_npz(fh, payload):
    np.savez_compressed(fh, **payload)


def save(model, path):
    """Save a fitted model to one ``.npz`` file, atomically.

    Parameters
    ----------
    model : Neocognitron, NeocognitronClassifier or ConvNetClassifier
        A fitted model.
    path : str or path-like
        Where to write; used as given (no suffix is added). Missing folders are made.

    Returns
    -------
    path : pathlib.Path

    Raises
    ------
    TypeError
        If the model is of another type, or holds an attribute that cannot be saved.
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


def _build(doc, arrays, path):
    name = doc.get("class")
    cls = _CLASSES.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"{path}: unknown model class {name!r} (expected one of "
                         f"{', '.join(_CLASSES)})")
    nodes = doc.get("params")
    if not isinstance(nodes, dict):
        raise ValueError(f"{path}: 'params' must be a JSON object")
    known = set(cls().get_params(deep=False))
    unknown = sorted(set(nodes) - known)
    if unknown:
        raise ValueError(f"{path}: {unknown} are not parameters of {name}")
    # a parameter added after a file was written takes the value the file's model had, never
    # today's default (which may differ); any other missing parameter is an error
    added = _ADDED_PARAMS.get(name, {})
    missing = sorted(known - set(nodes) - set(added))
    if missing:
        raise ValueError(f"{path}: parameter(s) {missing} of {name} are missing")
    used = set()
    try:
        params = {k: v for k, v in added.items() if k not in nodes}
        params.update({k: _io_state.decode(v, arrays, used, ("params", k))
                       for k, v in nodes.items()})
        model = cls(**params)
        for section in ("fitted", "private"):
            for k, node in _attributes(doc, section, path).items():
                setattr(model, k, _io_state.decode(node, arrays, used, (section, k)))
        if not any(k.endswith("_") and not k.startswith("_") for k in vars(model)):
            raise ValueError("no fitted attributes")
        if cls is Neocognitron:
            _restore_config(model, _io_state.decode(doc.get("config"), arrays, used))
        if "classes" in doc:
            labels = _io_state.decode(doc["classes"], arrays, used)
            _expect(labels == model.classes_.tolist(), "'classes' differs from classes_")
        _check(model)
    except (KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise ValueError(f"{path}: inconsistent model description ({type(exc).__name__}: "
                         f"{exc})") from exc
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    if used != set(arrays):
        raise ValueError(f"{path}: array(s) {sorted(set(arrays) - used)} belong to nothing")
    return model


def _restore_config(model, saved):
    if not isinstance(saved, _config.NetworkConfig):
        raise ValueError("the 1980 network's 'config' is missing")
    if model.config is None and _config.fukushima1980() != saved:
        warnings.warn("this network was saved with config=None, and the fukushima1980 preset "
                      "has changed since; it is loaded with the config it was trained with",
                      UserWarning, stacklevel=4)
        model.config = saved
    _expect(model._config() == saved, "'config' differs from the config parameter")


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
    model : Neocognitron, NeocognitronClassifier or ConvNetClassifier
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
