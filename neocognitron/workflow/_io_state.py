"""Model state as JSON plus named arrays, for :mod:`neocognitron.workflow.io`.

:func:`encode` turns a Python value into a JSON-ready node and moves every array it holds
into a dict, under a key that tells where it came from (``fitted/stages_/0/X``);
:func:`decode` rebuilds the value from the node and the arrays. Types come back as they
went in: a tuple stays a tuple (JSON alone would make it a list), a numpy scalar keeps its
dtype, an int stays an int and a float a float.

Plain values are written as JSON: ``None``, ``bool``, ``int``, ``str``, finite ``float``
and ``list``. Everything else is a tagged object ``{"$t": tag, ...}``:

``float``      a non-finite float, ``"v"`` one of ``"nan"``, ``"inf"``, ``"-inf"``
``tuple``      ``"v"``: the items
``dict``       ``"v"``: str keys to nodes
``array``      ``"key"``: the array's name; ``"object": true`` for an object array of
               strings (stored as a unicode array, since the file is read without pickle)
``scalar``     a numpy bool, int, float or str scalar: ``"dtype"``, ``"v"``
``dataclass``  ``"class"`` (a name from :data:`DATACLASSES`), ``"v"``: the fields
``object``     ``"class"`` (a name from :data:`OBJECTS`), ``"v"``: its ``__dict__``
``RandomState``, ``Generator``   ``"v"``: the bit generator's state
``DataParallel``  the CNN's layers (type and constructor arguments) and ``theta``

Classes are looked up in the tables below by a stable short name, never imported by a name
read from the file, so a crafted file can neither run code nor build anything else. Saving
refuses (``TypeError``, naming the attribute) any value it cannot write, rather than
dropping it.
"""

import dataclasses
import math

import numpy as np

from ..cnn import layers as _cnn_layers
from ..cnn.network import DataParallel, Network, _spec
from ..cnn.optimizers import SGD, Adam
from ..digits.cascade import CascadeStage
from ..fukushima1980 import config as _config

__all__ = ["DATACLASSES", "OBJECTS", "decode", "encode"]

#: Dataclasses that may appear in a saved model, by the name used in the file.
DATACLASSES = {
    # the file name predates the class name CascadeStage: kept so saved models load
    "digits.Stage": CascadeStage,
    "config.NetworkConfig": _config.NetworkConfig,
    "config.Stage": _config.Stage,
    "config.SLayerConfig": _config.SLayerConfig,
    "config.CLayerConfig": _config.CLayerConfig,
}
#: Plain objects rebuilt from their ``__dict__`` (no other state, no views).
OBJECTS = {"cnn.Adam": Adam, "cnn.SGD": SGD}
_BIT_GENERATORS = ("MT19937", "PCG64", "PCG64DXSM", "Philox", "SFC64")
_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _name_of(table, cls):
    for name, c in table.items():
        if c is cls:
            return name
    return None


def _where(path):
    return "/".join(path)


def _float(x):
    if math.isfinite(x):
        return x
    return {"$t": "float", "v": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


def _array(a, path, arrays):
    node = {"$t": "array"}
    if a.dtype.hasobject:
        if a.dtype != object or not all(type(x) is str for x in a.flat):
            raise TypeError(f"cannot save {_where(path)}: an array of Python objects (only "
                            "object arrays of str can be saved, as unicode)")
        a, node["object"] = a.astype(np.str_), True
    key = _where(path)
    while key in arrays:  # a dict key holding "/" could repeat another path
        key += "~"
    arrays[key] = a
    node["key"] = key
    return node


def _layer_class(name):
    cls = getattr(_cnn_layers, name, None)
    if not (isinstance(cls, type) and issubclass(cls, _cnn_layers.Layer)
            and cls.__module__ == _cnn_layers.__name__):
        raise ValueError(f"unknown CNN layer type {name!r}")
    return cls


def encode(value, path, arrays):
    """A JSON-ready node for ``value``; its arrays go into ``arrays`` under path keys.

    Parameters
    ----------
    value : object
        The value to encode.
    path : tuple of str
        Where the value sits (``("fitted", "stages_", "0")``); names its arrays and the
        errors.
    arrays : dict of str -> ndarray
        Receives the arrays, keyed by path.

    Returns
    -------
    node : JSON-ready object

    Raises
    ------
    TypeError
        If the value (or anything in it) is of a type that cannot be saved.
    """
    t = type(value)
    if value is None or t in (bool, int, str):
        return value
    if t is float:
        return _float(value)
    if t is list:
        return [encode(v, path + (str(i),), arrays) for i, v in enumerate(value)]
    if t is tuple:
        return {"$t": "tuple", "v": [encode(v, path + (str(i),), arrays)
                                     for i, v in enumerate(value)]}
    if t is dict:
        if not all(type(k) is str for k in value):
            raise TypeError(f"cannot save {_where(path)}: a dict with keys other than str")
        return {"$t": "dict", "v": {k: encode(v, path + (k,), arrays) for k, v in value.items()}}
    if t is np.ndarray:
        return _array(value, path, arrays)
    if isinstance(value, np.generic) and value.dtype.kind in "biufU":
        v = value.item()
        if isinstance(v, float) and not math.isfinite(v):
            v = _float(v)["v"]  # "nan", "inf" or "-inf"
        return {"$t": "scalar", "dtype": value.dtype.str, "v": v}
    if dataclasses.is_dataclass(value) and _name_of(DATACLASSES, t):
        fields = {f.name: encode(getattr(value, f.name), path + (f.name,), arrays)
                  for f in dataclasses.fields(value)}
        return {"$t": "dataclass", "class": _name_of(DATACLASSES, t), "v": fields}
    if _name_of(OBJECTS, t):
        state = {k: encode(v, path + (k,), arrays) for k, v in vars(value).items()}
        return {"$t": "object", "class": _name_of(OBJECTS, t), "v": state}
    if t is np.random.RandomState:
        return {"$t": "RandomState", "v": encode(value.get_state(legacy=False), path, arrays)}
    if t is np.random.Generator:
        return {"$t": "Generator", "v": encode(value.bit_generator.state, path, arrays)}
    if t is DataParallel:
        # grad and the layers' caches are scratch, rewritten by every training step
        layers = []
        for i, layer in enumerate(value.layers):
            _layer_class(type(layer).__name__)
            layers.append({"type": type(layer).__name__,
                           "spec": encode(_spec(layer), path + ("layers", str(i)), arrays)})
        return {"$t": "DataParallel", "n_shards": value.n_shards,
                "in_shape": encode(tuple(value.in_shape), path, arrays),
                "dtype": value.dtype.str, "layers": layers,
                "theta": _array(value.theta, path + ("theta",), arrays)}
    raise TypeError(f"cannot save {_where(path)}: values of type {t.__module__}.{t.__qualname__}"
                    " are not supported by neocognitron.workflow.io")


def _lookup(table, node, what):
    cls = table.get(node["class"])
    if cls is None:
        raise ValueError(f"unknown {what} {node['class']!r}")
    return cls


def _generator_state(state, path):
    if not isinstance(state, dict) or state.get("bit_generator") not in _BIT_GENERATORS:
        raise ValueError(f"{_where(path)}: unknown bit generator")
    bit_generator = getattr(np.random, state["bit_generator"])()
    return bit_generator, state


def decode(node, arrays, used, path=()):
    """Rebuild the value :func:`encode` turned into ``node``.

    Parameters
    ----------
    node : JSON value
    arrays : dict of str -> ndarray
        The arrays read from the file.
    used : set of str
        Receives the keys of the arrays used, so the caller can refuse unused ones.
    path : tuple of str
        Where the node sits, for the error messages.

    Raises
    ------
    ValueError
        If the node is malformed, names an unknown class or a missing array, or a class
        refuses the values (e.g. a config that fails its own checks).
    """
    if node is None or type(node) in (bool, int, float, str):
        return node
    if type(node) is list:
        return [decode(v, arrays, used, path + (str(i),)) for i, v in enumerate(node)]
    if type(node) is not dict or "$t" not in node:
        raise ValueError(f"{_where(path)}: malformed node {node!r:.80}")
    tag = node["$t"]
    items = node.get("v")
    if tag == "float":
        return _NONFINITE[items]
    if tag == "tuple":
        return tuple(decode(v, arrays, used, path + (str(i),)) for i, v in enumerate(items))
    if tag == "dict":
        return {k: decode(v, arrays, used, path + (k,)) for k, v in items.items()}
    if tag == "array":
        key = node["key"]
        if key not in arrays:
            raise ValueError(f"{_where(path)}: missing array {key!r}")
        used.add(key)
        a = arrays[key]
        return a.astype(object) if node.get("object") else a
    if tag == "scalar":
        dtype = np.dtype(node["dtype"])
        if dtype.kind not in "biufU":
            raise ValueError(f"{_where(path)}: scalar of dtype {dtype} not allowed")
        if dtype.kind == "f" and isinstance(items, str):
            items = _NONFINITE[items]
        return dtype.type(items)
    if tag == "dataclass":
        cls = _lookup(DATACLASSES, node, "dataclass")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        values = {k: decode(v, arrays, used, path + (k,)) for k, v in items.items()}
        if set(values) - set(fields):
            raise ValueError(f"{_where(path)}: {sorted(set(values) - set(fields))} are not "
                             f"fields of {node['class']}")
        obj = cls(**{k: v for k, v in values.items() if fields[k].init})
        for k, v in values.items():
            if not fields[k].init:
                object.__setattr__(obj, k, v)
        return obj
    if tag == "object":
        cls = _lookup(OBJECTS, node, "object class")
        obj = cls.__new__(cls)
        obj.__dict__.update({k: decode(v, arrays, used, path + (k,)) for k, v in items.items()})
        return obj
    if tag == "RandomState":
        bit_generator, state = _generator_state(decode(items, arrays, used, path), path)
        rs = np.random.RandomState(bit_generator)
        rs.set_state(state)
        return rs
    if tag == "Generator":
        bit_generator, state = _generator_state(decode(items, arrays, used, path), path)
        bit_generator.state = state
        return np.random.Generator(bit_generator)
    if tag == "DataParallel":
        layers = [_layer_class(item["type"])(**decode(item["spec"], arrays, used, path))
                  for item in node["layers"]]
        theta = decode(node["theta"], arrays, used, path + ("theta",))
        net = Network(layers, decode(node["in_shape"], arrays, used, path),
                      np.dtype(node["dtype"]), theta=theta)
        return DataParallel(net, int(node["n_shards"]))
    raise ValueError(f"{_where(path)}: unknown tag {tag!r}")
