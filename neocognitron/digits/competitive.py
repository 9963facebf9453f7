"""Unsupervised competitive learning of the intermediate S-layers (Fukushima 2003).

One presentation of one input ``u_C`` (the C-layer below, ``(K', H, W)``) to an S-layer
whose planes have learned the patterns ``X[:K]`` (weights ``a = c * X``,
``b = sqrt(sum a^2 / c)``, cells with the *learning* threshold ``theta_L``):

1. **Winner-take-all.** A cell is a candidate if it is the largest, over every plane, in
   its competition area (``area x area`` positions); the strongest positive candidate of
   each plane is that plane's winner (the 1980 representatives,
   :func:`neocognitron.columns.representatives`). A winner of plane ``k`` at
   ``n`` adds ``q`` times the input patch under its receptive field to ``X[k]``; the weights are
   shared, so the whole plane learns.
2. **Add-if-silent.** Where no S-cell answers although the input is active (``v_C`` at
   least ``min_activity`` times the largest ``v_C`` of this input), a new plane is
   generated: its seed is the silent position with the largest ``v_C``, and it learns
   that patch in one shot (``X[K] = q * patch``). The new plane answers around its seed,
   so those positions stop being silent; the next silent position with the largest
   ``v_C`` seeds the next plane, until none is left or the layer has ``max_planes``.
   The rule is named in Fukushima, Neural Networks 37, 103-119 (2013). By default
   generated planes also take part in the winner-take-all reinforcement of step 1, as in
   the 2003 network.

Winners are found before any plane is added, so a new plane never wins on the
presentation that made it.

**Frozen cells** (``frozen=True``, Fukushima 2013/2014): step 1 is skipped, so a plane
keeps the patch it was generated from for ever; the 2014 text says an add-if-silent cell
"learns the activity of the presynaptic cells in one-shot, and its input connections will
never be modified afterward". Only step 2 runs, with the same silence rule and the same
choice of seeds. There is then no winner, and ``q`` only scales every pattern alike:
whether a cell answers (its ``c``-weighted cosine above ``theta``) does not depend on it.
"""

import numpy as np

from .. import _cells
from .._grid import field_starts
from ..columns import _representatives, input_patch
from .layers import _theta_weights


def _silent_mask(u_s, v, min_activity):
    """Positions where every plane is silent but the input is active, ``(H, W)`` bool."""
    active = (v > 0) & (v >= min_activity * v.max())
    if u_s.shape[0] == 0:
        return active
    return active & (u_s.max(axis=0) <= 0)


def _present(X, n_planes, u_c, c, theta, q, area, min_activity, frozen=False):
    """One presentation: reinforce the winners, then add planes where it is silent.

    Parameters
    ----------
    X : ndarray, shape (max_planes, K', h, w)
        Learned patterns; rows ``[:n_planes]`` are in use. Updated in place.
    n_planes : int
        Planes in use before this presentation.
    u_c : ndarray, shape (K', H, W)
        Input of the S-layer ("same" grid: the S-layer is ``H x W``): C-cells, so finite
        and non-negative; C-contiguous, of the dtype of ``c``. Not checked again here:
        the estimator checked the images it was computed from.
    c : ndarray, shape (h, w)
        Weights onto the V_C-cells, positive.
    theta : float
        Learning threshold ``theta_L``.
    q : float
        Speed of reinforcement.
    area : int
        Side of the competition area, in positions.
    min_activity : float
        Fraction of this input's largest ``v_C`` below which silence adds nothing.
    frozen : bool, default=False
        Add-if-silent alone (Fukushima 2013/2014): no plane is reinforced, only new
        planes are generated where the layer is silent.

    Returns
    -------
    n_planes : int
        Planes in use after the presentation.
    winners : list of (k, y, x)
        The cells that reinforced their planes (none when ``frozen``).
    seeds : list of (y, x)
        Where new planes were generated (planes ``n_planes_before ...``, in order).
    """
    if not isinstance(frozen, (bool, np.bool_)):
        raise TypeError(f"frozen must be True or False, got {frozen!r}")
    H, W = u_c.shape[1:]
    h, w = c.shape
    ys, xs = field_starts(H, H, h), field_starts(W, W, w)
    batch = u_c[None]  # the cells take batches
    v = _cells.v_c(batch, c)[0]
    if n_planes:
        a, b = _theta_weights(X[:n_planes], c)
        u_s = _cells.s_layer_theta(batch, a.astype(u_c.dtype), b.astype(u_c.dtype), c, theta)[0]
    else:
        u_s = np.zeros((0, H, W), dtype=u_c.dtype)
    winners = _representatives(u_s, (area, area)) if n_planes and not frozen else []
    for k, y, x in winners:
        X[k] += q * input_patch(u_c, ys[y], xs[x], (h, w))
    silent = _silent_mask(u_s, v, min_activity)
    seeds = []
    while silent.any() and n_planes < X.shape[0]:
        y, x = np.unravel_index(np.argmax(np.where(silent, v, -np.inf)), silent.shape)
        X[n_planes] = q * input_patch(u_c, ys[y], xs[x], (h, w))
        a, b = _theta_weights(X[n_planes : n_planes + 1], c)
        answer = _cells.s_layer_theta(batch, a.astype(u_c.dtype), b.astype(u_c.dtype), c,
                                      theta)[0, 0]
        silent &= answer <= 0
        silent[y, x] = False  # the seed answers its own patch; never loop on it
        seeds.append((int(y), int(x)))
        n_planes += 1
    return n_planes, winners, seeds
