"""The 1980 training patterns: shapes, values, distinctness, margins, thin strokes; the ten
digits of the paper's third experiment drawn like the first five; choosing patterns by name."""

import hashlib
from functools import partial

import numpy as np
import pytest
from scipy import ndimage

from neocognitron.datasets import (
    DIGIT_NAMES,
    PATTERN_NAMES,
    XYTZ_NAMES,
    fukushima1980_patterns,
    fukushima1980_xytz_patterns,
)

SETS = [
    pytest.param(fukushima1980_patterns, PATTERN_NAMES, 5, id="digits"),
    pytest.param(fukushima1980_xytz_patterns, XYTZ_NAMES, 4, id="xytz"),
    pytest.param(partial(fukushima1980_patterns, names="0123456789"), DIGIT_NAMES, 10,
                 id="ten digits"),
]
# sha256 of fukushima1980_patterns().tobytes() on main 05df5d6, before "5"-"9" were drawn
FIVE_SHA256 = "7c2357fa08d1ce8e1ccab4f4b62cba479703da052415eeec94a130dedfe77102"
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
    assert DIGIT_NAMES == ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
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


def shift_distance(a, b, reach=3):
    """Fewest pixels in which ``a`` differs from ``b`` moved by at most ``reach`` pixels."""
    moved = (np.roll(np.roll(b, dy, 0), dx, 1)
             for dy in range(-reach, reach + 1) for dx in range(-reach, reach + 1))
    return min(np.abs(a - m).sum() for m in moved)


def test_the_default_five_are_unchanged():
    X = fukushima1980_patterns()
    assert hashlib.sha256(X.tobytes()).hexdigest() == FIVE_SHA256
    np.testing.assert_array_equal(fukushima1980_patterns(names="01234"), X)
    np.testing.assert_array_equal(fukushima1980_patterns(names="0123456789")[:5], X)


def test_names_select_and_order():
    ten = fukushima1980_patterns(names="0123456789")
    X, names = fukushima1980_patterns(names=["9", "0", "5"], return_names=True)
    assert names == ("9", "0", "5")
    np.testing.assert_array_equal(X, ten[[9, 0, 5]])
    np.testing.assert_array_equal(fukushima1980_patterns(names="905"), X)
    assert fukushima1980_patterns(names=("7",)).shape == (1, 16, 16)


@pytest.mark.parametrize("names", ["", "0a", "00", "X", ["1", "10"], ("5", "5")])
def test_bad_names_are_refused(names):
    with pytest.raises(ValueError, match="names"):
        fukushima1980_patterns(names=names)


@pytest.mark.parametrize("names", [5, None, True, [0, 1], b"01"])
def test_names_of_another_type_are_refused(names):
    with pytest.raises(TypeError, match="names"):
        fukushima1980_patterns(names=names)


def test_new_digits_are_drawn_like_the_first_five():
    # The same pen and size: ink, height and width of "5"-"9" within those of "0"-"4"
    # (width from "1", the narrowest, to the widest), on the same rows.
    ten = fukushima1980_patterns(names="0123456789")
    first, new = ten[:5], ten[5:]
    ink = first.sum(axis=(1, 2))
    boxes = np.array([ink_box(img) for img in first])
    widths = boxes[:, 3] - boxes[:, 2] + 1
    for name, img in zip(DIGIT_NAMES[5:], new, strict=True):
        r0, r1, c0, c1 = ink_box(img)
        assert ink.min() <= img.sum() <= ink.max(), name
        assert (r0, r1) == (boxes[:, 0].min(), boxes[:, 1].max()), name
        assert widths.min() <= c1 - c0 + 1 <= widths.max(), name


def test_ten_digits_stay_apart_under_every_shift():
    # No digit is within 10 pixels of another moved by up to 3 pixels (the evaluation's
    # largest shift), nor closer than the closest pair of the paper's five ("1" and "4").
    ten = fukushima1980_patterns(names="0123456789")
    dist = {(i, j): shift_distance(ten[i], ten[j]) for i in range(10) for j in range(10)
            if i < j}
    closest_of_five = min(d for (i, j), d in dist.items() if j < 5)
    assert closest_of_five >= 10
    for (i, j), d in dist.items():
        assert d >= closest_of_five, (DIGIT_NAMES[i], DIGIT_NAMES[j], d)


def test_shift_distance_finds_a_shifted_copy():
    # the helper above must see through a shift, or the test before it could not fail
    X = fukushima1980_patterns()
    assert shift_distance(X[2], np.roll(X[2], (2, -3), (0, 1))) == 0
    assert shift_distance(X[2], np.roll(X[2], (4, 0), (0, 1))) > 0
