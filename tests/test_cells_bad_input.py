"""Bad input to the public cell functions: a ValueError or TypeError naming the argument;
inputs left unmodified, lists and non-contiguous views accepted."""


import numpy as np
import pytest
from cell_cases import random_layer

from neocognitron import cells


def _good():
    rng = np.random.default_rng(0)
    u, a, b, c = random_layer(rng, 2, 2, 3, 8, 8, 3, 3, np.float64)
    return dict(u_c=u, a=a, b=b, c=c, r=1.5)


def _with(**changes):
    kw = _good()
    kw.update(changes)
    return kw


def _nan(x, value=np.nan):
    x = np.array(x, dtype=np.float64)
    x.flat[1] = value
    return x


G = _good()
S_LAYER_BAD = [
    ("nan u_c", _with(u_c=_nan(G["u_c"])), ValueError, "u_c"),
    ("inf u_c", _with(u_c=_nan(G["u_c"], np.inf)), ValueError, "u_c"),
    ("inf a", _with(a=_nan(G["a"], np.inf)), ValueError, "a"),
    ("nan b", _with(b=_nan(G["b"])), ValueError, "b"),
    ("nan c", _with(c=_nan(G["c"])), ValueError, "c"),
    ("2-D u_c", _with(u_c=G["u_c"][0, 0]), ValueError, "u_c"),
    ("5-D u_c", _with(u_c=G["u_c"][None]), ValueError, "u_c"),
    ("3-D a", _with(a=G["a"][0]), ValueError, "a"),
    ("2-D b", _with(b=G["b"][None]), ValueError, "b"),
    ("3-D c", _with(c=G["c"][None]), ValueError, "c"),
    ("mismatched K'", _with(a=G["a"][:, :1]), ValueError, "a"),
    ("b per plane", _with(b=G["b"][:2]), ValueError, "b"),
    ("c vs a field", _with(c=np.ones((5, 5)) / 25), ValueError, "c"),
    ("empty u_c", _with(u_c=np.zeros((0, 2, 8, 8))), ValueError, "u_c"),
    ("empty a", _with(a=np.zeros((0, 2, 3, 3)), b=np.zeros(0)), ValueError, "a"),
    ("negative u_c", _with(u_c=-G["u_c"] - 1), ValueError, "u_c"),
    ("negative a", _with(a=-G["a"] - 1), ValueError, "a"),
    ("negative b", _with(b=-G["b"] - 1), ValueError, "b"),
    ("negative c", _with(c=-G["c"] - 1), ValueError, "c"),
    ("r zero", _with(r=0.0), ValueError, "r"),
    ("r negative", _with(r=-1.0), ValueError, "r"),
    ("r nan", _with(r=float("nan")), ValueError, "r"),
    ("r inf", _with(r=float("inf")), ValueError, "r"),
    ("r string", _with(r="1.5"), TypeError, "r"),
    ("r array", _with(r=np.ones(2)), TypeError, "r"),
    ("string u_c", _with(u_c=np.full((2, 2, 8, 8), "x")), TypeError, "u_c"),
    ("string a", _with(a="weights"), TypeError, "a"),
    ("object b", _with(b=np.array([1, None, 2], dtype=object)), TypeError, "b"),
    ("complex c", _with(c=G["c"] + 1j), TypeError, "c"),
    ("None u_c", _with(u_c=None), TypeError, "u_c"),
    ("ragged u_c", _with(u_c=[[[1.0, 2.0], [1.0]]]), TypeError, "u_c"),
    ("image smaller than field", _with(u_c=G["u_c"][..., :2, :]), ValueError, "u_c"),
]


def _params(rows):
    return [pytest.param(*row[1:], id=row[0]) for row in rows]


@pytest.mark.parametrize("kw, exc, name", _params(S_LAYER_BAD))
def test_s_layer_bad_input(kw, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        cells.s_layer(**kw)


@pytest.mark.parametrize(
    "out_shape, exc",
    [((0, 4), ValueError), ((4, -1), ValueError), ((4,), ValueError), ((4, 4, 4), ValueError),
     ((4.5, 4), TypeError), (("4", 4), TypeError), ("ab", TypeError), (4, TypeError),
     ((True, 4), TypeError)],
)
def test_bad_out_shape(out_shape, exc):
    g = _good()
    d = np.ones((3, 3)) / 9
    for call in (lambda: cells.s_layer(**g, out_shape=out_shape),
                 lambda: cells.v_c(g["u_c"], g["c"], out_shape=out_shape),
                 lambda: cells.c_layer(g["u_c"], d, 0.5, out_shape=out_shape)):
        with pytest.raises(exc, match="out_shape"):
            call()


def test_out_shape_larger_than_input_rejected():
    """docs/design.md §2: a layer's grid is as large as, or smaller than, the one below."""
    g = _good()
    d = np.ones((3, 3)) / 9
    for shape in [(9, 8), (8, 9)]:
        with pytest.raises(ValueError, match="out_shape"):
            cells.s_layer(**g, out_shape=shape)
        with pytest.raises(ValueError, match="out_shape"):
            cells.v_c(g["u_c"], g["c"], out_shape=shape)
        with pytest.raises(ValueError, match="out_shape"):
            cells.c_layer(g["u_c"], d, 0.5, out_shape=shape)


C_LAYER_BAD = [
    ("nan u_s", dict(u_s=_nan(G["u_c"])), ValueError, "u_s"),
    ("inf d", dict(d=_nan(np.ones((3, 3)), np.inf)), ValueError, "d"),
    ("2-D u_s", dict(u_s=G["u_c"][0, 0]), ValueError, "u_s"),
    ("1-D d", dict(d=np.ones(3)), ValueError, "d"),
    ("empty u_s", dict(u_s=np.zeros((2, 0, 8, 8))), ValueError, "u_s"),
    ("negative u_s", dict(u_s=-G["u_c"] - 1), ValueError, "u_s"),
    ("negative d", dict(d=-np.ones((3, 3))), ValueError, "d"),
    ("alpha zero", dict(alpha=0.0), ValueError, "alpha"),
    ("alpha negative", dict(alpha=-0.5), ValueError, "alpha"),
    ("alpha nan", dict(alpha=float("nan")), ValueError, "alpha"),
    ("alpha string", dict(alpha="0.5"), TypeError, "alpha"),
    ("string u_s", dict(u_s=np.full((2, 8, 8), "x")), TypeError, "u_s"),
    ("image smaller than field", dict(d=np.ones((9, 3))), ValueError, "u_s"),
]


@pytest.mark.parametrize("kw, exc, name", _params(C_LAYER_BAD))
def test_c_layer_bad_input(kw, exc, name):
    args = dict(u_s=G["u_c"], d=np.ones((3, 3)) / 9, alpha=0.5)
    args.update(kw)
    with pytest.raises(exc, match=rf"\b{name}\b"):
        cells.c_layer(**args)


V_C_BAD = [
    ("nan u_c", dict(u_c=_nan(G["u_c"])), ValueError, "u_c"),
    ("negative c", dict(c=-np.ones((3, 3))), ValueError, "c"),
    ("string c", dict(c="c"), TypeError, "c"),
    ("1-D u_c", dict(u_c=np.ones(8)), ValueError, "u_c"),
    ("image smaller than field", dict(c=np.ones((3, 10))), ValueError, "u_c"),
]


@pytest.mark.parametrize("kw, exc, name", _params(V_C_BAD))
def test_v_c_bad_input(kw, exc, name):
    args = dict(u_c=G["u_c"], c=np.ones((3, 3)) / 9)
    args.update(kw)
    with pytest.raises(exc, match=rf"\b{name}\b"):
        cells.v_c(**args)


def test_inputs_not_modified_and_lists_accepted():
    g = _good()
    copies = {k: np.copy(v) for k, v in g.items()}
    out = cells.s_layer(**g)
    for k, v in g.items():
        np.testing.assert_array_equal(v, copies[k])
    listed = cells.s_layer(g["u_c"].tolist(), g["a"].tolist(), list(g["b"]), g["c"].tolist(),
                           1.5)
    np.testing.assert_array_equal(listed, out)
    # non-contiguous views give the same numbers
    big = np.zeros((2, 2, 16, 16))
    big[:, :, ::2, ::2] = g["u_c"]
    np.testing.assert_array_equal(cells.s_layer(big[:, :, ::2, ::2], g["a"], g["b"], g["c"],
                                                1.5), out)
