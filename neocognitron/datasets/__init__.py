"""Data sets: the synthetic 1980 patterns (shipped as code) and MNIST (downloaded, cached)."""

from .patterns import (  # noqa: F401  (re-exported public API)
    DIGIT_NAMES,
    PATTERN_NAMES,
    PATTERN_SIZE,
    XYTZ_NAMES,
    fukushima1980_patterns,
    fukushima1980_xytz_patterns,
)

# isort: split
from .mnist import load_digits_images, load_mnist  # noqa: F401  (re-exported public API)
