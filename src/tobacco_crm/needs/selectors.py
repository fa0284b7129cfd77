"""Reads of follow-up, scoped by `Retailer.objects.visible_to` like every retailer read.

An inspector sees only market intelligence (his queue); everyone else sees every item of the
retailers he sees."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tobacco_crm.accounts.choices import Role
from tobacco_crm.retailers.models import Retailer

from .choices import ACTIVE_STATUSES, NEED_DISPATCHER_ROLES, NeedKind
from .models import Need

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User

LIST_RELATED = ("retailer", "owner", "raised_by")


def needs_visible_to(user: User) -> QuerySet[Need]:
    needs = Need.objects.filter(retailer__in=Retailer.objects.visible_to(user))
    if user.effective_role == Role.INSPECTOR:
        needs = needs.filter(kind=NeedKind.MARKET_INTEL)
    return needs


def need_get(*, user: User, pk: Any) -> Need:
    """One visible item, or 404."""
    return get_object_or_404(
        needs_visible_to(user).select_related(
            "retailer__territory__customer_manager", "owner", "raised_by"
        ),
        pk=pk,
    )


def need_queue(*, user: User) -> QuerySet[Need]:
    """The items waiting for the user, earliest due first (so the overdue ones lead):
    a customer manager's: every active item of his retailers; an inspector's: the active
    market intelligence of his territories; a dispatcher's: the unassigned ones and his own;
    anyone else's: the ones he owns or raised."""
    needs = needs_visible_to(user).filter(status__in=ACTIVE_STATUSES)
    role = user.effective_role
    if role in NEED_DISPATCHER_ROLES:
        needs = needs.filter(Q(owner__isnull=True) | Q(owner=user) | Q(raised_by=user))
    elif role not in (Role.CUSTOMER_MANAGER, Role.INSPECTOR):
        needs = needs.filter(Q(owner=user) | Q(raised_by=user))
    return needs.select_related(*LIST_RELATED).order_by("due_date", "raised_at", "pk")


def overdue_for(user: User, *, today: dt.date | None = None) -> QuerySet[Need]:
    """The user's queue past its due dates (for the dashboard's alerts)."""
    return need_queue(user=user).filter(due_date__lt=today or timezone.localdate())


def needs_of_retailer(*, user: User, retailer: Retailer) -> QuerySet[Need]:
    """A retailer's items the user may see, the active ones first, newest first."""
    return (
        needs_visible_to(user)
        .filter(retailer=retailer)
        .select_related("owner", "raised_by")
        .order_by("-raised_at", "-pk")
    )
