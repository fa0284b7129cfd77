"""Scarce-supply allocation (货源投放): available cartons of a product → a limit per retailer.

Public API (no Django; arrays in, arrays out; docs/engines/allocation.md has the formulas)::

    allocate(inputs: AllocationInputs, rule: ProductRule) -> AllocationResult
    allocate_many(plans: Iterable[tuple[AllocationInputs, ProductRule]])
        -> dict[str, AllocationResult]
    water_fill(available, weights, caps=None, priority=None, seed=0) -> int64 array
    solve(...) -> Fill                      # water_fill with quotas and water level
    float_cap(agreed, scale, rule, agreed_used=None) -> int64 array
    prepare(inputs, rule) -> Prepared       # who takes part, weights, caps
    violations(inputs, rule, limit, result=None) -> list[str]

Rules (``ProductRule``, ``TierWeights``, ``FloatRule``) are validated frozen dataclasses with
``to_dict`` / ``from_dict``. The core (``water_fill``) is the contract of issue 4: water-filled
quotas ``q = min(cap, s * weight)`` summing to ``min(available, room)``, rounded by largest
remainder, ties to the higher priority (tier), then by retailer id rotated by the seed.

Invariants (every rule): whole cartons, non-negative, never above a cap; total ≤ available;
ineligible, stopped and out-of-range retailers get 0; a larger quota never gets less, a higher
tier never gets less than a lower one with the same caps; deterministic and independent of
the row order. ``engine`` and ``core`` state them in full; ``checks.violations`` checks them.
"""

from .checks import violations
from .core import Fill, solve, water_fill
from .engine import Prepared, allocate, allocate_many, float_cap, prepare
from .inputs import AllocationInputs
from .result import AllocationResult, Reason, TierSummary, Undistributed
from .rules import (
    BASES,
    LEFTOVERS,
    MAX_CARTONS,
    WEIGHT_POLICIES,
    Basis,
    FloatRule,
    Leftover,
    ProductRule,
    TierWeights,
    WeightPolicy,
)

__all__ = [
    "BASES",
    "LEFTOVERS",
    "MAX_CARTONS",
    "WEIGHT_POLICIES",
    "AllocationInputs",
    "AllocationResult",
    "Basis",
    "Fill",
    "FloatRule",
    "Leftover",
    "Prepared",
    "ProductRule",
    "Reason",
    "TierSummary",
    "TierWeights",
    "Undistributed",
    "WeightPolicy",
    "allocate",
    "allocate_many",
    "float_cap",
    "prepare",
    "solve",
    "violations",
    "water_fill",
]
