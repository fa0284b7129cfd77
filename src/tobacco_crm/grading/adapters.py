"""ORM ⇄ grading engine: gather a period's inputs with set-based queries into arrays, and
store the engine's results in bulk. No query per retailer.

Indicators the system computes (any other key of the policy is read from the customer
managers' `ManualIndicator` entries, NaN when not entered):

- ``cartons``, ``amount``, ``premium_cartons`` (price class 二类 and above): sums over the
  period's months of the monthly sales aggregates;
- ``amount_per_carton``: amount ÷ cartons (NaN without sales);
- ``product_count``: mean over the period's months of the distinct products bought a month;
- ``growth``: cartons of the period ÷ cartons of the previous period of the same length − 1;
- ``order_regularity``: orders placed ÷ weeks of the period, at most 1;
- ``e_settlement``: 1 when the retailer settles electronically, else 0;
- ``manager_score``: the customer manager's own score (a manual entry), for the blend.

A retailer is new (``is_new``) when it has no sales before the period starts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from tobacco_crm.engines.grading import GradingInputs, GradingPolicy, GradingResult
from tobacco_crm.orders.models import RetailerMonthlySales
from tobacco_crm.orders.services import months_between
from tobacco_crm.retailers.choices import RetailerStatus
from tobacco_crm.retailers.models import Retailer

from .choices import RunStatus
from .models import Deduction, GradingPeriod, GradingRun, ManualIndicator, RetailerGrade

COMPUTED_INDICATORS = frozenset(
    {
        "cartons", "amount", "premium_cartons", "amount_per_carton", "product_count", "growth",
        "order_regularity", "e_settlement",
    }
)  # fmt: skip
MANAGER_SCORE_KEY = "manager_score"
HISTORY_MONTHS = 13
STORE_BATCH = 2000


@dataclass(frozen=True)
class LoadedInputs:
    inputs: GradingInputs
    retailer_ids: np.ndarray


def _add_months(month: dt.date, delta: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + delta
    return dt.date(index // 12, index % 12 + 1, 1)


def policy_keys(policy: GradingPolicy) -> set[str]:
    """Every input indicator key the policy reads."""
    keys = {ind.key for ind in policy.business.indicators}
    keys |= {s.key for s in policy.stars.sub_scores if not s.key.startswith("@")}
    if policy.segments.growth_key:
        keys.add(policy.segments.growth_key)
    return keys


def load_inputs(*, period: GradingPeriod, policy: GradingPolicy) -> LoadedInputs:
    """Everything `grade()` needs for the period, from a handful of set-based queries."""
    rows = list(
        Retailer.objects.exclude(status=RetailerStatus.CANCELLED)
        .order_by("pk")
        .values_list("pk", "e_settlement")
    )
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    n = len(ids)
    e_settlement = np.fromiter((r[1] for r in rows), dtype=np.float64, count=n)

    first_month = period.start_date.replace(day=1)
    last_month = period.end_date.replace(day=1)
    period_months = list(months_between(first_month, last_month))
    span = len(period_months)
    history_first = _add_months(last_month, -(HISTORY_MONTHS - 1))
    window_first = min(history_first, _add_months(first_month, -span))
    all_months = list(months_between(window_first, last_month))
    month_index = {m: k for k, m in enumerate(all_months)}
    period_cols = [month_index[m] for m in period_months]
    previous_cols = [month_index[_add_months(m, -span)] for m in period_months]
    history_cols = [month_index[m] for m in all_months if m >= history_first]

    shape = (n, len(all_months))
    cartons = np.zeros(shape)
    amount = np.zeros(shape)
    premium = np.zeros(shape)
    products = np.zeros(shape)
    orders = np.zeros(shape)
    seen_before = np.zeros(n, dtype=bool)
    sales = RetailerMonthlySales.objects.filter(
        month__gte=window_first, month__lte=last_month
    ).values_list(
        "retailer_id", "month", "cartons", "amount", "premium_cartons", "product_count",
        "order_count",
    )  # fmt: skip
    for rid, month, c, a, p, pc, oc in sales.iterator(chunk_size=20000):
        i = int(np.searchsorted(ids, rid))
        if i >= n or ids[i] != rid:
            continue  # a cancelled retailer
        k = month_index[month]
        cartons[i, k], amount[i, k], premium[i, k] = c, float(a), p
        products[i, k], orders[i, k] = pc, oc
    # Sales before the period, however old, tell an established retailer from a new one.
    before = RetailerMonthlySales.objects.filter(month__lt=first_month, cartons__gt=0)
    old_ids = np.fromiter(
        before.values_list("retailer_id", flat=True).distinct().iterator(), dtype=np.int64
    )
    seen_before[np.isin(ids, old_ids)] = True

    period_cartons = cartons[:, period_cols].sum(axis=1)
    period_amount = amount[:, period_cols].sum(axis=1)
    previous_cartons = cartons[:, previous_cols].sum(axis=1)
    weeks = max(((period.end_date - period.start_date).days + 1) / 7.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        computed = {
            "cartons": period_cartons,
            "amount": period_amount,
            "premium_cartons": premium[:, period_cols].sum(axis=1),
            "amount_per_carton": np.where(
                period_cartons > 0, period_amount / period_cartons, np.nan
            ),
            "product_count": products[:, period_cols].mean(axis=1),
            "growth": np.where(previous_cartons > 0, period_cartons / previous_cartons - 1, np.nan),
            "order_regularity": np.minimum(orders[:, period_cols].sum(axis=1) / weeks, 1.0),
            "e_settlement": e_settlement,
        }

    wanted = policy_keys(policy)
    manual_keys = (wanted - COMPUTED_INDICATORS) | {MANAGER_SCORE_KEY}
    manual = {key: np.full(n, np.nan) for key in manual_keys}
    entries = ManualIndicator.objects.filter(period=period, key__in=manual_keys).values_list(
        "retailer_id", "key", "value"
    )
    for rid, key, value in entries.iterator(chunk_size=20000):
        i = int(np.searchsorted(ids, rid))
        if i < n and ids[i] == rid:
            manual[key][i] = value
    indicators = {key: computed[key] for key in wanted & COMPUTED_INDICATORS}
    indicators |= {key: manual[key] for key in wanted - COMPUTED_INDICATORS}

    # Deductions in force: those no later record corrects, less the cancelling corrections
    # (points 0), which would otherwise still stop supply under a stop-supply item.
    deductions = list(
        Deduction.objects.filter(period=period, corrected_by__isnull=True)
        .exclude(corrects__isnull=False, points=0)
        .order_by("pk")
        .values_list("pk", "retailer_id", "item_code", "points", "cleared")
    )
    d_retailer = np.searchsorted(ids, np.array([d[1] for d in deductions], dtype=np.int64))
    keep = np.array(
        [i < n and ids[i] == d[1] for i, d in zip(d_retailer.tolist(), deductions, strict=True)],
        dtype=bool,
    )
    deductions = [d for d, k in zip(deductions, keep.tolist(), strict=True) if k]
    previous = _previous_tiers(period=period, ids=ids)
    inputs = GradingInputs(
        retailer_ids=ids,
        indicators=indicators,
        deduction_retailer=d_retailer[keep] if len(keep) else np.zeros(0, np.int64),
        deduction_item=np.array([d[2] for d in deductions], dtype=str),
        deduction_points=np.array([float(d[3]) for d in deductions], dtype=np.float64),
        deduction_cleared=np.array([d[4] for d in deductions], dtype=bool),
        deduction_ids=np.array([d[0] for d in deductions], dtype=np.int64),
        manager_scores=manual[MANAGER_SCORE_KEY],
        is_new=~seen_before,
        monthly_sales=cartons[:, history_cols],
        previous_tier=previous,
    )
    return LoadedInputs(inputs=inputs, retailer_ids=ids)


def _previous_tiers(*, period: GradingPeriod, ids: np.ndarray) -> np.ndarray:
    """Each retailer's tier in the latest published run of an earlier period (0 = none)."""
    tiers = np.zeros(len(ids), dtype=np.int64)
    run = (
        GradingRun.objects.filter(
            status=RunStatus.PUBLISHED, period__start_date__lt=period.start_date
        )
        .order_by("-period__start_date")
        .first()
    )
    if run is None:
        return tiers
    for rid, tier in run.grades.values_list("retailer_id", "tier").iterator(chunk_size=20000):
        i = int(np.searchsorted(ids, rid))
        if i < len(ids) and ids[i] == rid:
            tiers[i] = tier
    return tiers


def store_results(*, run: GradingRun, result: GradingResult) -> int:
    """Write one `RetailerGrade` per retailer in bulk, and the run's summary and context."""
    columns = result.columns()
    rows = result.rows()
    ids = result.retailer_ids.tolist()
    fields = [
        columns[name].tolist()
        for name in (
            "compliance_points", "compliance_class", "supply_stopped", "business_score",
            "final_score", "rank", "tier", "stars", "super_five", "segment",
        )
    ]  # fmt: skip
    previous = result.inputs.previous_tier
    fields.append(previous.tolist() if previous is not None else [0] * len(ids))
    batch = []
    written = 0
    for k, rid in enumerate(ids):
        cp, cc, stopped, bs, fs, rank, tier, stars, five, segment, prev = (f[k] for f in fields)
        batch.append(
            RetailerGrade(
                run=run, retailer_id=rid, compliance_points=cp, compliance_class=cc,
                supply_stopped=stopped, business_score=bs, final_score=fs, rank=rank,
                tier=tier, previous_tier=prev, stars=stars, super_five=five, segment=segment,
                row=rows[k],
            )
        )  # fmt: skip
        if len(batch) >= STORE_BATCH:
            RetailerGrade.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    RetailerGrade.objects.bulk_create(batch)
    written += len(batch)
    run.retailer_count = written
    run.summary = result.summary()
    run.context = result.context()
    run.save(update_fields=["retailer_count", "summary", "context"])
    return written
