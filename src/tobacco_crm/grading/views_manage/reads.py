"""Reads of the management screens that `grading/selectors.py` does not have yet.

Written in selector style (keyword-only, typed, scoped by the user where retailer data is
read) so that they can move into `selectors.py` as they are; the management screens only
serve `manages_grading` roles, which see the whole company.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from ..choices import AppealStatus
from ..models import (
    Appeal,
    GradeAdjustment,
    GradingPeriod,
    GradingPolicy,
    GradingRun,
    RetailerGrade,
)
from ..selectors import grade_with_adjustment, grades_visible_to, policy_latest_versions

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import Territory, User


# Policies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyGroup:
    """One policy name with its versions, newest first."""

    name: str
    versions: list[GradingPolicy]

    @property
    def latest(self) -> GradingPolicy:
        return self.versions[0]


def policy_groups() -> list[PolicyGroup]:
    groups: dict[str, list[GradingPolicy]] = {}
    for policy in policy_latest_versions().select_related("created_by"):
        groups.setdefault(policy.name, []).append(policy)
    return [PolicyGroup(name=name, versions=versions) for name, versions in groups.items()]


def policy_get(*, pk: Any) -> GradingPolicy:
    return get_object_or_404(GradingPolicy.objects.select_related("created_by"), pk=pk)


def policy_latest(*, name: str) -> GradingPolicy | None:
    return GradingPolicy.objects.filter(name=name).order_by("-version").first()


def policy_versions(*, name: str) -> QuerySet[GradingPolicy]:
    return GradingPolicy.objects.filter(name=name).select_related("created_by").order_by("-version")


def policy_exists(*, name: str) -> bool:
    return GradingPolicy.objects.filter(name=name).exists()


def policy_choices() -> QuerySet[GradingPolicy]:
    """Every version, newest first (for choosing the policy of a run)."""
    return GradingPolicy.objects.order_by("-created_at", "-id")


# Periods and runs ----------------------------------------------------------------------


def period_list() -> QuerySet[GradingPeriod]:
    return GradingPeriod.objects.annotate(run_count=Count("runs")).order_by("-start_date")


def run_list() -> QuerySet[GradingRun]:
    return GradingRun.objects.select_related(
        "period", "policy", "created_by", "published_by"
    ).order_by("-created_at", "-id")


def run_get(*, pk: Any) -> GradingRun:
    return get_object_or_404(run_list(), pk=pk)


@dataclass(frozen=True)
class GradeFilters:
    territory: Territory | None = None
    compliance_class: str = ""
    tier: int | None = None
    segment: str = ""


def grade_list(*, user: User, run: GradingRun, filters: GradeFilters) -> QuerySet[RetailerGrade]:
    """The run's grades the user may see, filtered, each with `adjusted_tier` (the latest
    accepted adjustment, None without one) and `effective_tier` (the tier in force); the tier
    filter applies to the tier in force. Ordered by rank."""
    grades = grade_with_adjustment(
        grades_visible_to(user)
        .filter(run=run)
        .select_related("retailer", "retailer__territory")
        .defer("row")
    ).annotate(effective_tier=Coalesce(F("adjusted_tier"), F("tier")))
    if filters.territory is not None:
        grades = grades.filter(retailer__territory=filters.territory)
    if filters.compliance_class:
        grades = grades.filter(compliance_class=filters.compliance_class)
    if filters.tier is not None:
        grades = grades.filter(effective_tier=filters.tier)
    if filters.segment:
        grades = grades.filter(segment=filters.segment)
    return grades.order_by("rank", "id")


@dataclass(frozen=True)
class Move:
    """A retailer whose tier changed against the previous run."""

    grade_id: int
    retailer_id: int
    shop_name: str
    territory: str
    before: int
    after: int

    @property
    def delta(self) -> int:
        return self.after - self.before


def run_largest_moves(
    *, run: GradingRun, previous_run_id: int | None, limit: int = 10
) -> tuple[list[Move], list[Move]]:
    """The `limit` largest tier rises and falls of `run` against `previous_run_id`."""
    if previous_run_id is None:
        return [], []
    before = RetailerGrade.objects.filter(run_id=previous_run_id, retailer=OuterRef("retailer"))
    rows = (
        run.grades.annotate(before=Subquery(before.values("tier")[:1]))
        .filter(before__isnull=False)
        .annotate(delta=F("tier") - F("before"))
        .exclude(delta=0)
        .values(
            "id",
            "retailer_id",
            "retailer__shop_name",
            "retailer__territory__name",
            "before",
            "tier",
            "delta",
        )
    )

    def moves(queryset: Any) -> list[Move]:
        return [
            Move(
                grade_id=r["id"],
                retailer_id=r["retailer_id"],
                shop_name=r["retailer__shop_name"],
                territory=r["retailer__territory__name"],
                before=r["before"],
                after=r["tier"],
            )
            for r in queryset[:limit]
        ]

    ups = moves(rows.filter(delta__gt=0).order_by("-delta", "rank"))
    downs = moves(rows.filter(delta__lt=0).order_by("delta", "rank"))
    return ups, downs


# Appeals -------------------------------------------------------------------------------


def appeal_list(*, user: User) -> QuerySet[Appeal]:
    """Appeals of grades the user may see: open ones first, newest first within each."""
    return (
        Appeal.objects.filter(grade__in=grades_visible_to(user))
        .select_related(
            "grade__retailer__territory", "grade__run__period", "raised_by", "reviewed_by"
        )
        .annotate(
            is_open=Case(
                When(status=AppealStatus.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("is_open", "-raised_at", "-id")
    )


def appeal_get(*, user: User, pk: Any) -> Appeal:
    return get_object_or_404(appeals_with_adjusted_tier(appeal_list(user=user)), pk=pk)


def appeals_with_adjusted_tier(appeals: QuerySet[Appeal]) -> QuerySet[Appeal]:
    """Annotate each appeal with `adjusted_tier`: its grade's tier after the latest adjustment
    (None when the grade was never adjusted)."""
    latest = GradeAdjustment.objects.filter(grade=OuterRef("grade")).order_by("-made_at", "-id")
    return appeals.annotate(adjusted_tier=Subquery(latest.values("new_tier")[:1]))


def open_appeal_count(*, user: User) -> int:
    return Appeal.objects.filter(
        grade__in=grades_visible_to(user), status=AppealStatus.OPEN
    ).count()
