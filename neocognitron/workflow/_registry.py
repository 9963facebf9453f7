"""The models :mod:`neocognitron.workflow.io` can save, each described by its own package.

A model says how its fitted state becomes JSON and arrays, and what must hold on load, in a
:class:`ModelState`, and registers it with :func:`register` from a module of its own package
(``neocognitron/cnn/_state.py`` for :class:`~neocognitron.ConvNetClassifier`). Nothing here
imports a model: the only thing workflow knows of the package's models is :data:`MODULES`,
the name of the module that registers each class, imported the first time a model of that
class is saved or a file naming it is loaded. A module name is never read from a file, and
only modules of this package are imported.
"""

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, is_dataclass
from types import MappingProxyType

from ._io_state import TAGS

__all__ = ["LOAD_STACKLEVEL", "MODULES", "Codec", "Extra", "ModelState", "expect", "lookup",
           "names", "register", "state_of"]

#: The module that registers each of the package's model classes, by class name.
MODULES = MappingProxyType({
    "Neocognitron": "neocognitron.fukushima1980._state",
    "NeocognitronClassifier": "neocognitron.digits._state",
    "ConvNetClassifier": "neocognitron.cnn._state",
})
#: ``stacklevel`` of a warning from :attr:`Extra.restore` that points at the caller of
#: :func:`~neocognitron.workflow.io.load` (restore, io's ``_build``, ``load``, the caller).
LOAD_STACKLEVEL = 4
# keys of the file's JSON document that io writes itself; an Extra may not take one
_RESERVED = frozenset({"format", "format_version", "package_version", "class", "params",
                       "classes", "fitted", "private", "arrays"})
_STATES = {}  # class name -> (class, ModelState)


def expect(ok, message):
    """Raise ``ValueError("inconsistent model: <message>")`` unless ``ok``: for the
    :attr:`ModelState.check` of a model, whose fitted state disagrees with itself."""
    if not ok:
        raise ValueError(f"inconsistent model: {message}")


@dataclass(frozen=True)
class Codec:
    """A value written as a tagged JSON object of its own fields (e.g. the CNN's network).

    Attributes
    ----------
    type : type
        The exact type encoded (not its subclasses).
    encode : callable ``(value, encode) -> dict``
        The value's JSON fields; ``encode(part, *names)`` encodes a part of it (its arrays
        are stored under the value's path followed by ``names``).
    decode : callable ``(node, decode) -> value``
        The value from its fields (``node``); ``decode(field, *names)`` rebuilds a part.
    """

    type: type
    encode: Callable
    decode: Callable


@dataclass(frozen=True)
class Extra:
    """A value saved beside a model's parameters, and how load gives it back to the model.

    Attributes
    ----------
    get : callable ``(model) -> value``
    restore : callable ``(model, value) -> None``
        Called on load once the parameters and the fitted attributes are set; raises
        ``ValueError`` if the value disagrees with them (a warning meant for the caller of
        ``load`` uses ``stacklevel=LOAD_STACKLEVEL``).
    """

    get: Callable
    restore: Callable


@dataclass(frozen=True)
class ModelState:
    """How a model's fitted state is saved and checked; registered with :func:`register`.

    Attributes
    ----------
    check : callable ``(model) -> None``
        Raises ``ValueError`` (:func:`expect`) if the fitted attributes disagree with each
        other or with the parameters; called before saving and after loading.
    dataclasses, objects : mapping of str to type
        The dataclasses, and the plain classes rebuilt from their ``__dict__``, that may
        appear in the model's state, by the name written in the file. Only these can be
        built from a file of this model.
    codecs : mapping of str to Codec
        Other types, by the tag written in the file.
    extras : mapping of str to Extra
        Values saved beside ``params`` under their own key of the file (the 1980 network's
        effective ``config``).
    added_params : mapping of str to object
        Parameters added after format version 1, each with the value that reproduces a
        model saved before it existed (never today's default, which may differ).
    """

    check: Callable
    dataclasses: Mapping = field(default_factory=dict)
    objects: Mapping = field(default_factory=dict)
    codecs: Mapping = field(default_factory=dict)
    extras: Mapping = field(default_factory=dict)
    added_params: Mapping = field(default_factory=dict)

    def __post_init__(self):
        if not callable(self.check):
            raise TypeError(f"check must be callable, got {self.check!r}")
        for name in ("dataclasses", "objects", "codecs", "extras", "added_params"):
            table = getattr(self, name)
            if not isinstance(table, Mapping) or not all(type(k) is str for k in table):
                raise TypeError(f"{name} must map str names, got {table!r}")
            object.__setattr__(self, name, MappingProxyType(dict(table)))
        for name, cls in self.dataclasses.items():
            if not (isinstance(cls, type) and is_dataclass(cls)):
                raise TypeError(f"dataclasses[{name!r}] is not a dataclass: {cls!r}")
        _expect_types("objects", self.objects, type)
        _expect_types("codecs", self.codecs, Codec)
        _expect_types("extras", self.extras, Extra)
        for table, taken in (("codecs", TAGS), ("extras", _RESERVED)):
            if set(getattr(self, table)) & taken:
                raise ValueError(f"{table} may not use the names {sorted(taken)}")


def _expect_types(name, table, kind):
    for key, value in table.items():
        if not isinstance(value, kind):
            raise TypeError(f"{name}[{key!r}] must be a {kind.__name__}, got {value!r}")


def register(cls, state):
    """Let :mod:`neocognitron.workflow.io` save and load models of class ``cls``.

    Parameters
    ----------
    cls : type
        The model class; its ``__name__`` is the ``class`` written in the file, and only
        this class (not a subclass) is saved.
    state : ModelState

    Raises
    ------
    TypeError
        If ``cls`` is not a class or ``state`` not a :class:`ModelState`.
    ValueError
        If another class is registered under the same name.
    """
    if not isinstance(cls, type):
        raise TypeError(f"cls must be a class, got {cls!r}")
    if not isinstance(state, ModelState):
        raise TypeError(f"state must be a ModelState, got {type(state).__name__}")
    other = _STATES.get(cls.__name__, (cls,))[0]
    if other is not cls:
        raise ValueError(f"a class named {cls.__name__!r} is registered already: "
                         f"{other.__module__}.{other.__qualname__}")
    _STATES[cls.__name__] = (cls, state)


def names():
    """The class names that can be saved: the package's, then any registered from outside."""
    return list(MODULES) + [name for name in _STATES if name not in MODULES]


def lookup(name):
    """``(class, ModelState)`` registered under ``name``, or None for a name unknown here.

    A class of the package is registered by importing its module from :data:`MODULES`.
    """
    if name not in _STATES and name in MODULES:
        module = MODULES[name]
        if not module.startswith("neocognitron."):
            raise ImportError(f"{module!r} is not a module of neocognitron")
        importlib.import_module(module)
        if name not in _STATES:
            raise ImportError(f"{module} does not register {name}")
    return _STATES.get(name)


def state_of(cls):
    """The :class:`ModelState` of ``cls``; ``TypeError`` if it cannot be saved."""
    entry = lookup(cls.__name__)
    if entry is None or entry[0] is not cls:
        raise TypeError(f"cannot save a {cls.__module__}.{cls.__qualname__}: "
                        f"neocognitron.workflow.io saves only {', '.join(names())} "
                        "(not subclasses)")
    return entry[1]
