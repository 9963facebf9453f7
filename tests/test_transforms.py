"""Transforms for the Fig. 6 variants: hand-worked cases, references, properties, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage

from neocognitron import transforms as T
from neocognitron.datasets import fukushima1980_patterns

PATTERNS = fukushima1980_patterns()
PROPERTY = settings(max_examples=40, deadline=None, derandomize=True)


def shift_reference(img, dy, dx):
    """Independent reference: wrap around with np.roll, then blank what wrapped."""
    out = np.roll(np.asarray(img, dtype=float), (dy, dx), axis=(0, 1))
    if dy > 0:
        out[:dy] = 0
    elif dy < 0:
        out[dy:] = 0
    if dx > 0:
        out[:, :dx] = 0
    elif dx < 0:
        out[:, dx:] = 0
    return out


def centroid(img):
    ys, xs = np.indices(img.shape)
    return np.array([(ys * img).sum(), (xs * img).sum()]) / img.sum()


images = st.integers(0, 2**32 - 1).map(
    lambda s: (np.random.default_rng(s).random((7, 9)) < 0.4).astype(float)
)


# ---------------------------------------------------------------- shift
def test_shift_hand_worked_example():
    X = np.array([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]])
    expected = np.array([[0, 0, 0, 0], [0, 0, 1, 2], [0, 0, 5, 6]], dtype=float)
    out = T.shift(X, 1, 2)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(T.shift(X, -2, -3), [[12, 0, 0, 0], [0, 0, 0, 0], [0] * 4])


@PROPERTY
@given(img=images, dy=st.integers(-8, 8), dx=st.integers(-10, 10))
def test_shift_matches_zero_filled_roll(img, dy, dx):
    np.testing.assert_array_equal(T.shift(img, dy, dx), shift_reference(img, dy, dx))


@PROPERTY
@given(dy=st.integers(-3, 3), dx=st.integers(-3, 3))
def test_shift_there_and_back_restores_when_no_ink_is_cut(dy, dx):
    back = T.shift(T.shift(PATTERNS, dy, dx), -dy, -dx)
    np.testing.assert_array_equal(back, PATTERNS)


def test_shift_batch_equals_per_image_and_accepts_per_image_offsets():
    dys, dxs = np.array([0, 1, -2, 3, 1]), np.array([2, -1, 0, 3, -1])
    out = T.shift(PATTERNS, dys, dxs)
    for img, o, dy, dx in zip(PATTERNS, out, dys, dxs, strict=True):
        np.testing.assert_array_equal(o, shift_reference(img, int(dy), int(dx)))


def test_shift_fill_dtype_and_large_offsets():
    X = np.ones((2, 4, 5), dtype=np.float32)
    out = T.shift(X, 1, 0, fill=-1)
    assert out.dtype == np.float32 and out.shape == X.shape
    assert np.all(out[:, 0] == -1) and np.all(out[:, 1:] == 1)
    assert np.all(T.shift(X, 4, 0) == 0) and np.all(T.shift(X, 0, -7) == 0)


@pytest.mark.parametrize(
    "dy, error",
    [(1.5, TypeError), (True, TypeError), ("1", TypeError), (np.array([1, 2]), ValueError)],
)
def test_shift_rejects_bad_offsets(dy, error):
    with pytest.raises(error, match="dy"):
        T.shift(PATTERNS, dy, 0)


def test_random_shift_keeps_ink_and_reports_its_shifts():
    X = np.repeat(PATTERNS, 20, axis=0)
    out, shifts = T.random_shift(X, 5, random_state=0)
    assert shifts.shape == (100, 2) and np.abs(shifts).max() <= 5
    np.testing.assert_array_equal(out.sum(axis=(1, 2)), X.sum(axis=(1, 2)))
    # random_shift shifts with T.shift: check it against the independent reference
    np.testing.assert_array_equal(
        out, [shift_reference(img, dy, dx) for img, (dy, dx) in zip(X, shifts, strict=True)])
    # Every digit spans rows 3..12, so vertical shifts beyond 3 would cut ink.
    assert np.abs(shifts[:, 0]).max() == 3
    assert len({tuple(s) for s in shifts}) > 20


def test_random_shift_never_moves_edge_ink_out():
    img = np.zeros((6, 6))
    img[0, 5] = img[2, 3] = 1  # touching the top and right edges
    out, shifts = T.random_shift(np.repeat(img[None], 50, axis=0), 3, random_state=1)
    assert np.all(shifts[:, 0] >= 0) and np.all(shifts[:, 1] <= 0)
    assert np.all(out.sum(axis=(1, 2)) == 2)


def test_random_shift_without_keep_ink_may_cut_and_single_image_form():
    _, shifts = T.random_shift(PATTERNS, 6, random_state=2, keep_ink=False)
    assert np.abs(shifts).max() > 4
    out, s = T.random_shift(PATTERNS[0], (2, 0), random_state=3)
    assert out.shape == (16, 16) and s.shape == (2,) and s[1] == 0


def test_random_shift_is_seed_deterministic_and_accepts_generators():
    a = T.random_shift(PATTERNS, 3, random_state=7)
    b = T.random_shift(PATTERNS, 3, random_state=7)
    np.testing.assert_array_equal(a[1], b[1])
    T.random_shift(PATTERNS, 3, random_state=np.random.default_rng(0))
    T.random_shift(PATTERNS, 3, random_state=np.random.RandomState(0))
    T.random_shift(np.zeros((2, 5, 5)), 1, random_state=0)  # blank images are fine


@pytest.mark.parametrize("max_shift", [-1, (1, -2), (1, 2, 3), 1.5])
def test_random_shift_rejects_bad_max_shift(max_shift):
    with pytest.raises((ValueError, TypeError), match="max_shift"):
        T.random_shift(PATTERNS, max_shift, random_state=0)


# ---------------------------------------------------------------- resize
def test_resize_by_one_is_identity():
    np.testing.assert_array_equal(T.resize(PATTERNS, 1.0), PATTERNS)
    np.testing.assert_array_equal(T.resize(PATTERNS[2], (1, 1), center=(3.3, 9.1)), PATTERNS[2])


@PROPERTY
@given(index=st.integers(0, 4), scale=st.floats(0.7, 1.4))
def test_resize_keeps_the_ink_centroid(index, scale):
    out = T.resize(PATTERNS[index], scale)
    assert np.abs(centroid(out) - centroid(PATTERNS[index])).max() <= 0.5


def test_resize_changes_the_size_of_the_ink():
    big, small = T.resize(PATTERNS, 1.3), T.resize(PATTERNS, 0.75)
    for img, b, s in zip(PATTERNS, big, small, strict=True):
        height = np.ptp(np.nonzero(img)[0])
        assert np.ptp(np.nonzero(b > 0.5)[0]) > height > np.ptp(np.nonzero(s > 0.5)[0])


def test_resize_hand_worked_about_a_fixed_centre():
    img = np.zeros((5, 5))
    img[2, 3] = 1.0  # one pixel right of the centre (2, 2): doubling puts it 2 right
    out = T.resize(img, 2.0, center=(2, 2))
    # Output (i, j) reads the input at (2 + (i - 2) / 2, 2 + (j - 2) / 2), bilinearly.
    expected = np.zeros((5, 5))
    expected[1:4, 3:5] = [[0.25, 0.5], [0.5, 1.0], [0.25, 0.5]]
    np.testing.assert_array_equal(out, expected)


def bilinear_reference(img, y, x):
    """Plain-loop bilinear read with zeros outside the image."""
    total = 0.0
    for yy in (int(np.floor(y)), int(np.floor(y)) + 1):
        for xx in (int(np.floor(x)), int(np.floor(x)) + 1):
            if 0 <= yy < img.shape[0] and 0 <= xx < img.shape[1]:
                total += img[yy, xx] * (1 - abs(y - yy)) * (1 - abs(x - xx))
    return total


@PROPERTY
@given(
    img=images,
    sy=st.floats(0.3, 3.0),
    sx=st.floats(0.3, 3.0),
    cy=st.floats(-3.0, 10.0),
    cx=st.floats(-3.0, 12.0),
)
def test_resize_matches_a_plain_loop_reference(img, sy, sx, cy, cx):
    expected = np.array(
        [
            [bilinear_reference(img, cy + (i - cy) / sy, cx + (j - cx) / sx) for j in range(9)]
            for i in range(7)
        ]
    )
    np.testing.assert_allclose(T.resize(img, (sy, sx), center=(cy, cx)), expected, atol=1e-9)


def test_resize_blank_and_float32():
    assert not T.resize(np.zeros((3, 8, 8), dtype=np.float32), 1.5).any()
    assert T.resize(PATTERNS.astype(np.float32), 0.9).dtype == np.float32


@pytest.mark.parametrize("scale", [0, -1.0, np.nan, np.inf, (1.0, 0.0), "2"])
def test_resize_rejects_bad_scale(scale):
    with pytest.raises((ValueError, TypeError), match="scale"):
        T.resize(PATTERNS, scale)


# ---------------------------------------------------------------- elastic
def test_elastic_with_zero_alpha_is_identity():
    np.testing.assert_array_equal(T.elastic(PATTERNS, 0.0, 3.0, random_state=0), PATTERNS)


def test_elastic_is_seed_deterministic_and_seed_dependent():
    a = T.elastic(PATTERNS, 8.0, 3.0, random_state=5)
    np.testing.assert_array_equal(a, T.elastic(PATTERNS, 8.0, 3.0, random_state=5))
    assert not np.array_equal(a, T.elastic(PATTERNS, 8.0, 3.0, random_state=6))
    assert not np.array_equal(a, PATTERNS)


def test_elastic_is_mild_and_stays_in_range():
    out = T.elastic(PATTERNS, 8.0, 3.0, random_state=0)
    assert out.min() >= 0 and out.max() <= 1  # bilinear mixes, never extrapolates
    # A smooth, small displacement keeps most of the ink near where it was.
    assert np.all(np.abs(out.sum(axis=(1, 2)) / PATTERNS.sum(axis=(1, 2)) - 1) < 0.3)
    for before, after in zip(PATTERNS, out, strict=True):
        assert np.abs(centroid(after) - centroid(before)).max() < 1.5


def test_elastic_field_is_smooth_for_large_sigma():
    # With a very wide Gaussian the field is nearly uniform: the image moves almost rigidly.
    img = np.zeros((1, 16, 16))
    img[0, 6:10, 6:10] = 1
    out = T.elastic(img, 4.0, 20.0, random_state=0)
    assert out.sum() == pytest.approx(16, rel=0.05)


@pytest.mark.parametrize("alpha, sigma", [(-1, 3), (1, 0), (1, -2), (np.nan, 3), (1, None)])
def test_elastic_rejects_bad_parameters(alpha, sigma):
    with pytest.raises((ValueError, TypeError), match="alpha|sigma"):
        T.elastic(PATTERNS, alpha, sigma, random_state=0)


# ---------------------------------------------------------------- noise and erasing
@PROPERTY
@given(p=st.floats(0.0, 1.0), seed=st.integers(0, 1000))
def test_salt_and_pepper_flips_the_expected_fraction(p, seed):
    out = T.salt_and_pepper(PATTERNS, p, random_state=seed)
    changed = out != PATTERNS
    np.testing.assert_array_equal(out[changed], 1 - PATTERNS[changed])
    assert np.all(np.abs(changed.mean(axis=(1, 2)) - p) <= 0.5 / 256 + 1e-12)


def test_salt_and_pepper_is_seed_deterministic_and_spread():
    a = T.salt_and_pepper(PATTERNS, 0.1, random_state=3)
    np.testing.assert_array_equal(a, T.salt_and_pepper(PATTERNS, 0.1, random_state=3))
    flips = (a != PATTERNS).astype(int)
    assert not np.array_equal(flips[0], flips[1])  # each image gets its own noise
    big = T.salt_and_pepper(np.zeros((200, 16, 16)), 0.1, random_state=0)
    # Every pixel position is hit at roughly the same rate.
    assert big.mean(axis=0).std() < 0.05


def test_salt_and_pepper_on_grey_scale_uses_high():
    X = np.array([[0.0, 100.0, 200.0, 255.0]])
    out = T.salt_and_pepper(X, 1.0, random_state=0, high=255)
    np.testing.assert_array_equal(out, [[255, 255, 0, 0]])


@pytest.mark.parametrize("p", [-0.1, 1.01, np.nan, "0.1"])
def test_salt_and_pepper_rejects_bad_p(p):
    with pytest.raises((ValueError, TypeError), match="p "):
        T.salt_and_pepper(PATTERNS, p, random_state=0)


@PROPERTY
@given(fraction=st.floats(0.0, 1.0), seed=st.integers(0, 1000))
def test_erase_removes_ink_only_and_the_expected_amount(fraction, seed):
    out = T.erase(PATTERNS, fraction, random_state=seed)
    removed = out != PATTERNS
    assert np.all(PATTERNS[removed] == 1) and np.all(out[removed] == 0)
    n_ink = PATTERNS.sum(axis=(1, 2))
    np.testing.assert_array_equal(removed.sum(axis=(1, 2)), np.rint(fraction * n_ink))


@pytest.mark.parametrize("seed", range(10))
def test_erase_opens_one_contiguous_gap(seed):
    out = T.erase(PATTERNS, 0.25, random_state=seed)
    for before, after in zip(PATTERNS, out, strict=True):
        _, n_gaps = ndimage.label(before != after, structure=np.ones((3, 3)))
        assert n_gaps == 1


def test_erase_is_seed_deterministic_and_handles_blank_and_grey():
    a = T.erase(PATTERNS, 0.3, random_state=4)
    np.testing.assert_array_equal(a, T.erase(PATTERNS, 0.3, random_state=4))
    assert not T.erase(np.zeros((2, 5, 5)), 0.5, random_state=0).any()
    grey = np.full((4, 4), 0.5)
    assert (T.erase(grey, 0.5, random_state=0) == 0).sum() == 8


@pytest.mark.parametrize("fraction", [-0.5, 2, np.inf])
def test_erase_rejects_bad_fraction(fraction):
    with pytest.raises(ValueError, match="fraction"):
        T.erase(PATTERNS, fraction, random_state=0)


def test_binarize():
    grey = np.array([[0.1, 0.5, 0.9]])
    np.testing.assert_array_equal(T.binarize(grey), [[0, 1, 1]])
    np.testing.assert_array_equal(T.binarize(grey, threshold=0.95), [[0, 0, 0]])
    np.testing.assert_array_equal(T.binarize(PATTERNS), PATTERNS)
    out = T.binarize(T.resize(PATTERNS, 1.2))
    assert set(np.unique(out)) <= {0.0, 1.0}
    with pytest.raises(ValueError, match="threshold"):
        T.binarize(grey, threshold=np.nan)


# ---------------------------------------------------------------- shared validation
CALLS = {
    "shift": lambda X: T.shift(X, 1, 1),
    "random_shift": lambda X: T.random_shift(X, 1, random_state=0),
    "resize": lambda X: T.resize(X, 1.2),
    "elastic": lambda X: T.elastic(X, 2.0, 2.0, random_state=0),
    "salt_and_pepper": lambda X: T.salt_and_pepper(X, 0.1, random_state=0),
    "erase": lambda X: T.erase(X, 0.1, random_state=0),
    "binarize": lambda X: T.binarize(X),
}
BAD_X = {
    "nan": (np.full((2, 4, 4), np.nan), ValueError, "NaN"),
    "1-D": (np.zeros(4), ValueError, "dimensions"),
    "4-D": (np.zeros((1, 1, 4, 4)), ValueError, "dimensions"),
    "empty": (np.zeros((0, 4, 4)), ValueError, "empty"),
    "string": ("image", TypeError, "numeric"),
    "complex": (np.zeros((4, 4), dtype=complex), TypeError, "real"),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
@pytest.mark.parametrize("bad", BAD_X.values(), ids=BAD_X.keys())
def test_bad_images_raise_clear_errors(call, bad):
    X, error, message = bad
    with pytest.raises(error, match=message) as info:
        call(X)
    assert "X" in str(info.value)


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_single_image_and_integer_input(call):
    out = call(PATTERNS[3].astype(np.int64))
    out = out[0] if isinstance(out, tuple) else out
    assert out.shape == (16, 16) and out.dtype == np.float64


@pytest.mark.parametrize("random_state", ["seed", 1.5, -3, [1, 2]])
def test_bad_random_state(random_state):
    with pytest.raises((TypeError, ValueError), match="random_state"):
        T.elastic(PATTERNS, 1.0, 1.0, random_state=random_state)
