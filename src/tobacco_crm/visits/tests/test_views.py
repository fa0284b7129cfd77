"""The plan screens: the signed-in manager's week, the day map, move and drop, export;
another manager's plan and visits answer 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tobacco_crm.core.excel import read_workbook
from tobacco_crm.core.tests.factories import RetailerFactory
from tobacco_crm.visits import services

pytestmark = pytest.mark.django_db

WEEK = dt.date(2026, 11, 16)


@pytest.fixture
def plan(manager_a, territory_a, company):
    company.latitude, company.longitude = Decimal("30.57"), Decimal("104.06")
    company.save()
    for i in range(3):
        RetailerFactory(
            territory=territory_a,
            latitude=Decimal("30.57") + Decimal(i) / 100,
            longitude=Decimal("104.07") - Decimal(i) / 100,
        )
    return services.visit_plan_draft(manager=manager_a, week_start=WEEK, actor=manager_a)


def test_plan_page_lists_visits(client, manager_a, plan):
    client.force_login(manager_a)
    response = client.get(reverse("visits-plan"), {"week": WEEK.isoformat()})
    assert response.status_code == 200
    body = response.content.decode()
    for v in plan.visits.all():
        assert v.retailer.shop_name in body
    assert "按服务标准到期" not in body  # labels of purposes are shown, not kinds
    assert "每 4 周拜访一次" in body


def test_draft_button(client, manager_a, territory_a):
    RetailerFactory(territory=territory_a)
    client.force_login(manager_a)
    response = client.post(reverse("visits-plan-draft"), {"week": WEEK.isoformat()})
    assert response.status_code == 302
    assert manager_a.visit_plans.get().visits.count() == 1


def test_day_map_is_inline_svg(client, manager_a, plan):
    client.force_login(manager_a)
    response = client.get(reverse("visits-plan-day", args=[plan.pk, WEEK.isoformat()]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and "route-line" in body
    assert "tile" not in body.lower()


def test_other_manager_gets_404(client, manager_b, territory_b, plan):
    client.force_login(manager_b)
    visit = plan.visits.first()
    assert (
        client.get(reverse("visits-plan-day", args=[plan.pk, WEEK.isoformat()])).status_code == 404
    )
    assert client.get(reverse("visits-plan-export", args=[plan.pk])).status_code == 404
    day = (WEEK + dt.timedelta(days=1)).isoformat()
    assert (
        client.post(reverse("visits-visit-move", args=[visit.pk]), {"day": day}).status_code == 404
    )
    assert client.post(reverse("visits-visit-drop", args=[visit.pk])).status_code == 404
    assert plan.visits.count() == 3
    response = client.get(reverse("visits-plan"), {"week": WEEK.isoformat()})
    assert "no-plan" in response.content.decode()


def test_move_and_drop(client, manager_a, plan):
    client.force_login(manager_a)
    visit = plan.visits.order_by("day", "position").first()
    day = WEEK + dt.timedelta(days=2)
    response = client.post(reverse("visits-visit-move", args=[visit.pk]), {"day": day.isoformat()})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.day == day and visit.position >= 1 and visit.planned_arrival is not None
    client.post(reverse("visits-visit-drop", args=[visit.pk]))
    assert plan.visits.count() == 2


def test_export(client, manager_a, plan):
    client.force_login(manager_a)
    response = client.get(reverse("visits-plan-export", args=[plan.pk]))
    assert response.status_code == 200
    sheet = read_workbook(response.content)
    assert len(list(sheet.rows)) == 3
