"""The writes of follow-up: who may raise, assign, resolve and feed back, the status flow,
and the history each step leaves with its user."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tobacco_crm.needs import services
from tobacco_crm.needs.choices import NeedCategory, NeedChannel, NeedKind, NeedStatus
from tobacco_crm.needs.models import Need
from tobacco_crm.needs.tests.factories import NeedFactory

pytestmark = pytest.mark.django_db


def _raise(retailer, actor, **kwargs):
    args = {
        "kind": NeedKind.COMPLAINT,
        "category": NeedCategory.DELIVERY,
        "description": "送货晚了两天",
        "channel": NeedChannel.VISIT,
    }
    return services.need_raise(retailer=retailer, actor=actor, **(args | kwargs))


def test_the_full_flow_writes_history_with_each_user(shops, manager_a, marketing_manager):
    mine, _, _ = shops
    need = _raise(mine, manager_a)
    assert need.status == NeedStatus.OPEN
    assert need.due_date == timezone.localdate() + dt.timedelta(days=3)
    need = services.need_assign(need=need, owner=manager_a, actor=marketing_manager)
    need = services.need_resolve(need=need, resolution="已协调配送中心", actor=manager_a)
    assert need.status == NeedStatus.RESOLVED
    need = services.need_feed_back(need=need, feedback="电话告知零售户", actor=manager_a)
    assert need.status == NeedStatus.FED_BACK
    records = list(need.history.order_by("history_date", "history_id"))
    assert [(r.status, r.history_user, r.history_change_reason) for r in records] == [
        (NeedStatus.OPEN, manager_a, "登记"),
        (NeedStatus.ASSIGNED, marketing_manager, f"分派给 {manager_a}"),
        (NeedStatus.RESOLVED, manager_a, "办结"),
        (NeedStatus.FED_BACK, manager_a, "反馈零售户"),
    ]


def test_cannot_feed_back_before_resolving(shops, manager_a):
    need = _raise(shops[0], manager_a)
    with pytest.raises(ValidationError) as error:
        services.need_feed_back(need=need, feedback="已答复", actor=manager_a)
    assert "status" in error.value.message_dict
    services.need_assign(need=need, owner=manager_a, actor=manager_a)
    with pytest.raises(ValidationError):
        services.need_feed_back(need=need, feedback="已答复", actor=manager_a)
    assert Need.objects.get(pk=need.pk).status == NeedStatus.ASSIGNED


def test_cannot_resolve_an_open_need_or_without_text(shops, manager_a):
    need = _raise(shops[0], manager_a)
    with pytest.raises(ValidationError):
        services.need_resolve(need=need, resolution="好了", actor=manager_a)
    services.need_assign(need=need, owner=manager_a, actor=manager_a)
    with pytest.raises(ValidationError) as error:
        services.need_resolve(need=need, resolution="  ", actor=manager_a)
    assert "resolution" in error.value.message_dict


def test_customer_manager_raises_only_for_his_retailers(shops, manager_a):
    with pytest.raises(PermissionDenied):
        _raise(shops[2], manager_a)
    assert not Need.objects.exists()


def test_order_taker_raises_by_phone_only(shops, order_taker):
    with pytest.raises(ValidationError) as error:
        _raise(shops[2], order_taker)
    assert "channel" in error.value.message_dict
    need = _raise(shops[2], order_taker, channel=NeedChannel.PHONE)
    assert need.raised_by == order_taker


@pytest.mark.parametrize("who", ["inspector", "marketing_manager"])
def test_inspectors_and_marketing_managers_do_not_raise(shops, who, request):
    with pytest.raises(PermissionDenied):
        _raise(shops[0], request.getfixturevalue(who))


def test_market_intelligence_goes_to_the_inspectors_of_the_territory(
    shops, manager_a, inspector, inspector_b
):
    need = _raise(
        shops[0], manager_a, kind=NeedKind.MARKET_INTEL, category=NeedCategory.COUNTERFEIT
    )
    assert list(services.owner_candidates(need)) == [inspector]
    # The customer manager can't take it, another territory's inspector can't be given it.
    with pytest.raises(PermissionDenied):
        services.need_assign(need=need, owner=inspector, actor=manager_a)
    with pytest.raises(PermissionDenied):
        services.need_assign(need=need, owner=inspector_b, actor=inspector_b)
    need = services.need_assign(need=need, owner=inspector, actor=inspector)
    need = services.need_resolve(need=need, resolution="已移交专卖稽查", actor=inspector)
    assert need.status == NeedStatus.CLOSED
    with pytest.raises(ValidationError):
        services.need_feed_back(need=need, feedback="x", actor=inspector)


def test_owner_must_be_able_to_act(shops, manager_a, manager_b, inspector, marketing_manager):
    need = _raise(shops[0], manager_a)
    for wrong in (manager_b, inspector):
        with pytest.raises(ValidationError) as error:
            services.need_assign(need=need, owner=wrong, actor=marketing_manager)
        assert "owner" in error.value.message_dict
    services.need_assign(need=need, owner=marketing_manager, actor=manager_a)


def test_only_the_owner_resolves(shops, manager_a, marketing_manager, order_taker):
    need = _raise(shops[0], manager_a)
    services.need_assign(need=need, owner=marketing_manager, actor=marketing_manager)
    for other in (manager_a, order_taker):
        with pytest.raises(PermissionDenied):
            services.need_resolve(need=need, resolution="好了", actor=other)
    services.need_resolve(need=need, resolution="好了", actor=marketing_manager)
    # The customer manager answers the retailer.
    need = services.need_feed_back(need=need, feedback="已告知", actor=manager_a)
    assert need.status == NeedStatus.FED_BACK


def test_category_must_match_kind(shops, manager_a):
    with pytest.raises(ValidationError):
        _raise(shops[0], manager_a, kind=NeedKind.NEED, category=NeedCategory.SMUGGLED)


def test_constraints_hold_in_the_database(shops, manager_a):
    cases = [
        {"status": NeedStatus.ASSIGNED},  # no owner
        {"status": NeedStatus.FED_BACK, "owner": manager_a},  # no resolution nor feedback
        {"kind": NeedKind.MARKET_INTEL},  # category of a need
        {"status": NeedStatus.CLOSED, "owner": manager_a, "resolution": "x",
         "resolved_at": timezone.now()},  # a need is never closed
    ]  # fmt: skip
    for fields in cases:
        with pytest.raises(IntegrityError), transaction.atomic():
            NeedFactory(retailer=shops[0], raised_by=manager_a, **fields)
