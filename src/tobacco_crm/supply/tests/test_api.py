"""The supply API: plans (all for those who manage supply, published for the others) and their
per-tier tables, the limits in force scoped to the caller's retailers (404 outside, 400 for an
out-of-scope filter or body value), order entry within the limits (403 for other roles,
refused lines with their reason, one order per client token), reported demand, and no N+1
on the lists."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tobacco_crm.core.tests.factories import RetailerFactory
from tobacco_crm.orders.models import Order
from tobacco_crm.supply import services
from tobacco_crm.supply.choices import AllocationReason, PlanStatus
from tobacco_crm.supply.models import DemandReport, RetailerLimit, SupplyPlan

from .test_services import (
    DAY,
    graded,
    make_plan,
    order_taker,
    world_fixture,  # noqa: F401  (the `world` fixture)
)

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def publish(plan: SupplyPlan, actor) -> SupplyPlan:
    services.supply_plan_simulate(plan=plan, actor=actor)
    return services.supply_plan_publish(plan=plan, actor=actor)


@pytest.fixture
def plans(world) -> dict[str, Any]:
    """In the week of DAY: a published plan (40 cartons of S1 by tier, 10 of S2 for class A),
    a simulated one (12 of S1) and a draft."""
    mm = world["mm"]
    published = publish(
        make_plan(
            mm,
            {"product": world["scarce"], "available": 40, "basis": "tier"},
            {"product": world["scarce2"], "available": 10, "basis": "tier",
             "eligibility": {"compliance_classes": ["A"]}},
            name="已发布",
        ),
        mm,
    )  # fmt: skip
    simulated = make_plan(mm, {"product": world["scarce"], "available": 12, "basis": "tier"},
                          name="模拟")  # fmt: skip
    services.supply_plan_simulate(plan=simulated, actor=mm)
    draft = make_plan(mm, name="草稿")
    return {"published": published, "simulated": simulated, "draft": draft}


def test_url_names():
    assert reverse("api-supply-plan-list") == "/api/supply-plans/"
    assert reverse("api-supply-plan-tiers", args=[3]) == "/api/supply-plans/3/tiers/"
    assert reverse("api-limit-list") == "/api/limits/"
    assert reverse("api-limit-detail", args=[3]) == "/api/limits/3/"
    assert reverse("api-order-entry-list") == "/api/order-entries/"
    assert reverse("api-demand-report-list") == "/api/demand-reports/"


def test_anonymous_is_refused():
    for url in ("/api/supply-plans/", "/api/limits/", "/api/demand-reports/"):
        assert APIClient().get(url).status_code in (401, 403)
    assert APIClient().post("/api/order-entries/", {}, format="json").status_code in (401, 403)


# Plans ----------------------------------------------------------------------------------


def test_plans_all_for_supply_managers_published_for_the_others(world, plans, manager_a):
    everything = {p.pk for p in plans.values()}

    assert ids(client_for(world["mm"]).get("/api/supply-plans/")) == everything
    assert ids(client_for(manager_a).get("/api/supply-plans/")) == {plans["published"].pk}
    client = client_for(manager_a)
    assert client.get(f"/api/supply-plans/{plans['draft'].pk}/").status_code == 404
    assert client.get(f"/api/supply-plans/{plans['simulated'].pk}/tiers/").status_code == 404
    data = client.get(f"/api/supply-plans/{plans['published'].pk}/").json()
    assert (data["status"], data["period_code"]) == (PlanStatus.PUBLISHED, "2026-W48")
    assert [line["product_code"] for line in data["lines"]] == ["S1", "S2"]
    assert data["lines"][1]["eligibility"] == {"compliance_classes": ["A"]}
    assert data["summary"]["allocated"] == 50
    status = client_for(world["mm"]).get("/api/supply-plans/", {"status": "draft"})
    assert ids(status) == {plans["draft"].pk}


def test_a_superseded_plan_stays_readable(world, plans, manager_a):
    line = {"product": world["scarce"], "available": 5, "basis": "tier"}
    later = publish(make_plan(world["mm"], line, name="替代"), world["mm"])

    listed = ids(client_for(manager_a).get("/api/supply-plans/"))

    assert listed == {later.pk, plans["published"].pk}
    old = client_for(manager_a).get(f"/api/supply-plans/{plans['published'].pk}/").json()
    assert old["status"] == PlanStatus.SUPERSEDED


def test_tier_table_of_a_published_plan(world, plans, manager_a):
    response = client_for(manager_a).get(f"/api/supply-plans/{plans['published'].pk}/tiers/")

    assert response.status_code == 200
    s1, s2 = response.json()
    assert (s1["product_code"], s1["available"], s1["allocated"]) == ("S1", 40, 40)
    assert s1["undistributed"] == 0 and s1["undistributed_reason"] == "none"
    top = s1["tiers"][0]
    assert top == {
        "tier": 30, "retailers": 1, "taking_part": 1, "allocated": 16, "min_limit": 16,
        "max_limit": 16, "tier_limit": 15, "leftover": 1,
    }  # fmt: skip
    assert [row["tier"] for row in s1["tiers"]] == sorted(
        (row["tier"] for row in s1["tiers"]), reverse=True
    )
    assert sum(row["allocated"] for row in s2["tiers"]) == s2["allocated"] == 10
    draft = client_for(world["mm"]).get(f"/api/supply-plans/{plans['draft'].pk}/tiers/")
    assert draft.status_code == 200 and draft.json() == []


def test_plan_list_query_count_does_not_grow(world, plans, django_assert_num_queries):
    client = client_for(world["mm"])
    # session + user, count, plans (period, creator), lines (products)
    with django_assert_num_queries(5):
        assert client.get("/api/supply-plans/").status_code == 200
    for k in range(3):
        make_plan(world["mm"], {"product": world["scarce"], "available": 3, "basis": "tier"},
                  name=f"又一个{k}")  # fmt: skip
    with django_assert_num_queries(5):
        assert len(ids(client.get("/api/supply-plans/"))) == 6


# Limits ---------------------------------------------------------------------------------


def limit_ids(plan, *retailers) -> set[int]:
    rows = RetailerLimit.objects.filter(plan=plan)
    if retailers:
        rows = rows.filter(retailer__in=retailers)
    return set(rows.values_list("pk", flat=True))


def test_limits_in_force_of_the_callers_retailers(world, plans, manager_a, manager_b):
    shops, published = world["shops"], plans["published"]
    ta = [shops[k] for k in ("t30", "t20", "t10", "stop")]
    tb = [shops[k] for k in ("t10b", "t5", "t1")]

    assert ids(client_for(manager_a).get("/api/limits/")) == limit_ids(published, *ta)
    assert ids(client_for(manager_b).get("/api/limits/")) == limit_ids(published, *tb)
    assert ids(client_for(world["mm"]).get("/api/limits/")) == limit_ids(published)
    other = RetailerLimit.objects.filter(plan=published, retailer=shops["t10b"]).first()
    assert client_for(manager_a).get(f"/api/limits/{other.pk}/").status_code == 404
    simulated = RetailerLimit.objects.filter(plan=plans["simulated"], retailer=shops["t30"])
    assert client_for(manager_a).get(f"/api/limits/{simulated.get().pk}/").status_code == 404


def test_a_limit_shows_its_tier_and_reason(world, plans, manager_a):
    shops = world["shops"]

    rows = client_for(manager_a).get("/api/limits/", {"retailer": shops["stop"].pk}).json()

    (row,) = rows["results"]
    assert (row["product_code"], row["limit"], row["tier"]) == ("S1", 0, 25)
    assert row["reason"] == AllocationReason.SUPPLY_STOPPED
    assert row["reason_display"] == "停货"
    assert (row["period_code"], row["plan_status"]) == ("2026-W48", PlanStatus.PUBLISHED)
    assert row["retailer_shop_name"] == "stop"


def test_limit_filters(world, plans, manager_a, manager_b):
    shops, mm = world["shops"], world["mm"]
    client = client_for(manager_a)

    by_product = ids(client.get("/api/limits/", {"product": world["scarce2"].pk}))
    assert by_product == set(
        RetailerLimit.objects.filter(
            plan=plans["published"], product=world["scarce2"], retailer__territory__code="TA"
        ).values_list("pk", flat=True)
    )
    assert client.get("/api/limits/", {"retailer": shops["t5"].pk}).status_code == 400
    assert client.get("/api/limits/", {"plan": plans["simulated"].pk}).status_code == 400
    simulation = ids(client_for(mm).get("/api/limits/", {"plan": plans["simulated"].pk}))
    assert simulation == limit_ids(plans["simulated"])
    week = ids(client_for(manager_b).get("/api/limits/", {"period": plans["draft"].period_id}))
    assert week == limit_ids(plans["published"], shops["t10b"], shops["t5"], shops["t1"])


def test_limit_list_query_count_does_not_grow(world, plans, django_assert_num_queries):
    client = client_for(world["mm"])
    # session + user, count, limits (plan, period, retailer, product)
    with django_assert_num_queries(4):
        first = len(ids(client.get("/api/limits/")))
    for k in range(5):
        shop = RetailerFactory(territory=world["shops"]["t30"].territory)
        graded(world["run"], shop, 20 + k)
    again = make_plan(world["mm"], {"product": world["scarce"], "available": 60, "basis": "tier"},
                      name="更多")  # fmt: skip
    publish(again, world["mm"])
    with django_assert_num_queries(4):
        assert len(ids(client.get("/api/limits/"))) > first


# Order entry ----------------------------------------------------------------------------


@pytest.fixture
def this_week(world) -> SupplyPlan:
    """Today's week published: 40 cartons of S1 by tier (t30 16, t20 11, ..., t1 none)."""
    mm = world["mm"]
    period = services.supply_period_for(day=timezone.localdate())
    plan = services.supply_plan_create(period=period, name="本周", actor=mm)
    services.supply_plan_line_set(
        plan=plan, product=world["scarce"], available=40, basis="tier", actor=mm
    )
    return publish(plan, mm)


def submit(user, retailer, *lines: tuple[Any, int], token: str = "") -> Any:
    body = {
        "retailer": retailer.pk,
        "lines": [{"product": product.pk, "cartons": cartons} for product, cartons in lines],
        "client_token": token,
    }
    return client_for(user).post("/api/order-entries/", body, format="json")


def test_order_within_limits_is_taken_and_a_line_over_is_refused(world, this_week, manager_a):
    shops, scarce, normal = world["shops"], world["scarce"], world["normal"]

    first = submit(manager_a, shops["t30"], (scarce, 10), (normal, 5), token="a-1")

    assert first.status_code == 201, first.content
    data = first.json()
    order = Order.objects.get(pk=data["order"])
    assert order.retailer == shops["t30"] and order.total_cartons == 15
    assert {(line["product_code"], line["cartons"]) for line in data["accepted"]} == {
        ("S1", 10), ("N1", 5)
    }  # fmt: skip
    assert data["refused"] == [] and data["duplicate"] is False

    second = submit(manager_a, shops["t30"], (scarce, 7), (normal, 1), token="a-2")

    assert second.status_code == 201
    data = second.json()
    assert [line["product_code"] for line in data["accepted"]] == ["N1"]
    (refused,) = data["refused"]
    assert (refused["product_code"], refused["cartons"]) == ("S1", 7)
    assert "超过限量" in refused["reason"] and "16" in refused["reason"]


def test_resubmitting_the_same_token_makes_no_second_order(world, this_week, manager_a):
    shops, scarce = world["shops"], world["scarce"]

    first = submit(manager_a, shops["t20"], (scarce, 3), token="double-click")
    again = submit(manager_a, shops["t20"], (scarce, 3), token="double-click")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["order"] == first.json()["order"] and again.json()["duplicate"]
    assert Order.objects.filter(retailer=shops["t20"]).count() == 1


def test_everything_refused_makes_no_order(world, this_week, manager_a, manager_b):
    shops, scarce = world["shops"], world["scarce"]

    stopped = submit(manager_a, shops["stop"], (scarce, 1))
    no_limit = submit(manager_b, shops["t1"], (scarce, 1))

    assert stopped.status_code == 200
    assert stopped.json()["order"] is None and "停货" in stopped.json()["refused"][0]["reason"]
    assert no_limit.status_code == 200 and no_limit.json()["order"] is None
    assert "限量 0 条" in no_limit.json()["refused"][0]["reason"]
    assert not Order.objects.exists()


def test_order_entry_roles_and_scope(world, this_week, manager_b, inspector):
    shops, scarce = world["shops"], world["scarce"]

    for user in (world["mm"], inspector):
        assert submit(user, shops["t30"], (scarce, 1)).status_code == 403
    outside = submit(manager_b, shops["t30"], (scarce, 1))
    assert outside.status_code == 400 and "retailer" in outside.json()
    assert submit(order_taker(), shops["t30"], (scarce, 1)).status_code == 201
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("lines", "field"),
    [([], "lines"), ([("scarce", 0)], "lines"), ([("scarce", 1), ("scarce", 2)], "lines")],
)
def test_bad_orders_answer_400(world, this_week, manager_a, lines, field):
    response = submit(manager_a, world["shops"]["t30"], *[(world[p], c) for p, c in lines])

    assert response.status_code == 400 and field in response.json()
    assert not Order.objects.exists()


# Reported demand ------------------------------------------------------------------------


def report(user, retailer, product, cartons: int, period) -> Any:
    body = {"period": period.pk, "retailer": retailer.pk, "product": product.pk,
            "cartons": cartons}  # fmt: skip
    return client_for(user).post("/api/demand-reports/", body, format="json")


def test_demand_is_reported_and_replaced(world, manager_a):
    period = services.supply_period_for(day=DAY)
    shop, scarce = world["shops"]["t30"], world["scarce"]

    created = report(manager_a, shop, scarce, 4, period)
    replaced = report(manager_a, shop, scarce, 6, period)

    assert created.status_code == 201, created.content
    assert replaced.status_code == 200 and replaced.json()["id"] == created.json()["id"]
    assert replaced.json()["cartons"] == 6 and replaced.json()["period_code"] == "2026-W48"
    assert replaced.json()["reported_by"] == manager_a.pk
    assert DemandReport.objects.get().cartons == 6


def test_demand_roles_scope_and_validation(world, manager_a, manager_b):
    period = services.supply_period_for(day=DAY)
    shop, scarce = world["shops"]["t30"], world["scarce"]

    assert report(world["mm"], shop, scarce, 4, period).status_code == 403
    outside = report(manager_b, shop, scarce, 4, period)
    assert outside.status_code == 400 and "retailer" in outside.json()
    negative = report(manager_a, shop, scarce, -1, period)
    assert negative.status_code == 400 and "cartons" in negative.json()
    assert not DemandReport.objects.exists()


def test_demand_list_is_scoped_without_n_plus_1(
    world, manager_a, manager_b, django_assert_num_queries
):
    period = services.supply_period_for(day=DAY)
    taker = order_taker()
    for key in ("t30", "t20", "t5"):
        services.demand_report_set(
            period=period, retailer=world["shops"][key], product=world["scarce"], cartons=2,
            actor=taker,
        )  # fmt: skip

    own = DemandReport.objects.filter(retailer__territory__code="TA")
    assert ids(client_for(manager_a).get("/api/demand-reports/")) == set(
        own.values_list("pk", flat=True)
    )
    other = DemandReport.objects.get(retailer=world["shops"]["t5"])
    assert client_for(manager_a).get(f"/api/demand-reports/{other.pk}/").status_code == 404
    client = client_for(manager_b)
    # session + user, the period of the filter, count, reports (period, retailer, product)
    with django_assert_num_queries(5):
        assert ids(client.get("/api/demand-reports/", {"period": period.pk})) == {other.pk}
