"""Reads of scarce-supply allocation (货源投放): plan lists, the simulation report of a plan
(per product, per tier, per territory × tier, and against last week's published plan), the
public per-tier limit table, and the limits export.

The per-product and per-tier figures come from the summaries the simulation stored
(`SupplyPlanLine.summary`, the engine's `AllocationResult.summary()`), so the report costs no
aggregate over the limits; the territory × tier breakdown is one aggregate over
`RetailerLimit` joined to the retailer's territory. Reads of retailer data that a customer
manager can reach (the export) start from `Retailer.objects.visible_to(user)`; the report
serves `manages_supply` roles only, which see the whole company.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, IntegerField, Max, Min, Q, QuerySet, Sum, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from tobacco_crm.accounts.models import Territory
from tobacco_crm.engines.allocation import Reason
from tobacco_crm.products.choices import ProductStatus
from tobacco_crm.products.models import Product
from tobacco_crm.retailers.models import Retailer

from .choices import AllocationReason, PlanStatus
from .models import RetailerLimit, SupplyPeriod, SupplyPlan, SupplyPlanLine

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User

#: Statuses whose limits were published (公开透明): a superseded plan was published once and
#: stays readable for the record.
PUBLISHED_STATUSES = (PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED)
#: Product statuses offered first when a line is added (紧俏, 新品, 重点培育).
FEATURED_PRODUCT_STATUSES = (ProductStatus.SCARCE, ProductStatus.NEW, ProductStatus.CULTIVATED)

#: Labels of the engine's `Undistributed` reasons (tobacco_crm.engines.allocation.result).
UNDISTRIBUTED_LABELS = {
    "none": _("已全部投放"),
    "demand_satisfied": _("符合条件的需求已全部满足"),
    "caps_reached": _("符合条件的零售户均已达到上限"),
    "no_recipients": _("没有符合条件的零售户"),
    "whole_tiers": _("余量不足以让整档各加 1 条"),
}


# Plans ------------------------------------------------------------------------------------


def period_list() -> QuerySet[SupplyPeriod]:
    return SupplyPeriod.objects.annotate(plan_count=Count("plans")).order_by("-start_date")


def plan_list() -> QuerySet[SupplyPlan]:
    """Every plan, newest period first, with its period, people and number of lines."""
    return (
        SupplyPlan.objects.select_related("period", "created_by", "published_by")
        .annotate(line_count=Count("lines"))
        .order_by("-period__start_date", "-created_at", "-id")
    )


def plan_get(*, pk: Any) -> SupplyPlan:
    return get_object_or_404(
        SupplyPlan.objects.select_related("period", "created_by", "published_by"), pk=pk
    )


def plan_published_get(*, pk: Any, user: User) -> SupplyPlan:
    """A plan whose limits the user may read: any plan for `manages_supply` roles; for
    everybody else only a published (or since superseded) plan, else 404."""
    plan = plan_get(pk=pk)
    if not user.manages_supply and plan.status not in PUBLISHED_STATUSES:
        raise Http404
    return plan


def plan_in_force(*, period: SupplyPeriod) -> SupplyPlan | None:
    return SupplyPlan.objects.filter(period=period, status=PlanStatus.PUBLISHED).first()


def plan_lines(*, plan: SupplyPlan) -> QuerySet[SupplyPlanLine]:
    return plan.lines.select_related("product").order_by("product__code")


def plan_line_get(*, plan: SupplyPlan, pk: Any) -> SupplyPlanLine:
    return get_object_or_404(plan.lines.select_related("product"), pk=pk)


def plan_line_of_product(*, plan: SupplyPlan, product_id: int) -> SupplyPlanLine:
    return get_object_or_404(plan.lines.select_related("product"), product_id=product_id)


def plan_product_ids(*, plan: SupplyPlan) -> set[int]:
    return set(plan.lines.values_list("product_id", flat=True))


def territory_choices() -> QuerySet[Territory]:
    """Every territory (eligibility filters are company-wide)."""
    return Territory.objects.order_by("code")


def product_choices() -> QuerySet[Product]:
    """Products a line may hold: scarce, new and cultivated products first, then the normal
    ones; stopped products (停供) are left out."""

    return (
        Product.objects.exclude(status=ProductStatus.STOPPED)
        .annotate(
            featured=Case(
                When(status__in=FEATURED_PRODUCT_STATUSES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("featured", "code")
    )


def previous_published_plan(*, plan: SupplyPlan) -> SupplyPlan | None:
    """The published plan of the latest period before the plan's own (last week's)."""
    return (
        SupplyPlan.objects.filter(
            status=PlanStatus.PUBLISHED, period__start_date__lt=plan.period.start_date
        )
        .select_related("period")
        .order_by("-period__start_date")
        .first()
    )


# The simulation report ----------------------------------------------------------------------


@dataclass(frozen=True)
class TierRow:
    """One tier of one product: the engine's per-tier summary, and last week's limits."""

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
    previous_min: int | None = None
    previous_max: int | None = None
    previous_known: bool = False

    @property
    def limit_range(self) -> str:
        return limit_range(self.min_limit, self.max_limit)

    @property
    def previous_range(self) -> str:
        return limit_range(self.previous_min, self.previous_max)

    @property
    def change(self) -> int | None:
        """Change of the tier's highest limit against last week (None: nothing to compare)."""
        if not self.previous_known or self.max_limit is None or self.previous_max is None:
            return None
        return self.max_limit - self.previous_max

    @property
    def satisfied_pct(self) -> str:
        if self.demand_satisfied is None:
            return "—"
        return f"{self.demand_satisfied * 100:.0f}%"


@dataclass(frozen=True)
class LineReport:
    """One product of a simulated plan."""

    line: SupplyPlanLine
    available: int
    allocated: int
    undistributed: int
    undistributed_reason: str
    undistributed_detail: str
    receiving: int
    reasons: dict[str, int]
    tiers: list[TierRow]
    previous_total: int | None = None

    @property
    def reason_rows(self) -> list[tuple[str, int]]:
        """How many retailers have each reason, labelled (the summary keys the engine's
        English labels)."""
        codes = {reason.label: int(reason) for reason in Reason}
        return [
            (str(AllocationReason(codes[key]).label), int(count))
            for key, count in self.reasons.items()
            if key in codes
        ]

    @property
    def undistributed_label(self) -> str:
        return str(UNDISTRIBUTED_LABELS.get(self.undistributed_reason, self.undistributed_reason))

    @property
    def total_change(self) -> int | None:
        return None if self.previous_total is None else self.allocated - self.previous_total


@dataclass(frozen=True)
class PlanReport:
    lines: list[LineReport]
    previous: SupplyPlan | None
    totals: dict[str, Any] = field(default_factory=dict)


def limit_range(low: int | None, high: int | None) -> str:
    if low is None or high is None:
        return "—"
    return str(low) if low == high else f"{low}–{high}"


def _tier_rows(summary: dict[str, Any], previous: dict[str, Any] | None) -> list[TierRow]:
    before = {int(t["tier"]): t for t in (previous or {}).get("tiers", [])}
    rows = []
    for t in summary.get("tiers", []):
        old = before.get(int(t["tier"]))
        rows.append(
            TierRow(
                tier=int(t["tier"]),
                retailers=int(t.get("retailers") or 0),
                taking_part=int(t.get("taking_part") or 0),
                allocated=int(t.get("allocated") or 0),
                min_limit=t.get("min_limit"),
                max_limit=t.get("max_limit"),
                demand=t.get("demand"),
                demand_satisfied=t.get("demand_satisfied"),
                tier_limit=t.get("tier_limit"),
                leftover=int(t.get("leftover") or 0),
                previous_min=None if old is None else old.get("min_limit"),
                previous_max=None if old is None else old.get("max_limit"),
                previous_known=previous is not None,
            )
        )
    return rows


def plan_report(*, plan: SupplyPlan, lines: list[SupplyPlanLine]) -> PlanReport:
    """The simulation report of `plan` (its `lines` already fetched): per product, the
    totals and the undistributed rest with its reason, per tier the engine's rows, and the
    same product's figures in last week's published plan. Lines never simulated are left
    out. Two queries: the previous plan and its lines."""
    previous = previous_published_plan(plan=plan) if plan.summary else None
    before: dict[int, dict[str, Any]] = {}
    if previous is not None:
        products = [line.product_id for line in lines]
        before = {
            product_id: summary
            for product_id, summary in previous.lines.filter(product_id__in=products).values_list(
                "product_id", "summary"
            )
        }
    reports = []
    for line in lines:
        summary = line.summary or {}
        if not summary:
            continue
        old = before.get(line.product_id)
        reports.append(
            LineReport(
                line=line,
                available=int(summary.get("available", line.available)),
                allocated=int(summary.get("total", 0)),
                undistributed=int(summary.get("undistributed", 0)),
                undistributed_reason=str(summary.get("undistributed_reason", "none")),
                undistributed_detail=str(summary.get("undistributed_detail", "")),
                receiving=int(summary.get("receiving", 0)),
                reasons=dict(summary.get("reasons", {})),
                tiers=_tier_rows(summary, old if previous is not None else None),
                previous_total=None if old is None else int(old.get("total", 0)),
            )
        )
    return PlanReport(lines=reports, previous=previous, totals=dict(plan.summary or {}))


@dataclass(frozen=True)
class TerritoryTierRow:
    tier: int
    receiving: int
    stopped: int
    min_limit: int | None
    max_limit: int | None
    total: int

    @property
    def limit_range(self) -> str:
        return limit_range(self.min_limit, self.max_limit)


@dataclass
class TerritoryBlock:
    """One territory's rows (best tier first) for one product."""

    code: str
    name: str
    tiers: list[TerritoryTierRow] = field(default_factory=list)

    @property
    def receiving(self) -> int:
        return sum(row.receiving for row in self.tiers)

    @property
    def total(self) -> int:
        return sum(row.total for row in self.tiers)


def plan_territory_tiers(*, plan: SupplyPlan, product_id: int) -> list[TerritoryBlock]:
    """Per territory and tier, the limits of one product in the plan (one aggregate query):
    retailers receiving (limit > 0), retailers stopped, the limit range and the total. Only
    retailers with a stored limit count (the simulation stores those with a limit and the
    stopped ones)."""
    rows = (
        RetailerLimit.objects.filter(plan=plan, product_id=product_id)
        .values("retailer__territory__code", "retailer__territory__name", "tier")
        .annotate(
            receiving=Count("id", filter=Q(limit__gt=0)),
            stopped=Count("id", filter=Q(reason=AllocationReason.SUPPLY_STOPPED)),
            min_limit=Min("limit", filter=Q(limit__gt=0)),
            max_limit=Max("limit"),
            total=Sum("limit"),
        )
        .order_by("retailer__territory__code", "-tier")
    )
    blocks: dict[str, TerritoryBlock] = {}
    for row in rows:
        code = row["retailer__territory__code"]
        block = blocks.get(code)
        if block is None:
            block = blocks[code] = TerritoryBlock(code=code, name=row["retailer__territory__name"])
        receiving = int(row["receiving"])
        block.tiers.append(
            TerritoryTierRow(
                tier=int(row["tier"]),
                receiving=receiving,
                stopped=int(row["stopped"]),
                min_limit=row["min_limit"],
                max_limit=row["max_limit"] if receiving else None,
                total=int(row["total"] or 0),
            )
        )
    return list(blocks.values())


# The public tier table and the export ----------------------------------------------------


@dataclass(frozen=True)
class PublicTier:
    tier: int
    taking_part: int
    limit_range: str


@dataclass(frozen=True)
class PublicProduct:
    line: SupplyPlanLine
    tiers: list[PublicTier]


def plan_tier_table(*, plan: SupplyPlan) -> list[PublicProduct]:
    """The published per-tier limit table (档位限量表, 公开透明): for each product of the plan,
    each tier's limit range over the retailers taking part ("—" for a tier outside the plan).
    One query (the lines and their products); the figures are the simulation's."""
    table = []
    for line in plan_lines(plan=plan):
        tiers = [
            PublicTier(
                tier=int(t["tier"]),
                taking_part=int(t.get("taking_part") or 0),
                limit_range=limit_range(t.get("min_limit"), t.get("max_limit")),
            )
            for t in (line.summary or {}).get("tiers", [])
        ]
        table.append(PublicProduct(line=line, tiers=tiers))
    return table


def export_territories(*, user: User) -> QuerySet[Territory]:
    return Territory.objects.visible_to(user).order_by("code")


def plan_limits_for_export(
    *, plan: SupplyPlan, user: User, territory: Territory | None = None
) -> QuerySet[RetailerLimit]:
    """The plan's limits of the retailers the user may see (one territory when given),
    ordered by territory, retailer and product."""
    limits = RetailerLimit.objects.filter(plan=plan, retailer__in=Retailer.objects.visible_to(user))
    if territory is not None:
        limits = limits.filter(retailer__territory=territory)
    return limits.order_by(
        "retailer__territory__code", "retailer__license_no", "product__code", "id"
    )
