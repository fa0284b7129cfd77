"""Supply write services: plan lines validated by the engine, simulation end to end (the
stored limits keep the engine's invariants), re-simulation, edits sending a plan back to
draft, all-or-nothing publishing, superseding, and reported demand.

The helpers at the top (the `world` fixture, `make_plan`, `add_order`, ...) are shared with
`test_adapters` and `test_api`, which import them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tobacco_crm.accounts.choices import Role
from tobacco_crm.core.tests.factories import ProductFactory, RetailerFactory, UserFactory
from tobacco_crm.engines.allocation import violations
from tobacco_crm.grading import services as grading_services
from tobacco_crm.grading.choices import RunStatus
from tobacco_crm.grading.tests.factories import GradingRunFactory, RetailerGradeFactory
from tobacco_crm.orders.choices import OrderStatus
from tobacco_crm.orders.models import Order, OrderLine
from tobacco_crm.products.choices import ProductStatus
from tobacco_crm.retailers.choices import RetailerStatus
from tobacco_crm.supply import adapters, services
from tobacco_crm.supply.choices import AllocationReason, Basis, PlanStatus
from tobacco_crm.supply.models import DemandReport, RetailerLimit, SupplyPlan

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 25)  # Wednesday of 2026-W48 (Monday 2026-11-23)
MONDAY = dt.date(2026, 11, 23)


# Shared helpers ----------------------------------------------------------------------------


def order_taker():
    return UserFactory(username="taker", display_name="电访员", role=Role.ORDER_TAKER)


def graded(run, retailer, tier: int, *, klass: str = "A", stopped: bool = False):
    return RetailerGradeFactory(
        run=run, retailer=retailer, tier=tier, compliance_class=klass, supply_stopped=stopped
    )


def add_order(
    retailer, product, cartons: int, day: dt.date, status: str = OrderStatus.CONFIRMED
) -> Order:
    """An order of one line, written directly (history for ratio and price-band rules)."""
    order = Order.objects.create(
        retailer=retailer, order_date=day, status=status, total_cartons=cartons,
        total_amount=product.wholesale_price * cartons,
    )  # fmt: skip
    OrderLine.objects.create(
        order=order, product=product, retailer=retailer, order_date=day, cartons=cartons,
        amount=product.wholesale_price * cartons,
    )  # fmt: skip
    return order


def make_plan(actor, *lines: dict[str, Any], name: str = "第48周投放") -> SupplyPlan:
    """A plan of the week of DAY with `lines` (keyword arguments of supply_plan_line_set)."""
    plan = services.supply_plan_create(
        period=services.supply_period_for(day=DAY), name=name, actor=actor
    )
    for line in lines:
        services.supply_plan_line_set(plan=plan, actor=actor, **line)
    return plan


def limits_of(plan, product=None) -> dict[int, tuple[int, int, int]]:
    """retailer id → (limit, reason, tier) of the plan's stored limits (of one product)."""
    rows = RetailerLimit.objects.filter(plan=plan)
    if product is not None:
        rows = rows.filter(product=product)
    return {r: (limit, reason, tier) for r, limit, reason, tier in rows.values_list(
        "retailer_id", "limit", "reason", "tier"
    )}  # fmt: skip


@pytest.fixture(name="world")
def world_fixture(territory_a, territory_b, marketing_manager) -> dict[str, Any]:
    """Nine retailers in two territories and a published grading run:

    name      territory  tier  class  format  note
    t30       TA         30    A      Z
    t20       TA         20    A      Y       (烟酒店)
    t10       TA         10    B      Z
    t10b      TB         10    A      Z
    stop      TA         25    C      Z       supply stopped (停货)
    t5        TB          5    A      Y
    t1        TB          1    C      Z
    ungraded  TB          -                   no grade in the run
    cancelled TB         30    A      Z       archive status cancelled

    Products: two scarce ones of price class 1 and a normal one of price class 1 (its
    history is the scarce ones' price-band history).
    """
    run = GradingRunFactory(status=RunStatus.PUBLISHED)
    spec = {
        "t30": (territory_a, 30, "A", "Z", False),
        "t20": (territory_a, 20, "A", "Y", False),
        "t10": (territory_a, 10, "B", "Z", False),
        "t10b": (territory_b, 10, "A", "Z", False),
        "stop": (territory_a, 25, "C", "Z", True),
        "t5": (territory_b, 5, "A", "Y", False),
        "t1": (territory_b, 1, "C", "Z", False),
    }
    shops: dict[str, Any] = {}
    for name, (territory, tier, klass, fmt, stopped) in spec.items():
        shops[name] = RetailerFactory(territory=territory, business_format=fmt, shop_name=name)
        graded(run, shops[name], tier, klass=klass, stopped=stopped)
    shops["ungraded"] = RetailerFactory(territory=territory_b, shop_name="ungraded")
    shops["cancelled"] = RetailerFactory(
        territory=territory_b, shop_name="cancelled", status=RetailerStatus.CANCELLED
    )
    graded(run, shops["cancelled"], 30)
    scarce = ProductFactory(code="S1", price_class=1, status=ProductStatus.SCARCE)
    scarce2 = ProductFactory(code="S2", price_class=1, status=ProductStatus.SCARCE)
    normal = ProductFactory(code="N1", price_class=1, status=ProductStatus.NORMAL)
    return {
        "run": run, "shops": shops, "scarce": scarce, "scarce2": scarce2, "normal": normal,
        "mm": marketing_manager,
    }  # fmt: skip


# Plan lines ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("basis", "rule", "field"),
    [
        (Basis.TIER, {"tier_weights": {"policy": "table", "table": {"1": 3, "10": 2}}},
         "tier_weights.table[10]"),
        (Basis.TIER, {"max_per_retailer": -1}, "max_per_retailer"),
        (Basis.TIER, {"leftover": "shop"}, "leftover"),
        (Basis.TIER, {"min_tier": "low"}, "min_tier"),
        (Basis.RATIO, {"tier_weights": {"policy": "linear", "as_limits": True}},
         "tier_weights.as_limits"),
        (Basis.TIER, {"float_cap": {"pct_by_scale": {"1": 5.555}}}, "float_cap.pct_by_scale[1]"),
        (Basis.TIER, {"cap_by_demnd": True}, "cap_by_demnd"),
    ],
)  # fmt: skip
def test_line_rule_errors_name_the_rule_field(world, basis, rule, field):
    plan = make_plan(world["mm"])

    with pytest.raises(ValidationError) as error:
        services.supply_plan_line_set(
            plan=plan, product=world["scarce"], available=10, basis=basis, rule=rule,
            actor=world["mm"],
        )  # fmt: skip

    assert list(error.value.message_dict) == ["rule"]
    assert error.value.message_dict["rule"][0].startswith(f"{field}:")
    assert not plan.lines.exists()


def test_line_refuses_unknown_eligibility_and_bad_basis(world):
    plan = make_plan(world["mm"])
    line = {"plan": plan, "product": world["scarce"], "available": 10, "actor": world["mm"]}

    with pytest.raises(ValidationError) as error:
        services.supply_plan_line_set(
            basis=Basis.TIER, eligibility={"districts": ["school"]}, **line
        )
    assert list(error.value.message_dict) == ["eligibility"]
    assert "districts" in error.value.message_dict["eligibility"][0]
    with pytest.raises(ValidationError) as error:  # a typo, even with nothing chosen
        services.supply_plan_line_set(basis=Basis.TIER, eligibility={"districts": []}, **line)
    assert list(error.value.message_dict) == ["eligibility"]
    with pytest.raises(ValidationError) as error:
        services.supply_plan_line_set(basis=Basis.TIER, eligibility={"territories": "TA"}, **line)
    assert "territories" in error.value.message_dict["eligibility"][0]
    with pytest.raises(ValidationError) as error:
        services.supply_plan_line_set(basis="by_luck", **line)
    assert "basis" in error.value.message_dict
    assert not plan.lines.exists()


def test_line_keeps_the_rule_without_product_available_and_empty_filters(world):
    plan = make_plan(world["mm"])

    line = services.supply_plan_line_set(
        plan=plan, product=world["scarce"], available=12, basis=Basis.TIER, actor=world["mm"],
        rule={"product": "X", "available": 99, "max_per_retailer": 3},
        eligibility={"compliance_classes": ["A"], "territories": []},
    )  # fmt: skip
    again = services.supply_plan_line_set(
        plan=plan, product=world["scarce"], available=15, basis=Basis.TIER, actor=world["mm"]
    )

    assert line.rule == {"max_per_retailer": 3}
    assert line.eligibility == {"compliance_classes": ["A"]}
    assert again.pk == line.pk and plan.lines.get().available == 15
    assert adapters.line_rule(plan.lines.get()).seed == plan.period.sequence


def test_only_supply_managers_build_simulate_and_publish(world, manager_a):
    plan = make_plan(world["mm"], {"product": world["scarce"], "available": 5, "basis": "tier"})
    period = plan.period

    with pytest.raises(PermissionDenied):
        services.supply_plan_create(period=period, name="x", actor=manager_a)
    with pytest.raises(PermissionDenied):
        services.supply_plan_line_set(
            plan=plan, product=world["scarce2"], available=5, basis="tier", actor=manager_a
        )
    with pytest.raises(PermissionDenied):
        services.supply_plan_line_delete(line=plan.lines.get(), actor=manager_a)
    with pytest.raises(PermissionDenied):
        services.supply_plan_simulate(plan=plan, actor=manager_a)
    services.supply_plan_simulate(plan=plan, actor=world["mm"])
    with pytest.raises(PermissionDenied):
        services.supply_plan_publish(plan=plan, actor=manager_a)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SIMULATED


def test_supply_periods_are_iso_weeks_numbered_in_order():
    first = services.supply_period_for(day=DAY)
    same = services.supply_period_for(day=MONDAY + dt.timedelta(days=6))
    following = services.supply_period_for(day=MONDAY + dt.timedelta(days=7))

    assert (first.code, first.start_date, first.end_date) == (
        "2026-W48",
        MONDAY,
        MONDAY + dt.timedelta(days=6),
    )
    assert same.pk == first.pk
    assert (following.code, following.sequence) == ("2026-W49", first.sequence + 1)
    assert services.week_of(dt.date(2027, 1, 1))[0] == "2026-W53"


# Simulation ----------------------------------------------------------------------------


def check_against_engine(plan, line) -> dict[int, tuple[int, int, int]]:
    """The stored limits of `line` are the engine's on the adapter's inputs, and keep the
    engine's invariants; returns them."""
    base = adapters.load_base(run=plan.grading_run)
    inputs = adapters.line_inputs(base=base, line=line)
    rule = adapters.line_rule(line)
    stored = limits_of(plan, line.product)
    limit = np.array([stored.get(int(r), (0, 0, 0))[0] for r in inputs.retailer_id], np.int64)
    assert violations(inputs, rule, limit) == []
    assert int(limit.sum()) <= line.available
    return stored


def test_simulation_by_tier_end_to_end(world):
    shops, mm = world["shops"], world["mm"]
    plan = make_plan(mm, {"product": world["scarce"], "available": 40, "basis": Basis.TIER})

    plan = services.supply_plan_simulate(plan=plan, actor=mm)

    line = plan.lines.get()
    stored = check_against_engine(plan, line)
    assert plan.status == PlanStatus.SIMULATED and plan.simulated_at
    # Linear weights 30+20+10+10+5+1 = 76 over 40 cartons: every carton given.
    assert sum(limit for limit, _, _ in stored.values()) == 40
    assert shops["ungraded"].pk not in stored and shops["cancelled"].pk not in stored
    assert stored[shops["stop"].pk] == (0, AllocationReason.SUPPLY_STOPPED, 25)
    by_tier = [stored.get(shops[k].pk, (0,))[0] for k in ("t30", "t20", "t10", "t10b", "t5", "t1")]
    # Shares 15.8, 10.5, 5.3, 5.3, 2.6, 0.5: the leftovers go to .8, .6 and (tied at .53 with
    # tier 1) tier 20; tier 1 ends with nothing and has no row.
    assert by_tier == [16, 11, 5, 5, 3, 0]
    assert stored[shops["t30"].pk][2] == 30
    assert {reason for _, reason, _ in stored.values()} <= {
        AllocationReason.TIER_LIMIT, AllocationReason.LEFTOVER, AllocationReason.SUPPLY_STOPPED
    }  # fmt: skip
    assert plan.summary["available"] == 40 and plan.summary["allocated"] == 40
    assert plan.summary["graded_retailers"] == 7  # the cancelled shop is not in the base
    assert plan.summary["limits"] == len(stored) == 6
    assert line.summary["total"] == 40 and line.summary["tiers"]
    assert plan.history.first().history_change_reason == "模拟"


def test_a_higher_tier_never_gets_less_under_scarcity(world):
    shops, mm = world["shops"], world["mm"]
    plan = make_plan(mm, {"product": world["scarce"], "available": 7, "basis": Basis.TIER})

    services.supply_plan_simulate(plan=plan, actor=mm)

    stored = check_against_engine(plan, plan.lines.get())
    order = ["t30", "t20", "t10", "t10b", "t5", "t1"]
    limits = [stored.get(shops[k].pk, (0, 0, 0))[0] for k in order]
    assert limits == sorted(limits, reverse=True) and sum(limits) == 7


def test_eligibility_filters_by_class_format_and_territory(world):
    shops, mm = world["shops"], world["mm"]
    plan = make_plan(
        mm,
        {"product": world["scarce"], "available": 30, "basis": Basis.TIER,
         "eligibility": {"compliance_classes": ["A"]}},
        {"product": world["scarce2"], "available": 30, "basis": Basis.TIER,
         "eligibility": {"business_formats": ["Y"], "territories": ["TA"]}},
    )  # fmt: skip

    services.supply_plan_simulate(plan=plan, actor=mm)

    by_class = check_against_engine(plan, plan.lines.get(product=world["scarce"]))
    assert {r for r, (limit, _, _) in by_class.items() if limit} == {
        shops[k].pk for k in ("t30", "t20", "t10b", "t5")
    }
    assert shops["stop"].pk not in by_class  # class C: filtered out, no row to explain
    by_format = check_against_engine(plan, plan.lines.get(product=world["scarce2"]))
    assert by_format == {shops["t20"].pk: (30, AllocationReason.TIER_LIMIT, 20)}


def test_adjusted_tier_of_an_accepted_appeal_is_used(world, manager_a):
    shops, mm = world["shops"], world["mm"]
    grade = world["run"].grades.get(retailer=shops["t10"])
    appeal = grading_services.appeal_raise(grade=grade, reason="装修后销量回升", actor=manager_a)
    grading_services.appeal_review(appeal=appeal, accept=True, note="同意", new_tier=30, actor=mm)
    plan = make_plan(mm, {"product": world["scarce"], "available": 40, "basis": Basis.TIER})

    services.supply_plan_simulate(plan=plan, actor=mm)

    stored = check_against_engine(plan, plan.lines.get())
    assert stored[shops["t10"].pk][2] == 30
    assert abs(stored[shops["t10"].pk][0] - stored[shops["t30"].pk][0]) <= 1
    assert stored[shops["t10"].pk][0] > stored[shops["t10b"].pk][0]


def test_ratio_demand_and_price_band_rules(world):
    shops, mm = world["shops"], world["mm"]
    scarce, scarce2, normal = world["scarce"], world["scarce2"], world["normal"]
    week_before = MONDAY - dt.timedelta(days=5)
    add_order(shops["t30"], scarce, 30, week_before)
    add_order(shops["t5"], scarce, 10, MONDAY - dt.timedelta(weeks=12))
    # Not counted: too old, in the period itself, cancelled.
    add_order(shops["t20"], scarce, 50, MONDAY - dt.timedelta(weeks=14))
    add_order(shops["t20"], scarce, 50, MONDAY)
    add_order(shops["t10"], scarce, 50, week_before, status=OrderStatus.CANCELLED)
    # The price band: any product of price class 1.
    add_order(shops["t1"], normal, 20, week_before)
    period = services.supply_period_for(day=DAY)
    taker = order_taker()
    for key, cartons in (("t30", 2), ("t10b", 6), ("stop", 5)):
        services.demand_report_set(
            period=period, retailer=shops[key], product=scarce2, cartons=cartons, actor=taker
        )
    plan = make_plan(
        mm,
        {"product": scarce, "available": 8, "basis": Basis.RATIO},
        {"product": scarce2, "available": 100, "basis": Basis.DEMAND},
    )
    services.supply_plan_simulate(plan=plan, actor=mm)

    ratio = check_against_engine(plan, plan.lines.get(product=scarce))
    assert {r: v[0] for r, v in ratio.items() if v[0]} == {shops["t30"].pk: 6, shops["t5"].pk: 2}
    demand = check_against_engine(plan, plan.lines.get(product=scarce2))
    assert {r: v[0] for r, v in demand.items() if v[0]} == {
        shops["t30"].pk: 2, shops["t10b"].pk: 6
    }  # fmt: skip
    assert plan.lines.get(product=scarce2).summary["undistributed_reason"] == "demand_satisfied"

    band = make_plan(mm, {"product": scarce, "available": 12, "basis": Basis.PRICE_BAND}, name="b")
    services.supply_plan_simulate(plan=band, actor=mm)
    shares = check_against_engine(band, band.lines.get())
    # Band history: t30 30, t5 10, t1 20 (the normal product of the same price class).
    assert {r: v[0] for r, v in shares.items() if v[0]} == {
        shops["t30"].pk: 6, shops["t5"].pk: 2, shops["t1"].pk: 4
    }  # fmt: skip


def test_simulation_needs_lines_and_a_grading(world, marketing_manager):
    empty = make_plan(marketing_manager)
    with pytest.raises(ValidationError) as error:
        services.supply_plan_simulate(plan=empty, actor=marketing_manager)
    assert "plan" in error.value.message_dict

    ungraded = make_plan(marketing_manager, name="无分级")
    SupplyPlan.objects.filter(pk=ungraded.pk).update(grading_run=None)
    services.supply_plan_line_set(
        plan=ungraded, product=world["scarce"], available=9, basis="tier",
        actor=marketing_manager,
    )  # fmt: skip
    ungraded = services.supply_plan_simulate(plan=ungraded, actor=marketing_manager)
    assert ungraded.summary["allocated"] == 0 and ungraded.summary["undistributed"] == 9
    assert not RetailerLimit.objects.filter(plan=ungraded).exists()


def test_resimulation_replaces_the_limits(world):
    mm = world["mm"]
    plan = make_plan(mm, {"product": world["scarce"], "available": 40, "basis": Basis.TIER})
    services.supply_plan_simulate(plan=plan, actor=mm)
    first = limits_of(plan)

    again = services.supply_plan_simulate(plan=plan, actor=mm)

    assert limits_of(plan) == first
    assert RetailerLimit.objects.filter(plan=plan).count() == len(first)
    assert again.status == PlanStatus.SIMULATED


def test_editing_a_simulated_plan_sends_it_back_to_draft(world):
    mm = world["mm"]
    plan = make_plan(
        mm,
        {"product": world["scarce"], "available": 40, "basis": Basis.TIER},
        {"product": world["scarce2"], "available": 10, "basis": Basis.TIER},
    )
    services.supply_plan_simulate(plan=plan, actor=mm)
    assert RetailerLimit.objects.filter(plan=plan).exists()

    services.supply_plan_line_set(
        plan=plan, product=world["scarce"], available=20, basis=Basis.TIER, actor=mm
    )

    plan.refresh_from_db()
    assert (plan.status, plan.summary) == (PlanStatus.DRAFT, {})
    assert not RetailerLimit.objects.filter(plan=plan).exists()
    assert plan.history.first().history_change_reason == "方案修改，需重新模拟"
    services.supply_plan_simulate(plan=plan, actor=mm)
    assert sum(v[0] for v in limits_of(plan, world["scarce"]).values()) == 20

    services.supply_plan_line_delete(line=plan.lines.get(product=world["scarce2"]), actor=mm)

    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert not RetailerLimit.objects.filter(plan=plan).exists()
    assert list(plan.lines.values_list("product", flat=True)) == [world["scarce"].pk]


# Publishing ----------------------------------------------------------------------------


def simulated(world, available: int = 40, name: str = "方案") -> SupplyPlan:
    plan = make_plan(
        world["mm"], {"product": world["scarce"], "available": available, "basis": "tier"},
        name=name,
    )  # fmt: skip
    return services.supply_plan_simulate(plan=plan, actor=world["mm"])


def test_publish_locks_the_plan(world):
    mm = world["mm"]
    draft = make_plan(mm, {"product": world["scarce"], "available": 5, "basis": "tier"})
    with pytest.raises(ValidationError) as error:
        services.supply_plan_publish(plan=draft, actor=mm)
    assert "status" in error.value.message_dict

    plan = simulated(world)
    published = services.supply_plan_publish(plan=plan, actor=mm)

    assert published.status == PlanStatus.PUBLISHED
    assert published.published_by == mm and published.published_at
    assert published.history.first().history_change_reason == "发布"
    before = limits_of(plan)
    line = plan.lines.get()
    for attempt in (
        lambda: services.supply_plan_line_set(
            plan=plan, product=world["scarce"], available=1, basis="tier", actor=mm
        ),
        lambda: services.supply_plan_line_delete(line=line, actor=mm),
        lambda: services.supply_plan_simulate(plan=plan, actor=mm),
    ):
        with pytest.raises(ValidationError) as error:
            attempt()
        assert "plan" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.supply_plan_publish(plan=plan, actor=mm)
    assert limits_of(plan) == before
    assert SupplyPlan.objects.get(pk=plan.pk).status == PlanStatus.PUBLISHED


def test_a_second_published_plan_supersedes_the_first(world):
    mm = world["mm"]
    first = services.supply_plan_publish(plan=simulated(world, 40, "一"), actor=mm)
    first_limits = limits_of(first)
    second = simulated(world, 12, "二")

    services.supply_plan_publish(plan=second, actor=mm)

    first.refresh_from_db()
    assert first.status == PlanStatus.SUPERSEDED
    assert first.history.first().history_change_reason == f"被方案 #{second.pk} 替代"
    assert limits_of(first) == first_limits
    assert SupplyPlan.objects.get(status=PlanStatus.PUBLISHED).pk == second.pk
    with pytest.raises(ValidationError):
        services.supply_plan_simulate(plan=first, actor=mm)


def test_a_failed_publish_leaves_the_previous_limits_in_force(world, monkeypatch):
    mm = world["mm"]
    first = services.supply_plan_publish(plan=simulated(world, 40, "一"), actor=mm)
    first_limits = limits_of(first)
    second = simulated(world, 12, "二")
    second_limits = limits_of(second)

    class Broken:
        @staticmethod
        def now():  # called after the first plan was superseded
            assert SupplyPlan.objects.get(pk=first.pk).status == PlanStatus.SUPERSEDED
            raise RuntimeError("disk full")

    monkeypatch.setattr(services, "timezone", Broken)
    with pytest.raises(RuntimeError):
        services.supply_plan_publish(plan=second, actor=mm)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == PlanStatus.PUBLISHED
    assert second.status == PlanStatus.SIMULATED and second.published_at is None
    assert limits_of(first) == first_limits and limits_of(second) == second_limits


# Reported demand -----------------------------------------------------------------------


def test_demand_report_is_scoped_audited_and_replaced(world, manager_a, manager_b):
    shops, scarce = world["shops"], world["scarce"]
    period = services.supply_period_for(day=DAY)

    report = services.demand_report_set(
        period=period, retailer=shops["t30"], product=scarce, cartons=4, actor=manager_a
    )
    changed = services.demand_report_set(
        period=period, retailer=shops["t30"], product=scarce, cartons=6, actor=manager_a
    )

    assert changed.pk == report.pk and DemandReport.objects.get().cartons == 6
    records = list(changed.history.order_by("history_date"))
    assert [r.cartons for r in records] == [4, 6]
    assert {r.history_user for r in records} == {manager_a}
    assert {r.history_change_reason for r in records} == {"需求提报"}
    with pytest.raises(PermissionDenied):  # another manager's retailer
        services.demand_report_set(
            period=period, retailer=shops["t30"], product=scarce, cartons=1, actor=manager_b
        )
    with pytest.raises(PermissionDenied):  # a role that does not enter orders
        services.demand_report_set(
            period=period, retailer=shops["t30"], product=scarce, cartons=1, actor=world["mm"]
        )
    assert DemandReport.objects.get().cartons == 6


def test_demand_is_whole_cartons(world, manager_a):
    period = services.supply_period_for(day=DAY)
    with pytest.raises(ValidationError) as error:
        services.demand_report_set(
            period=period, retailer=world["shops"]["t30"], product=world["scarce"],
            cartons=-1, actor=manager_a,
        )  # fmt: skip
    assert "cartons" in error.value.message_dict
    assert not DemandReport.objects.exists()


def test_the_upper_float_caps_limits_above_the_recent_weekly_volume(world):
    mm, shops, scarce = world["mm"], world["shops"], world["scarce"]
    week_before = DAY - dt.timedelta(days=7)
    add_order(shops["t30"], scarce, 13 * 20, week_before)  # 20 cartons a week on average
    add_order(shops["t20"], scarce, 13 * 10, week_before)  # 10 a week
    rule = {"float_cap": {"pct_by_scale": {"1": 5, "2": 10, "3": 15}}}
    plan = make_plan(mm, {"product": scarce, "available": 1000, "basis": "tier", "rule": rule})

    services.supply_plan_simulate(plan=plan, actor=mm)

    limits = dict(
        RetailerLimit.objects.filter(plan=plan).values_list("retailer__shop_name", "limit")
    )
    # Small shops (the factory's default scale) float 15% above their agreed weekly volume.
    assert limits["t30"] == 23  # floor(20 x 1.15)
    assert limits["t20"] == 11  # floor(10 x 1.15)
    assert "t10" not in limits  # no recent volume, nothing agreed: no limit
