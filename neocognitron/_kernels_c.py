"""Private numba kernel of the C-cells' excitation, ``e[n, k] = corr(u_S[n, k], d)`` on the
C-layer's grid: each C-plane reads its own S-plane through one ``h x w`` field ``d``.

It assumes valid input (see :mod:`neocognitron._kernels`) and the receptive-field starts
of :func:`neocognitron._grid.field_starts`. Each plane is one ``prange`` job and takes one
of three paths, chosen from the grid and from how many of its S-cells are nonzero (never
from the number of threads, so the numbers do not depend on it):

* **Sparse planes: scatter** (:func:`_scatter_plane`). S-cells are mostly silent (4-6 %
  nonzero in the digit network), so each nonzero S-cell is added into the few C-cells
  whose field holds it: about ``h w / (sy sx)`` multiply-adds per nonzero cell instead of
  ``h w`` per C-cell, on any grid. One of these costs 10-30 times one multiply-add of
  the flat loop below (short loops, scattered writes), so a plane is scattered only when
  at most a fraction ``_SPARSE[path]`` of it is nonzero: about the crossover measured on
  random planes (float32 and float64) against the path it would otherwise take.
* **Grids of one step: polyphase flat path** (:func:`_phase_plan`, :func:`_polyphase_plane`).
  On a grid of steps ``sy``, ``sx`` (``y0 = s0, s0 + sy, ...``) output ``(i, j)`` reads input
  ``(s0 + sy*i + dy, t0 + sx*j + dx)``. With ``dy = sy*qy + py`` (``py < sy``), the
  correlation is the sum over the ``sy sx`` phases ``(py, px)`` of a *unit-step*
  correlation of the phase's subsampled input ``x[s0 + py + sy*a, t0 + px + sx*b]`` with
  the phase's taps ``d[py + sy*qy, px + sx*qx]``. The phases are copied once into one
  zero-padded window, every tap is one flat offset into it, and the plane runs on the
  long, contiguous, vectorised loop of :func:`._correlate._flat_single`, with as many
  multiply-adds as the direct sum. At step 1 this is the unit-step path of
  :mod:`._kernels` (same taps, same order, same numbers).
* **Other grids: the general path** (:func:`._correlate._single_plane`). The grid rule
  rounds exact halves away from the middle (docs/design.md §2), so an odd field on an
  even stride (the default network's U_C1, 36 -> 9: starts ``-3, 1, 5, 9, 13, 18,
  22, ...``) steps once by ``s + 1``, and the 1980 network's 16 -> 10 -> 8 grids
  alternate steps. Splitting such a grid into blocks of one step each, each by the
  polyphase path, measured slower than this gather on the default U_C1 (0.7-0.8x: 16
  phases of a few cells each).

Measured on the digit network's S-cells (200 validation digits, one thread, against the
kernel before this module, float32 / float64): DEEP's U_C2 (40 -> 20, 8x8) 4.2x / 4.1x,
U_C3 (20 -> 10) 3.7x / 3.7x, the default network's U_C1 (36 -> 9, 9x9) 2.1x / 2.3x, and
DEEP's U_C1 (stride 1, 9x9) 1.1x / 1.2x (a few planes sparse enough to scatter).
"""

import numpy as np

from ._correlate import _GROUP_SINGLE, _flat_single, _single_plane, _unflatten
from ._numba import njit, prange

# A plane is scattered when at most this fraction of it is nonzero, by the path it would
# otherwise take (_FLAT: one step of 1, _PHASES: one step above 1, _GENERAL: the rest).
# Crossovers measured on random planes of the digit network's C-layers (40 -> 40 with 9x9
# taps; 40 -> 20, 20 -> 10 with 8x8; 36 -> 9 with 9x9; 16 -> 10 with 5x5).
_FLAT, _PHASES, _GENERAL = 0, 1, 2
_SPARSE = (0.03, 0.08, 0.15)


@njit
def _grid_step(starts):
    """The step ``s >= 1`` of ``starts = s0, s0 + s, s0 + 2s, ...``, else 0 (1 for one cell)."""
    m = starts.shape[0]
    if m < 2:
        return 1
    s = starts[1] - starts[0]
    for j in range(2, m):
        if starts[j] - starts[j - 1] != s:
            return 0
    return max(s, 0)


@njit
def _first_inside(start, step):
    """Smallest ``b >= 0`` with ``start + step * b >= 0``."""
    return 0 if start >= 0 else (step - 1 - start) // step


@njit
def _phase_window(x, ys, xs, sy, sx, win):
    """``win[py * sx + px, a, b] = x[ys + py + sy*a, xs + px + sx*b]`` where inside ``x``.

    ``win`` comes zeroed (``np.zeros``), so taps outside ``x`` read 0. The column range of
    each phase is found once, outside the row loop: an integer division by a step known
    only at run time costs tens of cycles.
    """
    H, W = x.shape
    Hq, Wq = win.shape[1], win.shape[2]
    for px in range(sx):
        blo = _first_inside(xs + px, sx)
        m = min(Wq, (W - 1 - xs - px) // sx + 1) - blo
        if m <= 0:
            continue
        first = xs + px + sx * blo  # >= 0: slices, so that no index wraps around
        for py in range(sy):
            for a in range(_first_inside(ys + py, sy), Hq):
                y = ys + py + sy * a
                if y >= H:
                    break
                dst = win[py * sx + px, a, blo:blo + m]
                if sx == 1:  # contiguous: vectorised
                    src = x[y, first:first + m]
                    for b in range(m):
                        dst[b] = src[b]
                else:
                    src = x[y, first:]
                    for b in range(m):
                        dst[b] = src[sx * b]


@njit
def _phase_taps(d, sy, sx, Hq, Wq):
    """``(wts, offs)``: the taps of ``d`` (h, w) as flat offsets into a window of
    :func:`_phase_window` of ``sy * sx`` phases of ``Hq x Wq``.

    Tap ``(dy, dx)`` belongs to phase ``(dy % sy, dx % sx)`` at ``(dy // sy, dx // sx)``.
    Zero taps are left out and the list is padded with zero-weight taps to a multiple of
    ``_GROUP_SINGLE``. Computed once per call, not per plane (its divisions are slow).
    """
    h, wd = d.shape
    wts = np.zeros(h * wd + _GROUP_SINGLE - 1, dtype=d.dtype)
    offs = np.zeros(h * wd + _GROUP_SINGLE - 1, dtype=np.int64)
    T = 0
    for dy in range(h):
        for dx in range(wd):
            if d[dy, dx] != 0:
                p = (dy % sy) * sx + dx % sx
                wts[T] = d[dy, dx]
                offs[T] = (p * Hq + dy // sy) * Wq + dx // sx
                T += 1
    T = -(-T // _GROUP_SINGLE) * _GROUP_SINGLE  # the padding: zero weights at offset 0
    return wts[:T], offs[:T]


@njit
def _phase_plan(d, y0, x0, Ho, Wo):
    """``(sy, sx, Hq, Wq, wts, offs)``: the grid's steps (0: not one step), the window of
    each phase and the taps (:func:`_phase_taps`) of the polyphase path, once per call."""
    sy, sx = _grid_step(y0), _grid_step(x0)
    ty, tx = max(sy, 1), max(sx, 1)  # a grid not of one step takes another path
    Hq, Wq = Ho + (d.shape[0] - 1) // ty, Wo + (d.shape[1] - 1) // tx
    wts, offs = _phase_taps(d, ty, tx, Hq, Wq)
    return sy, sx, Hq, Wq, wts, offs


@njit
def _polyphase_plane(x, ys, xs, plan, out):
    """``out = corr(x, d)`` on the grid ``ys + sy*i`` x ``xs + sx*j`` of ``plan``
    (:func:`_phase_plan`): one window of the phases, then the flat loop."""
    sy, sx, Hq, Wq, wts, offs = plan
    Ho, Wo = out.shape
    win = np.zeros((sy * sx, Hq, Wq), dtype=x.dtype)
    _phase_window(x, ys, xs, sy, sx, win)
    P = (Ho - 1) * Wq + Wo
    acc = np.zeros(P, dtype=out.dtype)
    _flat_single(win.ravel(), wts, offs, offs.shape[0], acc, P)
    _unflatten(acc, Wq, out)


@njit
def _covering(starts, size, n):
    """``cover[0, t] .. cover[1, t]``: the cells whose field ``starts[j] .. starts[j] +
    size - 1`` holds input ``t < n`` (contiguous, as ``starts`` is non-decreasing)."""
    m = starts.shape[0]
    cover = np.empty((2, n), dtype=np.int64)
    lo = 0
    hi = 0
    for t in range(n):
        while lo < m and starts[lo] + size - 1 < t:
            lo += 1
        while hi < m and starts[hi] <= t:
            hi += 1
        cover[0, t] = lo
        cover[1, t] = hi
    return cover


@njit
def _nonzeros(x):
    """How many entries of the plane ``x`` are not zero (one vectorised pass)."""
    count = 0
    for i in range(x.shape[0]):
        row = x[i]
        for j in range(x.shape[1]):
            count += row[j] != 0
    return count


@njit
def _scatter_plane(x, d, y0, x0, ycov, xcov, out):
    """``out = corr(x, d)`` on any grid, input cell by input cell, skipping zeros.

    Each nonzero ``x[y, t]`` is added, times the tap ``d[y - y0[i], t - x0[j]]``, to the
    cells ``(i, j)`` whose field holds it (``ycov``, ``xcov``: :func:`_covering`).
    """
    H, W = x.shape
    wd = d.shape[1]
    Wo = out.shape[1]
    df, of = d.ravel(), out.ravel()
    for p in range(of.shape[0]):
        of[p] = 0
    for y in range(H):
        ilo, ihi = ycov[0, y], ycov[1, y]
        if ilo >= ihi:
            continue
        row = x[y]
        for t in range(W):
            v = row[t]
            if v == 0:
                continue
            jlo, jhi = xcov[0, t], xcov[1, t]
            for i in range(ilo, ihi):
                o = i * Wo
                tap = (y - y0[i]) * wd + t  # flat index of d[y - y0[i], t] (x0[j] below)
                for j in range(jlo, jhi):
                    of[o + j] += v * df[tap - x0[j]]


@njit
def _c_excitation_job(u_s, d, y0, x0, plan, ycov, xcov, sparse, job, out):
    """Plane ``k`` of sample ``n`` (``job = n * K + k``): scattered when at most ``sparse``
    of its cells are nonzero, else by the polyphase path on a grid of one step (``plan``),
    else by the general path."""
    K = u_s.shape[1]
    n = job // K
    k = job % K
    x, dst = u_s[n, k], out[n, k]
    if _nonzeros(x) <= sparse:
        _scatter_plane(x, d, y0, x0, ycov, xcov, dst)
    elif plan[0] > 0 and plan[1] > 0:
        _polyphase_plane(x, y0[0], x0[0], plan, dst)
    else:
        _single_plane(x, d, y0, x0, dst)


@njit
def _sparse_limit(sy, sx, H, W, density):
    """Nonzero cells up to which a plane is scattered: ``density`` of it if given (>= 0),
    else the measured crossover of the path its grid takes (:data:`_SPARSE`)."""
    if density < 0:
        path = _GENERAL if sy == 0 or sx == 0 else (_FLAT if sy == sx == 1 else _PHASES)
        density = _SPARSE[path]
    return np.int64(density * H * W)


@njit(parallel=True)
def _c_excitation(u_s, d, y0, x0, out, density=-1.0):
    """out[n, k] = sum_nu d(nu) u_S(k, n+nu): each C-plane reads its own S-plane.

    ``density``: scatter the planes with at most this fraction of nonzero cells (tests
    force a path with 0 or 1); negative: the measured crossover (:data:`_SPARSE`).
    """
    N, K, H, W = u_s.shape
    plan = _phase_plan(d, y0, x0, out.shape[2], out.shape[3])
    ycov, xcov = _covering(y0, d.shape[0], H), _covering(x0, d.shape[1], W)
    sparse = _sparse_limit(plan[0], plan[1], H, W, density)
    for job in prange(N * K):
        _c_excitation_job(u_s, d, y0, x0, plan, ycov, xcov, sparse, np.int64(job), out)
