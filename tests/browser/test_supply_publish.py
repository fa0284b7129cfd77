"""A marketing manager opens a prepared draft supply plan, simulates it, reads the per-tier
table and a territory breakdown, publishes it with the confirmation, and sees it locked — in a
real Chromium."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tobacco_crm.accounts.choices import Role
from tobacco_crm.core.tests.factories import (
    ProductFactory,
    RetailerFactory,
    TerritoryFactory,
    UserFactory,
)
from tobacco_crm.engines.grading import GradingPolicy as EnginePolicy
from tobacco_crm.engines.grading import TierSettings
from tobacco_crm.grading import services as grading_services
from tobacco_crm.orders.models import RetailerMonthlySales
from tobacco_crm.products.choices import ProductStatus
from tobacco_crm.supply import services
from tobacco_crm.supply.choices import Basis, PlanStatus
from tobacco_crm.supply.models import RetailerLimit, SupplyPlan

MONTHS = [dt.date(2026, m, 1) for m in (4, 5, 6, 7, 8, 9)]


def _graded_retailers(manager) -> None:
    """Eight retailers in two territories, four tiers of two by a published grading run."""
    town = TerritoryFactory(code="T01", name="城关片区")
    country = TerritoryFactory(code="T02", name="乡镇片区")
    for k in range(8):
        shop = RetailerFactory(territory=town if k % 2 == 0 else country)
        RetailerMonthlySales.objects.bulk_create(
            RetailerMonthlySales(
                retailer=shop, month=month, cartons=400 - 40 * k,
                amount=Decimal((400 - 40 * k) * 250), product_count=20,
                premium_cartons=(400 - 40 * k) // 4, order_count=4,
            )
            for month in MONTHS
        )  # fmt: skip
    tiers = TierSettings(count=4, class_max_tier={"A": 4, "B": 3, "C": 2, "W": 1})
    policy = grading_services.grading_policy_save(
        name="分级政策", data=EnginePolicy(name="分级政策", tiers=tiers).to_dict(), actor=manager
    )
    period = grading_services.grading_period_create(
        code="2026Q3", name="2026年第三季度", start_date=dt.date(2026, 7, 1),
        end_date=dt.date(2026, 9, 30), actor=manager,
    )  # fmt: skip
    run = grading_services.grading_run_start(period=period, policy=policy, actor=manager)
    grading_services.grading_run_publish(run=run, actor=manager)


@pytest.mark.django_db(transaction=True)
def test_marketing_manager_simulates_and_publishes_a_plan(live_server, browser):
    manager = UserFactory(username="mm01", display_name="营销经理", role=Role.MARKETING_MANAGER)
    _graded_retailers(manager)
    zhonghua = ProductFactory(
        code="6901028075862", brand="中华", name="硬", status=ProductStatus.SCARCE
    )
    yuxi = ProductFactory(code="6901028180559", brand="玉溪", name="软", status=ProductStatus.NEW)
    plan = services.supply_plan_create(
        period=services.supply_period_for(day=dt.date(2026, 11, 25)),
        name="第48周紧俏烟投放",
        actor=manager,
    )
    services.supply_plan_line_set(
        plan=plan, product=zhonghua, available=20, basis=Basis.TIER, actor=manager
    )
    services.supply_plan_line_set(
        plan=plan, product=yuxi, available=100, basis=Basis.TIER,
        rule={"max_per_retailer": 5}, actor=manager,
    )  # fmt: skip

    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("mm01")
    page.get_by_label("密码").fill("pass12345")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("营销经理")

    page.goto(f"{live_server.url}/supply/")
    page.locator("#plan-table").get_by_role("link", name="第48周紧俏烟投放").click()
    expect(page.locator("#plan-status")).to_have_text("草稿")
    expect(page.locator("#line-table")).to_contain_text("中华(硬)")
    expect(page.locator("#line-table")).to_contain_text("单户上限 5 条")

    page.locator("#simulate-button").click()

    expect(page.locator(".messages")).to_contain_text(
        "模拟完成：可供 120 条，投放 60 条，未投放 60 条。"
    )
    expect(page.locator("#plan-status")).to_have_text("已模拟")
    report = page.locator("#report-6901028075862")
    rows = report.locator("tr.tier-row")
    expect(rows).to_have_count(4)
    # 20 cartons over the linear weights 4+4+3+3+2+2+1+1: one carton per unit of weight.
    expect(rows.nth(0).locator("td").nth(0)).to_have_text("4")
    expect(rows.nth(0).locator("td.limit")).to_have_text("4")
    expect(rows.nth(3).locator("td.limit")).to_have_text("1")
    capped = page.locator("#report-6901028180559")
    expect(capped.locator(".undistributed")).to_contain_text("60")
    expect(capped.locator(".undistributed")).to_contain_text("符合条件的零售户均已达到上限")
    report.locator("details.territories > summary").click()  # loaded by htmx
    territories = report.locator(f"#territories-{zhonghua.pk}")
    expect(territories).to_contain_text("城关片区")
    expect(territories).to_contain_text("乡镇片区")

    page.locator("#publish-confirm").check()
    page.locator("#publish-button").click()

    expect(page.locator(".messages")).to_contain_text(
        "已发布：2026-W48 的限量即日起公开，方案已锁定。"
    )
    expect(page.locator("#plan-status")).to_have_text("已发布 · 已锁定")
    expect(page.locator("#locked")).to_be_visible()
    for locked_away in ("#simulate-button", "#add-line", "#import-link", "#publish-form"):
        expect(page.locator(locked_away)).to_have_count(0)
    expect(page.locator("#line-table")).not_to_contain_text("修改")

    page.locator("#tier-table-link").click()
    expect(page.locator("#tiers-6901028075862 .tier-cell").first).to_contain_text("4 档")
    expect(page.locator("#tiers-6901028075862 .tier-cell").first).to_contain_text("4")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED and plan.published_by == manager
    assert RetailerLimit.objects.filter(plan=plan).count() == 16
    assert SupplyPlan.objects.count() == 1
    context.close()
