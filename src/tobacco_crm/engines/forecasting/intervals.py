"""Quantiles from pooled residuals: the spread of ``y / μ`` among weeks of similar ``μ``.

On the last ``calibration_weeks`` observed weeks, each week's in-sample expected value
``μ[i, t] = level[i] · P[g(i), k(t)]`` (> 0) and ratio ``r = y / μ`` are pooled over all
series and cut into bins of ``log μ`` (``BINS_PER_DECADE`` per decade). In each bin with at
least ``MIN_CELLS`` weeks the empirical ``q``-quantile of ``r`` is taken; bins with fewer take
the nearest populated bin's. A forecast ``μ̂`` gets ``μ̂ · R_q(μ̂)``, ``R_q`` interpolated
linearly in ``log μ`` between bin centres. Low means thus get the wide, skewed spread of
intermittent demand (often 0 at 10 %), high means a narrower one.

Guarantees: ``0 ≤ lower ≤ point ≤ upper`` (the bounds are clipped round the point); a zero
forecast has zero bounds. The spread is that of one week ahead in sample; it is not widened
with the horizon (the benchmark reports the hold-out coverage).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

BINS_PER_DECADE = 4
LOG_MIN, LOG_MAX = -3.0, 4.0  # μ from 0.001 to 10,000 cartons a week
MIN_CELLS = 200
MAX_CELLS = 4_000_000  # a regular subsample beyond this


def _bin_of(mu: FloatArray) -> NDArray[np.int64]:
    position = (np.log10(np.maximum(mu, 10**LOG_MIN)) - LOG_MIN) * BINS_PER_DECADE
    top = int((LOG_MAX - LOG_MIN) * BINS_PER_DECADE) - 1
    return np.clip(position.astype(np.int64), 0, top)


def ratio_quantiles(
    actual: FloatArray, expected: FloatArray, quantiles: tuple[float, ...]
) -> FloatArray:
    """``R[q, b]``: the ``q``-quantile of ``actual / expected`` in each ``log μ`` bin ``b``
    (flat 1-D arrays of the observed weeks with ``expected > 0``)."""
    bins = int((LOG_MAX - LOG_MIN) * BINS_PER_DECADE)
    table = np.ones((len(quantiles), bins))
    if expected.size == 0:
        return table
    if expected.size > MAX_CELLS:
        step = -(-expected.size // MAX_CELLS)
        actual, expected = actual[::step], expected[::step]
    b = _bin_of(expected)
    ratio = actual / expected
    order = np.lexsort((ratio, b))
    ratio, b = ratio[order], b[order]
    sizes = np.bincount(b, minlength=bins)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    populated = np.flatnonzero(sizes >= MIN_CELLS)
    if populated.size == 0:
        populated = np.flatnonzero(sizes > 0)
    for row, q in enumerate(quantiles):
        at = starts[populated] + np.floor(q * (sizes[populated] - 1)).astype(np.int64)
        values = ratio[at]
        # Nearest populated bin for the others (flat beyond the ends).
        nearest = np.abs(np.arange(bins)[:, None] - populated[None, :]).argmin(axis=1)
        table[row] = values[nearest]
    return table


def apply_quantiles(point: FloatArray, table: FloatArray) -> FloatArray:
    """Bounds ``(len(table), *point.shape)`` for the forecasts ``point``."""
    bins = table.shape[1]
    centres = np.arange(bins) + 0.5
    position = (np.log10(np.maximum(point, 10**LOG_MIN)) - LOG_MIN) * BINS_PER_DECADE
    out = np.empty((table.shape[0], *point.shape))
    for row in range(table.shape[0]):
        out[row] = point * np.interp(position, centres, table[row])
    return out
