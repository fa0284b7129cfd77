"""A customer manager on a phone with geolocation granted: opens today's visits from this
week's plan, checks in at the shop, fills the checklist, records a need, and finds the need
open (待分派) in his needs queue — in a real Chromium."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tobacco_crm.core.tests.factories import RetailerFactory
from tobacco_crm.needs.models import Need
from tobacco_crm.visits import services
from tobacco_crm.visits.models import VisitRecord

SHOP = (Decimal("30.570000"), Decimal("104.060000"))


@pytest.mark.django_db(transaction=True)
def test_customer_manager_visits_a_shop_on_a_phone(
    live_server, browser, playwright, manager_a, territory_a, marketing_manager, company
):
    company.latitude, company.longitude = Decimal("30.560000"), Decimal("104.050000")
    company.save()
    retailer = RetailerFactory(
        territory=territory_a, shop_name="幸福便利店", latitude=SHOP[0], longitude=SHOP[1]
    )
    today = timezone.localdate()
    services.service_standard_save(actor=marketing_manager, working_days=list(range(7)))
    plan = services.visit_plan_draft(manager=manager_a, week_start=today, actor=manager_a)
    visit = plan.visits.get(retailer=retailer)
    if visit.day != today:
        services.planned_visit_move(visit=visit, day=today, actor=manager_a)

    context = browser.new_context(
        **playwright.devices["Pixel 7"],
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        geolocation={"latitude": 30.5702, "longitude": 104.0601, "accuracy": 15},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(manager_a.username)
    page.get_by_label("密码").fill("pass12345")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto(f"{live_server.url}/visits/today/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("今日拜访")
    page.locator("#today-visits").get_by_role("link", name="幸福便利店").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("幸福便利店")

    page.locator("#check-in-button").click()
    expect(page.locator(".messages")).to_contain_text("已签到")
    expect(page.locator("#records")).to_contain_text("距店")
    expect(page.locator("#records .far-flag")).to_have_count(0)

    form = page.locator("#checklist-form")
    form.get_by_label("服务牌：名片").check()
    form.get_by_label("服务牌：投诉卡").check()
    form.get_by_label("价签").select_option("right")
    form.get_by_label("已提醒电子结算").check()
    form.get_by_label("培育品牌上柜（至少两包陈列）").check()
    form.get_by_label("各品牌库存").fill("娇子,3,2")
    form.get_by_label("实际零售价").fill("娇子,22")
    form.get_by_label("促销活动").check()
    form.get_by_label("对订货和货源的意见").fill("希望多给紧俏品牌")
    page.locator("#checklist-save").click()
    expect(page.locator(".messages")).to_contain_text("检查项目已保存")

    need_form = page.locator("#need-form")
    need_form.get_by_label("类型").select_option("need")
    need_form.get_by_label("类别").select_option("supply")
    need_form.get_by_label("内容").fill("希望增加娇子货源")
    page.locator("#need-save").click()
    expect(page.locator(".messages")).to_contain_text("诉求已登记")

    page.goto(f"{live_server.url}/needs/")
    need = Need.objects.get(retailer=retailer)
    row = page.locator(f"#need-{need.pk}")
    expect(row).to_contain_text("希望增加娇子货源")
    expect(row).to_contain_text("待分派")
    assert page.viewport_size is not None and page.viewport_size["width"] < 500
    context.close()

    record = VisitRecord.objects.get(planned_visit=visit)
    assert record.distance_m is not None and record.distance_m < 50
    assert record.accuracy_m == 15
    assert record.brands_displayed and record.price_tags == "right"
    assert record.stock == [{"brand": "娇子", "stock": 3, "stockout_days": 2}]
    assert record.info_given == ["promotion"]
    assert need.channel == "visit"
    visit.refresh_from_db()
    assert visit.visited_at is not None
