"""Capacitated assignment to fixed centres, and the local moves that follow it.

``assign_lp`` solves the linear relaxation

    minimise  Σ_ij d[i,j] x[i,j]
    such that Σ_j x[i,j] = 1            (every retailer fully assigned)
              lo ≤ Σ_i w[i] x[i,j] ≤ hi (every territory's workload in its band)
              0 ≤ x ≤ 1

with HiGHS (``scipy.optimize.linprog``). With ``y = w x`` it is a transportation problem, so a
basic optimum splits at most k - 1 retailers between territories; each goes to its largest
share. ``repair`` then moves the cheapest retailers until every load is back in the band (when
single moves can get there), and ``improve`` moves or swaps border retailers to a nearer
centre while every load stays in the band. Every move keeps each territory non-empty.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from .geometry import FloatArray, IntArray

#: A move or swap must shorten the sum of distances by more than this (km) to be made.
_MIN_GAIN_KM = 1e-9
#: Border retailers per ordered pair of territories considered for swaps.
_SWAP_CANDIDATES = 24


def assign_lp(d: FloatArray, w: FloatArray, lo: float, hi: float) -> IntArray | None:
    """Labels of the rounded LP optimum, or ``None`` when the band is infeasible."""
    n, k = d.shape
    rows = np.repeat(np.arange(n), k)
    cols = np.arange(n * k)
    a_eq = sp.csr_array((np.ones(n * k), (rows, cols)), shape=(n, n * k))
    # Column i*k + j is x[i, j]: it adds w[i] to territory j's load.
    load = sp.csr_array((np.repeat(w, k), (np.tile(np.arange(k), n), cols)), shape=(k, n * k))
    a_ub = sp.vstack([load, -load]).tocsr()
    b_ub = np.concatenate([np.full(k, hi), np.full(k, -lo)])
    res = linprog(
        d.ravel(),
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=np.ones(n),
        bounds=(0.0, 1.0),
        method="highs",
    )
    if res.status != 0 or res.x is None:
        return None
    share = res.x.reshape(n, k)
    return np.argmax(share, axis=1).astype(np.int64)


def _violation(load: FloatArray, lo: float, hi: float) -> FloatArray:
    return np.maximum(load - hi, 0.0) + np.maximum(lo - load, 0.0)


def repair(
    d: FloatArray, w: FloatArray, labels: IntArray, lo: float, hi: float, k: int
) -> IntArray:
    """Move one retailer at a time, the cheapest move that lowers the total violation of the
    band, until there is none left or no single move lowers it."""
    labels = labels.copy()
    n = labels.size
    idx = np.arange(n)
    for _ in range(n):
        load = np.bincount(labels, w, k).astype(np.float64)
        viol = _violation(load, lo, hi)
        if viol.sum() <= 0:
            break
        count = np.bincount(labels, minlength=k)
        src = labels
        # Change of violation for moving i from src[i] to j (n×k).
        before = viol[src][:, None] + viol[None, :]
        after = _violation(load[src] - w, lo, hi)[:, None] + _violation(
            load[None, :] + w[:, None], lo, hi
        )
        better = (before - after > 1e-12) & (count[src] > 1)[:, None]
        better[idx, src] = False
        if not better.any():
            break
        cost = np.where(better, d - d[idx, src][:, None], np.inf)
        i, j = np.unravel_index(int(np.argmin(cost)), cost.shape)
        labels[i] = j
    return labels


def improve(
    d: FloatArray, w: FloatArray, labels: IntArray, lo: float, hi: float, k: int
) -> tuple[IntArray, int]:
    """One round of moves then swaps to a nearer centre that keep every load in the band
    (or, for a load already outside it, that do not push it further out). Returns the labels
    and the number of changes."""
    labels = labels.copy()
    n = labels.size
    idx = np.arange(n)
    load = np.bincount(labels, w, k).astype(np.float64)
    count = np.bincount(labels, minlength=k)
    gain = d[idx, labels][:, None] - d  # > 0: j is nearer than the own centre
    gain[idx, labels] = -np.inf
    changes = 0

    # Single moves, best gain first; each retailer at most once per round.
    cand = np.flatnonzero(gain.ravel() > _MIN_GAIN_KM)
    order = cand[np.argsort(-gain.ravel()[cand], kind="stable")]
    moved = np.zeros(n, np.bool_)
    for flat in order.tolist():
        i, j = divmod(flat, k)
        a = labels[i]
        if moved[i] or count[a] <= 1:
            continue
        if load[a] - w[i] < min(lo, load[a]) or load[j] + w[i] > max(hi, load[j]):
            continue
        labels[i] = j
        load[a] -= w[i]
        load[j] += w[i]
        count[a] -= 1
        count[j] += 1
        moved[i] = True
        changes += 1

    # Swaps between two territories: i leaves a for b and m leaves b for a.
    gain = d[idx, labels][:, None] - d
    for a in range(k):
        for b in range(a + 1, k):
            in_a = np.flatnonzero(labels == a)
            in_b = np.flatnonzero(labels == b)
            if not in_a.size or not in_b.size:
                continue
            top_a = in_a[np.argsort(-gain[in_a, b], kind="stable")[:_SWAP_CANDIDATES]]
            top_b = in_b[np.argsort(-gain[in_b, a], kind="stable")[:_SWAP_CANDIDATES]]
            total = gain[top_a, b][:, None] + gain[top_b, a][None, :]
            for _ in range(min(top_a.size, top_b.size)):
                delta = w[top_b][None, :] - w[top_a][:, None]  # load change of a
                ok = (
                    (total > _MIN_GAIN_KM)
                    & (load[a] + delta >= min(lo, load[a]))
                    & (load[a] + delta <= max(hi, load[a]))
                    & (load[b] - delta >= min(lo, load[b]))
                    & (load[b] - delta <= max(hi, load[b]))
                )
                if not ok.any():
                    break
                r, c = np.unravel_index(int(np.argmax(np.where(ok, total, -np.inf))), ok.shape)
                i, m = top_a[r], top_b[c]
                labels[i], labels[m] = b, a
                load[a] += delta[r, c]
                load[b] -= delta[r, c]
                total[r, :] = -np.inf
                total[:, c] = -np.inf
                changes += 1
    return labels, changes


def fill_empty(d: FloatArray, labels: IntArray, k: int) -> IntArray:
    """Give every empty territory the retailer that is cheapest to move there from a
    territory with at least two (only needed when the band had to be dropped)."""
    labels = labels.copy()
    n = labels.size
    idx = np.arange(n)
    for j in range(k):
        count = np.bincount(labels, minlength=k)
        if count[j] or n < k:
            continue
        cost = np.where(count[labels] > 1, d[:, j] - d[idx, labels], np.inf)
        labels[int(np.argmin(cost))] = j
    return labels
