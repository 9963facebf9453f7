"""neocognitron: Fukushima's Neocognitron reproduced with numba kernels, and a CNN baseline."""

__version__ = "0.1.0"

from . import cells  # noqa: E402
from .network import Neocognitron  # noqa: E402

__all__ = ["cells", "Neocognitron", "__version__"]

from .cnn import ConvNetClassifier  # noqa: E402

__all__ += ["ConvNetClassifier"]

from .digits import NeocognitronClassifier  # noqa: E402

__all__ += ["NeocognitronClassifier"]
from . import io  # noqa: E402,F401  (neocognitron.io: save and load models)
