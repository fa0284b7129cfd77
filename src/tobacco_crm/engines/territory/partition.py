"""``partition``: capacitated k-medians with workload bands, several seeded starts.

For each start (k-means++ seeds from ``np.random.default_rng(seed)``):

1. **Assign** every retailer to a centre by the LP of ``assign.assign_lp`` (least sum of
   distances with every territory's workload within ``±lp_share × tolerance`` of the mean),
   round the few split retailers, ``repair`` back into ``±tolerance`` if rounding left a load
   outside it.
2. **Re-centre** every territory on its geometric median; repeat 1-2 until the labels stop
   changing (at most ``max_iter`` times).
3. **Improve**: move or swap border retailers to a nearer centre while every load stays within
   ``±tolerance``, re-centre, until no move is left.

The start with every load in the band and the least sum of distances wins (no start in the
band: the least worst deviation). When no assignment can meet ``±tolerance`` (a retailer
heavier than the band allows, say), the band is doubled until the LP is feasible: the result
is then as balanced as that band.
"""

from __future__ import annotations

import dataclasses
import operator

import numpy as np
from numpy.typing import ArrayLike

from .assign import assign_lp, fill_empty, improve, repair
from .geometry import FloatArray, IntArray, check_inputs, distances, medians, seed_centres

#: The LP's band is this share of the tolerance, so rounding the split retailers rarely needs
#: a repair; the local moves may use the whole band.
LP_SHARE = 0.8
#: Local-improvement rounds (each: moves and swaps, then re-centre).
MAX_IMPROVE_ROUNDS = 30


@dataclasses.dataclass
class _Band:
    """The workload band, widened (doubled) once per infeasible LP; shared by the starts."""

    mean: float
    tolerance: float

    def bounds(self, share: float = 1.0) -> tuple[float, float]:
        t = self.tolerance * share
        return self.mean * (1 - t), self.mean * (1 + t)


def _assign(d: FloatArray, w: FloatArray, band: _Band, k: int) -> IntArray:
    while True:
        lo, hi = band.bounds(LP_SHARE)
        labels = assign_lp(d, w, max(lo, 0.0), hi)
        if labels is None:
            # No rounding margin: try the full band before widening it.
            lo, hi = band.bounds()
            labels = assign_lp(d, w, max(lo, 0.0), hi)
        if labels is not None:
            lo, hi = band.bounds()
            return fill_empty(d, repair(d, w, labels, max(lo, 0.0), hi, k), k)
        if band.tolerance > 1e6:  # pragma: no cover - the LP without upper bounds is feasible
            return fill_empty(d, np.argmin(d, axis=1).astype(np.int64), k)
        band.tolerance = max(2 * band.tolerance, 0.01)


def _one_start(
    xy: FloatArray, w: FloatArray, k: int, centres: FloatArray, band: _Band, max_iter: int
) -> tuple[IntArray, FloatArray]:
    labels: IntArray | None = None
    for _ in range(max_iter):
        new = _assign(distances(xy, centres), w, band, k)
        centres = medians(xy, new, k, start=centres)
        # Stable, or so nearly that the local moves of step 3 finish the job.
        if labels is not None and np.count_nonzero(new != labels) <= labels.size // 1000:
            break
        labels = new
    assert labels is not None
    lo, hi = band.bounds()
    for _ in range(MAX_IMPROVE_ROUNDS):
        labels, changes = improve(distances(xy, centres), w, labels, max(lo, 0.0), hi, k)
        centres = medians(xy, labels, k, start=centres)
        if not changes:
            break
    return labels, centres


def partition(
    coords: ArrayLike,
    workload: ArrayLike,
    k: int,
    seed: int = 0,
    *,
    tolerance: float = 0.05,
    starts: int = 4,
    max_iter: int = 25,
) -> IntArray:
    """Labels in ``range(k)`` for n retailers at ``coords`` (n×2, km) with ``workload``
    (visit minutes per week): every territory's workload within ``±tolerance`` of the mean
    where the data allows, the least sum of distances to the territories' geometric medians
    this method finds. Deterministic for a seed; every territory is non-empty when n ≥ k."""
    xy, w = check_inputs(coords, workload)
    k = operator.index(k)
    if k < 1:
        raise ValueError(f"k: must be >= 1, got {k}")
    if not 0 <= tolerance < 1:
        raise ValueError(f"tolerance: must be in [0, 1), got {tolerance}")
    if starts < 1 or max_iter < 1:
        raise ValueError("starts, max_iter: must be >= 1")
    n = xy.shape[0]
    if k == 1 or n == 0:
        return np.zeros(n, np.int64)
    if n <= k:
        return np.arange(n, dtype=np.int64)
    if w.sum() <= 0:
        w = np.ones(n)  # nothing to balance: balance the counts
    band = _Band(mean=float(w.sum()) / k, tolerance=tolerance)
    rng = np.random.default_rng(seed)
    best: tuple[tuple[bool, float, float], IntArray] | None = None
    for _ in range(starts):
        labels, centres = _one_start(xy, w, k, seed_centres(xy, k, rng), band, max_iter)
        load = np.bincount(labels, w, k)
        dev = float(np.abs(load - band.mean).max() / band.mean)
        cost = float(np.linalg.norm(xy - centres[labels], axis=1).sum())
        outside = dev > band.tolerance + 1e-9
        key = (outside, dev if outside else 0.0, cost)
        if best is None or key < best[0]:
            best = (key, labels)
    assert best is not None
    return best[1]
