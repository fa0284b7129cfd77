"""The invariants of an allocation, as code: ``violations(inputs, rule, limit)`` lists the broken.

Used by the property tests and by ``benchmarks/allocation.py`` (which also checks the naive
baseline with it), so a limit vector from any method can be judged by the same clauses.
Vectorised, O(n log n) (a sort per monotonicity clause).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .engine import prepare
from .inputs import AllocationInputs
from .result import AllocationResult, Reason
from .rules import ProductRule


def violations(
    inputs: AllocationInputs,
    rule: ProductRule,
    limit: ArrayLike,
    result: AllocationResult | None = None,
) -> list[str]:
    """The invariant clauses ``limit`` breaks (empty when valid).

    For any method: whole non-negative cartons; total ≤ available; left-out and zero-weight
    retailers get 0; never above a cap (so never above demand under a demand cap); with
    ``leftover="retailer"`` nothing is withheld while somebody has room; among retailers with
    the same cap a larger weight never gets less, and under the tier basis a higher tier never
    gets less. With ``result`` (the engine's own answer) also: each limit is the floor or the
    ceiling of its quota, a larger quota never gets less, equal quotas favour the higher tier,
    and the result's totals and reasons agree with the limits.
    """
    x = np.asarray(limit)
    found: list[str] = []
    if x.shape != (inputs.size,) or x.dtype != np.int64:
        return [f"limit must be int64 of shape ({inputs.size},), got {x.dtype} {x.shape}"]
    prep = prepare(inputs, rule)
    total = int(x.sum())
    if inputs.size and x.min() < 0:
        found.append("a limit is negative")
    if total > rule.available:
        found.append(f"total {total} exceeds available {rule.available}")
    if np.any(x[~prep.included]):
        found.append("an ineligible, stopped or out-of-range retailer got cartons")
    if np.any(x[prep.weight == 0]):
        found.append("a retailer with no weight got cartons")
    cap = np.full(inputs.size, -1, np.int64) if prep.cap is None else prep.cap
    capped = cap >= 0
    if np.any(x[capped] > cap[capped]):
        found.append("a limit exceeds its cap")
    if rule.caps_by_demand and inputs.demand is not None and np.any(x > inputs.demand):
        found.append("a limit exceeds demand")
    active = prep.weight > 0
    if rule.leftover == "retailer":
        if not active.any():
            room = 0
        elif np.any(active & ~capped):
            room = rule.available
        else:
            room = min(rule.available, int(cap[active].sum()))
        if total != room:
            found.append(f"total {total} differs from min(available, room) = {room}")
    # Among those taking part with a weight: the same cap, a larger weight (or tier) never less.
    # Weights within 1e-9 of each other count as equal (history × tier weight is rounded).
    cap_key = np.where(capped, cap, np.iinfo(np.int64).max)[active]
    if not _monotone(cap_key, _weight_rank(prep.weight[active]), x[active]):
        found.append("with the same cap, a larger weight got less")
    if rule.basis == "tier" and not _monotone(cap_key, inputs.tier[active], x[active]):
        found.append("with the same cap, a higher tier got less")
    if result is not None:
        found.extend(_result_violations(inputs, rule, x, result))
    return found


def _result_violations(
    inputs: AllocationInputs, rule: ProductRule, x: NDArray[np.int64], result: AllocationResult
) -> list[str]:
    found = []
    q = result.quota
    slack = 1e-9 * np.maximum(1.0, q)
    if np.any(x < np.floor(q - slack)) or np.any(x > np.ceil(q + slack)):
        found.append("a limit is neither the floor nor the ceiling of its quota")
    if not _monotone(np.zeros(x.size, np.int64), q, x):
        found.append("a larger quota got less")
    if not _monotone(q, inputs.tier, x):
        found.append("with equal quotas, a higher tier got less")
    if result.total != int(x.sum()) or result.undistributed != rule.available - result.total:
        found.append("result totals disagree with the limits")
    excluded = result.reason >= Reason.OUTSIDE_TIER_RANGE
    if np.any(x[excluded]) or np.any(result.reason == 0):
        found.append("reasons disagree with the limits")
    return found


def _weight_rank(weight: NDArray[np.float64]) -> NDArray[np.int64]:
    """Rank of each weight, weights within a relative 1e-9 of the previous one sharing a rank."""
    order = np.argsort(weight, kind="stable")
    w = weight[order]
    step = np.r_[False, w[1:] > w[:-1] * (1 + 1e-9)]
    rank = np.empty(weight.size, dtype=np.int64)
    rank[order] = np.cumsum(step)
    return rank


def _monotone(group: ArrayLike, key: ArrayLike, x: NDArray[np.int64]) -> bool:
    """Inside each ``group``, ``x`` never decreases from a smaller ``key`` to a larger one."""
    g, k = np.asarray(group), np.asarray(key)
    if x.size < 2:
        return True
    idx = np.lexsort((x, k, g))  # by group, then key, then x
    g, k, v = g[idx], k[idx], x[idx]
    new_group = np.r_[True, g[1:] != g[:-1]]
    new_run = new_group | np.r_[True, k[1:] != k[:-1]]
    gid = np.cumsum(new_group) - 1
    offset = gid * (int(v.max()) + 1)
    prefix_max = np.maximum.accumulate(v + offset) - offset  # running max inside each group
    starts = np.flatnonzero(new_run)
    before = np.where(new_group[starts], -1, prefix_max[np.maximum(starts - 1, 0)])
    return bool(np.all(v[starts] >= before))  # v[start] is the run's minimum
