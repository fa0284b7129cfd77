"""Reads of visit records, scoped like the plans: a customer manager sees the records of his
own visits to retailers he sees; the company-wide roles see all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from tobacco_crm.accounts.choices import Role
from tobacco_crm.retailers.models import Retailer

from .models import PlannedVisit, VisitRecord

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User


def records_visible_to(user: User) -> QuerySet[VisitRecord]:
    if not user.is_authenticated or not user.is_active:
        return VisitRecord.objects.none()
    records = VisitRecord.objects.filter(retailer__in=Retailer.objects.visible_to(user))
    if user.sees_whole_company:
        return records
    if user.effective_role == Role.CUSTOMER_MANAGER:
        return records.filter(manager=user)
    return VisitRecord.objects.none()


def record_get(*, user: User, pk: Any) -> VisitRecord:
    """One visible record, or 404."""
    return get_object_or_404(
        records_visible_to(user).select_related("retailer", "planned_visit"), pk=pk
    )


def records_of_visit(*, user: User, visit: PlannedVisit) -> list[VisitRecord]:
    """The visit's records, newest first."""
    return list(records_visible_to(user).filter(planned_visit=visit).order_by("-created_at", "-id"))
