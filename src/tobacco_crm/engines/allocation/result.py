"""What an allocation gives back: limits, their reasons, the undistributed rest, per-tier rows.

Every per-retailer array is aligned with the caller's ``AllocationInputs`` rows. Reasons are
small integer codes (``Reason``), cheap for a million retailers; ``Reason.label`` and
``Reason.label_zh`` name them and ``AllocationResult.explain(i)`` writes one retailer's sentence
for the "why is my limit lower than my neighbour's" question (公开透明).
"""

from __future__ import annotations

import dataclasses
import enum
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .rules import Basis

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


class Reason(enum.IntEnum):
    """Why a retailer has its limit. Stored as ``uint8`` codes in ``AllocationResult.reason``."""

    TIER_LIMIT = 1  # its tier's share, rounded down
    RATIO_SHARE = 2  # its share of the product's history, rounded down
    DEMAND_SHARE = 3  # its share of demand (shortage), rounded down
    BAND_SHARE = 4  # its share of the price band's history, rounded down
    LEFTOVER = 5  # the share rounded down, plus one leftover carton
    CAPPED_DEMAND = 6  # its demand (demand met in full)
    CAPPED_FLOAT = 7  # agreed total × (1 + float %), rounded down
    CAPPED_RETAILER = 8  # the per-retailer limit given with the inputs
    CAPPED_MAX = 9  # the plan's maximum per retailer
    CAPPED_TABLE = 10  # its tier's limit in the tier table
    NO_WEIGHT = 11  # nothing to share on: no history, no demand, or no weight for its tier
    OUTSIDE_TIER_RANGE = 12  # tier outside the plan's range
    INELIGIBLE = 13  # left out by the plan's filters
    SUPPLY_STOPPED = 14  # supply stopped (停货)

    @property
    def label(self) -> str:
        return _LABELS[self][0]

    @property
    def label_zh(self) -> str:
        return _LABELS[self][1]

    @property
    def is_cap(self) -> bool:
        return Reason.CAPPED_DEMAND <= self <= Reason.CAPPED_TABLE

    @property
    def is_excluded(self) -> bool:
        return self >= Reason.OUTSIDE_TIER_RANGE


_LABELS: dict[Reason, tuple[str, str]] = {
    Reason.TIER_LIMIT: ("tier limit", "档位限量"),
    Reason.RATIO_SHARE: ("share of history", "按历史比例"),
    Reason.DEMAND_SHARE: ("share of demand", "按需求比例"),
    Reason.BAND_SHARE: ("share of price-band history", "按价位段比例"),
    Reason.LEFTOVER: ("leftover +1", "余量加1条"),
    Reason.CAPPED_DEMAND: ("capped by demand", "以需求为限"),
    Reason.CAPPED_FLOAT: ("capped by agreed total + float", "协议量上浮封顶"),
    Reason.CAPPED_RETAILER: ("per-retailer limit", "单户限量"),
    Reason.CAPPED_MAX: ("plan maximum per retailer", "方案单户上限"),
    Reason.CAPPED_TABLE: ("tier limit table", "档位限量表"),
    Reason.NO_WEIGHT: ("nothing to share on", "无投放依据"),
    Reason.OUTSIDE_TIER_RANGE: ("tier outside the plan", "档位不在投放范围"),
    Reason.INELIGIBLE: ("ineligible", "不符合投放条件"),
    Reason.SUPPLY_STOPPED: ("supply stopped", "停货"),
}

#: The share reason of each basis.
SHARE_REASON: dict[str, Reason] = {
    "tier": Reason.TIER_LIMIT,
    "ratio": Reason.RATIO_SHARE,
    "demand": Reason.DEMAND_SHARE,
    "price_band": Reason.BAND_SHARE,
}

_NO_WEIGHT_DETAIL: dict[str, str] = {
    "tier": "its tier has no weight",
    "ratio": "no history of this product",
    "demand": "no demand",
    "price_band": "no history in this price band",
}


class Undistributed(enum.StrEnum):
    """Why cartons stay undistributed (``AllocationResult.undistributed_reason``)."""

    NONE = "none"  # everything handed out
    DEMAND_SATISFIED = "demand_satisfied"  # all eligible demand satisfied
    CAPS_REACHED = "caps_reached"  # every eligible retailer at its cap (float, limits, ...)
    NO_RECIPIENTS = "no_recipients"  # no eligible retailer with a positive weight
    WHOLE_TIERS = "whole_tiers"  # rounding rest smaller than raising the next tier by one

    @property
    def label(self) -> str:
        return {
            "none": "fully distributed",
            "demand_satisfied": "all eligible demand satisfied",
            "caps_reached": "every eligible retailer reached its cap",
            "no_recipients": "no eligible retailer to give to",
            "whole_tiers": "too few to raise a whole tier by one carton",
        }[self.value]


@dataclasses.dataclass(frozen=True)
class TierSummary:
    """One tier's row of the simulation table (per tier: who, how much, how satisfied).

    ``taking_part`` counts the retailers of the tier that are eligible, not stopped and inside
    the plan's tier range; limits, demand and ``demand_satisfied`` (allocated ÷ demand) are over
    them. ``tier_limit`` (tier basis only) is what an uncapped retailer of the tier gets before
    leftovers; ``leftover`` counts the retailers given a leftover carton on top.
    """

    tier: int
    retailers: int
    taking_part: int
    allocated: int
    min_limit: int | None
    max_limit: int | None
    demand: int | None
    demand_satisfied: float | None
    tier_limit: int | None
    leftover: int

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True, eq=False)
class AllocationResult:
    """One product's allocation. Arrays are aligned with the caller's input rows.

    - ``limit``: whole cartons (int64) per retailer, the published 限量;
    - ``reason``: ``Reason`` code per retailer (uint8);
    - ``quota``: the continuous share before rounding (see ``core``), capped;
    - ``weight``: the retailer's weight under the rule (0 for left-out retailers);
    - ``cap``: the smallest of the retailer's caps in cartons, -1 for none;
    - ``level``: quota of an uncapped retailer = ``level * weight``;
    - ``total`` = ``limit.sum()``; ``undistributed`` = ``available - total``, with its reason.
    """

    product: str
    basis: Basis
    available: int
    retailer_id: IntArray
    tier: IntArray
    limit: IntArray
    reason: NDArray[np.uint8]
    quota: FloatArray
    weight: FloatArray
    cap: IntArray
    level: float
    total: int
    undistributed: int
    undistributed_reason: Undistributed
    undistributed_detail: str
    tiers: tuple[TierSummary, ...]

    def reason_counts(self) -> dict[str, int]:
        """How many retailers have each reason (only reasons that occur)."""
        counts = np.bincount(self.reason, minlength=len(Reason) + 1)
        return {Reason(code).label: int(counts[code]) for code in Reason if counts[code]}

    def explain(self, i: int) -> str:
        """One sentence for row ``i``: the limit and how it came about."""
        limit, code = int(self.limit[i]), Reason(int(self.reason[i]))
        tier = int(self.tier[i])
        head = f"retailer {int(self.retailer_id[i])}, tier {tier}: {limit} cartons"
        if code.is_excluded:
            return f"{head} ({code.label})"
        if code == Reason.NO_WEIGHT:
            return f"{head} ({code.label}: {_NO_WEIGHT_DETAIL[self.basis]})"
        share = self.level * float(self.weight[i])
        if code.is_cap:
            return f"{head} ({code.label}: {int(self.cap[i])}; share before the cap {share:.2f})"
        base = math.floor(float(self.quota[i]))
        share_label = SHARE_REASON[self.basis].label
        plus = ", leftover +1" if code == Reason.LEFTOVER else ""
        return f"{head} ({share_label}: share {share:.2f} rounded down to {base}{plus})"

    def explain_retailer(self, retailer_id: int) -> str:
        """``explain`` by retailer id; KeyError when the id is not in the inputs."""
        hits = np.flatnonzero(self.retailer_id == retailer_id)
        if not hits.size:
            raise KeyError(retailer_id)
        return self.explain(int(hits[0]))

    def summary(self) -> dict[str, Any]:
        """JSON-friendly totals and per-tier rows (no per-retailer arrays)."""
        return {
            "product": self.product,
            "basis": self.basis,
            "available": self.available,
            "total": self.total,
            "undistributed": self.undistributed,
            "undistributed_reason": self.undistributed_reason.value,
            "undistributed_detail": self.undistributed_detail,
            "retailers": int(self.limit.size),
            "receiving": int(np.count_nonzero(self.limit)),
            "reasons": self.reason_counts(),
            "tiers": [row.to_dict() for row in self.tiers],
        }
