"""Reads of grading, scoped by the user like every retailer read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from tobacco_crm.engines.grading import GradingPolicy as EnginePolicy
from tobacco_crm.engines.grading import explain_row
from tobacco_crm.retailers.models import Retailer

from . import adapters
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


# Reads of the field screens ----------------------------------------------------------


def open_periods() -> QuerySet[GradingPeriod]:
    """Periods that still take deductions and indicators, newest first."""
    return GradingPeriod.objects.filter(locked=False).order_by("-start_date")


def default_period() -> GradingPeriod | None:
    """The open period holding today, else the latest open one."""
    today = timezone.localdate()
    periods = open_periods()
    return periods.filter(start_date__lte=today, end_date__gte=today).first() or periods.first()


def policy_for_period(period: GradingPeriod) -> GradingPolicy | None:
    """The policy a period's deductions are recorded against: the version of the period's
    latest run (the one the marketing manager grades that period with), else, before any run
    of the period, the most recently saved policy version."""
    run = (
        GradingRun.objects.filter(period=period)
        .select_related("policy")
        .order_by("-created_at", "-pk")
        .first()
    )
    if run is not None:
        return run.policy
    return GradingPolicy.objects.order_by("-created_at", "-pk").first()


def manual_keys(policy: EnginePolicy) -> list[dict[str, Any]]:
    """The indicators customer managers enter for a policy, in the policy's order: every key
    it reads that the system doesn't compute, and their own score when it is blended in."""
    wanted = adapters.policy_keys(policy) - adapters.COMPUTED_INDICATORS
    keys: dict[str, dict[str, Any]] = {}
    for ind in policy.business.indicators:
        if ind.key in wanted:
            keys.setdefault(ind.key, {"key": ind.key, "label": ind.label, "unit": ind.unit})
    for sub in policy.stars.sub_scores:
        if sub.key in wanted:
            keys.setdefault(
                sub.key,
                {
                    "key": sub.key,
                    "label": sub.label,
                    "unit": _("满分 %(m)s") % {"m": f"{sub.max_value:g}"},
                },
            )
    for key in sorted(wanted - set(keys)):
        keys[key] = {"key": key, "label": key, "unit": ""}
    if policy.business.manager_weight > 0:
        top = policy.business.manager_score_max
        keys[adapters.MANAGER_SCORE_KEY] = {
            "key": adapters.MANAGER_SCORE_KEY,
            "label": _("客户经理评分"),
            "unit": _("满分 %(m)s") % {"m": f"{top:g}"},
            "max": top,
        }
    return list(keys.values())


def deductions_visible_to(user: User) -> QuerySet[Deduction]:
    """Deductions of the retailers the user may see."""
    return Deduction.objects.filter(retailer__in=Retailer.objects.visible_to(user))
