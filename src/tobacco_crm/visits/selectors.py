"""Reads of visit plans, scoped like every retailer read: a customer manager sees his own
plans; the company-wide roles (marketing manager, order taker, administrator) see all; anyone
else none. A visit is only ever shown with its retailer visible to the user."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from tobacco_crm.accounts.choices import Role
from tobacco_crm.retailers.models import Retailer

from .models import PlannedVisit, ServiceStandard, VisitPlan

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User


def week_start_of(day: dt.date) -> dt.date:
    """The Monday of `day`'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def standard_current() -> ServiceStandard:
    """The latest service standard, or the defaults (unsaved, version 0) when none is set."""
    return ServiceStandard.objects.order_by("-version").first() or ServiceStandard(version=0)


def plans_visible_to(user: User) -> QuerySet[VisitPlan]:
    if not user.is_authenticated or not user.is_active:
        return VisitPlan.objects.none()
    if user.sees_whole_company:
        return VisitPlan.objects.all()
    if user.effective_role == Role.CUSTOMER_MANAGER:
        return VisitPlan.objects.filter(manager=user)
    return VisitPlan.objects.none()


def plan_get(*, user: User, pk: Any) -> VisitPlan:
    """One visible plan, or 404."""
    return get_object_or_404(plans_visible_to(user).select_related("manager", "standard"), pk=pk)


def plan_for_week(*, user: User, week_start: dt.date) -> VisitPlan | None:
    """The user's own plan of the week, if drafted."""
    return (
        plans_visible_to(user)
        .filter(manager=user, week_start=week_start_of(week_start))
        .select_related("standard")
        .first()
    )


def plan_visits(
    *, user: User, plan: VisitPlan, day: dt.date | None = None
) -> QuerySet[PlannedVisit]:
    """The plan's visits the user may see, in route order."""
    visits = plan.visits.filter(retailer__in=Retailer.objects.visible_to(user))
    if day is not None:
        visits = visits.filter(day=day)
    return visits.select_related("retailer").order_by("day", "position", "id")


def visit_get(*, user: User, pk: Any) -> PlannedVisit:
    """One visible planned visit (its plan and its retailer visible), or 404."""
    return get_object_or_404(
        PlannedVisit.objects.filter(
            plan__in=plans_visible_to(user), retailer__in=Retailer.objects.visible_to(user)
        ).select_related("plan", "retailer"),
        pk=pk,
    )


def plan_days(plan: VisitPlan) -> list[dt.date]:
    """The plan's working days (by its standard, or the current one)."""
    standard = plan.standard or standard_current()
    return [plan.week_start + dt.timedelta(days=d) for d in sorted(set(standard.working_days))]
