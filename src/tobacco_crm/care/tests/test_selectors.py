"""The agenda's dates (window, year wrap, 29 February), the service plan by segment, and
the outbox's scope."""

from __future__ import annotations

import datetime as dt

import pytest

from tobacco_crm.care.choices import OccasionKind
from tobacco_crm.care.models import OutboxMessage, ServiceStandardItem
from tobacco_crm.care.selectors import (
    agenda_for,
    outbox_visible_to,
    retailer_service_plan,
    retailer_upcoming,
)
from tobacco_crm.core.tests.factories import RetailerFactory
from tobacco_crm.grading.choices import RunStatus, Segment
from tobacco_crm.grading.tests.factories import GradingRunFactory, RetailerGradeFactory

pytestmark = pytest.mark.django_db


def _days(occasions):
    return [(o.retailer.shop_name, o.kind, o.day) for o in occasions]


def test_agenda_takes_today_and_the_next_seven_days(shops, manager_a):
    mine, neighbour, theirs = shops
    mine.birthday = dt.date(1970, 6, 10)
    mine.important_dates = [
        {"date": "2015-06-17", "label": "开业纪念日"},
        {"date": "2015-06-18", "label": "太晚"},
        {"date": "not a date", "label": "坏数据"},
    ]
    mine.save()
    neighbour.birthday = dt.date(1980, 6, 9)  # yesterday: not on the agenda
    neighbour.save()
    theirs.birthday = dt.date(1975, 6, 10)  # another manager's retailer
    theirs.save()
    agenda = agenda_for(user=manager_a, day=dt.date(2026, 6, 10))
    assert _days(agenda) == [
        ("城关便民店", OccasionKind.BIRTHDAY, dt.date(2026, 6, 10)),
        ("城关便民店", OccasionKind.IMPORTANT_DATE, dt.date(2026, 6, 17)),
    ]
    assert agenda[1].label == "开业纪念日" and agenda[1].template_code == "important_date"


def test_agenda_wraps_the_year(shops, manager_a):
    mine, neighbour, _ = shops
    mine.birthday = dt.date(1970, 1, 2)
    mine.save()
    neighbour.important_dates = [{"date": "2020-12-31", "label": "开业纪念日"}]
    neighbour.save()
    agenda = agenda_for(user=manager_a, day=dt.date(2026, 12, 28))
    assert _days(agenda) == [
        ("城关烟酒行", OccasionKind.IMPORTANT_DATE, dt.date(2026, 12, 31)),
        ("城关便民店", OccasionKind.BIRTHDAY, dt.date(2027, 1, 2)),
    ]


def test_29_february_falls_on_28_february_in_a_common_year(shops, manager_a):
    mine, neighbour, _ = shops
    mine.birthday = dt.date(1988, 2, 29)
    mine.save()
    neighbour.important_dates = [{"date": "2024-02-29", "label": "开业纪念日"}]
    neighbour.save()
    common = agenda_for(user=manager_a, day=dt.date(2027, 2, 25))
    assert {o.day for o in common} == {dt.date(2027, 2, 28)}
    assert len(common) == 2
    leap = agenda_for(user=manager_a, day=dt.date(2028, 2, 25))
    assert {o.day for o in leap} == {dt.date(2028, 2, 29)}
    # In a leap year nothing is moved to the 28th.
    assert agenda_for(user=manager_a, day=dt.date(2028, 2, 28), days=0) == []


def test_agenda_is_scoped(shops, manager_b, inspector):
    mine, _, theirs = shops
    for shop in (mine, theirs):
        shop.birthday = dt.date(1970, 6, 10)
        shop.save()
    day = dt.date(2026, 6, 10)
    assert [o.retailer for o in agenda_for(user=manager_b, day=day)] == [theirs]
    assert [o.retailer for o in agenda_for(user=inspector, day=day)] == [mine]


def test_service_plan_follows_the_segment_in_force(shops):
    mine, neighbour, _ = shops
    assert ServiceStandardItem.objects.filter(segment=Segment.BOTTOM).count() == 4
    assert retailer_service_plan(retailer=mine) == []  # no published run yet
    RetailerGradeFactory(retailer=mine, segment=Segment.TOP)
    dry = GradingRunFactory(status=RunStatus.DRY_RUN)
    RetailerGradeFactory(run=dry, retailer=mine, segment=Segment.BOTTOM)
    codes = [item.code for item in retailer_service_plan(retailer=mine)]
    assert "emotional_marketing" in codes and "mindset" not in codes
    assert retailer_service_plan(retailer=neighbour) == []
    ServiceStandardItem.objects.filter(code="value_added").update(active=False)
    assert "value_added" not in [i.code for i in retailer_service_plan(retailer=mine)]


def test_bottom_segment_gets_the_four_steps(shops):
    mine = shops[0]
    RetailerGradeFactory(retailer=mine, segment=Segment.BOTTOM)
    assert [i.code for i in retailer_service_plan(retailer=mine)] == [
        "mindset",
        "ordering_inventory",
        "selling_skills",
        "return_visits",
    ]


def test_retailer_upcoming():
    shop = RetailerFactory(
        birthday=dt.date(1990, 3, 20), important_dates=[{"date": "2001-03-01", "label": "开业"}]
    )
    upcoming = retailer_upcoming(retailer=shop, day=dt.date(2026, 2, 27))
    assert [(o.day, o.label) for o in upcoming] == [(dt.date(2026, 3, 1), "开业"),
                                                   (dt.date(2026, 3, 20), "生日")]  # fmt: skip


def test_outbox_is_scoped(shops, manager_a, manager_b, marketing_manager):
    mine, _, theirs = shops
    a = OutboxMessage.objects.create(retailer=mine, phone="1", text="甲", created_by=manager_a)
    b = OutboxMessage.objects.create(retailer=theirs, phone="2", text="乙", created_by=manager_b)
    assert list(outbox_visible_to(manager_a)) == [a]
    assert list(outbox_visible_to(marketing_manager)) == [b, a]
