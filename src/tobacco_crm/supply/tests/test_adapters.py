"""The supply adapters (ORM ⇄ allocation engine) and `core.bulk.fast_insert`: the arrays a
plan's lines are allocated on, read with a fixed number of queries whatever the number of
retailers, and the limits written back in bulk."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tobacco_crm.core import bulk
from tobacco_crm.core.tests.factories import ProductFactory, RetailerFactory
from tobacco_crm.engines.allocation import allocate
from tobacco_crm.grading.models import GradeAdjustment
from tobacco_crm.orders.choices import OrderStatus
from tobacco_crm.retailers.choices import BusinessScale
from tobacco_crm.supply import adapters, services
from tobacco_crm.supply.choices import AllocationReason, Basis
from tobacco_crm.supply.models import RetailerLimit

from .test_services import (
    DAY,
    MONDAY,
    add_order,
    make_plan,
    order_taker,
    world_fixture,  # noqa: F401  (the `world` fixture)
)

pytestmark = pytest.mark.django_db


def position(base, retailer) -> int:
    return int(np.searchsorted(base.ids, retailer.pk))


def test_base_holds_every_retailer_not_cancelled_with_its_grade(world):
    shops = world["shops"]
    shops["t20"].business_scale = BusinessScale.LARGE
    shops["t20"].save()

    base = adapters.load_base(run=world["run"])

    assert list(base.ids) == sorted(s.pk for k, s in shops.items() if k != "cancelled")
    assert base.graded.sum() == 7
    assert not base.graded[position(base, shops["ungraded"])]
    at = {k: position(base, shops[k]) for k in ("t30", "t20", "t10", "stop")}
    assert [int(base.tier[at[k]]) for k in ("t30", "t20", "t10", "stop")] == [30, 20, 10, 25]
    assert base.stopped[at["stop"]] and base.stopped.sum() == 1
    assert base.attributes["compliance_class"][at["t10"]] == "B"
    assert base.attributes["business_format"][at["t20"]] == "Y"
    assert base.attributes["territory_code"][at["t30"]] == "TA"
    assert int(base.scale[at["t20"]]) == 1 and int(base.scale[at["t30"]]) == 3


def test_base_without_a_run_grades_nobody(world):
    base = adapters.load_base(run=None)

    assert base.ids.size == 8 and not base.graded.any() and not base.stopped.any()


def test_the_latest_adjustment_of_a_grade_wins(world):
    shops, mm = world["shops"], world["mm"]
    grade = world["run"].grades.get(retailer=shops["t10"])
    for new_tier in (12, 18):
        GradeAdjustment.objects.create(
            grade=grade, old_tier=10, new_tier=new_tier, reason="复核", made_by=mm
        )

    base = adapters.load_base(run=world["run"])

    assert int(base.tier[position(base, shops["t10"])]) == 18


def test_line_inputs_read_history_in_the_window_and_demand(world):
    shops, scarce, normal = world["shops"], world["scarce"], world["normal"]
    add_order(shops["t30"], scarce, 3, MONDAY - dt.timedelta(days=1))
    add_order(shops["t30"], scarce, 4, MONDAY - dt.timedelta(weeks=13))  # first day counted
    add_order(shops["t30"], scarce, 50, MONDAY - dt.timedelta(weeks=13, days=1))
    add_order(shops["t20"], scarce, 50, MONDAY)
    add_order(shops["t20"], scarce, 50, MONDAY - dt.timedelta(days=3), OrderStatus.DRAFT)
    add_order(shops["t20"], scarce, 5, MONDAY - dt.timedelta(days=3), OrderStatus.SUBMITTED)
    add_order(shops["t10"], normal, 9, MONDAY - dt.timedelta(days=2))
    period = services.supply_period_for(day=DAY)
    services.demand_report_set(
        period=period, retailer=shops["t5"], product=scarce, cartons=7, actor=order_taker()
    )
    plan = make_plan(
        world["mm"],
        {"product": scarce, "available": 5, "basis": Basis.RATIO,
         "eligibility": {"compliance_classes": ["A"], "market_types": ["C"]}},
        {"product": world["scarce2"], "available": 5, "basis": Basis.PRICE_BAND},
        {"product": normal, "available": 5, "basis": Basis.TIER},
    )  # fmt: skip
    base = adapters.load_base(run=plan.grading_run)
    at = {k: position(base, s) for k, s in shops.items() if k != "cancelled"}

    ratio = adapters.line_inputs(base=base, line=plan.lines.get(product=scarce))
    band = adapters.line_inputs(base=base, line=plan.lines.get(product=world["scarce2"]))
    tier = adapters.line_inputs(base=base, line=plan.lines.get(product=normal))

    assert ratio.history is not None and ratio.band_history is None
    assert {k: ratio.history[i] for k, i in at.items() if ratio.history[i]} == {"t30": 7, "t20": 5}
    assert ratio.demand is not None and int(ratio.demand[at["t5"]]) == 7
    assert int(ratio.demand.sum()) == 7
    eligible = {k for k, i in at.items() if ratio.eligible[i]}
    assert eligible == {"t30", "t20", "t10b", "stop", "t5", "t1"} - {"stop", "t1"}
    assert band.history is None and band.band_history is not None
    assert {k: band.band_history[i] for k, i in at.items() if band.band_history[i]} == {
        "t30": 7, "t20": 5, "t10": 9
    }  # fmt: skip
    assert tier.history is None and tier.band_history is None
    assert tier.eligible.sum() == 7  # every graded retailer (the stopped one too)


def test_loading_costs_the_same_queries_for_more_retailers(world, django_assert_num_queries):
    plan = make_plan(
        world["mm"],
        {"product": world["scarce"], "available": 5, "basis": Basis.RATIO},
        {"product": world["scarce2"], "available": 5, "basis": Basis.PRICE_BAND},
        {"product": world["normal"], "available": 5, "basis": Basis.PRICE_BAND},
    )
    lines = list(plan.lines.select_related("product", "plan__period"))

    def load() -> None:
        base = adapters.load_base(run=plan.grading_run)
        for line in lines:
            adapters.line_inputs(base=base, line=line)

    # base: retailers, grades, adjustments; ratio: history + demand; two price-band lines of
    # one price class: the band's history once, demand twice.
    with django_assert_num_queries(8):
        load()
    for shop in RetailerFactory.create_batch(5, territory=world["shops"]["t30"].territory):
        add_order(shop, world["scarce"], 2, MONDAY - dt.timedelta(days=3))
    with django_assert_num_queries(8):
        load()


def test_line_rule_takes_product_available_and_seed_from_the_line(world):
    plan = make_plan(
        world["mm"],
        {"product": world["scarce"], "available": 17, "basis": Basis.TIER,
         "rule": {"max_per_retailer": 4, "leftover": "tier"}},
    )  # fmt: skip

    rule = adapters.line_rule(plan.lines.get())

    assert (rule.product, rule.available, rule.basis) == ("S1", 17, "tier")
    assert (rule.max_per_retailer, rule.leftover) == (4, "tier")
    assert rule.seed == plan.period.sequence


def test_store_writes_limits_and_the_stopped_only(world):
    shops = world["shops"]
    plan = make_plan(world["mm"], {"product": world["scarce"], "available": 3, "basis": "tier"})
    line = plan.lines.select_related("product", "plan__period").get()
    base = adapters.load_base(run=plan.grading_run)
    inputs = adapters.line_inputs(base=base, line=line)
    result = allocate(inputs, adapters.line_rule(line))

    written = adapters.store_limits(plan=plan, line=line, inputs=inputs, result=result)

    rows = {r: v for r, *v in RetailerLimit.objects.values_list(
        "retailer_id", "limit", "reason", "tier"
    )}  # fmt: skip
    # Quotas 1.18, 0.79, 0.39, 0.39 (two of tier 10), ...: t30 keeps its floor, the two
    # leftovers go to t20 (.79) and to one of the tied tier-10 shops (rotated by the seed).
    assert written == len(rows) == 4
    assert rows[shops["t30"].pk] == [1, AllocationReason.TIER_LIMIT, 30]
    assert rows[shops["t20"].pk] == [1, AllocationReason.LEFTOVER, 20]
    assert rows[shops["stop"].pk] == [0, AllocationReason.SUPPLY_STOPPED, 25]
    tied = [rows.get(shops[k].pk) for k in ("t10", "t10b")]
    assert [1, AllocationReason.LEFTOVER, 10] in tied and None in tied


# fast_insert -------------------------------------------------------------------------------


def limit_rows(plan, retailers, product) -> list[tuple[int, int, int, int, int, int]]:
    return [(plan.pk, r.pk, product.pk, 5, k, AllocationReason.TIER_LIMIT) for k, r in
            enumerate(retailers)]  # fmt: skip


COLUMNS = ["plan_id", "retailer_id", "product_id", "tier", "limit", "reason"]


@pytest.mark.parametrize("chunk", [bulk.CHUNK, 2])
def test_fast_insert_inserts_exactly_the_rows_given(world, monkeypatch, chunk):
    monkeypatch.setattr(bulk, "CHUNK", chunk)  # small chunks: the batching path on SQLite
    plan = make_plan(world["mm"])
    retailers = list(world["shops"].values())
    rows = limit_rows(plan, retailers, world["scarce"])

    count = bulk.fast_insert(RetailerLimit, COLUMNS, iter(rows))  # any iterable, once

    assert count == len(rows) == 9
    stored = RetailerLimit.objects.order_by("limit").values_list(
        "plan_id", "retailer_id", "product_id", "tier", "limit", "reason"
    )
    assert list(stored) == rows
    assert bulk.fast_insert(RetailerLimit, COLUMNS, []) == 0
    assert RetailerLimit.objects.count() == 9


def test_fast_insert_goes_through_the_constraints(world):
    from django.db import IntegrityError, transaction

    plan = make_plan(world["mm"])
    rows = limit_rows(plan, [world["shops"]["t30"]] * 2, world["scarce"])

    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.fast_insert(RetailerLimit, COLUMNS, rows)
    assert not RetailerLimit.objects.exists()


def test_fast_insert_of_many_rows(world):
    products = ProductFactory.create_batch(40)
    plan = make_plan(world["mm"])
    retailers = list(world["shops"].values())
    rows = [
        (plan.pk, r.pk, p.pk, 1, 1, AllocationReason.TIER_LIMIT)
        for r in retailers
        for p in products
    ]

    assert bulk.fast_insert(RetailerLimit, COLUMNS, rows) == len(rows) == 360
    assert RetailerLimit.objects.filter(plan=plan).count() == 360
