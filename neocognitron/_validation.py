"""Argument checks shared by the public functions. Each raises before any kernel runs.

The messages name the argument and what was expected, so that a user who passes a
``(16, 16)`` image where a batch was expected learns that from the error, not from a
numba traceback or a crashed interpreter. The range helpers at the end keep the kernels'
sums inside the working dtype: by exact power-of-two scaling where the result allows it,
else by refusing (``check_in_range``).
"""

import numbers

import numpy as np


def common_float_dtype(*arrays):
    """The dtype the cells compute arrays in together: float32 if all are, else float64."""
    return np.float32 if all(x.dtype == np.float32 for x in arrays) else np.float64


def same_float_dtype(*arrays):
    """Cast already-validated float arrays to one dtype: float32 if all are, else float64."""
    dtype = common_float_dtype(*arrays)
    return [np.ascontiguousarray(x, dtype=dtype) for x in arrays]


def as_real_array(x, name, ndim=None, dtype=None, allow_empty=False, nonnegative=False,
                  return_abs_max=False):
    """Convert ``x`` to a C-contiguous float array and check it.

    Parameters
    ----------
    x : array-like
    name : str
        The argument's name, used in error messages.
    ndim : int or tuple of int, optional
        Accepted numbers of dimensions.
    dtype : numpy dtype, optional
        Target float dtype; default float32 for float32, float16, bool and integers of up
        to 16 bits, else float64 (numpy's promotion with float32).
    allow_empty : bool
        Whether a zero-size array is acceptable.
    nonnegative : bool
        Whether negative entries are rejected.
    return_abs_max : bool
        Also return ``max |x|`` as a Python float (0 if empty), which the checks compute
        anyway: the range checks of :mod:`neocognitron.cells` need it.

    Returns
    -------
    arr : ndarray
    abs_max : float
        Only if ``return_abs_max``.
    """
    arr = _real_numbers(x, name)
    if ndim is not None:
        ndims = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in ndims:
            want = " or ".join(str(d) for d in ndims)
            raise ValueError(f"{name} must have {want} dimensions, got shape {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty (shape {arr.shape}); expected at least one value")
    if dtype is None:
        # numpy's promotion with float32: small integers and bools fit in float32
        dtype = np.result_type(arr.dtype, np.float32)
        dtype = np.float32 if dtype == np.float32 else np.float64
    arr = np.ascontiguousarray(arr, dtype=dtype)
    abs_max = _finite_abs_max(arr, name, nonnegative)
    return (arr, abs_max) if return_abs_max else arr


def _real_numbers(x, name):
    """``np.asarray(x)``; TypeError unless it holds real numbers (floats, integers, bools)."""
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be a numeric array: {exc}") from None
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.floating)
        or np.issubdtype(arr.dtype, np.integer)
        or arr.dtype == np.bool_
    ):
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    return arr


def _finite_abs_max(arr, name, nonnegative):
    """``max |arr|`` (0 if empty); ValueError on NaN or inf, or on a negative entry when
    ``nonnegative``."""
    lo = hi = 0.0
    if arr.size:
        # min and max propagate NaN and reach any inf: two passes, no boolean temporary
        lo, hi = float(arr.min()), float(arr.max())
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise ValueError(f"{name} contains NaN or inf")
        if nonnegative and lo < 0:
            raise ValueError(f"{name} must be non-negative (cell outputs and weights are >= 0)")
    return max(hi, -lo)


def check_scalar(x, name, low=None, low_inclusive=False, integer=False):
    """A finite real (or integer) scalar, optionally bounded below."""
    kinds = (numbers.Integral,) if integer else (numbers.Real,)
    if isinstance(x, bool) or not isinstance(x, kinds):
        what = "an integer" if integer else "a real number"
        raise TypeError(f"{name} must be {what}, got {type(x).__name__}")
    if not integer and not np.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x}")
    if low is not None:
        if (x < low) if low_inclusive else (x <= low):
            op = ">=" if low_inclusive else ">"
            raise ValueError(f"{name} must be {op} {low}, got {x}")
    return int(x) if integer else float(x)


def check_in_range(bound, dtype, what, names):
    """Refuse a computation whose intermediate values could reach ``bound``.

    ``bound`` is an upper bound (a Python float) of the largest value a kernel would form
    in ``dtype``; the kernels hold values up to half the dtype's largest number (about
    9e307 for float64 and 1.7e38 for float32). Beyond that a sum overflows to inf and the
    cells turn silent, so the call is refused instead; so is a NaN ``bound``, which only
    an input holding NaN or inf gives (:mod:`neocognitron._cells` checks no input itself).

    Parameters
    ----------
    bound : float
    dtype : numpy dtype
        The working dtype of the kernels.
    what : str
        The quantity, e.g. ``"sum a * u_c"``.
    names : str
        The arguments to blame, e.g. ``"u_c and a"``.
    """
    limit = float(np.finfo(dtype).max) / 2
    if not bound <= limit:  # NaN too: a NaN or inf among the values the bound came from
        reach = (f"can reach {bound:.3g}" if np.isfinite(bound) else
                 "is not a number" if np.isnan(bound) else "can overflow even float64")
        raise ValueError(f"{names} out of range: {what} {reach}, beyond the {limit:.3g} that "
                         f"{np.dtype(dtype).name} holds without overflow")


def binary_exponent(x):
    """``e`` with ``x * 2**-e`` in ``[0.5, 1)``, for a positive finite ``x``."""
    return int(np.frexp(x)[1])


def square_shifts(u_max, c_total, dtype):
    """Powers of two ``(eu, ec)`` that keep the V_C-cells' squares inside ``dtype``, or None.

    With ``u' = u * 2**-eu`` (largest in ``[0.5, 1)``) and ``c' = c * 4**-ec`` (``c_total``
    then in ``[1/4, 1)``), every ``sum c' u'^2`` is at most 1 and ``v_C`` is
    ``2**(eu + ec)`` times the kernel's. None while the plain squares can neither
    overflow nor underflow, so that ordinary inputs cost nothing more.
    """
    if u_max == 0 or c_total == 0:
        return None
    band = 2.0 ** (np.finfo(dtype).maxexp // 4)
    if 1 / band <= u_max <= band and 1 / band <= c_total <= band:
        return None
    return binary_exponent(u_max), -(-binary_exponent(c_total) // 2)


def scaled_for_sums(x, x_max, w_abs_sum, dtype, names):
    """``(x', e)`` with ``x = x' * 2**e``: ``e = 0`` while the sums ``corr(x, w)`` (bounded
    by ``x_max * w_abs_sum``) stay in range, else ``x'`` has its largest entry in
    ``[0.5, 1)``. Refuses weights whose own sums overflow."""
    check_in_range(w_abs_sum, dtype, "the sum of |weights|", names)
    if x_max * w_abs_sum <= float(np.finfo(dtype).max) / 2:
        return x, 0
    e = binary_exponent(x_max)
    return np.ldexp(x, -e), e


def check_shape2(shape, name):
    """A pair of positive integers, such as ``out_shape`` or ``image_shape``."""
    try:
        pair = tuple(shape)
    except TypeError:
        msg = f"{name} must be a pair (H, W) of positive integers, got {shape!r}"
        raise TypeError(msg) from None
    if len(pair) != 2:
        raise ValueError(f"{name} must be a pair (H, W), got {shape!r}")
    return tuple(check_scalar(v, name, low=0, integer=True) for v in pair)


def as_batch(u, name, dtype=None, nonnegative=True, return_abs_max=False):
    """Accept ``(N, K, H, W)`` or a single ``(K, H, W)``; return 4-D and whether it was 3-D
    (and ``max |u|`` if ``return_abs_max``)."""
    arr, abs_max = as_real_array(u, name, ndim=(3, 4), dtype=dtype, nonnegative=nonnegative,
                                 return_abs_max=True)
    single = arr.ndim == 3
    arr = arr[None] if single else arr
    return (arr, single, abs_max) if return_abs_max else (arr, single)


def check_field_fits(in_hw, kernel_hw, kernel_name, input_name):
    """An input plane must be at least as large as the receptive field that reads it."""
    if in_hw[0] < kernel_hw[0] or in_hw[1] < kernel_hw[1]:
        raise ValueError(
            f"{input_name} planes of size {tuple(in_hw)} are smaller than the receptive "
            f"field {kernel_name} of size {tuple(kernel_hw)}"
        )
