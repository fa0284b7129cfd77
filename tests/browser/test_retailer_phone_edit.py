"""A customer manager on a phone: log in, find a retailer, change its phone number, and see the
change in the retailer's history — in a real Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tobacco_crm.core.tests.factories import RetailerFactory, TerritoryFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_customer_manager_changes_phone_on_a_phone(live_server, browser, playwright):
    manager = UserFactory(username="cm01", display_name="王经理")
    territory = TerritoryFactory(code="T01", name="城关片区", customer_manager=manager)
    RetailerFactory(territory=territory, shop_name="幸福便利店", phone="13811112222")
    RetailerFactory(territory=territory, shop_name="平安食杂店", phone="13855556666")
    other = TerritoryFactory(code="T02", name="乡镇片区")
    RetailerFactory(territory=other, shop_name="幸福烟酒行", phone="13877778888")

    context = browser.new_context(
        **playwright.devices["Pixel 7"], locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("cm01")
    page.get_by_label("密码").fill("pass12345")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("王经理")

    page.get_by_role("link", name="零售户", exact=True).first.click()
    page.get_by_label("搜索（店名、户主、许可证号、电话）").fill("幸福")
    page.locator("#search-button").click()
    table = page.locator("#retailer-table")
    expect(table).to_contain_text("幸福便利店")
    expect(table).not_to_contain_text("幸福烟酒行")  # another manager's retailer
    expect(table).not_to_contain_text("平安食杂店")

    page.get_by_role("link", name="幸福便利店").click()
    expect(page.locator("#phone")).to_have_text("13811112222")
    page.locator("#edit-link").click()
    page.get_by_label("联系电话").fill("13912345678")
    page.locator("#save-button").click()

    expect(page.locator(".messages")).to_contain_text("已保存")
    expect(page.locator("#phone")).to_have_text("13912345678")
    history = page.locator("#history")
    expect(history).to_contain_text("王经理")
    expect(history.locator("del").first).to_have_text("13811112222")
    expect(history.locator("ins").first).to_have_text("13912345678")
    assert page.viewport_size is not None and page.viewport_size["width"] < 500
    context.close()
