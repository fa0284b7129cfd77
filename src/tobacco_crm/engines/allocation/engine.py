"""The rules on top of the core: ``allocate(inputs, rule) -> AllocationResult``.

Steps, all vectorised over the retailers (no Python loop over them):

1. **Who takes part**: ``eligible & ~supply_stopped & min_tier <= tier <= max_tier``. The others
   get 0 with the reason (supply stopped before ineligible before outside the tier range).
2. **Weight** by basis (``rules``): the tier weight, the history, the demand or the price-band
   history, times the tier weight when a non-tier basis has ``tier_weights`` (组合投放).
3. **Caps**: the smallest of demand (``cap_by_demand`` or the demand basis), the float
   ``floor(agreed * (1 + pct/100)) - agreed_used``, the per-retailer ``cap``, the plan's
   ``max_per_retailer`` and, for a tier table of limits, ``floor(table weight)``. On equal
   values the earlier one in this list is named as the reason.
4. **Core** (``core.solve``): water level, quotas, floors, leftovers by largest remainder, ties
   to the higher tier, then by ascending retailer id rotated by ``rule.seed``.
   With ``leftover="tier"`` the rest is instead given a whole tier at a time: from the best tier
   down, a tier is raised by one carton when all its retailers still below their quota's
   ceiling fit in the rest and it stays at or below the (final) limit of the tier above; what
   is left stays undistributed.
5. **Explain**: a reason per retailer, the undistributed cartons and why, the per-tier rows.

Invariants (``checks.violations`` states them as code; the property tests run it):

- limits are whole cartons, ``0 <= limit <= cap``; ``total <= available``;
- ineligible, stopped and out-of-range retailers get 0;
- ``limit`` is the floor or the ceiling of the quota; a larger quota never gets less;
- retailers with the same caps: a higher tier never gets less under the tier basis
  (tier weights never decrease with the tier, and quota ties go to the higher tier); with
  demand caps a limit never exceeds demand;
- with ``leftover="retailer"``, ``total == min(available, sum of caps of those with a
  positive weight)``: when available covers all (capped) demand, everyone gets its demand;
- deterministic, and independent of the row order: permuting the input rows permutes the
  result arrays and changes nothing else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from .core import Fill, solve_unchecked
from .inputs import AllocationInputs, BoolArray, FloatArray, IntArray
from .result import SHARE_REASON, AllocationResult, Reason, Undistributed
from .rules import ProductRule
from .summary import tier_summary


@dataclasses.dataclass(frozen=True, eq=False)
class Prepared:
    """Steps 1-3 for one product: who takes part, the weights and the caps (rows as given).

    ``fixed_reason`` is the reason of everybody who cannot receive anything (left out, or
    taking part with no weight) and 0 for the others; the codes are ordered so that the most
    specific one is the largest (``np.maximum`` combines them). ``cap`` is the smallest of the
    retailer's caps (-1 for none) and ``cap_reason`` names it; ``cap`` is ``None`` when the
    plan has no cap at all.
    """

    included: BoolArray
    fixed_reason: NDArray[np.uint8]
    weight: FloatArray
    cap: IntArray | None
    cap_reason: NDArray[np.uint8] | None

    @property
    def has_cap(self) -> BoolArray:
        return np.zeros(self.weight.size, np.bool_) if self.cap is None else self.cap >= 0


def _code(mask: BoolArray, reason: Reason) -> NDArray[np.uint8]:
    """``reason`` where ``mask``, else 0 (bools are bytes of 0 or 1)."""
    return mask.view(np.uint8) * np.uint8(reason)


def prepare(inputs: AllocationInputs, rule: ProductRule) -> Prepared:
    """Who takes part, each retailer's weight and binding cap (steps 1-3 of the module)."""
    tier = inputs.tier
    assert inputs.eligible is not None and inputs.supply_stopped is not None
    fixed = _code(inputs.supply_stopped, Reason.SUPPLY_STOPPED)
    np.maximum(fixed, _code(~inputs.eligible, Reason.INELIGIBLE), out=fixed)
    if rule.min_tier is not None or rule.max_tier is not None:
        low = rule.min_tier if rule.min_tier is not None else np.iinfo(np.int64).min
        high = rule.max_tier if rule.max_tier is not None else np.iinfo(np.int64).max
        outside = (tier < low) | (tier > high)
        np.maximum(fixed, _code(outside, Reason.OUTSIDE_TIER_RANGE), out=fixed)
    included = fixed == 0

    tier_weights = rule.effective_tier_weights
    tier_w = table_limit = None
    if tier_weights is not None:
        values, key = inputs.tier_index
        per_tier = tier_weights.weights(values)
        tier_w = per_tier[key]
        if tier_weights.as_limits:
            table_limit = np.floor(per_tier).astype(np.int64)[key]
    if rule.basis == "tier":
        assert tier_w is not None
        weight = tier_w * included
    else:
        source = {"ratio": "history", "demand": "demand", "price_band": "band_history"}[rule.basis]
        values = getattr(inputs, source)
        if values is None:
            raise ValueError(f"{source}: required by the {rule.basis} basis")
        weight = values * included if tier_w is None else values * tier_w * included
    np.maximum(fixed, _code(weight == 0, Reason.NO_WEIGHT), out=fixed)

    cap = cap_reason = None
    for reason, limits in _cap_sources(inputs, rule, table_limit):
        if cap is None or cap_reason is None:
            cap, cap_reason = limits.copy(), _code(limits >= 0, reason)
            continue
        # As unsigned, -1 ("no cap") is the largest value: a plain minimum combines caps.
        tighter = limits.view(np.uint64) < cap.view(np.uint64)
        np.minimum(cap.view(np.uint64), limits.view(np.uint64), out=cap.view(np.uint64))
        np.copyto(cap_reason, np.uint8(reason), where=tighter)
    return Prepared(included, fixed, weight.astype(np.float64, copy=False), cap, cap_reason)


def _cap_sources(
    inputs: AllocationInputs, rule: ProductRule, table_limit: IntArray | None
) -> Iterable[tuple[Reason, IntArray]]:
    """Each cap as (its reason, cartons per retailer with -1 for none), in precedence order."""
    n = inputs.size
    if rule.caps_by_demand:
        if inputs.demand is None:
            raise ValueError("demand: required by the demand cap")
        yield Reason.CAPPED_DEMAND, inputs.demand
    if rule.float_cap is not None:
        if inputs.agreed is None or inputs.scale is None:
            raise ValueError("agreed: the float cap needs agreed totals and scale codes")
        yield Reason.CAPPED_FLOAT, float_cap(inputs.agreed, inputs.scale, rule, inputs.agreed_used)
    if inputs.cap is not None:
        yield Reason.CAPPED_RETAILER, inputs.cap
    if rule.max_per_retailer is not None:
        yield Reason.CAPPED_MAX, np.full(n, rule.max_per_retailer, dtype=np.int64)
    if table_limit is not None:
        yield Reason.CAPPED_TABLE, table_limit


def float_cap(
    agreed: IntArray,
    scale: IntArray,
    rule: ProductRule,
    agreed_used: IntArray | None = None,
) -> IntArray:
    """Upper limit from the float: ``floor(agreed * (1 + pct/100)) - agreed_used``, at least 0.

    Exact: percentages are whole hundredths, so the product is computed in integers. Rows with
    ``agreed < 0`` (no agreement) get -1 (no cap). There is never a lower limit.
    """
    assert rule.float_cap is not None
    bp = rule.float_cap.basis_points(scale)
    upper = agreed * (10_000 + bp) // 10_000
    if agreed_used is not None:
        upper = np.maximum(upper - agreed_used, 0)
    return np.where(agreed < 0, -1, upper).astype(np.int64)


def allocate(inputs: AllocationInputs, rule: ProductRule) -> AllocationResult:
    """Turn ``rule.available`` cartons of one product into a limit per retailer (module doc)."""
    order = inputs.order
    canon = inputs.canonical()
    prep = prepare(canon, rule)
    caps = None if prep.cap is None else np.where(prep.cap >= 0, prep.cap, np.inf)
    fill = solve_unchecked(
        rule.available,
        prep.weight,
        caps,
        canon.tier,
        rule.seed,
        spread_leftover=rule.leftover == "retailer",
    )
    limit, bumped = fill.x, fill.bumped
    raised: set[int] = set()
    detail = ""
    if rule.leftover == "tier" and fill.leftover:
        limit, bumped, raised, detail = _whole_tiers(fill, canon, prep.weight)

    share = SHARE_REASON[rule.basis]
    if caps is None or prep.cap_reason is None:
        reason = np.full(canon.size, share, dtype=np.uint8)
    else:
        reason = np.where(fill.quota == caps, prep.cap_reason, np.uint8(share))
    if bumped is not None:  # a leftover carton: never at its cap, so it had the share reason
        np.maximum(reason, _code(bumped, Reason.LEFTOVER), out=reason)
    np.maximum(reason, prep.fixed_reason, out=reason)  # left out / no weight win
    cap = np.full(canon.size, -1, np.int64) if prep.cap is None else prep.cap

    total = int(limit.sum())
    undistributed = rule.available - total
    why, text = _why_undistributed(rule, canon, prep, total, fill.total, detail)
    tiers = tier_summary(canon, rule, prep.included, limit, bumped, fill, raised)
    quota, weight = fill.quota, prep.weight
    if order is not None:  # back to the caller's row order
        back = np.empty_like(order)
        back[order] = np.arange(order.size)
        limit, reason, cap = limit[back], reason[back], cap[back]
        quota, weight = quota[back], weight[back]
    return AllocationResult(
        product=rule.product,
        basis=rule.basis,
        available=rule.available,
        retailer_id=inputs.retailer_id,
        tier=inputs.tier,
        limit=limit,
        reason=reason,
        quota=quota,
        weight=weight,
        cap=cap,
        level=fill.level,
        total=total,
        undistributed=undistributed,
        undistributed_reason=why if undistributed else Undistributed.NONE,
        undistributed_detail=text if undistributed else Undistributed.NONE.label,
        tiers=tiers,
    )


def allocate_many(
    plans: Iterable[tuple[AllocationInputs, ProductRule]],
) -> dict[str, AllocationResult]:
    """``allocate`` for several products (each with its own inputs), keyed by product."""
    results: dict[str, AllocationResult] = {}
    for inputs, rule in plans:
        if rule.product in results:
            raise ValueError(f"product: {rule.product!r} appears twice")
        results[rule.product] = allocate(inputs, rule)
    return results


def _whole_tiers(
    fill: Fill, inputs: AllocationInputs, weight: FloatArray
) -> tuple[IntArray, BoolArray | None, set[int], str]:
    """Hand the rounding rest out a whole tier at a time, best tier first (module doc, step 4).

    Returns the limits, the rows given a carton, the raised tiers and, when cartons stay, why
    the first tier that could not be raised was not. Loops over the tiers, never over retailers.
    """
    values, key = inputs.tier_index
    left = fill.leftover
    has_weight = np.bincount(key, weights=weight, minlength=values.size) > 0
    # Under the tier basis a retailer's weight is its tier's; the same float operations as the
    # core give the floor of every uncapped retailer's quota.
    tier_weight = np.zeros(values.size)
    np.maximum.at(tier_weight, key, weight)
    floors = np.floor(fill.scale * (tier_weight / fill.unit)).astype(np.int64)
    candidates = fill.quota > fill.x
    cost = np.bincount(2 * key + candidates, minlength=2 * values.size).reshape(-1, 2)[:, 1]
    raised = np.zeros(values.size, dtype=np.bool_)
    above: int | None = None
    blocked = ""
    for k in np.flatnonzero(has_weight)[::-1].tolist():
        table = int(floors[k])
        if cost[k]:
            fits_order = above is None or table + 1 <= above
            if cost[k] <= left and fits_order:
                raised[k] = True
                left -= int(cost[k])
                table += 1
            elif not blocked:
                need = (
                    f"needs {int(cost[k])} cartons" if fits_order else "would pass the tier above"
                )
                blocked = f"raising tier {int(values[k])} by one carton {need}"
        above = table
    if not raised.any():
        return fill.x, None, set(), blocked
    bumped = candidates & raised[key]
    return fill.x + bumped, bumped, {int(t) for t in values[raised]}, blocked


def _why_undistributed(
    rule: ProductRule,
    inputs: AllocationInputs,
    prep: Prepared,
    total: int,
    core_total: int,
    whole_tier_detail: str,
) -> tuple[Undistributed, str]:
    """The reason and one line of detail for ``available - total`` (when it is not 0)."""
    rest = rule.available - total
    if rest == 0:
        return Undistributed.NONE, Undistributed.NONE.label
    active = prep.weight > 0
    if not active.any():
        return Undistributed.NO_RECIPIENTS, f"{rest} cartons: no eligible retailer to give to"
    if core_total < rule.available:
        if rule.caps_by_demand and prep.cap_reason is not None:
            demand_bound = prep.cap_reason[active] == Reason.CAPPED_DEMAND
            if bool(demand_bound.all()) and inputs.demand is not None:
                demand = int(inputs.demand[active].sum())
                return (
                    Undistributed.DEMAND_SATISFIED,
                    f"{rest} cartons: all eligible demand satisfied ({demand} cartons)",
                )
        return Undistributed.CAPS_REACHED, f"{rest} cartons: every eligible retailer is at its cap"
    return Undistributed.WHOLE_TIERS, f"{rest} cartons: {whole_tier_detail or 'rounding rest'}"
