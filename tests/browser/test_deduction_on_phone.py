"""A market inspector on a phone: log in, find a retailer, record a deduction; after the next
grading run the retailer's grade section (loaded by htmx) shows the deduction, its reason and
its effect — in a real Chromium."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tobacco_crm.accounts.choices import Role
from tobacco_crm.core.tests.factories import RetailerFactory, TerritoryFactory, UserFactory
from tobacco_crm.grading import services
from tobacco_crm.grading.models import Deduction, GradingPeriod
from tobacco_crm.grading.tests.factories import (
    GradingPeriodFactory,
    GradingPolicyFactory,
    quarter_of,
)
from tobacco_crm.orders.models import RetailerMonthlySales


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


def _publish(period: GradingPeriod, policy, actor) -> None:
    run = services.grading_run_start(period=period, policy=policy, actor=actor)
    services.grading_run_publish(run=run, actor=actor)


@pytest.mark.django_db(transaction=True)
def test_inspector_records_a_deduction_on_a_phone(live_server, browser, playwright):
    manager = UserFactory(username="mm01", display_name="营销经理", role=Role.MARKETING_MANAGER)
    inspector = UserFactory(username="insp01", display_name="李市管", role=Role.INSPECTOR)
    territory = TerritoryFactory.create(code="T01", name="城关片区")
    territory.inspectors.add(inspector)
    shop = RetailerFactory(territory=territory, shop_name="幸福便利店")
    RetailerFactory(territory=territory, shop_name="平安食杂店")
    RetailerFactory(territory=TerritoryFactory(code="T02"), shop_name="幸福烟酒行")
    today = timezone.localdate()
    current = GradingPeriodFactory.create(start_date=quarter_of(today)[0])
    previous = GradingPeriodFactory.create(
        start_date=quarter_of(current.start_date - dt.timedelta(days=1))[0]
    )
    for number, retailer in enumerate(territory.retailers.order_by("pk")):
        _sales(retailer, cartons=300 - 100 * number, until=current.end_date)
    _sales(RetailerFactory(shop_name="远郊商店"), cartons=50, until=current.end_date)
    policy = GradingPolicyFactory(created_by=manager)
    _publish(previous, policy, manager)  # last quarter's grades: no deductions, class A

    context = browser.new_context(
        **playwright.devices["Pixel 7"], locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("insp01")
    page.get_by_label("密码").fill("pass12345")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("李市管")

    page.goto(f"{live_server.url}/grading/deductions/")
    page.get_by_label("查找零售户（店名、户主、许可证号、电话）").fill("幸福")
    page.locator("#search-button").click()
    results = page.locator("#search-results")
    expect(results).to_contain_text("幸福便利店")
    expect(results).not_to_contain_text("幸福烟酒行")  # not one of his territories
    results.locator("li", has_text="幸福便利店").get_by_role("link", name="录入扣分").click()

    expect(page.get_by_label("评定周期")).to_have_value(str(current.pk))
    expect(page.get_by_label("检查日期")).to_have_value(today.isoformat())
    page.get_by_label("扣分项目").select_option(label="向未成年人售烟（10 分）")
    page.get_by_label("扣分原因").fill("向初中生出售卷烟一包，已现场制止")
    page.get_by_label("已向零售户说明").check()
    page.locator("#save-button").click()

    expect(page.locator(".messages")).to_contain_text("已录入扣分：向未成年人售烟，扣 10 分。")
    grade = page.locator("#grade")
    expect(grade.locator("#grade-class")).to_have_text("A")  # last quarter's grade, by htmx
    expect(grade.locator("#grade-compliance")).to_have_text("100")
    expect(grade.locator("#pending-deductions")).to_contain_text("向初中生出售卷烟一包")
    deduction = Deduction.objects.get()
    assert deduction.retailer == shop and deduction.inspector == inspector
    assert deduction.history.get().history_user == inspector

    _publish(current, policy, manager)  # the new quarter's run, with the deduction

    page.reload()
    grade = page.locator("#grade")
    expect(grade.locator("#grade-compliance")).to_have_text("90")
    expect(grade.locator("#grade-class")).to_have_text("B")
    deductions = grade.locator("#explain-deductions")
    expect(deductions).to_contain_text(today.isoformat())
    expect(deductions).to_contain_text("向未成年人售烟")
    expect(deductions).to_contain_text("−10 分")
    expect(deductions).to_contain_text("向初中生出售卷烟一包，已现场制止")
    compliance = grade.locator("#explain-compliance")
    expect(compliance).to_contain_text("基础分 100，扣 10 分，得 90 分，B 类")
    expect(grade.locator("#explain-tier")).to_contain_text("守法类别为 B 类，档位最高为第 24 档")
    expect(grade.locator("#grade-tier")).to_have_text("24")
    expect(grade.locator("#explain-raise")).to_contain_text("守法得分达到 91 分（A 类）")
    assert page.viewport_size is not None and page.viewport_size["width"] < 500
    context.close()
