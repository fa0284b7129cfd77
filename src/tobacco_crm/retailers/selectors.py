"""Reads of the retailer archive for views, exports and the API; all scoped by the user."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from tobacco_crm.core.history import EMPTY, ChangeEntry, changes_of
from tobacco_crm.core.masking import license_no_for, phone_for
from tobacco_crm.core.pagination import CappedCountPaginator

from .filtersets import RetailerFilterSet
from .models import Retailer

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User
    from tobacco_crm.orders.models import Order


# The most matches a text search collects; the list then says "more than" (see
# core.pagination.CappedCountPaginator, which uses the same cap).
SEARCH_CAP = CappedCountPaginator.cap


def retailer_list(
    *, user: User, params: Any, request: Any = None
) -> tuple[RetailerFilterSet, QuerySet[Retailer]]:
    """The user's visible retailers filtered by `params` (a QueryDict); the filterset carries
    the bound filter form."""
    base = Retailer.objects.visible_to(user).select_related(
        "territory", "territory__customer_manager"
    )
    filterset = RetailerFilterSet(params, queryset=base, request=request)
    queryset = filterset.qs if filterset.is_valid() else base.none()
    text = str((params or {}).get("q") or "").strip()
    if text and not text.isdigit():
        # A substring can't use an index: find the matches in one scan that stops after
        # SEARCH_CAP + 1 of them, then sort and page just those (ordering a rare match through
        # the license index would walk the whole table a second time).
        ids = list(queryset.order_by().values_list("pk", flat=True)[: SEARCH_CAP + 1])
        queryset = base.filter(pk__in=ids)
    if not (params or {}).get("ordering"):
        queryset = queryset.order_by("license_no")
    return filterset, queryset


def retailer_get(*, user: User, pk: Any) -> Retailer:
    """One visible retailer, or 404 (not 403: another territory's retailer doesn't exist for
    this user)."""
    return get_object_or_404(
        Retailer.objects.visible_to(user).select_related(
            "territory", "territory__customer_manager"
        ),
        pk=pk,
    )


MASKERS = {"phone": phone_for, "license_no": license_no_for}


def retailer_history(*, retailer: Retailer, user: User, limit: int = 100) -> list[ChangeEntry]:
    """The retailer's change history, with phone and license values masked for roles that
    don't see them in full."""

    def mask(field: str, value: str) -> str:
        return MASKERS[field](user, value) if field in MASKERS and value != EMPTY else value

    return [
        replace(
            entry,
            changes=[
                replace(c, old=mask(c.field, c.old), new=mask(c.field, c.new))
                for c in entry.changes
            ],
        )
        for entry in changes_of(retailer, limit=limit)
    ]


def retailer_recent_orders(*, retailer: Retailer, limit: int = 10) -> QuerySet[Order]:
    from tobacco_crm.orders.models import Order

    return (
        Order.objects.filter(retailer=retailer)
        .prefetch_related("lines__product")
        .order_by("-order_date", "-id")[:limit]
    )
