"""Bad input to the cells of the digit neocognitron (``contrast_layer``, ``s_layer_theta``,
``c_layer_blur``): a ValueError or TypeError naming the argument."""

import numpy as np
import pytest
from digit_cell_cases import LAPLACE

from neocognitron import cells


@pytest.mark.parametrize("theta", [0.0, 1.0, 1.5, -0.2, float("nan"), float("inf")])
def test_s_theta_rejects_theta_outside_open_unit_interval(theta):
    args = (np.ones((1, 5, 5)), np.ones((1, 1, 3, 3)), np.ones(1), np.ones((3, 3)))
    with pytest.raises(ValueError, match="theta"):
        cells.s_layer_theta(*args, theta)


def test_s_theta_rejects_non_number_theta():
    args = (np.ones((1, 5, 5)), np.ones((1, 1, 3, 3)), np.ones(1), np.ones((3, 3)))
    with pytest.raises(TypeError, match="theta"):
        cells.s_layer_theta(*args, "0.5")
    with pytest.raises(TypeError, match="theta"):
        cells.s_layer_theta(*args, None)


def _nan(shape, where=0):
    x = np.ones(shape)
    x.flat[where] = np.nan
    return x


def _neg(shape):
    x = np.ones(shape)
    x.flat[-1] = -0.1
    return x


S_ARGS = dict(u_c=np.ones((1, 5, 5)), a=np.ones((1, 1, 3, 3)), b=np.ones(1), c=np.ones((3, 3)),
              theta=0.5)


@pytest.mark.parametrize(
    "name, value, exc",
    [
        ("u_c", _nan((1, 5, 5)), ValueError),
        ("u_c", _neg((1, 5, 5)), ValueError),
        ("u_c", np.ones((5, 5)), ValueError),
        ("u_c", np.ones((1, 1, 1, 5, 5)), ValueError),
        ("u_c", "image", TypeError),
        ("a", np.ones((1, 3, 3)), ValueError),
        ("a", _neg((1, 1, 3, 3)), ValueError),
        ("a", _nan((1, 1, 3, 3)), ValueError),
        ("b", _neg((1,)), ValueError),
        ("b", np.ones((1, 1)), ValueError),
        ("b", _nan((1,)), ValueError),
        ("c", np.ones(3), ValueError),
        ("c", _neg((3, 3)), ValueError),
    ],
)
def test_s_theta_bad_arrays_name_the_argument(name, value, exc):
    kw = dict(S_ARGS, **{name: value})
    with pytest.raises(exc, match=rf"\b{name}\b"):
        cells.s_layer_theta(**kw)


def test_s_theta_shape_mismatches():
    with pytest.raises(ValueError, match="input planes"):
        cells.s_layer_theta(**dict(S_ARGS, u_c=np.ones((2, 5, 5))))
    with pytest.raises(ValueError, match="b"):
        cells.s_layer_theta(**dict(S_ARGS, b=np.ones(2)))
    with pytest.raises(ValueError, match="out_shape"):
        cells.s_layer_theta(**S_ARGS, out_shape=(6, 5))


@pytest.mark.parametrize(
    "name, value, exc",
    [
        ("u0", _neg((6, 6)), ValueError),
        ("u0", _nan((6, 6)), ValueError),
        ("u0", np.ones((1, 1, 6, 6)), ValueError),
        ("u0", np.ones(6), ValueError),
        ("u0", [[1, "x"]], TypeError),
        ("a_g", np.ones((1, 3, 3)), ValueError),
        ("a_g", _nan((3, 3)), ValueError),
        ("a_g", np.ones((7, 7)), ValueError),  # larger than the image
    ],
)
def test_contrast_bad_input_names_the_argument(name, value, exc):
    kw = dict(u0=np.ones((6, 6)), a_g=LAPLACE)
    kw[name] = value
    with pytest.raises(exc, match=rf"\b{name}\b"):
        cells.contrast_layer(**kw)


def test_contrast_accepts_negative_kernel_and_rejects_large_out_shape():
    cells.contrast_layer(np.ones((6, 6)), -np.ones((3, 3)))  # any sign
    with pytest.raises(ValueError, match="out_shape"):
        cells.contrast_layer(np.ones((6, 6)), LAPLACE, out_shape=(7, 6))


@pytest.mark.parametrize(
    "name, value, exc",
    [
        ("u_s", _neg((1, 5, 5)), ValueError),
        ("u_s", _nan((1, 5, 5)), ValueError),
        ("u_s", np.ones((5, 5)), ValueError),
        ("d", np.ones(3), ValueError),
        ("d", _nan((3, 3)), ValueError),
        ("d", np.ones((6, 6)), ValueError),
        ("d", None, TypeError),
    ],
)
def test_c_blur_bad_input_names_the_argument(name, value, exc):
    kw = dict(u_s=np.ones((1, 5, 5)), d=np.ones((3, 3)))
    kw[name] = value
    with pytest.raises(exc, match=rf"\b{name}\b"):
        cells.c_layer_blur(**kw)
