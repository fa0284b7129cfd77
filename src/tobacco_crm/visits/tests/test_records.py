"""Visit records: check-in distance and the far flag, not in (the call logged, the visit
re-planned next week as missed), append-only after the day, corrections, archive corrections
in the retailer's history, needs raised in a visit, and scoping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tobacco_crm.core.tests.factories import RetailerFactory
from tobacco_crm.needs.choices import NeedChannel, NeedStatus
from tobacco_crm.needs.models import Need
from tobacco_crm.visits import record_services, services
from tobacco_crm.visits.choices import PurposeKind, VisitOutcome
from tobacco_crm.visits.models import PlannedVisit, VisitPlan, VisitRecord
from tobacco_crm.visits.selectors import week_start_of

pytestmark = pytest.mark.django_db

SHOP = (Decimal("30.570000"), Decimal("104.060000"))


@pytest.fixture
def visit(manager_a, territory_a):
    retailer = RetailerFactory(territory=territory_a, latitude=SHOP[0], longitude=SHOP[1])
    plan = VisitPlan.objects.create(
        manager=manager_a, week_start=week_start_of(timezone.localdate())
    )
    return PlannedVisit.objects.create(plan=plan, retailer=retailer, day=timezone.localdate())


def test_haversine_metres():
    # 0.001° of latitude is about 111 m
    assert record_services.haversine_m(30.57, 104.06, 30.571, 104.06) == pytest.approx(111.2, 0.01)


def test_check_in_near_the_shop(visit, manager_a):
    record = record_services.visit_check_in(
        planned_visit=visit, lat=30.5701, lon=104.06, accuracy=12.0, actor=manager_a
    )
    assert record.distance_m == pytest.approx(11.1, abs=0.2)
    assert not record.far_from_shop
    assert record.accuracy_m == 12.0
    assert record.outcome == VisitOutcome.VISITED
    visit.refresh_from_db()
    assert visit.visited_at == record.checked_in_at
    assert record.history.count() == 1


def test_check_in_far_from_the_shop_is_flagged(visit, manager_a):
    record = record_services.visit_check_in(
        planned_visit=visit, lat=30.575, lon=104.06, accuracy=20, actor=manager_a
    )
    assert record.distance_m == pytest.approx(556, abs=2)
    assert record.far_from_shop


def test_ad_hoc_check_in_at_a_retailer(manager_a, territory_a):
    retailer = RetailerFactory(territory=territory_a, latitude=SHOP[0], longitude=SHOP[1])
    record = record_services.visit_check_in(
        retailer=retailer, lat=30.57, lon=104.06, accuracy=None, actor=manager_a
    )
    assert record.planned_visit is None and record.distance_m == 0


def test_another_manager_cannot_check_in(visit, manager_b, territory_b):
    with pytest.raises(PermissionDenied):
        record_services.visit_check_in(
            planned_visit=visit, lat=30.57, lon=104.06, accuracy=5, actor=manager_b
        )
    with pytest.raises(PermissionDenied):
        record_services.visit_check_in(
            retailer=visit.retailer, lat=30.57, lon=104.06, accuracy=5, actor=manager_b
        )


def test_not_in_logs_the_call_and_the_next_draft_plans_it_as_missed(
    manager_a, territory_a, company
):
    company.latitude, company.longitude = SHOP
    company.save()
    week = dt.date(2026, 11, 16)
    retailer = RetailerFactory(territory=territory_a, latitude=SHOP[0], longitude=SHOP[1])
    plan = services.visit_plan_draft(manager=manager_a, week_start=week, actor=manager_a)
    visit = plan.visits.get(retailer=retailer)
    with pytest.raises(ValidationError):
        record_services.visit_not_in(planned_visit=visit, call_note=" ", actor=manager_a)
    record = record_services.visit_not_in(
        planned_visit=visit, call_note="电话：店主外出，周四在", actor=manager_a
    )
    assert record.outcome == VisitOutcome.NOT_IN and record.call_note.startswith("电话")
    visit.refresh_from_db()
    assert visit.visited_at is None
    nxt = services.visit_plan_draft(
        manager=manager_a, week_start=week + dt.timedelta(days=7), actor=manager_a
    )
    again = nxt.visits.get(retailer=retailer)
    assert PurposeKind.MISSED in [p["kind"] for p in again.purposes]


def test_checklist_same_day(visit, manager_a):
    record = record_services.visit_check_in(
        planned_visit=visit, lat=30.57, lon=104.06, accuracy=5, actor=manager_a
    )
    record = record_services.visit_record_checklist(
        record=record,
        actor=manager_a,
        board_business_card=True,
        price_tags="tampered",
        stock=[{"brand": "娇子", "stock": 3, "stockout_days": 2}],
        prices=[{"brand": "娇子", "price": "22"}],
        info_given=["promotion", "out_of_stock"],
        opinions="希望多给紧俏品牌",
    )
    record.refresh_from_db()
    assert record.board_business_card and record.price_tags == "tampered"
    assert record.info_given == ["out_of_stock", "promotion"]
    assert record.stock[0]["stockout_days"] == 2
    with pytest.raises(ValidationError):
        record_services.visit_record_checklist(record=record, actor=manager_a, price_tags="x")
    with pytest.raises(ValidationError):
        record_services.visit_record_checklist(record=record, actor=manager_a, manager=None)


def test_past_day_record_cannot_be_edited_and_a_correction_is_a_new_record(visit, manager_a):
    record = record_services.visit_check_in(
        planned_visit=visit, lat=30.57, lon=104.06, accuracy=5, actor=manager_a
    )
    record_services.visit_record_checklist(record=record, actor=manager_a, price_tags="right")
    VisitRecord.objects.filter(pk=record.pk).update(
        checked_in_at=timezone.now() - dt.timedelta(days=1)
    )
    record.refresh_from_db()
    assert record.day_closed
    with pytest.raises(ValidationError):
        record_services.visit_record_checklist(record=record, actor=manager_a, price_tags="missing")
    correction = record_services.visit_correct(
        record=record, actor=manager_a, price_tags="missing", note="价签记错"
    )
    assert correction.pk != record.pk and correction.corrects == record
    assert correction.price_tags == "missing" and correction.note == "价签记错"
    assert correction.distance_m == record.distance_m
    record.refresh_from_db()
    assert record.price_tags == "right"
    assert correction.history.first().history_change_reason == "更正"


def test_only_the_manager_corrects_his_record(visit, manager_a, manager_b):
    record = record_services.visit_check_in(
        planned_visit=visit, lat=30.57, lon=104.06, accuracy=5, actor=manager_a
    )
    with pytest.raises(PermissionDenied):
        record_services.visit_correct(record=record, actor=manager_b, note="x")


def test_archive_correction_writes_retailer_history(client, visit, manager_a):
    client.force_login(manager_a)
    retailer = visit.retailer
    response = client.post(
        reverse("visits-archive", args=[visit.pk]),
        {
            "phone": "13912345678",
            "owner_name": "李四",
            "business_format": retailer.business_format,
            "business_district": retailer.business_district,
        },
    )
    assert response.status_code == 302
    retailer.refresh_from_db()
    assert retailer.phone == "13912345678" and retailer.owner_name == "李四"
    last = retailer.history.first()
    assert last.history_change_reason == "拜访中更正" and last.history_user == manager_a
    with pytest.raises(ValidationError):
        record_services.visit_archive_correct(
            retailer=retailer, data={"shop_name": "x"}, actor=manager_a
        )


def test_need_from_a_visit_is_open_with_channel_visit(client, visit, manager_a):
    client.force_login(manager_a)
    response = client.post(
        reverse("visits-need", args=[visit.pk]),
        {"kind": "need", "category": "supply", "description": "希望增加娇子货源"},
    )
    assert response.status_code == 302
    need = Need.objects.get(retailer=visit.retailer)
    assert need.channel == NeedChannel.VISIT and need.status == NeedStatus.OPEN
    assert need.raised_by == manager_a


def test_check_in_view_and_visit_page(client, visit, manager_a):
    client.force_login(manager_a)
    today = client.get(reverse("visits-today"))
    assert visit.retailer.shop_name in today.content.decode()
    page = client.get(reverse("visits-visit", args=[visit.pk]))
    assert "check-in-button" in page.content.decode()
    response = client.post(
        reverse("visits-check-in", args=[visit.pk]), {"lat": "30.58", "lon": "104.06"}
    )
    assert response.status_code == 302
    record = VisitRecord.objects.get(planned_visit=visit)
    assert record.far_from_shop
    page = client.get(reverse("visits-visit", args=[visit.pk]))
    body = page.content.decode()
    assert "far-flag" in body and "checklist-form" in body
    response = client.post(
        reverse("visits-checklist", args=[visit.pk]),
        {
            "price_tags": "right",
            "stock": "娇子,3,2\n利群，5",
            "prices": "娇子,22",
            "info_given": ["new_product"],
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.stock == [
        {"brand": "娇子", "stock": 3, "stockout_days": 2},
        {"brand": "利群", "stock": 5, "stockout_days": 0},
    ]
    assert record.prices == [{"brand": "娇子", "price": "22"}]
    bad = client.post(reverse("visits-checklist", args=[visit.pk]), {"stock": "娇子,x"})
    assert bad.status_code == 200 and "请填写整数" in bad.content.decode()
    response = client.post(reverse("visits-not-in", args=[visit.pk]), {"call_note": "已电话"})
    assert VisitRecord.objects.filter(outcome=VisitOutcome.NOT_IN).count() == 1


def test_another_manager_gets_404(client, visit, manager_b, territory_b):
    client.force_login(manager_b)
    for name in ["visits-visit", "visits-check-in", "visits-checklist", "visits-need"]:
        method = client.get if name == "visits-visit" else client.post
        assert method(reverse(name, args=[visit.pk])).status_code == 404
    assert visit.retailer.shop_name not in client.get(reverse("visits-today")).content.decode()
    assert not VisitRecord.objects.exists() and not Need.objects.exists()
