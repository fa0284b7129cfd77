"""The follow-up screens: scoping (404), role checks (403), the actions with their history,
the retailer fragment, and the list's query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tobacco_crm.core.tests.factories import RetailerFactory
from tobacco_crm.needs.choices import NeedCategory, NeedKind, NeedStatus
from tobacco_crm.needs.models import Need
from tobacco_crm.needs.tests.factories import NeedFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_another_managers_retailer_answers_404(client, shops, manager_a, manager_b):
    mine, _, theirs = shops
    need = NeedFactory(retailer=theirs, raised_by=manager_b)
    client.force_login(manager_a)
    assert client.get(reverse("needs-create", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("needs-detail", args=[need.pk])).status_code == 404
    assert client.get(reverse("needs-retailer", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("needs-detail", args=[need.pk]), {"action": "resolve"})
    assert response.status_code == 404
    assert client.get(reverse("needs-retailer", args=[mine.pk])).status_code == 200


def test_inspector_cannot_raise(client, shops, inspector):
    client.force_login(inspector)
    assert client.get(reverse("needs-create", args=[shops[0].pk])).status_code == 403


def test_raise_then_assign_resolve_feed_back(client, shops, manager_a):
    mine = shops[0]
    client.force_login(manager_a)
    response = client.post(
        reverse("needs-create", args=[mine.pk]),
        {"kind": NeedKind.NEED, "category": NeedCategory.SUPPLY, "description": "想要更多中华",
         "channel": "visit", "due_date": ""},
    )  # fmt: skip
    need = Need.objects.get()
    assert response.url == reverse("needs-detail", args=[need.pk])
    url = need.get_absolute_url()
    page = client.get(url).content.decode()
    assert 'id="assign-form"' in page and 'id="feed-back-form"' not in page
    client.post(url, {"action": "assign", "owner": manager_a.pk})
    client.post(url, {"action": "resolve", "resolution": "下周增加投放"})
    client.post(url, {"action": "feed_back", "feedback": "已当面告知"})
    need.refresh_from_db()
    assert need.status == NeedStatus.FED_BACK
    page = client.get(url).content.decode()
    assert "已当面告知" in page and "反馈零售户" in page
    assert need.history.filter(history_user=manager_a).count() == 4


def test_form_errors_are_shown(client, shops, manager_a):
    need = NeedFactory(retailer=shops[0], raised_by=manager_a)
    client.force_login(manager_a)
    response = client.post(need.get_absolute_url(), {"action": "assign", "owner": ""})
    assert response.status_code == 400
    response = client.post(
        reverse("needs-create", args=[shops[0].pk]),
        {"kind": NeedKind.NEED, "category": NeedCategory.COUNTERFEIT, "description": "x",
         "channel": "visit"},
    )  # fmt: skip
    assert response.status_code == 200 and "类别与类型不符" in response.content.decode()
    assert Need.objects.count() == 1


def test_inspector_list_shows_the_market_intelligence_queue(client, shops, manager_a, inspector):
    NeedFactory(retailer=shops[0], raised_by=manager_a, description="普通诉求")
    NeedFactory(
        retailer=shops[0], raised_by=manager_a, kind=NeedKind.MARKET_INTEL,
        category=NeedCategory.UNLICENSED, description="隔壁无证卖烟",
    )  # fmt: skip
    client.force_login(inspector)
    page = client.get(reverse("needs-list")).content.decode()
    assert "隔壁无证卖烟" in page and "普通诉求" not in page


def test_retailer_fragment(client, shops, manager_a):
    NeedFactory(retailer=shops[0], raised_by=manager_a, description="价格标签缺失")
    client.force_login(manager_a)
    response = client.get(reverse("needs-retailer", args=[shops[0].pk]), **HTMX)
    page = response.content.decode()
    assert "价格标签缺失" in page and 'id="raise-need"' in page and "<html" not in page


def test_list_overdue_first_in_pinned_queries(
    client, shops, manager_a, territory_a, django_assert_num_queries
):
    today = timezone.localdate()
    NeedFactory(retailer=shops[0], raised_by=manager_a, description="未到期")
    NeedFactory(
        retailer=shops[1], raised_by=manager_a, description="已过期",
        due_date=today - dt.timedelta(days=2),
    )  # fmt: skip
    client.force_login(manager_a)
    # Session, user, the queue (need ⋈ retailer ⋈ owner ⋈ raised_by).
    with django_assert_num_queries(3):
        page = client.get(reverse("needs-list")).content.decode()
    assert page.index("已过期") < page.index("未到期")
    assert 'id="overdue-count"' in page
    for _ in range(10):
        NeedFactory(retailer=RetailerFactory(territory=territory_a), raised_by=manager_a)
    with django_assert_num_queries(3):
        client.get(reverse("needs-list"))
