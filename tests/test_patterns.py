"""The 1980 training patterns: shapes, values, distinctness, margins, thin strokes."""

import numpy as np
import pytest
from scipy import ndimage

from neocognitron.datasets import (
    PATTERN_NAMES,
    XYTZ_NAMES,
    fukushima1980_patterns,
    fukushima1980_xytz_patterns,
)

SETS = [
    pytest.param(fukushima1980_patterns, PATTERN_NAMES, 5, id="digits"),
    pytest.param(fukushima1980_xytz_patterns, XYTZ_NAMES, 4, id="xytz"),
]
MARGIN = 3


def ink_box(img):
    rows, cols = np.nonzero(img)
    return rows.min(), rows.max(), cols.min(), cols.max()


def crop(img):
    r0, r1, c0, c1 = ink_box(img)
    return img[r0 : r1 + 1, c0 : c1 + 1]


@pytest.mark.parametrize("loader, names, count", SETS)
def test_shape_dtype_and_binary_values(loader, names, count):
    X = loader()
    assert X.shape == (count, 16, 16)
    assert X.dtype == np.float64
    assert set(np.unique(X)) == {0.0, 1.0}
    assert len(names) == count


@pytest.mark.parametrize("loader, names, count", SETS)
def test_return_names_and_dtype(loader, names, count):
    X, got = loader(return_names=True, dtype=np.float32)
    assert got == names
    assert X.dtype == np.float32
    np.testing.assert_array_equal(X, loader())


@pytest.mark.parametrize("loader, names, count", SETS)
def test_integer_dtype_is_rejected(loader, names, count):
    with pytest.raises(TypeError, match="dtype"):
        loader(dtype=np.int64)


def test_names_are_the_papers():
    assert PATTERN_NAMES == ("0", "1", "2", "3", "4")
    assert XYTZ_NAMES == ("X", "Y", "T", "Z")


@pytest.mark.parametrize("loader, names, count", SETS)
def test_each_call_returns_a_fresh_array(loader, names, count):
    X = loader()
    X[:] = 7
    assert set(np.unique(loader())) == {0.0, 1.0}


@pytest.mark.parametrize("loader, names, count", SETS)
def test_ink_stays_inside_a_margin(loader, names, count):
    for img in loader():
        border = np.ones_like(img, dtype=bool)
        border[MARGIN:-MARGIN, MARGIN:-MARGIN] = False
        assert not img[border].any()


@pytest.mark.parametrize("loader, names, count", SETS)
def test_size_and_centring(loader, names, count):
    for img, name in zip(loader(), names, strict=True):
        r0, r1, c0, c1 = ink_box(img)
        assert 10 <= r1 - r0 + 1 <= 12, name
        assert 3 <= c1 - c0 + 1 <= 12, name
        # The bounding box centre lies within a pixel of the frame centre 7.5.
        assert abs((r0 + r1) / 2 - 7.5) <= 1.0, name
        assert abs((c0 + c1) / 2 - 7.5) <= 1.0, name


@pytest.mark.parametrize("loader, names, count", SETS)
def test_each_pattern_is_one_connected_stroke_drawing(loader, names, count):
    for img, name in zip(loader(), names, strict=True):
        _, n_parts = ndimage.label(img, structure=np.ones((3, 3)))
        assert n_parts == 1, name


@pytest.mark.parametrize("loader, names, count", SETS)
def test_strokes_are_thin(loader, names, count):
    # A solid 2x2 block means a stroke two pixels wide; only X's crossing may have one.
    for img, name in zip(loader(), names, strict=True):
        blocks = img[:-1, :-1] * img[1:, :-1] * img[:-1, 1:] * img[1:, 1:]
        assert blocks.sum() <= (1 if name == "X" else 0), name


@pytest.mark.parametrize("loader, names, count", SETS)
def test_patterns_are_distinct_and_not_shifted_copies(loader, names, count):
    X = loader()
    for i in range(count):
        for j in range(i + 1, count):
            assert not np.array_equal(X[i], X[j])
            # Cropped to their ink, two translates of one drawing would be identical.
            a, b = crop(X[i]), crop(X[j])
            assert a.shape != b.shape or not np.array_equal(a, b), (names[i], names[j])


def test_digits_differ_by_many_pixels():
    # Far apart in pixel space, so that recognising them is not trivial for the wrong reason
    # (one stray pixel) nor impossible (near duplicates).
    X = fukushima1980_patterns()
    for i in range(5):
        for j in range(i + 1, 5):
            assert np.abs(X[i] - X[j]).sum() >= 10
