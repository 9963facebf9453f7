"""Self-organisation of the S-layers, Fukushima (1980), section 3.

In every plane of an S-layer the strongest S-column candidate with a positive output is the
plane's *representative* (:mod:`neocognitron.columns`); planes without one are left alone.
Each representative ``(k_hat, n_hat)`` reinforces its plane, and because weights are shared
the whole plane changes:

``delta a(k', nu, k_hat) = q * c(nu) * u_C(k', n_hat + nu)``,
``delta b(k_hat) = (q / 2) * v_C(n_hat)``.

These are plain numpy: one presentation touches at most ``K`` patches, so a kernel would
buy nothing.
"""


from .._grid import field_starts
from .._validation import check_scalar
from ..columns import candidates, input_patch, representatives

# candidates and representatives are the shared S-column rule, named here too because
# they are the 1980 learning's first step (the public path of earlier releases)
__all__ = ["candidates", "representatives", "input_patch", "reinforce"]


def reinforce(a, b, u_c, v, c, q, reps):
    """Apply the 1980 reinforcement for the given representatives, in place.

    Parameters
    ----------
    a : ndarray, shape (K, K', h, w)
        Excitatory weights, updated in place.
    b : ndarray, shape (K,)
        Inhibitory weights, updated in place.
    u_c : ndarray, shape (K', H, W)
        Input of the S-layer for this presentation.
    v : ndarray, shape (H', W')
        V_C-cells on the S-layer's grid for this presentation.
    c : ndarray, shape (h, w)
        Fixed weights onto the V_C-cells.
    q : float
        Speed of reinforcement.
    reps : list of (k_hat, y_hat, x_hat)
        From :func:`neocognitron.columns.representatives`.
    """
    q = check_scalar(q, "q", low=0, low_inclusive=True)
    if a.shape[1] != u_c.shape[0] or a.shape[2:] != c.shape or b.shape[0] != a.shape[0]:
        raise ValueError(
            f"inconsistent shapes: a {a.shape}, b {b.shape}, u_c {u_c.shape}, c {c.shape}"
        )
    _reinforce(a, b, u_c, v, c, q, reps)


def _reinforce(a, b, u_c, v, c, q, reps):
    """:func:`reinforce` without its checks: for the learning loop, whose weights and
    ``q`` are made from a checked configuration."""
    H, W = u_c.shape[1:]
    ystarts = field_starts(H, v.shape[0], c.shape[0])
    xstarts = field_starts(W, v.shape[1], c.shape[1])
    for k, y, x in reps:
        patch = input_patch(u_c, ystarts[y], xstarts[x], c.shape)
        a[k] += q * c[None] * patch
        b[k] += 0.5 * q * v[y, x]
