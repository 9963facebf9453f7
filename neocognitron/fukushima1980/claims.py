"""The paper's strict claim: each pattern answered by one UC3 cell, no cell answering two.

Fukushima (1980, section 4) says that after self-organisation each training pattern
elicits an output "only from one of the C-cells of layer UC3", a different cell for each
pattern. "Distinct winners" (:func:`neocognitron.fukushima1980.evaluation.distinct`)
only asks that the *strongest* cells differ; :func:`strict_claim_of` asks what the paper
says, with a tolerance ``fraction`` for "responds" (an analogue output is never exactly 0
in a network whose cells all see some input; 10 % of the winner is the default).

Definitions, for UC3 responses ``R`` of shape (P patterns, N cells), every cell of every
plane, and ``0 <= fraction < 1``:

* the *peak* of pattern ``p`` is ``max_j R[p, j]``; its *winner* is the first cell
  reaching the peak, or -1 when the peak is 0 (a *silent* pattern);
* cell ``j`` *responds* to pattern ``p`` when ``R[p, j] > fraction * peak_p`` and
  ``R[p, j] > 0``: a silent pattern has no responding cell, and a pattern that is not
  silent has at least one (its winner);
* ``n_responding[p]`` counts the cells responding to ``p`` (the paper's claim is 1);
* a *shared* cell responds to two patterns or more;
* the claim *holds* when every pattern has exactly one responding cell and no cell is
  shared. A silent pattern (0 responding cells) makes it fail. When it holds the winners
  are distinct, so "holds" implies "distinct winners" but not the converse.
"""

import numpy as np

from .._validation import as_real_array, check_scalar

#: The paper's "responds": above this fraction of the pattern's strongest UC3 cell.
FRACTION = 0.1


def _check_fraction(fraction):
    fraction = check_scalar(fraction, "fraction", low=0, low_inclusive=True)
    if fraction >= 1:
        raise ValueError(f"fraction must be < 1 (the winner itself must respond), got "
                         f"{fraction}")
    return fraction


def strict_claim_of(responses, fraction=FRACTION):
    """The strict claim measured on UC3 responses (the pure measure; see the module).

    Parameters
    ----------
    responses : array-like, shape (P, N) or (P, K, H, W)
        The UC3 response of each of P patterns (``model.transform(patterns)`` or
        ``model.forward(patterns)["UC3"]``): non-negative, finite. Trailing axes are
        flattened, cell ``j`` being the ``j``-th of ``transform``'s columns.
    fraction : float in [0, 1), default 0.1
        A cell responds when its output exceeds this fraction of the pattern's peak.

    Returns
    -------
    claim : dict
        ``fraction``; ``winners`` (P cell indices, -1 where silent); ``n_responding``
        (P counts); ``responding`` (P lists of the responding cells' indices, strongest
        first); ``runner_up`` (P ratios of the second strongest cell to the peak, 0.0 with
        one live cell, None where silent); ``shared_cells`` (indices of cells responding to
        two patterns or more) and ``n_shared``; ``n_silent``; ``n_single`` (patterns with
        exactly one responding cell); ``holds`` (bool).
    """
    fraction = _check_fraction(fraction)
    R = as_real_array(responses, "responses", nonnegative=True, dtype=np.float64)
    if R.ndim < 2:
        raise ValueError(f"responses must have one row per pattern, shape (P, N) or "
                         f"(P, K, H, W), got shape {R.shape}")
    R = R.reshape(len(R), -1)
    peak = R.max(axis=1)
    live = peak > 0
    responds = (R > fraction * peak[:, None]) & (R > 0)
    n_responding = responds.sum(axis=1)
    shared = np.flatnonzero(responds.sum(axis=0) >= 2)
    order = np.argsort(-R, axis=1, kind="stable")
    runner_up = [None if not live[p] else
                 float(R[p, order[p, 1]] / peak[p]) if R.shape[1] > 1 else 0.0
                 for p in range(len(R))]
    holds = bool((n_responding == 1).all() and shared.size == 0)
    return {
        "fraction": fraction,
        "winners": np.where(live, order[:, 0], -1).tolist(),
        "n_responding": n_responding.tolist(),
        "responding": [[int(j) for j in order[p] if responds[p, j]] for p in range(len(R))],
        "runner_up": runner_up,
        "shared_cells": shared.tolist(),
        "n_shared": int(shared.size),
        "n_silent": int((~live).sum()),
        "n_single": int((n_responding == 1).sum()),
        "holds": holds,
    }


def strict_claim(model, patterns, fraction=FRACTION):
    """The strict claim for ``model`` on ``patterns`` (:func:`strict_claim_of` of its UC3).

    Parameters
    ----------
    model : object with ``transform(X)``
        E.g. a fitted :class:`neocognitron.Neocognitron`: ``transform`` gives every UC3
        cell of every plane, flattened.
    patterns : ndarray, shape (P, H, W)
    fraction : float in [0, 1), default 0.1

    Returns
    -------
    claim : dict
        As :func:`strict_claim_of`.
    """
    fraction = _check_fraction(fraction)
    return strict_claim_of(model.transform(patterns), fraction)
