"""Order entry within the published limits (订单采集): `entry.order_submit` checks every line
against the week's limit (counting what the retailer already ordered that week), refuses
lines for stopped products, from stopped retailers and for scarce products without a
published plan, each with its reason, keeps the rest, and creates one order per client token.

The helpers at the top (`DAY`, `grade`, `publish_plan`, `taker`) are shared with
`test_views` and `test_concurrency`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tobacco_crm.accounts.choices import Role
from tobacco_crm.core.tests.factories import ProductFactory, RetailerFactory, UserFactory
from tobacco_crm.grading.choices import RunStatus
from tobacco_crm.grading.tests.factories import GradingRunFactory, RetailerGradeFactory
from tobacco_crm.orders.choices import OrderStatus
from tobacco_crm.orders.entry import order_submit, week_limits
from tobacco_crm.orders.models import Order, OrderLine
from tobacco_crm.products.choices import ProductStatus
from tobacco_crm.supply import services as supply_services
from tobacco_crm.supply.choices import AllocationReason, Basis
from tobacco_crm.supply.models import RetailerLimit, SupplyPlan

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 25)  # Wednesday of 2026-W48 (Monday 2026-11-23, Sunday 2026-11-29)


# Shared helpers ----------------------------------------------------------------------------


def taker() -> Any:
    return UserFactory(username="taker", display_name="电访员", role=Role.ORDER_TAKER)


def grade(*retailers: Any, tier: int = 20, stopped: bool = False, run: Any = None) -> Any:
    """A published grading run (the run in force) grading `retailers` at `tier`."""
    run = run or GradingRunFactory(status=RunStatus.PUBLISHED)
    for retailer in retailers:
        RetailerGradeFactory(run=run, retailer=retailer, tier=tier, supply_stopped=stopped)
    return run


def publish_plan(
    actor: Any, *lines: tuple[Any, int], day: dt.date = DAY, publish: bool = True
) -> SupplyPlan:
    """A plan of the week of `day`, simulated and (by default) published through the
    services: each line (product, cap) gives every graded retailer up to `cap` cartons of
    the product (tier basis, `max_per_retailer`), plenty being available."""
    plan = supply_services.supply_plan_create(
        period=supply_services.supply_period_for(day=day), name="本周投放", actor=actor
    )
    for product, cap in lines:
        supply_services.supply_plan_line_set(
            plan=plan, product=product, available=10_000, basis=Basis.TIER, actor=actor,
            rule={"max_per_retailer": cap},
        )  # fmt: skip
    plan = supply_services.supply_plan_simulate(plan=plan, actor=actor)
    if publish:
        plan = supply_services.supply_plan_publish(plan=plan, actor=actor)
    return plan


# Fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def shop(territory_a):
    return RetailerFactory(territory=territory_a, shop_name="城关便民店")


@pytest.fixture
def scarce():
    return ProductFactory(
        brand="黄鹤楼",
        name="硬1916",
        status=ProductStatus.SCARCE,
        wholesale_price=Decimal("450"),
        retail_price=Decimal("500"),
    )


@pytest.fixture
def normal():
    return ProductFactory(brand="娇子", name="宽窄好运", wholesale_price=Decimal("100"))


@pytest.fixture
def published(shop, scarce, marketing_manager):
    """The run in force grades the shop; this week's plan gives it 5 cartons of `scarce`."""
    grade(shop)
    return publish_plan(marketing_manager, (scarce, 5))


def _submit(shop, actor, *lines, token: str = "", day: dt.date = DAY):
    return order_submit(retailer=shop, day=day, lines=list(lines), actor=actor, client_token=token)


# Limits -------------------------------------------------------------------------------------


def test_week_limits_are_the_published_plan_s(published, shop, scarce, normal):
    limits = week_limits(retailer=shop, day=DAY)

    assert limits is not None
    assert limits[scarce.pk][0] == 5
    assert normal.pk not in limits
    assert week_limits(retailer=shop, day=DAY + dt.timedelta(days=7)) is None


def test_line_within_the_limit_is_accepted(published, shop, scarce, manager_a):
    outcome = _submit(shop, manager_a, (scarce, 5), token="t1")

    assert not outcome.refused and not outcome.duplicate
    order = outcome.order
    assert order is not None
    assert (order.total_cartons, order.total_amount) == (5, Decimal("2250.00"))
    assert order.status == OrderStatus.SUBMITTED
    assert order.order_date == DAY and order.entered_by == manager_a
    assert order.supply_period is not None and order.supply_period.code == "2026-W48"
    line = OrderLine.objects.get(order=order)
    assert (line.product, line.cartons, line.retailer, line.order_date) == (scarce, 5, shop, DAY)
    assert order.history.first().history_user == manager_a


def test_already_ordered_this_week_counts_against_the_limit(published, shop, scarce, manager_a):
    assert _submit(shop, manager_a, (scarce, 3)).refused == []

    second = _submit(shop, manager_a, (scarce, 3))

    assert second.order is None
    assert second.accepted == []
    (refused,) = second.refused
    assert (refused.product, refused.cartons) == (scarce, 3)
    assert "本周限量 5 条" in refused.reason
    assert "已订 3 条" in refused.reason and "最多还可订 2 条" in refused.reason
    assert _submit(shop, manager_a, (scarce, 2)).refused == []
    assert _submit(shop, manager_a, (scarce, 1)).refused[0].reason.startswith("超过限量")
    assert sum(OrderLine.objects.filter(product=scarce).values_list("cartons", flat=True)) == 5


def test_cancelled_orders_and_other_weeks_do_not_count(published, shop, scarce, manager_a):
    last_week = DAY - dt.timedelta(days=7)
    order = Order.objects.create(retailer=shop, order_date=last_week, status=OrderStatus.CONFIRMED)
    OrderLine.objects.create(
        order=order, product=scarce, retailer=shop, order_date=last_week, cartons=5,
        amount=scarce.wholesale_price * 5,
    )  # fmt: skip
    first = _submit(shop, manager_a, (scarce, 5))
    assert first.order is not None
    Order.objects.filter(pk=first.order.pk).update(status=OrderStatus.CANCELLED)

    again = _submit(shop, manager_a, (scarce, 5))

    assert again.refused == [] and again.order is not None


def test_over_limit_line_is_refused_with_its_reason_and_the_rest_kept(
    published, shop, scarce, normal, manager_a
):
    outcome = _submit(shop, manager_a, (scarce, 6), (normal, 10), token="t1")

    assert [(line.product, line.cartons) for line in outcome.accepted] == [(normal, 10)]
    (refused,) = outcome.refused
    assert refused.product == scarce and refused.cartons == 6
    reason_label = str(AllocationReason(RetailerLimit.objects.get(product=scarce).reason).label)
    assert refused.reason == (
        f"超过限量：本周限量 5 条（{reason_label}），已订 0 条，最多还可订 5 条。"
    )
    order = outcome.order
    assert order is not None
    assert (order.total_cartons, order.total_amount) == (10, Decimal("1000.00"))
    assert list(order.lines.values_list("product", flat=True)) == [normal.pk]


def test_limit_zero_tells_why(published, shop, scarce, territory_a, manager_a):
    ungraded = RetailerFactory(territory=territory_a)  # no grade: not in the allocation

    outcome = _submit(ungraded, manager_a, (scarce, 1))

    assert outcome.order is None
    assert "本周限量 0 条（不符合投放条件）" in outcome.refused[0].reason


def test_stopped_product_is_refused(shop, normal, manager_a):
    stopped = ProductFactory(status=ProductStatus.STOPPED)

    outcome = _submit(shop, manager_a, (stopped, 1), (normal, 2))

    assert outcome.refused[0].product == stopped
    assert outcome.refused[0].reason == "该规格已停供。"
    assert [line.product for line in outcome.accepted] == [normal]


def test_supply_stopped_retailer_is_refused(shop, normal, manager_a):
    grade(shop, stopped=True)  # the grade in force stops its supply (停货)

    outcome = _submit(shop, manager_a, (normal, 2))

    assert outcome.order is None and outcome.accepted == []
    assert outcome.refused[0].reason == "该零售户已停货，待专卖部门处理后恢复供货。"
    assert not Order.objects.exists()


def test_supply_stopped_only_by_the_run_in_force(shop, normal, manager_a):
    from tobacco_crm.grading.tests.factories import GradingPeriodFactory

    old = GradingRunFactory(status=RunStatus.PUBLISHED, period=GradingPeriodFactory())
    grade(shop, stopped=True, run=old)
    grade(shop, run=GradingRunFactory(status=RunStatus.PUBLISHED, period=GradingPeriodFactory()))

    assert _submit(shop, manager_a, (normal, 2)).refused == []


def test_scarce_product_before_publishing_is_refused(
    shop, scarce, normal, marketing_manager, manager_a
):
    grade(shop)
    publish_plan(marketing_manager, (scarce, 5), publish=False)  # simulated, not published

    outcome = _submit(shop, manager_a, (scarce, 1), (normal, 3))

    assert outcome.refused[0].reason == "紧俏规格：本周投放方案尚未发布，暂不能订购。"
    assert [(line.product, line.cartons) for line in outcome.accepted] == [(normal, 3)]


def test_scarce_product_left_out_of_the_published_plan_is_refused(
    published, shop, normal, manager_a
):
    other = ProductFactory(status=ProductStatus.SCARCE)

    outcome = _submit(shop, manager_a, (other, 1))

    assert outcome.refused[0].reason == "紧俏规格：本周投放方案未投放该规格，暂不能订购。"


def test_non_scarce_product_without_a_plan_is_accepted(shop, normal, manager_a):
    outcome = _submit(shop, manager_a, (normal, 40))

    assert outcome.refused == []
    assert outcome.order is not None and outcome.order.total_cartons == 40


def test_non_positive_cartons_are_refused(shop, normal, manager_a):
    outcome = _submit(shop, manager_a, (normal, 0))

    assert outcome.order is None
    assert outcome.refused[0].reason == "订购量必须是正整数条。"


def test_same_product_twice_is_invalid(shop, normal, manager_a):
    with pytest.raises(ValidationError):
        _submit(shop, manager_a, (normal, 1), (normal, 2))
    assert not Order.objects.exists()


def test_same_token_creates_one_order(published, shop, scarce, normal, manager_a):
    first = _submit(shop, manager_a, (scarce, 5), (normal, 1), token="abc")

    again = _submit(shop, manager_a, (scarce, 5), (normal, 1), token="abc")

    assert again.duplicate and again.order == first.order
    assert {line.product for line in again.accepted} == {scarce, normal}
    assert again.refused == []
    assert Order.objects.count() == 1
    # Another token is another order (and the limit is used up).
    other = _submit(shop, manager_a, (scarce, 1), token="abd")
    assert not other.duplicate and other.order is None


def test_same_token_for_another_retailer_is_another_order(shop, normal, territory_a, manager_a):
    neighbour = RetailerFactory(territory=territory_a)

    _submit(shop, manager_a, (normal, 1), token="abc")
    other = _submit(neighbour, manager_a, (normal, 1), token="abc")

    assert not other.duplicate and Order.objects.count() == 2


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.MARKETING_MANAGER])
def test_roles_that_do_not_enter_orders_are_refused(shop, normal, role):
    user = UserFactory(username=f"u_{role}", role=role)

    with pytest.raises(PermissionDenied):
        _submit(shop, user, (normal, 1))
    assert not Order.objects.exists()


def test_retailer_outside_the_scope_is_refused(shop, normal, manager_b, territory_b):
    with pytest.raises(PermissionDenied):
        _submit(shop, manager_b, (normal, 1))


def test_order_taker_enters_orders_company_wide(shop, normal, territory_b):
    far = RetailerFactory(territory=territory_b)
    user = taker()

    assert _submit(shop, user, (normal, 1)).order is not None
    assert _submit(far, user, (normal, 1)).order is not None


@pytest.mark.parametrize(("status", "label"), [("suspended", "停业"), ("cancelled", "注销")])
def test_a_retailer_that_is_not_trading_orders_nothing(shop, normal, manager_a, status, label):
    shop.status = status
    shop.save()

    outcome = _submit(shop, manager_a, (normal, 2))

    assert outcome.order is None
    assert [line.reason for line in outcome.refused] == [f"零售户经营状态为“{label}”，不能订货。"]
