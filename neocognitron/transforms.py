"""Image transforms for the variants of Fukushima (1980) Fig. 6: shift, resize, deform, noise.

Every function takes a batch ``(n, H, W)`` or a single image ``(H, W)`` and returns the
same form, as float (float32 is kept, anything else becomes float64). Random transforms take
``random_state`` (an int seed, None, a ``np.random.Generator`` or a ``np.random.RandomState``):
the same seed gives the same output. Pixels that would be read from outside the image read
as 0 (background). numpy only, so the CNN baseline and the Neocognitron can share them.
"""


import numpy as np

from ._random import check_random_state, uniform_integers
from ._validation import as_real_array, check_scalar

__all__ = ["binarize", "elastic", "erase", "random_shift", "resize", "salt_and_pepper", "shift"]


def _as_images(X):
    """Validate ``X``; return it as a float batch and whether it was a single image."""
    arr = as_real_array(X, "X", ndim=(2, 3))
    return (arr[None], True) if arr.ndim == 2 else (arr, False)


def _unbatch(out, single):
    """Undo :func:`_as_images` for a single image."""
    return out[0] if single else out


def _check_fraction(p, name):
    p = check_scalar(p, name)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {p}")
    return p


def _check_pair(value, name, integer=False, low=None, low_inclusive=False):
    """A scalar or a pair ``(y, x)``; returns a pair of validated scalars."""
    if np.ndim(value) == 0:
        value = (value, value)
    elif np.shape(value) != (2,):
        raise ValueError(f"{name} must be a scalar or a pair (y, x), got {value!r}")
    return tuple(check_scalar(v, name, low, low_inclusive, integer) for v in value)


def _ink(X):
    """Ink is any pixel that differs from the zero background."""
    return X != 0


def _ink_centroid(X):
    """Per-image centroid ``(n, 2)`` of ``|X|``; the image centre when there is no ink."""
    n, H, W = X.shape
    mass = np.abs(X).astype(np.float64)
    total = mass.sum(axis=(1, 2))
    safe = np.where(total > 0, total, 1.0)
    out = np.stack([mass.sum(2) @ np.arange(H) / safe, mass.sum(1) @ np.arange(W) / safe], 1)
    out[total == 0] = ((H - 1) / 2, (W - 1) / 2)
    return out


def _pixel_grid(H, W):
    """Row and column coordinates ``(H, W)`` of every pixel, as floats."""
    return np.meshgrid(np.arange(H, dtype=np.float64), np.arange(W, dtype=np.float64),
                       indexing="ij")


def _bilinear(X, ys, xs):
    """Sample each image of ``X`` at float positions ``ys, xs`` (n, H, W); outside reads 0."""
    n, H, W = X.shape
    # A zero border (1 before, 2 after) plus clipping the positions to [-1, H] makes every
    # outside read land on zeros, so no per-corner masks are needed.
    padded = np.pad(X, ((0, 0), (1, 2), (1, 2))).reshape(-1)
    ys, xs = np.clip(ys, -1.0, H), np.clip(xs, -1.0, W)
    y0, x0 = np.floor(ys), np.floor(xs)
    wy, wx = ys - y0, xs - x0
    base = (np.arange(n)[:, None, None] * (H + 3) + y0.astype(np.int64) + 1) * (W + 3)
    base = base + x0.astype(np.int64) + 1
    top = padded[base] * (1.0 - wx) + padded[base + 1] * wx
    bottom = padded[base + W + 3] * (1.0 - wx) + padded[base + W + 4] * wx
    return (top * (1.0 - wy) + bottom * wy).astype(X.dtype)


def _smooth_last_axis(F, kernel):
    radius = len(kernel) // 2
    padded = np.pad(F, [(0, 0)] * (F.ndim - 1) + [(radius, radius)], mode="symmetric")
    length = F.shape[-1]
    out = kernel[0] * padded[..., :length]
    for k in range(1, len(kernel)):
        out += kernel[k] * padded[..., k : k + length]
    return out


def _gaussian_smooth(F, sigma):
    """Separable Gaussian smoothing over the last two axes (kernel cut at 3 sigma, mirrored
    borders so a displacement field is not pulled towards zero at the edges)."""
    radius = max(1, int(np.ceil(3.0 * sigma)))
    t = np.arange(-radius, radius + 1, dtype=np.float64)
    kernel = np.exp(-0.5 * (t / sigma) ** 2)
    kernel /= kernel.sum()
    F = _smooth_last_axis(F, kernel)
    return _smooth_last_axis(F.swapaxes(-1, -2), kernel).swapaxes(-1, -2)


def _shift_batch(X, dy, dx, fill):
    """Translate every image of ``X`` by the same integers ``dy, dx``."""
    n, H, W = X.shape
    out = np.full_like(X, fill)
    if abs(dy) < H and abs(dx) < W:
        src_y, dst_y = slice(max(-dy, 0), H - max(dy, 0)), slice(max(dy, 0), H - max(-dy, 0))
        src_x, dst_x = slice(max(-dx, 0), W - max(dx, 0)), slice(max(dx, 0), W - max(-dx, 0))
        out[:, dst_y, dst_x] = X[:, src_y, src_x]
    return out


def _check_offsets(d, name, n):
    """An integer, or (for a batch) one integer per image; returns an int array (n,)."""
    if np.ndim(d) == 0:
        return np.full(n, check_scalar(d, name, integer=True), dtype=np.int64)
    arr = np.asarray(d)
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
    if arr.shape != (n,):
        raise ValueError(f"{name} must be an integer or {n} integers (one per image), got {d!r}")
    return arr.astype(np.int64)


def shift(X, dy, dx, fill=0):
    """Translate images by whole pixels; pixels that enter the frame get ``fill``.

    Parameters
    ----------
    X : array-like of shape (n, H, W) or (H, W)
    dy, dx : int or array of int of shape (n,)
        Displacement; positive ``dy`` moves the image down, positive ``dx`` to the right.
        Arrays give every image of the batch its own shift. Ink moved out of the frame is
        lost.
    fill : float, default 0
        Value of the pixels uncovered by the shift.

    Returns
    -------
    ndarray, same shape as ``X``

    Examples
    --------
    >>> shift([[1, 2], [3, 4]], 1, 0)
    array([[0., 0.],
           [1., 2.]])
    """
    X, single = _as_images(X)
    fill = check_scalar(fill, "fill")
    pairs = np.stack([_check_offsets(dy, "dy", len(X)), _check_offsets(dx, "dx", len(X))], 1)
    out = np.empty_like(X)
    # Group images sharing a shift, so the common case (one shift) is a single slice copy.
    for pair in np.unique(pairs, axis=0):
        sel = np.all(pairs == pair, axis=1)
        out[sel] = _shift_batch(X[sel], int(pair[0]), int(pair[1]), fill)
    return _unbatch(out, single)


def _shift_limits(X, max_dy, max_dx, keep_ink):
    """Per-image inclusive ranges of allowed shifts, narrowed to keep the ink in frame."""
    n, H, W = X.shape
    lo, hi = np.tile([-max_dy, -max_dx], (n, 1)), np.tile([max_dy, max_dx], (n, 1))
    if keep_ink:
        ink = _ink(X)
        rows, cols = ink.any(axis=2), ink.any(axis=1)
        has = rows.any(axis=1)
        first = np.stack([rows.argmax(axis=1), cols.argmax(axis=1)], axis=1)
        last = np.stack([H - 1 - rows[:, ::-1].argmax(1), W - 1 - cols[:, ::-1].argmax(1)], 1)
        lo = np.where(has[:, None], np.maximum(lo, -first), lo)
        hi = np.where(has[:, None], np.minimum(hi, np.array([H - 1, W - 1]) - last), hi)
    return lo, hi


def random_shift(X, max_shift, random_state=None, keep_ink=True):
    """Shift each image by its own random whole-pixel offset.

    Parameters
    ----------
    X : array-like of shape (n, H, W) or (H, W)
    max_shift : int or pair of int (max_dy, max_dx)
        Offsets are drawn uniformly from ``[-max_shift, max_shift]`` per axis.
    random_state : None, int, np.random.Generator or np.random.RandomState
    keep_ink : bool, default True
        Narrow each image's range to its ink bounding box, so no ink leaves the frame (an
        image whose ink touches the left edge is never shifted left).

    Returns
    -------
    shifted : ndarray, same shape as ``X``
    shifts : ndarray of int of shape (n, 2), or (2,) for a single image
        The ``(dy, dx)`` applied to each image.
    """
    X, single = _as_images(X)
    max_dy, max_dx = _check_pair(max_shift, "max_shift", integer=True, low=0, low_inclusive=True)
    rng = check_random_state(random_state)
    lo, hi = _shift_limits(X, max_dy, max_dx, bool(keep_ink))
    shifts = uniform_integers(rng, lo, hi)
    shifted = shift(X, shifts[:, 0], shifts[:, 1])
    return _unbatch(shifted, single), _unbatch(shifts, single)


def resize(X, scale, center=None):
    """Scale images about their ink centroid (bilinear), keeping the frame size.

    Parameters
    ----------
    X : array-like of shape (n, H, W) or (H, W)
    scale : float or pair (scale_y, scale_x), > 0
        ``> 1`` enlarges, ``< 1`` shrinks; a pair stretches the axes differently. Ink
        scaled beyond the frame is lost; strong shrinking (below about 0.75) of one-pixel
        strokes can leave them faint or broken, since there is no anti-aliasing.
    center : pair (cy, cx), optional
        Fixed point of the scaling; default each image's centroid of ``|X|`` (the image
        centre for a blank image).

    Returns
    -------
    ndarray, same shape as ``X``
        Grey values in general; see :func:`binarize`.
    """
    X, single = _as_images(X)
    sy, sx = _check_pair(scale, "scale", low=0)
    n, H, W = X.shape
    c = _ink_centroid(X) if center is None else np.tile(_check_pair(center, "center"), (n, 1))
    gy, gx = _pixel_grid(H, W)
    cy, cx = c[:, 0, None, None], c[:, 1, None, None]
    # Written as p + (p - c)(1/s - 1) rather than c + (p - c)/s so scale 1 is exact.
    ys = gy + (gy - cy) * (1.0 / sy - 1.0)
    xs = gx + (gx - cx) * (1.0 / sx - 1.0)
    return _unbatch(_bilinear(X, ys, xs), single)


def elastic(X, alpha, sigma, random_state=None):
    """Smooth random elastic deformation (Simard, Steinkraus & Platt, 2003).

    Each image gets two fields of displacements drawn uniformly from [-1, 1] per pixel,
    smoothed by a normalised Gaussian of width ``sigma`` and multiplied by ``alpha``; every
    output pixel then reads the input at its displaced position (bilinear, outside = 0).

    Parameters
    ----------
    X : array-like of shape (n, H, W) or (H, W)
    alpha : float, >= 0
        Strength, in pixels before smoothing. The smoothed displacements have a standard
        deviation of about ``alpha / (6 * sigma)`` pixels, a little more on small images:
        about 1.7 for Simard's MNIST setting ``alpha=34, sigma=4`` on 28x28, and 0.6 for
        ``alpha=8, sigma=3`` on the 16x16 patterns (a visible but mild deformation).
    sigma : float, > 0
        Width of the Gaussian (pixels): large = smooth, small = jittery.
    random_state : None, int, np.random.Generator or np.random.RandomState

    Returns
    -------
    ndarray, same shape as ``X``
        ``alpha=0`` returns ``X`` unchanged.
    """
    X, single = _as_images(X)
    alpha = check_scalar(alpha, "alpha", low=0, low_inclusive=True)
    sigma = check_scalar(sigma, "sigma", low=0)
    rng = check_random_state(random_state)
    n, H, W = X.shape
    field = alpha * _gaussian_smooth(rng.uniform(-1.0, 1.0, size=(n, 2, H, W)), sigma)
    gy, gx = _pixel_grid(H, W)
    return _unbatch(_bilinear(X, gy + field[:, 0], gx + field[:, 1]), single)


def salt_and_pepper(X, p, random_state=None, high=1.0):
    """Flip a fraction ``p`` of the pixels of each image (noise as in Fig. 6(g)).

    Exactly ``round(p * H * W)`` distinct pixels per image are chosen; a chosen pixel
    becomes ``high`` if it was below ``high / 2`` and 0 otherwise, which on binary images
    is a plain flip.

    Parameters
    ----------
    X : array-like of shape (n, H, W) or (H, W)
    p : float in [0, 1]
    random_state : None, int, np.random.Generator or np.random.RandomState
    high : float, > 0, default 1
        Ink value (e.g. 255 for uint8 digits).

    Returns
    -------
    ndarray, same shape as ``X``
    """
    X, single = _as_images(X)
    p = _check_fraction(p, "p")
    high = check_scalar(high, "high", low=0)
    rng = check_random_state(random_state)
    n, H, W = X.shape
    k = int(round(p * H * W))
    # The k smallest of H*W uniform keys are a uniform k-subset, drawn the same way by
    # Generator and RandomState.
    chosen = np.argsort(rng.uniform(size=(n, H * W)), axis=1)[:, :k]
    flat = X.reshape(n, H * W).copy()
    rows = np.arange(n)[:, None]
    flat[rows, chosen] = np.where(flat[rows, chosen] < high / 2, high, 0.0)
    return _unbatch(flat.reshape(n, H, W), single)


def _dilate8(mask):
    """Grow a boolean batch ``(n, H, W)`` by one pixel in the 8-neighbourhood."""
    H, W = mask.shape[1:]
    padded = np.pad(mask, ((0, 0), (1, 1), (1, 1)))
    out = np.zeros_like(mask)
    for dy in range(3):
        for dx in range(3):
            out |= padded[:, dy:dy + H, dx:dx + W]
    return out


def _stroke_distance(ink, seeds, needed):
    """Steps along 8-connected ink from each seed pixel; ``inf`` where not reached.

    Stops once every image has reached ``needed`` pixels (or cannot grow): nearer pixels
    are then all known, which is all that ranking them needs.
    """
    n = len(ink)
    dist = np.full(ink.shape, np.inf)
    reached = np.zeros_like(ink)
    reached.reshape(n, -1)[np.arange(n), seeds] = True
    dist[reached] = 0
    step = 0
    while np.any(reached.sum(axis=(1, 2)) < needed):
        step += 1
        new = _dilate8(reached) & ink & ~reached
        if not new.any():
            break
        dist[new] = step
        reached |= new
    return dist


def erase(X, fraction, random_state=None):
    """Remove a contiguous piece of the strokes ("incomplete" patterns, Fig. 6(g)).

    From a random ink pixel, the ``round(fraction * n_ink)`` ink pixels nearest to it *along
    the strokes* (8-connected steps through ink) are set to 0, so a gap opens in the
    drawing instead of scattered holes. Ties are broken at random; if the seed's stroke is
    too short, the nearest pixels of other strokes (straight-line distance) go next.

    Parameters
    ----------
    X : array-like of shape (n, H, W) or (H, W)
        Ink is every non-zero pixel.
    fraction : float in [0, 1]
        Share of each image's ink pixels to remove.
    random_state : None, int, np.random.Generator or np.random.RandomState

    Returns
    -------
    ndarray, same shape as ``X``
        Equal to ``X`` except for the erased ink pixels, which are 0.
    """
    X, single = _as_images(X)
    fraction = _check_fraction(fraction, "fraction")
    rng = check_random_state(random_state)
    n, H, W = X.shape
    ink = _ink(X)
    n_erase = np.rint(fraction * ink.sum(axis=(1, 2))).astype(np.int64)
    seed_keys = np.where(ink.reshape(n, -1), rng.uniform(size=(n, H * W)), np.inf)
    seeds = np.argmin(seed_keys, axis=1)
    ties = rng.uniform(size=(n, H, W))
    dist = _stroke_distance(ink, seeds, n_erase)
    sy, sx = np.divmod(seeds, W)
    gy, gx = _pixel_grid(H, W)
    straight = np.hypot(gy - sy[:, None, None], gx - sx[:, None, None])
    # Ink not reached ranks after every reached pixel (H * W exceeds any step count).
    key = np.where(np.isfinite(dist), dist + ties, H * W + straight + ties)
    key = np.where(ink, key, np.inf).reshape(n, -1)
    rank = np.argsort(np.argsort(key, axis=1), axis=1).reshape(n, H, W)
    out = np.where(ink & (rank < n_erase[:, None, None]), 0, X).astype(X.dtype)
    return _unbatch(out, single)


def binarize(X, threshold=0.5):
    """Map pixels ``>= threshold`` to 1 and the rest to 0.

    Useful after :func:`resize` or :func:`elastic` to keep the binary 1980 patterns binary;
    for one-pixel strokes a threshold of 0.3-0.5 keeps thin diagonal lines connected.

    Parameters
    ----------
    X : array-like of shape (n, H, W) or (H, W)
    threshold : float, default 0.5

    Returns
    -------
    ndarray, same shape as ``X``, values in {0, 1}
    """
    X = as_real_array(X, "X", ndim=(2, 3))
    threshold = check_scalar(threshold, "threshold")
    return (X >= threshold).astype(X.dtype)
