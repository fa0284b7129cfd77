"""Adding a visit from the day page (search, pick, purpose note; the day re-optimizes;
scoping), and the richer purposes of the draft: price-tag / display check due, brands to
push, out-of-stock warning — read set-based for all the plan's retailers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tobacco_crm.core.tests.factories import ProductFactory, RetailerFactory
from tobacco_crm.orders.models import Order, OrderLine
from tobacco_crm.products.choices import ProductStatus
from tobacco_crm.visits import adapters, services
from tobacco_crm.visits.choices import PriceTags, PurposeKind
from tobacco_crm.visits.models import ServiceStandard, VisitRecord

pytestmark = pytest.mark.django_db

WEEK = dt.date(2026, 11, 16)  # a Monday


@pytest.fixture
def office(company):
    company.latitude, company.longitude = Decimal("30.570000"), Decimal("104.060000")
    company.save()
    return company


def shop(territory, i: int, **kwargs):
    kwargs.setdefault("latitude", Decimal("30.570000") + Decimal(i % 7 - 3) / 100)
    kwargs.setdefault(
        "longitude", Decimal("104.060000") + Decimal(i % 5 - 2) / 100 + Decimal("0.001")
    )
    return RetailerFactory(territory=territory, **kwargs)


def record(manager, retailer, when: dt.datetime, **kwargs) -> VisitRecord:
    kwargs.setdefault("price_tags", PriceTags.RIGHT)
    kwargs.setdefault("brands_displayed", True)
    return VisitRecord.objects.create(
        retailer=retailer, manager=manager, checked_in_at=when, **kwargs
    )


def order_line(retailer, product, day: dt.date) -> None:
    order = Order.objects.create(retailer=retailer, order_date=day)
    OrderLine.objects.create(
        order=order, product=product, retailer=retailer, order_date=day, cartons=1,
        amount=Decimal("100.00"),
    )  # fmt: skip


def purposes_of(plan, retailer) -> dict[str, dict]:
    visit = plan.visits.get(retailer=retailer)
    return {p["kind"]: p for p in visit.purposes}


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


# --- adding a visit ---------------------------------------------------------------------


@pytest.fixture
def plan(manager_a, territory_a, office):
    for i in range(3):
        shop(territory_a, i)
    return services.visit_plan_draft(manager=manager_a, week_start=WEEK, actor=manager_a)


def test_day_page_searches_and_adds_a_visit(client, manager_a, territory_a, plan):
    extra = shop(territory_a, 5, shop_name="新添测试烟店")
    client.force_login(manager_a)
    day_url = reverse("visits-plan-day", args=[plan.pk, WEEK.isoformat()])
    in_plan = plan.visits.first().retailer
    body = client.get(day_url, {"q": "新添测试"}).content.decode()
    assert "新添测试烟店" in body and 'id="add-visit"' in body
    body = client.get(day_url, {"q": in_plan.shop_name}).content.decode()
    assert f'value="{in_plan.pk}"' not in body  # already planned: not offered

    response = client.post(
        reverse("visits-visit-add", args=[plan.pk, WEEK.isoformat()]),
        {"retailer": extra.pk, "note": "送新品宣传册"},
    )
    assert response.status_code == 302 and response.url == day_url
    visit = plan.visits.get(retailer=extra)
    assert visit.day == WEEK
    assert visit.purposes == [{"kind": PurposeKind.MANUAL.value, "label": "送新品宣传册"}]
    day = list(plan.visits.filter(day=WEEK).order_by("position"))
    assert [v.position for v in day] == list(range(1, len(day) + 1))
    assert all(v.planned_arrival is not None and not v.unfit_reason for v in day)
    # The day's order is the engine's order for the day's stops (re-optimized).
    standard = ServiceStandard(version=0)
    stops = [services._stop(v.retailer, standard) for v in day]
    routed = adapters.route_day(
        (30.57, 104.06), [s for s in stops if s], speed_kmh=25.0, day_start=510, day_minutes=480
    )
    engine_order = [s.retailer_id for s, _a, _s in routed.visits]
    assert [v.retailer_id for v in day] in (engine_order, engine_order[::-1])


def test_add_without_note_and_twice(client, manager_a, territory_a, plan):
    extra = shop(territory_a, 6)
    client.force_login(manager_a)
    url = reverse("visits-visit-add", args=[plan.pk, WEEK.isoformat()])
    client.post(url, {"retailer": extra.pk})
    assert plan.visits.get(retailer=extra).purposes[0]["label"] == "手工添加"
    response = client.post(url, {"retailer": extra.pk}, follow=True)
    assert "该零售户已在本周计划中" in response.content.decode()
    assert plan.visits.filter(retailer=extra).count() == 1


def test_add_scoping(client, manager_a, manager_b, marketing_manager, territory_b, plan):
    b_shop = shop(territory_b, 7)
    url = reverse("visits-visit-add", args=[plan.pk, WEEK.isoformat()])
    # Another manager: the plan is not his (404).
    client.force_login(manager_b)
    assert client.post(url, {"retailer": b_shop.pk}).status_code == 404
    # The plan's manager: another territory's retailer is not visible (404).
    client.force_login(manager_a)
    assert client.post(url, {"retailer": b_shop.pk}).status_code == 404
    # The marketing manager sees the retailer, but it is not in the plan manager's territory.
    client.force_login(marketing_manager)
    assert client.post(url, {"retailer": b_shop.pk}).status_code == 403
    assert not plan.visits.filter(retailer=b_shop).exists()


# --- richer purposes --------------------------------------------------------------------


def test_price_tag_and_display_check_due(manager_a, territory_a, office):
    missing, tampered, undisplayed, fine, fixed = (shop(territory_a, i) for i in range(5))
    record(manager_a, missing, at(WEEK - dt.timedelta(days=40)), price_tags=PriceTags.MISSING)
    record(manager_a, tampered, at(WEEK - dt.timedelta(days=40)), price_tags=PriceTags.TAMPERED)
    record(manager_a, undisplayed, at(WEEK - dt.timedelta(days=40)), brands_displayed=False)
    record(manager_a, fine, at(WEEK - dt.timedelta(days=40)))
    # Only the latest record counts.
    record(manager_a, fixed, at(WEEK - dt.timedelta(days=60)), price_tags=PriceTags.MISSING)
    record(manager_a, fixed, at(WEEK - dt.timedelta(days=40)))
    plan = services.visit_plan_draft(manager=manager_a, week_start=WEEK, actor=manager_a)
    kind = PurposeKind.DISPLAY_CHECK.value
    assert "缺少价签" in purposes_of(plan, missing)[kind]["label"]
    assert "价签被改动" in purposes_of(plan, tampered)[kind]["label"]
    assert "培育品牌未上柜陈列" in purposes_of(plan, undisplayed)[kind]["label"]
    assert kind not in purposes_of(plan, fine)
    assert kind not in purposes_of(plan, fixed)


def test_out_of_stock_warning(manager_a, territory_a, office):
    short, stocked = shop(territory_a, 1), shop(territory_a, 2)
    record(
        manager_a, short, at(WEEK - dt.timedelta(days=40)),
        stock=[
            {"brand": "娇子", "stock": 0, "stockout_days": 3},
            {"brand": "利群", "stock": 5, "stockout_days": 0},
        ],
    )  # fmt: skip
    record(
        manager_a, stocked, at(WEEK - dt.timedelta(days=40)),
        stock=[{"brand": "娇子", "stock": 4, "stockout_days": 0}],
    )  # fmt: skip
    plan = services.visit_plan_draft(manager=manager_a, week_start=WEEK, actor=manager_a)
    warning = purposes_of(plan, short)[PurposeKind.OUT_OF_STOCK.value]
    assert warning["brands"] == ["娇子"]
    assert "娇子" in warning["label"] and "3" in warning["label"] and "利群" not in warning["label"]
    assert PurposeKind.OUT_OF_STOCK.value not in purposes_of(plan, stocked)


def test_brands_to_push(manager_a, territory_a, office):
    recent, long_ago, none = shop(territory_a, 1), shop(territory_a, 2), shop(territory_a, 3)
    cultivated = [
        ProductFactory(status=ProductStatus.CULTIVATED, code=f"C{i}", name=f"培育{i}")
        for i in range(4)
    ]
    new = ProductFactory(status=ProductStatus.NEW, code="N1", name="新品1")
    normal = ProductFactory(status=ProductStatus.NORMAL, code="A1", name="常规1")
    order_line(recent, cultivated[0], WEEK - dt.timedelta(weeks=6))
    order_line(long_ago, cultivated[0], WEEK - dt.timedelta(weeks=10))
    for p in [*cultivated, new]:
        order_line(none, p, WEEK - dt.timedelta(weeks=2))
    plan = services.visit_plan_draft(manager=manager_a, week_start=WEEK, actor=manager_a)
    kind = PurposeKind.PUSH_BRANDS.value

    push = purposes_of(plan, recent)[kind]
    assert push["products"] == [p.pk for p in cultivated[1:]] + [new.pk]
    assert normal.pk not in push["products"]
    # Up to three named, then how many in all; cultivated before new.
    assert "培育1" in push["label"] and "培育3" in push["label"]
    assert "新品1" not in push["label"] and "4" in push["label"]
    assert cultivated[0].pk in purposes_of(plan, long_ago)[kind]["products"]
    assert kind not in purposes_of(plan, none)


def test_checklist_purposes_are_set_based(manager_a, territory_a, office):
    ProductFactory(status=ProductStatus.CULTIVATED)

    def count(n: int) -> int:
        shops = [shop(territory_a, i) for i in range(n)]
        for s in shops:
            record(manager_a, s, at(WEEK - dt.timedelta(days=30)), price_tags=PriceTags.MISSING,
                   stock=[{"brand": "娇子", "stock": 0, "stockout_days": 2}])  # fmt: skip
        ids = [s.pk for s in shops]
        with CaptureQueriesContext(connection) as ctx:
            out = services._checklist_purposes(ids, week_start=WEEK)
        assert all(len(out[i]) == 3 for i in ids)
        return len(ctx.captured_queries)

    assert count(2) == count(8) <= 3
