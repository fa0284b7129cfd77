"""Orders within the published limits, in a real Chromium on a phone (issue 4): the quarter's
grading is published; a marketing manager simulates and publishes this week's plan with a
scarce product limited by tier; the customer manager opens his retailer's limits, sees its
limit and the reason, enters an over-limit line of the scarce product and a normal line, and
sees the first refused with its reason and the second accepted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tobacco_crm.accounts.choices import Role
from tobacco_crm.core.tests.factories import (
    ProductFactory,
    RetailerFactory,
    TerritoryFactory,
    UserFactory,
)
from tobacco_crm.grading import services as grading_services
from tobacco_crm.grading.tests.factories import (
    GradingPeriodFactory,
    GradingPolicyFactory,
    quarter_of,
)
from tobacco_crm.orders.models import Order, RetailerMonthlySales
from tobacco_crm.products.choices import ProductStatus
from tobacco_crm.supply import services as supply_services
from tobacco_crm.supply.choices import AllocationReason, Basis
from tobacco_crm.supply.models import RetailerLimit

# Tier limits table (档位限量表): a retailer of tier ≥ 1 may order 1 carton, ≥ 10: 2, ≥ 20: 3,
# ≥ 25: 4 (the plan's data, plenty being available).
TIER_LIMITS = {"1": 1, "10": 2, "20": 3, "25": 4}


def _sales(retailer, *, cartons: int, until: dt.date, months: int = 12) -> None:
    last = until.year * 12 + until.month - 1
    RetailerMonthlySales.objects.bulk_create(
        RetailerMonthlySales(
            retailer=retailer,
            month=dt.date(index // 12, index % 12 + 1, 1),
            cartons=cartons,
            amount=Decimal(cartons * 200),
            premium_cartons=cartons // 5,
            product_count=20,
            order_count=4,
        )
        for index in range(last - months + 1, last + 1)
    )


@pytest.mark.django_db(transaction=True)
def test_over_limit_line_is_refused_with_its_reason_on_a_phone(live_server, browser, playwright):
    marketing = UserFactory(username="mm01", display_name="营销经理", role=Role.MARKETING_MANAGER)
    manager = UserFactory(username="cm01", display_name="王经理")
    territory = TerritoryFactory(code="T01", name="城关片区", customer_manager=manager)
    shop = RetailerFactory(territory=territory, shop_name="幸福便利店")
    others = [RetailerFactory(territory=territory, shop_name=f"平安食杂店{n}") for n in range(3)]
    scarce = ProductFactory(
        brand="黄鹤楼",
        name="硬1916",
        status=ProductStatus.SCARCE,
        wholesale_price=Decimal("450.00"),
        retail_price=Decimal("500.00"),
    )
    normal = ProductFactory(brand="娇子", name="宽窄好运", wholesale_price=Decimal("100.00"))

    # Last quarter's grading, published: the shop sells most, so it has the best tier.
    today = timezone.localdate()
    last_quarter = GradingPeriodFactory.create(
        start_date=quarter_of(quarter_of(today)[0] - dt.timedelta(days=1))[0]
    )
    for number, retailer in enumerate([shop, *others]):
        _sales(retailer, cartons=400 - 100 * number, until=last_quarter.end_date)
    policy = GradingPolicyFactory(created_by=marketing)
    run = grading_services.grading_run_start(period=last_quarter, policy=policy, actor=marketing)
    grading_services.grading_run_publish(run=run, actor=marketing)

    # This week's plan: simulated, then published by the marketing manager.
    plan = supply_services.supply_plan_create(
        period=supply_services.supply_period_for(day=today), name="本周紧俏投放", actor=marketing
    )
    supply_services.supply_plan_line_set(
        plan=plan,
        product=scarce,
        available=1000,
        basis=Basis.TIER,
        rule={"tier_weights": {"policy": "table", "table": TIER_LIMITS, "as_limits": True}},
        actor=marketing,
    )
    supply_services.supply_plan_simulate(plan=plan, actor=marketing)
    supply_services.supply_plan_publish(plan=plan, actor=marketing)
    limit_row = RetailerLimit.objects.get(plan=plan, retailer=shop, product=scarce)
    limit = limit_row.limit
    reason = str(AllocationReason(limit_row.reason).label)
    assert limit >= 1

    context = browser.new_context(
        **playwright.devices["Pixel 7"], locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("cm01")
    page.get_by_label("密码").fill("pass12345")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("王经理")

    # The retailer's limits this week, with the reason.
    page.goto(f"{live_server.url}/orders/retailer/{shop.pk}/limits/")
    row = page.locator(f"#limit-{scarce.pk}")
    expect(row).to_contain_text("黄鹤楼(硬1916)")
    expect(row.locator(".limit")).to_have_text(str(limit))
    expect(row.locator(".left")).to_have_text(str(limit))
    expect(row.locator(".reason")).to_have_text(reason)
    expect(row).to_contain_text(f"第 {limit_row.tier} 档")

    # The order: one carton over the limit of the scarce product, and a normal line.
    page.locator("#order-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("录入订单")
    expect(page.locator(f"#line-{scarce.pk}")).to_contain_text(
        f"限量 {limit} 条 · 已订 0 条 · 还可订 {limit} 条"
    )
    page.get_by_label("黄鹤楼(硬1916)").fill(str(limit + 1))
    page.get_by_label("规格 1", exact=True).select_option(label="娇子(宽窄好运) · 100.00 元/条")
    page.get_by_label("条数 1", exact=True).fill("10")
    page.locator("#submit-order").click()

    refused = page.locator("#refused")
    expect(refused).to_contain_text("黄鹤楼(硬1916)")
    expect(refused).to_contain_text(
        f"超过限量：本周限量 {limit} 条（{reason}），已订 0 条，最多还可订 {limit} 条。"
    )
    accepted = page.locator("#accepted")
    expect(accepted).to_contain_text("娇子(宽窄好运) × 10 条")
    expect(accepted).to_contain_text("合计 10 条，1000.00 元")
    expect(accepted).not_to_contain_text("黄鹤楼")
    order = Order.objects.get()
    assert order.retailer == shop and order.entered_by == manager
    assert list(order.lines.values_list("product_id", "cartons")) == [(normal.pk, 10)]

    # Within the limit, the scarce product is accepted; the limits then show nothing left.
    page.locator("#new-order").click()
    page.get_by_label("黄鹤楼(硬1916)").fill(str(limit))
    page.locator("#submit-order").click()
    expect(page.locator("#accepted")).to_contain_text(f"黄鹤楼(硬1916) × {limit} 条")
    expect(page.locator("#refused")).to_have_count(0)
    expect(page.locator(f"#limit-{scarce.pk} .left")).to_have_text("0")
    assert Order.objects.count() == 2
    assert page.viewport_size is not None and page.viewport_size["width"] < 500
    context.close()
