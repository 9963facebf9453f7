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
``dataclass``  ``"class"`` (a name from the model's ``ModelState.dataclasses``), ``"v"``:
               the fields
``object``     ``"class"`` (a name from the model's ``ModelState.objects``), ``"v"``: its
               ``__dict__``
``RandomState``, ``Generator``   ``"v"``: the bit generator's state
any tag of the model's ``ModelState.codecs``: the fields its codec writes (the CNN's
``DataParallel``: its layers, their constructor arguments and ``theta``)

Classes are looked up by a stable short name in the tables the model registered (its
:class:`neocognitron.workflow._registry.ModelState`, passed as ``types``), never imported by
a name read from the file, so a crafted file can neither run code nor build anything else.
Saving refuses (``TypeError``, naming the attribute) any value it cannot write, rather than
dropping it.
"""

import dataclasses
import math
from types import SimpleNamespace

import numpy as np

__all__ = ["TAGS", "decode", "encode"]

# the types of no model: plain values, containers, arrays and random streams only
_NO_TYPES = SimpleNamespace(dataclasses={}, objects={}, codecs={})
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


def encode(value, path, arrays, types=None):
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
    types : ModelState, optional
        The dataclasses, objects and codecs of the model the value belongs to (None: none).

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
    if t is list or t is tuple:
        items = [encode(v, path + (str(i),), arrays, types) for i, v in enumerate(value)]
        return items if t is list else {"$t": "tuple", "v": items}
    if t is dict:
        if not all(type(k) is str for k in value):
            raise TypeError(f"cannot save {_where(path)}: a dict with keys other than str")
        return {"$t": "dict", "v": {k: encode(v, path + (k,), arrays, types)
                                    for k, v in value.items()}}
    if t is np.ndarray:
        return _array(value, path, arrays)
    return _encode_object(value, path, arrays, types or _NO_TYPES)


def _encode_object(value, path, arrays, types):
    """The node of a value that is neither plain JSON, a container nor an array."""
    t = type(value)

    def part(v, *names):
        return encode(v, path + names, arrays, types)

    if isinstance(value, np.generic) and value.dtype.kind in "biufU":
        v = value.item()
        if isinstance(v, float) and not math.isfinite(v):
            v = _float(v)["v"]  # "nan", "inf" or "-inf"
        return {"$t": "scalar", "dtype": value.dtype.str, "v": v}
    name = _name_of(types.dataclasses, t)
    if name is not None and dataclasses.is_dataclass(value):
        fields = {f.name: part(getattr(value, f.name), f.name)
                  for f in dataclasses.fields(value)}
        return {"$t": "dataclass", "class": name, "v": fields}
    name = _name_of(types.objects, t)
    if name is not None:
        return {"$t": "object", "class": name, "v": {k: part(v, k) for k, v in vars(value).items()}}
    if t is np.random.RandomState:
        return {"$t": "RandomState", "v": part(value.get_state(legacy=False))}
    if t is np.random.Generator:
        return {"$t": "Generator", "v": part(value.bit_generator.state)}
    for tag, codec in types.codecs.items():
        if t is codec.type:
            fields = codec.encode(value, part)
            if not isinstance(fields, dict) or "$t" in fields:
                raise TypeError(f"cannot save {_where(path)}: the {tag} codec must return a "
                                "dict of fields without '$t'")
            return {"$t": tag, **fields}
    raise TypeError(f"cannot save {_where(path)}: values of type {t.__module__}.{t.__qualname__}"
                    " are not supported by neocognitron.workflow.io")


def decode(node, arrays, used, path=(), types=None):
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
    types : ModelState, optional
        The dataclasses, objects and codecs of the model the file holds (None: none); no
        other class can be built.

    Raises
    ------
    ValueError
        If the node is malformed, names an unknown class or a missing array, or a class
        refuses the values (e.g. a config that fails its own checks).
    """
    return _Reader(arrays, used, types or _NO_TYPES)(node, tuple(path))


class _Reader:
    """Decodes the nodes of one file: its arrays, the keys used so far, the model's types."""

    def __init__(self, arrays, used, types):
        self.arrays, self.used, self.types = arrays, used, types

    def __call__(self, node, path):
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is list:
            return [self(v, path + (str(i),)) for i, v in enumerate(node)]
        if type(node) is not dict or "$t" not in node:
            raise ValueError(f"{_where(path)}: malformed node {node!r:.80}")
        tag = node["$t"] if type(node["$t"]) is str else None
        if tag in self.types.codecs:
            return self.types.codecs[tag].decode(node, lambda n, *names: self(n, path + names))
        if tag not in _READERS:
            raise ValueError(f"{_where(path)}: unknown tag {node['$t']!r}")
        return _READERS[tag](self, node, path)

    def read_float(self, node, path):
        return _NONFINITE[node.get("v")]

    def read_tuple(self, node, path):
        return tuple(self(v, path + (str(i),)) for i, v in enumerate(node.get("v")))

    def read_dict(self, node, path):
        return {k: self(v, path + (k,)) for k, v in node.get("v").items()}

    def read_array(self, node, path):
        key = node["key"]
        if key not in self.arrays:
            raise ValueError(f"{_where(path)}: missing array {key!r}")
        self.used.add(key)
        a = self.arrays[key]
        return a.astype(object) if node.get("object") else a

    def read_scalar(self, node, path):
        dtype, v = np.dtype(node["dtype"]), node.get("v")
        if dtype.kind not in "biufU":
            raise ValueError(f"{_where(path)}: scalar of dtype {dtype} not allowed")
        if dtype.kind == "f" and isinstance(v, str):
            v = _NONFINITE[v]
        return dtype.type(v)

    def read_dataclass(self, node, path):
        cls = _lookup(self.types.dataclasses, node, "dataclass")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        values = {k: self(v, path + (k,)) for k, v in node.get("v").items()}
        if set(values) - set(fields):
            raise ValueError(f"{_where(path)}: {sorted(set(values) - set(fields))} are not "
                             f"fields of {node['class']}")
        obj = cls(**{k: v for k, v in values.items() if fields[k].init})
        for k, v in values.items():
            if not fields[k].init:
                object.__setattr__(obj, k, v)
        return obj

    def read_object(self, node, path):
        cls = _lookup(self.types.objects, node, "object class")
        obj = cls.__new__(cls)
        obj.__dict__.update({k: self(v, path + (k,)) for k, v in node.get("v").items()})
        return obj

    def read_random_state(self, node, path):
        bit_generator, state = _generator_state(self(node.get("v"), path), path)
        rs = np.random.RandomState(bit_generator)
        rs.set_state(state)
        return rs

    def read_generator(self, node, path):
        bit_generator, state = _generator_state(self(node.get("v"), path), path)
        bit_generator.state = state
        return np.random.Generator(bit_generator)


_READERS = {"float": _Reader.read_float, "tuple": _Reader.read_tuple,
            "dict": _Reader.read_dict, "array": _Reader.read_array,
            "scalar": _Reader.read_scalar, "dataclass": _Reader.read_dataclass,
            "object": _Reader.read_object, "RandomState": _Reader.read_random_state,
            "Generator": _Reader.read_generator}
#: The tags of the values above, which no model's codec may take.
TAGS = frozenset(_READERS)


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
