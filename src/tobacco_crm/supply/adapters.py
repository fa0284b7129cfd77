"""ORM ⇄ allocation engine: a plan's inputs as arrays (set-based queries, no query per
retailer), and the limits written back in bulk.

Per retailer (every retailer not cancelled, by id):

- ``tier``: its tier in the grading run the plan follows (an accepted appeal's adjusted tier
  wins); a retailer without a grade there is not eligible (it has no tier to be given by);
- ``supply_stopped``: stopped by its grade (停货 until cleared);
- ``eligible``: graded, and inside the line's filters (compliance classes, business formats,
  districts, market types, territory codes; an empty list lets everyone through);
- ``history``: cartons of the product ordered in the HISTORY_WEEKS weeks before the period
  (read for the ratio basis only);
- ``band_history``: cartons of the product's price class (价类) in those weeks (read for the
  price-band basis only, once per price class for a plan);
- ``demand``: the reported demand (需求提报) of the period;
- ``scale``: business scale, large 1, medium 2, small 3 (for the upper float);
- ``agreed`` (only for lines with an upper float): the agreed weekly volume, taken as the
  average week of the product over the history window until agreements are kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Sum

from tobacco_crm.core.bulk import fast_insert
from tobacco_crm.engines.allocation import AllocationInputs, AllocationResult, ProductRule
from tobacco_crm.grading.models import GradeAdjustment, GradingRun, RetailerGrade
from tobacco_crm.orders.choices import OrderStatus
from tobacco_crm.orders.models import OrderLine
from tobacco_crm.retailers.choices import BusinessScale, RetailerStatus
from tobacco_crm.retailers.models import Retailer

from .choices import Basis
from .models import DemandReport, RetailerLimit, SupplyPlan, SupplyPlanLine

HISTORY_WEEKS = 13
SCALE_CODE = {BusinessScale.LARGE: 1, BusinessScale.MEDIUM: 2, BusinessScale.SMALL: 3}
ELIGIBILITY_FIELDS = {
    "compliance_classes": "compliance_class",
    "business_formats": "business_format",
    "business_districts": "business_district",
    "market_types": "market_type",
    "territories": "territory_code",
}


@dataclass
class PlanBase:
    """What every line of a plan shares: the retailers and their grades and attributes."""

    ids: np.ndarray
    tier: np.ndarray
    graded: np.ndarray
    stopped: np.ndarray
    scale: np.ndarray
    attributes: dict[str, np.ndarray]
    # Price-band history per (period start, price class): shared by the lines of a plan.
    band_cache: dict[tuple[dt.date, int], np.ndarray] = field(default_factory=dict)


def _index(ids: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of `keys` in the sorted `ids`, and which keys were found."""
    pos = np.searchsorted(ids, keys)
    pos = np.minimum(pos, max(len(ids) - 1, 0))
    found = (ids[pos] == keys) if len(ids) else np.zeros(len(keys), dtype=bool)
    return pos, found


def load_base(*, run: GradingRun | None) -> PlanBase:
    rows = list(
        Retailer.objects.exclude(status=RetailerStatus.CANCELLED)
        .order_by("pk")
        .values_list(
            "pk", "business_scale", "business_format", "business_district", "market_type",
            "territory__code",
        )
    )  # fmt: skip
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    scale = np.array([SCALE_CODE.get(r[1], 3) for r in rows], dtype=np.int64)
    attributes = {
        "business_format": np.array([r[2] for r in rows], dtype=object),
        "business_district": np.array([r[3] for r in rows], dtype=object),
        "market_type": np.array([r[4] for r in rows], dtype=object),
        "territory_code": np.array([r[5] for r in rows], dtype=object),
        "compliance_class": np.full(n, "", dtype=object),
    }
    tier = np.ones(n, dtype=np.int64)
    graded = np.zeros(n, dtype=bool)
    stopped = np.zeros(n, dtype=bool)
    if run is not None:
        grades = RetailerGrade.objects.filter(run=run).values_list(
            "retailer_id", "tier", "compliance_class", "supply_stopped"
        )
        g = list(grades.iterator(chunk_size=20000))
        if g:
            keys = np.array([r[0] for r in g], dtype=np.int64)
            pos, found = _index(ids, keys)
            pos = pos[found]
            picked = [r for r, f in zip(g, found.tolist(), strict=True) if f]
            tier[pos] = [r[1] for r in picked]
            attributes["compliance_class"][pos] = [r[2] for r in picked]
            stopped[pos] = [r[3] for r in picked]
            graded[pos] = True
        # Accepted appeals: the latest adjustment of a grade wins (a few rows; one query
        # rather than a correlated subquery per grade).
        latest = dict(
            GradeAdjustment.objects.filter(grade__run=run)
            .order_by("made_at", "id")
            .values_list("grade__retailer_id", "new_tier")
        )  # later adjustments overwrite earlier ones
        if latest:
            keys = np.fromiter(latest.keys(), dtype=np.int64, count=len(latest))
            new_tier = np.fromiter(latest.values(), dtype=np.int64, count=len(latest))
            pos, found = _index(ids, keys)
            tier[pos[found]] = new_tier[found]
    return PlanBase(ids, tier, graded, stopped, scale, attributes)


def _per_retailer(ids: np.ndarray, pairs: Any) -> np.ndarray:
    out = np.zeros(len(ids), dtype=np.float64)
    data = list(pairs)
    if data:
        keys = np.array([d[0] for d in data], dtype=np.int64)
        values = np.array([float(d[1] or 0) for d in data])
        pos, found = _index(ids, keys)
        out[pos[found]] = values[found]
    return out


def line_inputs(*, base: PlanBase, line: SupplyPlanLine) -> AllocationInputs:
    """The engine inputs of one plan line. History is read only for the rule that shares on
    it (ratio: the product's; price band: the price class's, once per class for a plan);
    reported demand always (the simulation shows the share of demand satisfied)."""
    start = line.plan.period.start_date
    since = start - dt.timedelta(weeks=HISTORY_WEEKS)
    counted = OrderLine.objects.filter(
        order_date__gte=since,
        order_date__lt=start,
        order__status__in=(OrderStatus.SUBMITTED, OrderStatus.CONFIRMED),
    )
    history = band = agreed = None
    floats = bool((line.rule or {}).get("float_cap"))
    if line.basis == Basis.RATIO or floats:
        history = _per_retailer(
            base.ids,
            counted.filter(product=line.product)
            .values("retailer_id")
            .annotate(c=Sum("cartons"))
            .values_list("retailer_id", "c"),
        )
    if line.basis == Basis.PRICE_BAND:
        band_key = (start, line.product.price_class)
        if band_key not in base.band_cache:
            base.band_cache[band_key] = _per_retailer(
                base.ids,
                counted.filter(product__price_class=line.product.price_class)
                .values("retailer_id")
                .annotate(c=Sum("cartons"))
                .values_list("retailer_id", "c"),
            )
        band = base.band_cache[band_key]
    if floats and history is not None:
        # No agreement table yet: the agreed weekly volume (协议量) is the retailer's average
        # week of this product over the history window, rounded down; the float caps above it.
        agreed = np.floor(history / HISTORY_WEEKS).astype(np.int64)
    demand = _per_retailer(
        base.ids,
        DemandReport.objects.filter(period=line.plan.period, product=line.product).values_list(
            "retailer_id", "cartons"
        ),
    ).astype(np.int64)
    eligible = base.graded.copy()
    for key, attribute in ELIGIBILITY_FIELDS.items():
        allowed = (line.eligibility or {}).get(key) or []
        if allowed:
            eligible &= np.isin(base.attributes[attribute], np.array(allowed, dtype=object))
    return AllocationInputs(
        retailer_id=base.ids,
        tier=base.tier,
        eligible=eligible,
        supply_stopped=base.stopped,
        history=history,
        demand=demand,
        band_history=band,
        scale=base.scale,
        agreed=agreed,
    )


def line_rule(line: SupplyPlanLine) -> ProductRule:
    """The engine rule of a line (validated by the engine; ValueError names the field)."""
    data = dict(line.rule or {})
    data.update(
        product=line.product.code,
        available=line.available,
        basis=line.basis,
        seed=line.plan.period.sequence,
    )
    return ProductRule.from_dict(data)


def store_limits(
    *, plan: SupplyPlan, line: SupplyPlanLine, inputs: AllocationInputs, result: AllocationResult
) -> int:
    """Write the line's limits: every retailer with a limit, and the stopped ones (so that
    they can see why they got nothing). Others have no row: no limit this period."""
    from tobacco_crm.engines.allocation import Reason

    limit = np.asarray(result.limit)
    reason = np.asarray(result.reason)
    keep = (limit > 0) | ((reason == int(Reason.SUPPLY_STOPPED)) & inputs.eligible)
    rows = zip(
        [plan.pk] * int(keep.sum()),
        inputs.retailer_id[keep].tolist(),
        [line.product_id] * int(keep.sum()),
        inputs.tier[keep].tolist(),
        limit[keep].tolist(),
        reason[keep].tolist(),
        strict=True,
    )
    return fast_insert(
        RetailerLimit, ["plan_id", "retailer_id", "product_id", "tier", "limit", "reason"], rows
    )
