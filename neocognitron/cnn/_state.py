"""How a fitted :class:`~neocognitron.ConvNetClassifier` is saved by
:mod:`neocognitron.workflow.io`: its network (layer types, their constructor arguments and
``theta``), its optimizer, and the layers its parameters must build."""

import numpy as np

from ..workflow import io
from . import layers as _layers
from .estimator import ConvNetClassifier
from .network import DataParallel, Network, _spec
from .optimizers import SGD, Adam


def _layer_class(name):
    cls = getattr(_layers, name, None)
    if not (isinstance(cls, type) and issubclass(cls, _layers.Layer)
            and cls.__module__ == _layers.__name__):
        raise ValueError(f"unknown CNN layer type {name!r}")
    return cls


def _encode_network(net, encode):
    # grad and the layers' caches are scratch, rewritten by every training step
    layers = []
    for i, layer in enumerate(net.layers):
        _layer_class(type(layer).__name__)
        layers.append({"type": type(layer).__name__,
                       "spec": encode(_spec(layer), "layers", str(i))})
    return {"n_shards": net.n_shards, "in_shape": encode(tuple(net.in_shape)),
            "dtype": net.dtype.str, "layers": layers, "theta": encode(net.theta, "theta")}


def _decode_network(node, decode):
    layers = [_layer_class(item["type"])(**decode(item["spec"])) for item in node["layers"]]
    net = Network(layers, decode(node["in_shape"]), np.dtype(node["dtype"]),
                  theta=decode(node["theta"], "theta"))
    return DataParallel(net, int(node["n_shards"]))


def _check(model):
    net = model.network_
    io.expect(isinstance(net, DataParallel), "network_ must be a DataParallel network")
    io.expect(int(np.prod(model.image_shape_)) == model.n_features_in_,
              f"image_shape_ {model.image_shape_} does not give n_features_in_ "
              f"{model.n_features_in_}")
    io.expect(tuple(net.in_shape) == (1,) + tuple(model.image_shape_),
              f"network_ reads {net.in_shape}, image_shape_ is {model.image_shape_}")
    specs = [(type(la).__name__, _spec(la)) for la in net.layers]
    io.expect(specs == [(type(la).__name__, _spec(la)) for la in model._layers()],
              "network_'s layers are not those its parameters and classes_ build")
    for name, v in vars(model.optimizer_).items():
        if isinstance(v, np.ndarray):
            io.expect(v.shape == (net.n_params,), f"optimizer_.{name} has shape {v.shape}, "
                      f"the network has {net.n_params} parameters")


STATE = io.ModelState(
    check=_check,
    objects={"cnn.Adam": Adam, "cnn.SGD": SGD},
    codecs={"DataParallel": io.Codec(DataParallel, _encode_network, _decode_network)},
)
io.register(ConvNetClassifier, STATE)
