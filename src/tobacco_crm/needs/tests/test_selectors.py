"""Reads of follow-up: scoping, the queues and the overdue selection."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tobacco_crm.needs import selectors
from tobacco_crm.needs.choices import NeedCategory, NeedKind, NeedStatus
from tobacco_crm.needs.tests.factories import NeedFactory

pytestmark = pytest.mark.django_db


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def _intel(retailer, raised_by):
    return NeedFactory(
        retailer=retailer, raised_by=raised_by, kind=NeedKind.MARKET_INTEL,
        category=NeedCategory.SMUGGLED,
    )  # fmt: skip


def test_scoped_by_the_retailers_the_user_sees(shops, manager_a, manager_b):
    mine, _, theirs = shops
    a = NeedFactory(retailer=mine, raised_by=manager_a)
    b = NeedFactory(retailer=theirs, raised_by=manager_b)
    assert list(selectors.needs_visible_to(manager_a)) == [a]
    assert list(selectors.needs_visible_to(manager_b)) == [b]


def test_inspectors_queue_holds_the_market_intelligence_of_their_territories(
    shops, manager_a, manager_b, inspector, inspector_b
):
    mine, _, theirs = shops
    NeedFactory(retailer=mine, raised_by=manager_a)
    intel_a = _intel(mine, manager_a)
    intel_b = _intel(theirs, manager_b)
    assert list(selectors.need_queue(user=inspector)) == [intel_a]
    assert list(selectors.need_queue(user=inspector_b)) == [intel_b]


def test_overdue_for_the_owner_earliest_first(shops, manager_a, marketing_manager):
    mine, neighbour, _ = shops
    late = NeedFactory(retailer=mine, raised_by=manager_a, due_date=_days(-1))
    later = NeedFactory(retailer=neighbour, raised_by=manager_a, due_date=_days(-5))
    NeedFactory(retailer=mine, raised_by=manager_a, due_date=_days(0))  # due today: not yet
    NeedFactory(
        retailer=mine, raised_by=manager_a, due_date=_days(-9), status=NeedStatus.FED_BACK,
        owner=manager_a, resolution="x", resolved_at=timezone.now(), feedback="y",
        fed_back_at=timezone.now(),
    )  # fmt: skip
    assert list(selectors.overdue_for(manager_a)) == [later, late]
    # The marketing manager sees them as unassigned, until one is someone else's.
    assert set(selectors.overdue_for(marketing_manager)) == {late, later}
    late.status, late.owner = NeedStatus.ASSIGNED, manager_a
    late.save()
    assert list(selectors.overdue_for(marketing_manager)) == [later]
    assert late.is_overdue() and not late.is_overdue(_days(-2))


def test_order_taker_queue_holds_what_he_raised(shops, manager_a, order_taker):
    mine, _, theirs = shops
    NeedFactory(retailer=mine, raised_by=manager_a)
    own = NeedFactory(retailer=theirs, raised_by=order_taker)
    assert list(selectors.need_queue(user=order_taker)) == [own]
