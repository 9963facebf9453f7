"""Private numba kernels for the cell layers. They assume valid input.

The functions of :mod:`neocognitron._cells` call the kernels here, on arrays checked and
converted to one dtype and C layout once (by the public functions of
:mod:`neocognitron.cells`, or at an estimator's boundary), with the receptive-field starts
of :func:`neocognitron._grid.field_starts`. Kernels write
into preallocated outputs; inside each ``prange`` loop an iteration writes only its own
slice of the output. Nothing here imports from the rest of the package but ``_numba``
and ``_correlate`` (the correlation helpers these kernels share); the C-cells' excitation
is in :mod:`._kernels_c`.

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
* **C-cells** (:func:`._kernels_c._c_excitation`, each plane reading its own S-plane
  through one ``h x w`` field) take the same flat path, one plane and ``_GROUP_SINGLE``
  taps per pass (:func:`_flat_single`), on unit-step grids and, split into phases, on
  strided ones (see :mod:`._kernels_c`).
* **V_C-cells** (one plane per sample, about 1/(K K') of an S-layer's work) and the
  C-cells on irregular grids use :func:`_correlate_plane`, one output row segment at a
  time.
  The flat path would not pay here: every function a ``prange`` loop calls is compiled
  again into that loop, which makes a first call several times slower to compile.

Inner loops index through slices that start at a non-negative offset, never with
``start + j`` where ``start`` might be negative: numba must otherwise check every index for
wrap-around, which stops vectorisation (about 6x slower).
"""


import numpy as np

from ._correlate import (  # noqa: F401  (_unit_step, _valid_range, _correlate_plane: tests)
    _BLOCK,
    _correlate_job,
    _correlate_plane,
    _flat_job,
    _flat_path,
    _rows_job,
    _single_plane,
    _transpose_weights,
    _unit_step,
    _valid_range,
)
from ._numba import njit, njit_exact, prange

# The functions that decide whether a cell answers (_s_finish, _c_finish_job) are compiled
# without fastmath (see neocognitron._numba): e.g. contracting ``1 + bk * v`` into a fused
# multiply-add made S-cells whose excitation equals their inhibition answer with 2e-16
# instead of staying silent. They are O(outputs), the correlations that feed them
# O(outputs x taps), so this costs little.


@njit_exact
def _s_finish(e, b_k, r, vrow, out):
    """``out[j] = r * phi[(1 + e[j]) / (1 + 2r/(1+r) * b_k * v[j]) - 1]`` along one row."""
    one = out.dtype.type(1)
    zero = out.dtype.type(0)
    bk = (r + r) / (r + one) * b_k  # 2r/(1+r) b(k), in the output's dtype
    for j in range(out.shape[0]):
        x = (one + e[j]) / (one + bk * vrow[j]) - one
        out[j] = r * x if x > zero else zero


@njit
def _s_job(u_c, a, aT, b, v, r, y0, x0, flat, groups, per_job, job, out):
    Ho, Wo = out.shape[2], out.shape[3]
    if flat:
        n, k0, nk, acc = _flat_job(u_c, a, y0, x0, job, groups, per_job, out)
        Wp = Wo + a.shape[3] - 1
        for bb in range(nk):
            for i in range(Ho):
                _s_finish(acc[bb, i * Wp:i * Wp + Wo], b[k0 + bb], r, v[n, i],
                          out[n, k0 + bb, i])
    else:
        n, i, acc = _rows_job(u_c, aT, y0, x0, job, out)
        e = np.empty(Wo, dtype=out.dtype)
        for k in range(out.shape[1]):
            for j in range(Wo):
                e[j] = acc[j, k]
            _s_finish(e, b[k], r, v[n, i], out[n, k, i])


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


@njit_exact
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
            ok[p] = x / (alpha + x) if x > zero else zero


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
def _c_layer_finish(e, alpha, out):
    """C-cell, eq. (3)-(4): u_C = psi[(1 + e) / (1 + v_S) - 1], v_S = mean_k e.

    psi[x] = phi[x] / (alpha + phi[x]).
    """
    for n in prange(e.shape[0]):
        _c_finish_job(e, alpha, np.int64(n), out)

