"""Reads of grading, scoped by the user like every retailer read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from tobacco_crm.engines.grading import explain_row
from tobacco_crm.retailers.models import Retailer

from .choices import RunStatus
from .models import (
    Deduction,
    GradeAdjustment,
    GradingPeriod,
    GradingPolicy,
    GradingRun,
    RetailerGrade,
)

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User


def grades_visible_to(user: User) -> QuerySet[RetailerGrade]:
    """Grades of the retailers the user may see."""
    return RetailerGrade.objects.filter(retailer__in=Retailer.objects.visible_to(user))


def run_in_force(period: GradingPeriod | None = None) -> GradingRun | None:
    """The published run in force: of `period`, or of the latest graded period."""
    runs = GradingRun.objects.filter(status=RunStatus.PUBLISHED).select_related("period", "policy")
    if period is not None:
        runs = runs.filter(period=period)
    return runs.order_by("-period__start_date", "-published_at").first()


def grade_current(*, user: User, retailer_id: int) -> RetailerGrade | None:
    """The retailer's grade in force (latest published run), if the user may see it."""
    run = run_in_force()
    if run is None:
        return None
    return (
        grades_visible_to(user)
        .filter(run=run, retailer_id=retailer_id)
        .select_related("run__period", "run__policy", "retailer")
        .first()
    )


def grade_get(*, user: User, pk: Any) -> RetailerGrade:
    return get_object_or_404(
        grades_visible_to(user).select_related("run__period", "run__policy", "retailer"), pk=pk
    )


def grade_with_adjustment(queryset: QuerySet[RetailerGrade]) -> QuerySet[RetailerGrade]:
    """Annotate each grade with `adjusted_tier`: the latest accepted adjustment's tier."""
    latest = GradeAdjustment.objects.filter(grade=OuterRef("pk")).order_by("-made_at", "-id")
    return queryset.annotate(adjusted_tier=Subquery(latest.values("new_tier")[:1]))


def grade_explanation(grade: RetailerGrade) -> dict[str, Any]:
    """The grade's full explanation (indicators, deductions, caps, what would raise it),
    rebuilt by the engine from the stored row and the run's context, with each deduction's
    date and reason added from the records."""
    explanation = explain_row(grade.row, grade.run.context)
    deductions = explanation["compliance"]["deductions"]
    ids = [d.get("deduction_id") for d in deductions]
    records = {
        d.pk: d
        for d in Deduction.objects.filter(pk__in=[i for i in ids if i is not None]).select_related(
            "inspector"
        )
    }
    for item in deductions:
        record = records.get(item.get("deduction_id"))
        if record is not None:
            item["occurred_on"] = record.occurred_on.isoformat()
            item["reason"] = record.reason
            item["inspector"] = str(record.inspector)
            item["explained"] = record.explained
    return explanation


def run_movements(run: GradingRun) -> dict[str, Any]:
    """Tier moves of `run` against the run in force before it: per territory, how many
    retailers go up, down or stay, and the largest moves."""
    previous = (
        GradingRun.objects.filter(status__in=[RunStatus.PUBLISHED, RunStatus.SUPERSEDED])
        .exclude(pk=run.pk)
        .filter(created_at__lt=run.created_at)
        .order_by("-created_at")
        .first()
    )
    if previous is None:
        return {"previous_run": None, "territories": [], "up": 0, "down": 0, "same": 0}
    before = previous.grades.filter(retailer=OuterRef("retailer")).values("tier")[:1]
    rows = (
        run.grades.annotate(before=Subquery(before))
        .values("retailer__territory__code", "retailer__territory__name", "tier", "before")
        .order_by()
    )
    territories: dict[str, dict[str, Any]] = {}
    totals = {"up": 0, "down": 0, "same": 0, "new": 0}
    for row in rows.iterator(chunk_size=20000):
        code = row["retailer__territory__code"]
        entry = territories.setdefault(
            code,
            {"code": code, "name": row["retailer__territory__name"], "up": 0, "down": 0,
             "same": 0, "new": 0},
        )  # fmt: skip
        if row["before"] is None:
            kind = "new"
        elif row["tier"] > row["before"]:
            kind = "up"
        elif row["tier"] < row["before"]:
            kind = "down"
        else:
            kind = "same"
        entry[kind] += 1
        totals[kind] += 1
    return {
        "previous_run": previous.pk,
        "territories": sorted(territories.values(), key=lambda t: t["code"]),
        **totals,
    }


def run_distribution_by_territory(run: GradingRun) -> list[dict[str, Any]]:
    """Per territory: retailers per compliance class and mean tier."""
    from django.db.models import Avg, Q

    return list(
        run.grades.values("retailer__territory__code", "retailer__territory__name")
        .annotate(
            retailers=Count("id"),
            class_a=Count("id", filter=Q(compliance_class="A")),
            class_b=Count("id", filter=Q(compliance_class="B")),
            class_c=Count("id", filter=Q(compliance_class="C")),
            class_w=Count("id", filter=Q(compliance_class="W")),
            mean_tier=Avg("tier"),
        )
        .order_by("retailer__territory__code")
    )


def policy_latest_versions() -> QuerySet[GradingPolicy]:
    return GradingPolicy.objects.order_by("name", "-version")
