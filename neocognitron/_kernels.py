"""Private numba kernels for the cell layers. They assume valid input.

Every public function in :mod:`neocognitron.cells` validates its arguments, converts them
once to one dtype and C layout, computes the receptive-field starts with
:func:`neocognitron._grid.field_starts`, and only then calls a kernel here. Kernels write
into preallocated outputs; inside each ``prange`` loop an iteration writes only its own
slice of the output. Nothing here imports from the rest of the package but ``_numba``.

Notation follows Fukushima (1980): ``u_c`` input C-cells, ``a`` excitatory weights,
``b`` inhibitory weight, ``c`` weights onto the V_C-cell, ``d`` weights onto C-cells.

How the correlations are computed:

* **S-cells** (many input planes; :func:`_s_layer`, :func:`_correlate`) on a
  **unit-step grid** (both ``y0`` and ``x0`` are ``s, s+1, s+2, ...``: the "same" grid of
  every equal-size layer, and "valid" windows) take the *flat* path. The input planes
  under the output grid are copied once into a zero-padded window of ``Hp x Wp``
  (``Hp = H' + h - 1``, ``Wp = W' + w - 1``), so every tap reads inside it and the whole
  correlation becomes one-dimensional: output ``p = i * Wp + j`` reads ``window.flat[p + o]``
  with one offset ``o`` per tap ``(k', dy, dx)``. The inner loop then runs over ``p``,
  long and contiguous (numba/LLVM vectorise it), and each pass over it applies
  ``_GROUP`` taps at once to ``_BLOCK`` output planes, so one load of the input feeds
  ``_BLOCK`` accumulators and an accumulator is loaded and stored once per ``_GROUP``
  taps. Taps whose weight is zero in every plane of a block are skipped. The columns
  ``j >= W'`` of the flat accumulator are scratch and never read.
* **S-cells on other grids** (the shrinking layers 16 -> 10 -> 8 ...): the inner loop
  runs over the output planes, for one input cell and tap at a time
  (:func:`_planes_row`), skipping input cells that are zero (most C-cells are).
* **C-cells** (:func:`_c_excitation`, each plane reading its own S-plane through one
  ``h x w`` field) take the same flat path on unit-step grids, one plane and
  ``_GROUP_SINGLE`` taps per pass (:func:`_flat_single`).
* **V_C-cells** (one plane per sample, about 1/(K K') of an S-layer's work) and the
  C-cells on other grids use :func:`_correlate_plane`, one output row segment at a time.
  The flat path would not pay here: every function a ``prange`` loop calls is compiled
  again into that loop, which makes a first call several times slower to compile.

Inner loops index through slices that start at a non-negative offset, never with
``start + j`` where ``start`` might be negative: numba must otherwise check every index for
wrap-around, which stops vectorisation (about 6x slower).
"""

import numpy as np

from ._numba import njit, prange

# Flat-path blocking (the loop body of _flat_block is written out for these values).
# 3 planes x 4 taps keeps 12 weights, 3 accumulators and the input in the 16 vector
# registers of AVX2; measured on the digit network's second stage against 1x8, 2x4, 2x5,
# 3x3, 3x5, 3x6, 4x2, 4x3, 4x4 and 6x2 (planes x taps), it was the fastest in float32
# and float64.
_BLOCK = 3  # output planes computed together
_GROUP = 4  # taps per pass over the _BLOCK accumulators
_GROUP_SINGLE = 8  # taps per pass when a plane has its own input (C-cells)


@njit
def _unit_step(starts):
    """True when ``starts`` is ``s0, s0+1, s0+2, ...`` (the inner loop can then be contiguous)."""
    for j in range(1, starts.shape[0]):
        if starts[j] != starts[0] + j:
            return False
    return True


@njit
def _valid_range(starts, offset, n):
    """Range ``[lo, hi)`` of output indices whose tap ``starts[j] + offset`` lies in ``[0, n)``.

    ``starts`` is non-decreasing, so the valid indices are contiguous.
    """
    m = starts.shape[0]
    lo = 0
    while lo < m and starts[lo] + offset < 0:
        lo += 1
    hi = m
    while hi > lo and starts[hi - 1] + offset >= n:
        hi -= 1
    return lo, hi


# ----------------------------------------------------------------------- general path


@njit
def _correlate_plane(x, w, y0, x0, unit, acc):
    """acc[i, j] += sum_{dy, dx} w[dy, dx] * x[y0[i] + dy, x0[j] + dx]  (zero outside x)."""
    h, wd = w.shape
    H, W = x.shape
    for dx in range(wd):
        jlo, jhi = _valid_range(x0, dx, W)
        if jlo >= jhi:
            continue
        m = jhi - jlo
        first = x0[jlo] + dx  # >= 0 by construction of [jlo, jhi)
        for dy in range(h):
            wv = w[dy, dx]
            if wv == 0:
                continue
            ilo, ihi = _valid_range(y0, dy, H)
            for i in range(ilo, ihi):
                row = x[y0[i] + dy]
                out = acc[i, jlo:jhi]
                if unit:
                    seg = row[first:first + m]
                    for j in range(m):
                        out[j] += wv * seg[j]
                else:
                    for j in range(m):
                        out[j] += wv * row[x0[jlo + j] + dx]


# -------------------------------------------------------------------------- flat path


@njit
def _flat_path(y0, x0):
    """Whether the grid takes the flat path: unit steps along both axes."""
    return y0.shape[0] > 0 and x0.shape[0] > 0 and _unit_step(y0) and _unit_step(x0)


@njit
def _pad_window(x, ys, xs, out):
    """``out[k, i, j] = x[k, ys + i, xs + j]`` where that lies inside ``x``.

    ``out`` comes zeroed (``np.zeros``), so the part outside ``x`` reads 0.
    """
    Kp, H, W = x.shape
    Hp, Wp = out.shape[1], out.shape[2]
    ilo, ihi = max(0, -ys), min(Hp, H - ys)
    jlo, jhi = max(0, -xs), min(Wp, W - xs)
    if ilo >= ihi or jlo >= jhi:
        return
    m = jhi - jlo
    for k in range(Kp):
        for i in range(ilo, ihi):
            src = x[k, ys + i, xs + jlo:xs + jhi]
            dst = out[k, i, jlo:jhi]
            for j in range(m):
                dst[j] = src[j]


@njit
def _flat_taps(w, k0, Hp, Wp, wts, offs):
    """Taps of planes ``k0 .. k0 + wts.shape[1] - 1`` of ``w`` (K, K', h, w) for the flat path.

    Writes ``wts[t, b]`` (weight of plane ``k0 + b``; 0 past the last plane) and the flat
    offset ``offs[t]`` of tap ``(k', dy, dx)`` in a window of ``K' x Hp x Wp``; taps that
    are zero in every plane are left out, and the list is padded to a multiple of
    ``_GROUP`` (the arrays need ``_GROUP - 1`` spare rows). Returns its length.
    """
    K, Kp, h, wd = w.shape
    nb = wts.shape[1]
    zero = w.dtype.type(0)
    T = 0
    for kp in range(Kp):
        for dy in range(h):
            for dx in range(wd):
                keep = False
                for b in range(nb):
                    wv = w[k0 + b, kp, dy, dx] if k0 + b < K else zero
                    wts[T, b] = wv
                    if wv != 0:
                        keep = True
                if keep:
                    offs[T] = (kp * Hp + dy) * Wp + dx
                    T += 1
    while T % _GROUP:  # zero-weight taps, so that _flat_block needs no remainder loop
        for b in range(nb):
            wts[T, b] = zero
        offs[T] = 0
        T += 1
    return T


@njit
def _flat_block(xf, wts, offs, T, acc, P):
    """``acc[b, p] += sum_t wts[t, b] * xf[p + offs[t]]``, ``p < P``, for ``_BLOCK`` (= 3) planes.

    ``T`` is a multiple of ``_GROUP`` (see :func:`_flat_taps`); ``acc`` comes zeroed. Rows
    of ``acc`` may be longer than ``P`` (padded so that every row starts 64-byte aligned).
    """
    o0, o1, o2 = acc[0], acc[1], acc[2]
    t = 0
    while t + _GROUP <= T:  # four taps, three planes per pass; 12 weights stay in registers
        a0, a1, a2, a3 = wts[t, 0], wts[t + 1, 0], wts[t + 2, 0], wts[t + 3, 0]
        b0, b1, b2, b3 = wts[t, 1], wts[t + 1, 1], wts[t + 2, 1], wts[t + 3, 1]
        c0, c1, c2, c3 = wts[t, 2], wts[t + 1, 2], wts[t + 2, 2], wts[t + 3, 2]
        s0 = xf[offs[t]:offs[t] + P]
        s1 = xf[offs[t + 1]:offs[t + 1] + P]
        s2 = xf[offs[t + 2]:offs[t + 2] + P]
        s3 = xf[offs[t + 3]:offs[t + 3] + P]
        for p in range(P):
            x0, x1, x2, x3 = s0[p], s1[p], s2[p], s3[p]
            o0[p] += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3
            o1[p] += b0 * x0 + b1 * x1 + b2 * x2 + b3 * x3
            o2[p] += c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3
        t += _GROUP


@njit
def _plane_taps(w, Wp, wts, offs):
    """Taps of one 2-D field ``w`` (h, w) over a window of width ``Wp``: 1-D ``wts``, ``offs``.

    Zero taps are left out and the list is padded with zero-weight taps to a multiple of
    ``_GROUP_SINGLE``, like :func:`_flat_taps`. Returns its length.
    """
    h, wd = w.shape
    T = 0
    for dy in range(h):
        for dx in range(wd):
            if w[dy, dx] != 0:
                wts[T] = w[dy, dx]
                offs[T] = dy * Wp + dx
                T += 1
    while T % _GROUP_SINGLE:
        wts[T] = 0
        offs[T] = 0
        T += 1
    return T


@njit
def _flat_single(xf, wts, offs, T, acc, P):
    """``acc[p] += sum_t wts[t] * xf[p + offs[t]]``, ``p < P``: one plane, 8 taps per pass."""
    t = 0
    while t + _GROUP_SINGLE <= T:
        w0, w1, w2, w3 = wts[t], wts[t + 1], wts[t + 2], wts[t + 3]
        w4, w5, w6, w7 = wts[t + 4], wts[t + 5], wts[t + 6], wts[t + 7]
        s0 = xf[offs[t]:offs[t] + P]
        s1 = xf[offs[t + 1]:offs[t + 1] + P]
        s2 = xf[offs[t + 2]:offs[t + 2] + P]
        s3 = xf[offs[t + 3]:offs[t + 3] + P]
        s4 = xf[offs[t + 4]:offs[t + 4] + P]
        s5 = xf[offs[t + 5]:offs[t + 5] + P]
        s6 = xf[offs[t + 6]:offs[t + 6] + P]
        s7 = xf[offs[t + 7]:offs[t + 7] + P]
        for p in range(P):
            acc[p] += (w0 * s0[p] + w1 * s1[p] + w2 * s2[p] + w3 * s3[p]
                       + w4 * s4[p] + w5 * s5[p] + w6 * s6[p] + w7 * s7[p])
        t += _GROUP_SINGLE


# ------------------------------------------------------- general path, many planes


@njit
def _transpose_weights(w):
    """``(K, K', h, w) -> (K', h, w, K)``, contiguous: the planes of one tap side by side."""
    K, Kp, h, wd = w.shape
    wT = np.empty((Kp, h, wd, K), dtype=w.dtype)
    for k in range(K):
        for kp in range(Kp):
            for dy in range(h):
                for dx in range(wd):
                    wT[kp, dy, dx, k] = w[k, kp, dy, dx]
    return wT


@njit
def _planes_row(x, wT, y0, x0, i, acc):
    """``acc[j, k] += sum_{k', dy, dx} wT[k', dy, dx, k] * x[k', y0[i] + dy, x0[j] + dx]``.

    One output row ``i`` of every plane ``k`` on any grid (zero outside ``x``). The inner
    loop runs over the planes ``k``, contiguous in ``wT`` and ``acc``, so it vectorises
    whatever the grid; input cells that are zero (most C-cells) are skipped.
    """
    Kp, H, W = x.shape
    h, wd, K = wT.shape[1], wT.shape[2], wT.shape[3]
    for dy in range(h):
        y = y0[i] + dy
        if y < 0 or y >= H:
            continue
        for j in range(acc.shape[0]):
            out = acc[j]
            for dx in range(wd):
                xx = x0[j] + dx
                if xx < 0 or xx >= W:
                    continue
                for kp in range(Kp):
                    xv = x[kp, y, xx]
                    if xv == 0:
                        continue
                    wrow = wT[kp, dy, dx]
                    for k in range(K):
                        out[k] += xv * wrow[k]


# ------------------------------------------------------------------ per-job helpers
# Each parallel kernel below is one thin ``prange`` over jobs that calls a plain njit
# function; a job writes only its own slice of the output. One ``prange`` per kernel
# (the job picks the path) keeps the first compilation shorter: numba links and
# re-generates the machine code of everything a parallel loop calls once per loop, and
# with one loop per path the S-layer took about twice as long to compile.


@njit
def _flat_job(x, w, y0, x0, job, groups, per_job, out):
    """Flat path, job ``(n, g)``: blocks ``g * per_job ...`` of planes of sample ``n``.

    The padded window of sample ``n`` is built once and serves all ``per_job`` blocks of
    ``_BLOCK`` planes. Returns ``(n, k0, nk, acc)``: ``acc[b, i * Wp + j]`` is output
    ``(i, j)`` of plane ``k0 + b``, ``b < nk`` (the caller writes its slice of ``out``).
    """
    Kp = x.shape[1]
    K, h, wd = w.shape[0], w.shape[2], w.shape[3]
    Ho, Wo = out.shape[2], out.shape[3]
    Hp, Wp = Ho + h - 1, Wo + wd - 1
    n = job // groups
    k0 = (job % groups) * per_job * _BLOCK
    nk = min(per_job * _BLOCK, K - k0)
    window = np.zeros((Kp, Hp, Wp), dtype=x.dtype)
    _pad_window(x[n], y0[0], x0[0], window)
    xf = window.ravel()
    ntaps = Kp * h * wd + _GROUP - 1
    wts = np.empty((ntaps, _BLOCK), dtype=w.dtype)
    offs = np.empty(ntaps, dtype=np.int64)
    P = (Ho - 1) * Wp + Wo
    acc = np.zeros((per_job * _BLOCK, (P + 15) // 16 * 16), dtype=out.dtype)
    for b0 in range(0, nk, _BLOCK):
        T = _flat_taps(w, k0 + b0, Hp, Wp, wts, offs)
        _flat_block(xf, wts, offs, T, acc[b0:b0 + _BLOCK], P)
    return n, k0, nk, acc


@njit
def _rows_job(x, wT, y0, x0, job, out):
    """General path, job ``(n, i)``: ``acc[j, k]``, output row ``i`` of every plane."""
    Ho = out.shape[2]
    n = job // Ho
    i = job % Ho
    acc = np.zeros((out.shape[3], out.shape[1]), dtype=out.dtype)
    _planes_row(x[n], wT, y0, x0, i, acc)
    return n, i, acc


@njit
def _unflatten(flat, Wp, dst):
    """``dst[i, j] = flat[i * Wp + j]``."""
    Ho, Wo = dst.shape
    for i in range(Ho):
        src = flat[i * Wp:i * Wp + Wo]
        row = dst[i]
        for j in range(Wo):
            row[j] = src[j]


@njit
def _correlate_job(x, w, wT, y0, x0, flat, groups, per_job, job, out):
    if flat:
        n, k0, nk, acc = _flat_job(x, w, y0, x0, job, groups, per_job, out)
        Wp = out.shape[3] + w.shape[3] - 1
        for b in range(nk):
            _unflatten(acc[b], Wp, out[n, k0 + b])
    else:
        n, i, acc = _rows_job(x, wT, y0, x0, job, out)
        for k in range(out.shape[1]):
            dst = out[n, k, i]
            for j in range(out.shape[3]):
                dst[j] = acc[j, k]


@njit
def _s_finish(e, bk, r, vrow, out):
    """``out[j] = r * phi[(1 + e[j]) / (1 + bk * v[j]) - 1]`` along one output row."""
    one = out.dtype.type(1)
    zero = out.dtype.type(0)
    for j in range(out.shape[0]):
        x = (one + e[j]) / (one + bk * vrow[j]) - one
        out[j] = r * x if x > 0 else zero


@njit
def _s_job(u_c, a, aT, b, v, r, y0, x0, flat, groups, per_job, job, out):
    Ho, Wo = out.shape[2], out.shape[3]
    theta = (r + r) / (r + out.dtype.type(1))  # 2r/(1+r), in the output's dtype
    if flat:
        n, k0, nk, acc = _flat_job(u_c, a, y0, x0, job, groups, per_job, out)
        Wp = Wo + a.shape[3] - 1
        for bb in range(nk):
            bk = theta * b[k0 + bb]
            for i in range(Ho):
                _s_finish(acc[bb, i * Wp:i * Wp + Wo], bk, r, v[n, i], out[n, k0 + bb, i])
    else:
        n, i, acc = _rows_job(u_c, aT, y0, x0, job, out)
        e = np.empty(Wo, dtype=out.dtype)
        for k in range(out.shape[1]):
            for j in range(Wo):
                e[j] = acc[j, k]
            _s_finish(e, theta * b[k], r, v[n, i], out[n, k, i])


@njit
def _single_plane(x, w, y0, x0, out):
    """``out = corr(x, w)`` on the grid for one plane ``x`` (H, W); ``w`` (h, w)."""
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = 0
    _correlate_plane(x, w, y0, x0, _unit_step(x0), out)


@njit
def _c_excitation_job(u_s, d, y0, x0, flat, job, out):
    """Plane ``k`` of sample ``n`` (``job = n * K + k``); the flat path on unit-step grids."""
    K = u_s.shape[1]
    n = job // K
    k = job % K
    if not flat:
        _single_plane(u_s[n, k], d, y0, x0, out[n, k])
        return
    h, wd = d.shape
    Ho, Wo = out.shape[2], out.shape[3]
    Hp, Wp = Ho + h - 1, Wo + wd - 1
    window = np.zeros((1, Hp, Wp), dtype=u_s.dtype)
    _pad_window(u_s[n, k:k + 1], y0[0], x0[0], window)
    wts = np.empty(h * wd + _GROUP_SINGLE - 1, dtype=d.dtype)
    offs = np.empty(h * wd + _GROUP_SINGLE - 1, dtype=np.int64)
    T = _plane_taps(d, Wp, wts, offs)
    P = (Ho - 1) * Wp + Wo
    acc = np.zeros(P, dtype=out.dtype)
    _flat_single(window.ravel(), wts, offs, T, acc, P)
    _unflatten(acc, Wp, out[n, k])


@njit
def _v_c_job(u_c, c, n, y0, x0, out):
    H, W = u_c.shape[2], u_c.shape[3]
    sq = np.zeros((H, W), dtype=u_c.dtype)
    for kp in range(u_c.shape[1]):
        src = u_c[n, kp]
        for i in range(H):
            s = src[i]
            d = sq[i]
            for j in range(W):
                d[j] += s[j] * s[j]
    acc = out[n]
    _single_plane(sq, c, y0, x0, acc)
    for i in range(acc.shape[0]):
        row = acc[i]
        for j in range(acc.shape[1]):
            row[j] = np.sqrt(row[j])


@njit
def _c_finish_job(e, alpha, n, out):
    K, H, W = e.shape[1], e.shape[2], e.shape[3]
    one = out.dtype.type(1)
    zero = out.dtype.type(0)
    planes = out.dtype.type(K)
    en = e[n].reshape((K, H * W))
    on = out[n].reshape((K, H * W))
    v_s = np.zeros(H * W, dtype=out.dtype)
    for k in range(K):
        ek = en[k]
        for p in range(H * W):
            v_s[p] += ek[p]
    for p in range(H * W):
        v_s[p] = one + v_s[p] / planes
    for k in range(K):
        ek = en[k]
        ok = on[k]
        for p in range(H * W):
            x = (one + ek[p]) / v_s[p] - one
            ok[p] = x / (alpha + x) if x > 0 else zero


_MIN_JOBS = 64  # flat path: blocks are grouped per job only while this many jobs remain


@njit
def _jobs(N, K, Ho, flat):
    """``(jobs, groups, per_job)``: ``N * Ho`` row jobs, or ``(n, g)`` jobs if ``flat``.

    A flat job computes ``per_job`` blocks of ``_BLOCK`` planes from one padded window, so
    large batches build each window once; small batches keep one block per job so that
    every thread gets work. The split does not depend on the number of threads.
    """
    if not flat:
        return N * Ho, 1, 1
    nblk = (K + _BLOCK - 1) // _BLOCK
    per_job = min(nblk, max(1, (N * nblk) // _MIN_JOBS))
    groups = (nblk + per_job - 1) // per_job
    return N * groups, groups, per_job


# ------------------------------------------------------------------------ the kernels


@njit(parallel=True)
def _correlate(x, w, y0, x0, out):
    """Multi-channel correlation: out[n, k] = sum_k' corr(x[n, k'], w[k, k']) on the grid."""
    flat = _flat_path(y0, x0)
    wT = _transpose_weights(w[:0] if flat else w)  # the general path's layout
    njobs, groups, per_job = _jobs(x.shape[0], w.shape[0], out.shape[2], flat)
    for job in prange(njobs):
        _correlate_job(x, w, wT, y0, x0, flat, groups, per_job, np.int64(job), out)


@njit(parallel=True)
def _v_c(u_c, c, y0, x0, out):
    """V_C-cell: out[n] = sqrt( sum_k' sum_nu c(nu) u_c(k', n+nu)^2 )."""
    for n in prange(u_c.shape[0]):
        _v_c_job(u_c, c, np.int64(n), y0, x0, out)


@njit(parallel=True)
def _s_layer(u_c, a, b, v, r, y0, x0, out):
    """S-cell, eq. (1) of Fukushima (1980), given the V_C-cells ``v`` on the output grid.

    u_S(k, n) = r * phi[(1 + sum a u_C) / (1 + 2r/(1+r) b(k) v_C(n)) - 1]
    """
    flat = _flat_path(y0, x0)
    aT = _transpose_weights(a[:0] if flat else a)  # the general path's layout
    njobs, groups, per_job = _jobs(u_c.shape[0], a.shape[0], out.shape[2], flat)
    for job in prange(njobs):
        _s_job(u_c, a, aT, b, v, r, y0, x0, flat, groups, per_job, np.int64(job), out)


@njit(parallel=True)
def _c_excitation(u_s, d, y0, x0, out):
    """out[n, k] = sum_nu d(nu) u_S(k, n+nu): each C-plane reads its own S-plane."""
    K = u_s.shape[1]
    flat = _flat_path(y0, x0)
    for job in prange(u_s.shape[0] * K):
        _c_excitation_job(u_s, d, y0, x0, flat, np.int64(job), out)


@njit(parallel=True)
def _c_layer_finish(e, alpha, out):
    """C-cell, eq. (3)-(4): u_C = psi[(1 + e) / (1 + v_S) - 1], v_S = mean_k e.

    psi[x] = phi[x] / (alpha + phi[x]).
    """
    for n in prange(e.shape[0]):
        _c_finish_job(e, alpha, np.int64(n), out)
