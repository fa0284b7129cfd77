"""Per-tier rows of the simulation table, computed with bincount-style reductions."""

from __future__ import annotations

from collections.abc import Set

import numpy as np

from .core import Fill
from .inputs import AllocationInputs, BoolArray, IntArray
from .result import TierSummary
from .rules import ProductRule

#: Largest (tier × limit) histogram used for the per-tier reductions (else ufunc.at).
_HISTOGRAM_CELLS = 1 << 16


def tier_summary(
    inputs: AllocationInputs,
    rule: ProductRule,
    included: BoolArray,
    limit: IntArray,
    bumped: BoolArray | None,
    fill: Fill,
    raised: Set[int],
) -> tuple[TierSummary, ...]:
    """One ``TierSummary`` per tier present in the inputs, best tier first."""
    values, key = inputs.tier_index
    k = values.size
    retailers = inputs.tier_counts
    part_key = np.where(included, key, k)  # slot k collects those not taking part
    top = int(limit.max()) if limit.size else 0
    if (k + 1) * (top + 1) <= _HISTOGRAM_CELLS:
        # One histogram of (tier, limit) gives the counts, sums, minima and maxima at once.
        cells = np.bincount(part_key * (top + 1) + limit, minlength=(k + 1) * (top + 1))
        hist = cells.reshape(k + 1, top + 1)
        taking_part = hist.sum(axis=1)
        allocated = hist @ np.arange(top + 1)
        seen = hist > 0
        lo = seen.argmax(axis=1)
        hi = top - seen[:, ::-1].argmax(axis=1)
    else:
        taking_part = np.bincount(part_key, minlength=k + 1)
        allocated = np.bincount(part_key, weights=limit, minlength=k + 1)
        lo = np.full(k + 1, np.iinfo(np.int64).max, dtype=np.int64)
        hi = np.full(k + 1, -1, dtype=np.int64)
        np.minimum.at(lo, part_key, limit)
        np.maximum.at(hi, part_key, limit)
    leftover = np.zeros(k, np.int64)
    if bumped is not None:  # (tier, bumped) pairs: cheaper than compressing by the mask
        leftover = np.bincount(2 * key + bumped, minlength=2 * k).reshape(k, 2)[:, 1]
    demand = None
    if inputs.demand is not None:
        demand = np.bincount(part_key, weights=inputs.demand, minlength=k + 1)

    tier_limit: list[int | None] = [None] * k
    weights = rule.effective_tier_weights
    if rule.basis == "tier" and weights is not None and fill.total:
        tier_w = weights.weights(values)
        floors = np.floor(fill.scale * (tier_w / fill.unit)).astype(np.int64)
        if weights.as_limits:
            floors = np.minimum(floors, np.floor(tier_w).astype(np.int64))
        tier_limit = [
            int(f) + (int(t) in raised) if w > 0 else None
            for t, f, w in zip(values.tolist(), floors.tolist(), tier_w.tolist(), strict=True)
        ]

    rows = []
    for j in np.flatnonzero(retailers)[::-1].tolist():
        part = int(taking_part[j])
        dem = None if demand is None else int(demand[j])
        rows.append(
            TierSummary(
                tier=int(values[j]),
                retailers=int(retailers[j]),
                taking_part=part,
                allocated=int(allocated[j]),
                min_limit=int(lo[j]) if part else None,
                max_limit=int(hi[j]) if part else None,
                demand=dem,
                demand_satisfied=None if not dem else float(allocated[j]) / dem,
                tier_limit=tier_limit[j] if part else None,
                leftover=int(leftover[j]),
            )
        )
    return tuple(rows)
