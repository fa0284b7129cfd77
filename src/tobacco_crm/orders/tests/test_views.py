"""Order screens: a retailer's limits (htmx fragment and page), the weekly order form and its
outcome (refused lines with their reasons, duplicates), reported demand, the order list
(scoped, paginated, query count pinned); 404 outside the scope, 403 for roles that do not
enter orders."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tobacco_crm.core.tests.factories import ProductFactory, RetailerFactory
from tobacco_crm.orders import views
from tobacco_crm.orders.entry import week_limits
from tobacco_crm.orders.models import Order, OrderLine
from tobacco_crm.orders.tests.test_entry import grade, publish_plan, taker
from tobacco_crm.products.choices import ProductStatus
from tobacco_crm.supply.choices import AllocationReason
from tobacco_crm.supply.models import DemandReport, RetailerLimit

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
TOKEN = re.compile(r'name="client_token" value="([0-9a-f-]{36})"')


@pytest.fixture
def shop(territory_a):
    return RetailerFactory(territory=territory_a, shop_name="城关便民店")


@pytest.fixture
def foreign(territory_b):
    return RetailerFactory(territory=territory_b, shop_name="乡镇便民店")


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
    """This week's published plan gives the shop 5 cartons of `scarce`."""
    grade(shop, tier=18)
    return publish_plan(marketing_manager, (scarce, 5), day=timezone.localdate())


def _reason(product) -> str:
    return str(AllocationReason(RetailerLimit.objects.get(product=product).reason).label)


def _token(response) -> str:
    match = TOKEN.search(response.text)
    assert match, "no client token in the form"
    return match.group(1)


def _entry(client, shop, data: dict[str, Any], token: str | None = None):
    url = reverse("orders-entry", args=[shop.pk])
    token = token or _token(client.get(url))
    return client.post(url, {"client_token": token, "rows": "5", **data})


# Limits ---------------------------------------------------------------------------------------


def test_limits_fragment_shows_limit_ordered_left_and_reason(
    client, manager_a, shop, scarce, normal, published
):
    client.force_login(manager_a)
    _entry(client, shop, {f"limited_{scarce.pk}": "2"})

    response = client.get(reverse("orders-retailer-limits", args=[shop.pk]), **HTMX)

    assert response.status_code == 200
    html = response.text
    assert "<html" not in html  # a fragment for the retailer page
    row = re.search(rf'<li id="limit-{scarce.pk}">(.*?)</li>', html, re.S)
    assert row is not None
    text = row.group(1)
    assert "黄鹤楼(硬1916)" in text
    assert '<b class="limit">5</b>' in text
    assert '<b class="ordered">2</b>' in text
    assert '<b class="left">3</b>' in text
    assert "第 18 档" in text
    assert _reason(scarce) in text
    assert reverse("orders-entry", args=[shop.pk]) in html
    # The page shows what order entry checks against.
    assert week_limits(retailer=shop, day=timezone.localdate())[scarce.pk][0] == 5


def test_limits_page_without_htmx(client, manager_a, shop, published):
    client.force_login(manager_a)

    response = client.get(reverse("orders-retailer-limits", args=[shop.pk]))

    assert response.status_code == 200
    assert "<html" in response.text and 'id="limits-list"' in response.text


def test_limits_before_publishing(client, manager_a, shop, scarce, marketing_manager):
    grade(shop)
    publish_plan(marketing_manager, (scarce, 5), day=timezone.localdate(), publish=False)
    client.force_login(manager_a)

    response = client.get(reverse("orders-retailer-limits", args=[shop.pk]), **HTMX)

    assert "本周尚未发布投放方案" in response.text
    assert 'id="limits-list"' not in response.text


def test_limits_link_to_the_tier_table_when_it_exists(
    client, manager_a, shop, published, monkeypatch
):
    client.force_login(manager_a)
    url = reverse("orders-retailer-limits", args=[shop.pk])

    def missing(name, *args, **kwargs):
        raise NoReverseMatch(name)

    monkeypatch.setattr(views, "reverse", missing)
    assert 'id="tier-table-link"' not in client.get(url, **HTMX).text

    monkeypatch.setattr(views, "reverse", lambda name, args: f"/supply/plans/{args[0]}/tiers/")
    html = client.get(url, **HTMX).text
    assert f'href="/supply/plans/{published.pk}/tiers/" id="tier-table-link"' in html


def test_limits_for_a_reader_who_does_not_enter_orders(
    client, inspector, territory_a, shop, published
):
    territory_a.inspectors.add(inspector)
    client.force_login(inspector)

    response = client.get(reverse("orders-retailer-limits", args=[shop.pk]), **HTMX)

    assert response.status_code == 200
    assert 'id="limits-list"' in response.text
    assert 'id="order-link"' not in response.text


def test_limits_show_a_stopped_retailer(client, manager_a, shop):
    grade(shop, stopped=True)
    client.force_login(manager_a)

    response = client.get(reverse("orders-retailer-limits", args=[shop.pk]), **HTMX)

    assert 'id="limits-stopped"' in response.text


# Scope and roles --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["orders-retailer-limits", "orders-entry", "orders-demand"])
def test_retailer_outside_the_scope_is_404(client, manager_a, foreign, name):
    client.force_login(manager_a)

    assert client.get(reverse(name, args=[foreign.pk])).status_code == 404


def test_order_list_of_a_retailer_outside_the_scope_is_404(client, manager_a, foreign):
    client.force_login(manager_a)

    assert client.get(reverse("orders-list"), {"retailer": foreign.pk}).status_code == 404
    assert client.get(reverse("orders-list"), {"retailer": "x"}).status_code == 404


def test_posting_for_a_retailer_outside_the_scope_is_404(client, manager_a, foreign, normal):
    client.force_login(manager_a)
    url = reverse("orders-entry", args=[foreign.pk])

    response = client.post(
        url,
        {"client_token": "0" * 8 + "-0000-4000-8000-" + "0" * 12, "product_0": normal.pk,
         "cartons_0": "1", "rows": "5"},
    )  # fmt: skip

    assert response.status_code == 404
    assert not Order.objects.exists()


@pytest.mark.parametrize("user_fixture", ["inspector", "marketing_manager"])
def test_roles_that_do_not_enter_orders_get_403(client, request, territory_a, shop, user_fixture):
    user = request.getfixturevalue(user_fixture)
    territory_a.inspectors.add(user)  # an inspector sees the retailer (and may read its limits)
    client.force_login(user)

    assert client.get(reverse("orders-entry", args=[shop.pk])).status_code == 403
    assert client.post(reverse("orders-entry", args=[shop.pk]), {}).status_code == 403
    assert client.get(reverse("orders-demand", args=[shop.pk])).status_code == 403
    assert client.get(reverse("orders-list")).status_code == 403
    assert client.get(reverse("orders-retailer-limits", args=[shop.pk])).status_code == 200


def test_anonymous_users_are_sent_to_log_in(client, shop):
    for url in (
        reverse("orders-list"),
        reverse("orders-entry", args=[shop.pk]),
        reverse("orders-retailer-limits", args=[shop.pk]),
        reverse("orders-demand", args=[shop.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


# Order entry ------------------------------------------------------------------------------------


def test_form_lists_limited_products_first_with_limit_and_left(
    client, manager_a, shop, scarce, normal, published
):
    stopped = ProductFactory(brand="停供", name="老款", status=ProductStatus.STOPPED)
    client.force_login(manager_a)

    response = client.get(reverse("orders-entry", args=[shop.pk]))

    html = response.text
    assert response.status_code == 200
    assert f'name="limited_{scarce.pk}"' in html
    assert "限量 5 条 · 已订 0 条 · 还可订 5 条" in html
    assert html.index(f'name="limited_{scarce.pk}"') < html.index('name="product_0"')
    options = re.search(r'<select name="product_0".*?</select>', html, re.S).group(0)
    assert f'value="{normal.pk}"' in options
    assert f'value="{scarce.pk}"' not in options  # it has its own input
    assert f'value="{stopped.pk}"' not in options
    assert html.count('name="product_') == views.ENTRY_ROWS


def test_each_render_has_a_new_client_token(client, manager_a, shop):
    client.force_login(manager_a)
    url = reverse("orders-entry", args=[shop.pk])

    assert _token(client.get(url)) != _token(client.get(url))


def test_over_limit_line_is_refused_with_its_reason_and_the_rest_kept(
    client, manager_a, shop, scarce, normal, published
):
    client.force_login(manager_a)

    response = _entry(
        client, shop, {f"limited_{scarce.pk}": "6", "product_0": normal.pk, "cartons_0": "10"}
    )

    assert response.status_code == 200
    refused = re.search(r'<section class="card" id="refused">(.*?)</section>', response.text, re.S)
    assert refused is not None
    assert "黄鹤楼(硬1916)" in refused.group(1)
    reason = f"超过限量：本周限量 5 条（{_reason(scarce)}），已订 0 条，最多还可订 5 条。"
    assert reason in refused.group(1)
    accepted = re.search(r'id="accepted-lines">(.*?)</ul>', response.text, re.S)
    assert accepted is not None and "娇子(宽窄好运)" in accepted.group(1)
    order = Order.objects.get()
    assert order.entered_by == manager_a and order.total_cartons == 10
    assert list(order.lines.values_list("product_id", "cartons")) == [(normal.pk, 10)]


def test_all_lines_refused_makes_no_order(client, manager_a, shop, scarce, published):
    client.force_login(manager_a)

    response = _entry(client, shop, {f"limited_{scarce.pk}": "9"})

    assert 'id="no-order"' in response.text
    assert "超过限量" in response.text
    assert not Order.objects.exists()


def test_stopped_retailer_sees_why(client, manager_a, shop, normal):
    grade(shop, stopped=True)
    client.force_login(manager_a)

    response = _entry(client, shop, {"product_0": normal.pk, "cartons_0": "3"})

    assert "该零售户已停货，待专卖部门处理后恢复供货。" in response.text
    assert not Order.objects.exists()


def test_resubmitting_the_same_form_makes_no_second_order(
    client, manager_a, shop, scarce, normal, published
):
    client.force_login(manager_a)
    url = reverse("orders-entry", args=[shop.pk])
    token = _token(client.get(url))
    data = {f"limited_{scarce.pk}": "3", "product_0": normal.pk, "cartons_0": "2"}

    first = _entry(client, shop, data, token=token)
    again = _entry(client, shop, data, token=token)

    assert 'id="duplicate"' not in first.text
    assert "该订单已提交" in again.text
    order = Order.objects.get()
    assert f"订单 #{order.pk}" in again.text
    assert OrderLine.objects.filter(product=scarce).get().cartons == 3
    # A new form (new token) is a new order: 2 more cartons of the limited product are left.
    third = _entry(client, shop, {f"limited_{scarce.pk}": "2"})
    assert Order.objects.count() == 2 and 'id="refused"' not in third.text


def test_form_errors(client, manager_a, shop, normal):
    client.force_login(manager_a)

    empty = _entry(client, shop, {})
    assert "请至少填写一种规格的订购量。" in empty.text
    no_cartons = _entry(client, shop, {"product_0": normal.pk})
    assert "请填写订购量。" in no_cartons.text
    no_product = _entry(client, shop, {"cartons_0": "3"})
    assert "请选择规格。" in no_product.text
    twice = _entry(
        client,
        shop,
        {"product_0": normal.pk, "cartons_0": "1", "product_1": normal.pk, "cartons_1": "2"},
    )
    assert "同一规格只能填写一行。" in twice.text
    unknown = _entry(client, shop, {"product_0": "999999", "cartons_0": "1"})
    assert "没有这个规格。" in unknown.text
    negative = _entry(client, shop, {"product_0": normal.pk, "cartons_0": "-1"})
    assert negative.context["form"].errors["cartons_0"]
    no_token = client.post(
        reverse("orders-entry", args=[shop.pk]), {"product_0": normal.pk, "cartons_0": "1"}
    )
    assert "页面已过期" in no_token.text
    assert not Order.objects.exists()


def test_a_product_stopped_since_the_form_was_shown_is_refused_with_its_reason(
    client, manager_a, shop, normal
):
    client.force_login(manager_a)
    url = reverse("orders-entry", args=[shop.pk])
    token = _token(client.get(url))
    normal.status = ProductStatus.STOPPED
    normal.save()

    response = _entry(client, shop, {"product_0": normal.pk, "cartons_0": "1"}, token=token)

    assert "该规格已停供。" in response.text


def test_more_rows_keeps_what_was_filled(client, manager_a, shop, normal):
    client.force_login(manager_a)
    url = reverse("orders-entry", args=[shop.pk])
    token = _token(client.get(url))

    response = client.post(
        url,
        {"client_token": token, "rows": "5", "product_0": normal.pk, "cartons_0": "4", "more": "1"},
    )

    assert response.text.count('name="product_') == 10
    assert _token(response) == token
    assert 'name="cartons_0" value="4"' in response.text
    assert not Order.objects.exists()


def test_order_taker_enters_orders_of_any_retailer(client, foreign, normal):
    client.force_login(taker())

    response = _entry(client, foreign, {"product_0": normal.pk, "cartons_0": "2"})

    assert response.status_code == 200 and Order.objects.get().retailer == foreign


# Reported demand --------------------------------------------------------------------------------


def test_demand_is_reported_through_the_service(client, manager_a, shop, scarce, normal):
    client.force_login(manager_a)
    url = reverse("orders-demand", args=[shop.pk])

    page = client.get(url)
    assert f'name="p{scarce.pk}"' in page.text
    assert f'name="p{normal.pk}"' not in page.text  # neither scarce nor planned

    response = client.post(url, {f"p{scarce.pk}": "12"})

    assert response.status_code == 302 and response["Location"] == url
    report = DemandReport.objects.get()
    assert (report.retailer, report.product, report.cartons) == (shop, scarce, 12)
    assert report.period.start_date <= timezone.localdate() <= report.period.end_date
    assert report.history.first().history_user == manager_a
    assert 'value="12"' in client.get(url).text

    client.post(url, {f"p{scarce.pk}": ""})  # blank: unchanged
    assert DemandReport.objects.get().cartons == 12
    client.post(url, {f"p{scarce.pk}": "0"})
    assert DemandReport.objects.get().cartons == 0


def test_demand_rejects_bad_numbers(client, manager_a, shop, scarce):
    client.force_login(manager_a)

    response = client.post(reverse("orders-demand", args=[shop.pk]), {f"p{scarce.pk}": "-3"})

    assert response.status_code == 200
    assert not DemandReport.objects.exists()


# The order list -----------------------------------------------------------------------------------


def test_order_list_shows_only_visible_orders(client, manager_a, shop, foreign, normal):
    _entry_as = taker()
    client.force_login(_entry_as)
    _entry(client, shop, {"product_0": normal.pk, "cartons_0": "2"})
    _entry(client, foreign, {"product_0": normal.pk, "cartons_0": "3"})
    client.force_login(manager_a)

    response = client.get(reverse("orders-list"))

    assert response.status_code == 200
    assert "城关便民店" in response.text and "乡镇便民店" not in response.text
    assert list(response.context["orders"]) == [Order.objects.get(retailer=shop)]
    one = client.get(reverse("orders-list"), {"retailer": shop.pk})
    assert [o.retailer for o in one.context["orders"]] == [shop]


def test_order_list_query_count_does_not_grow(
    client, manager_a, territory_a, normal, django_assert_num_queries
):
    products = [normal, ProductFactory()]
    user = taker()

    def order(retailer):
        from tobacco_crm.orders.entry import order_submit

        order_submit(
            retailer=retailer, day=timezone.localdate(), lines=[(p, 1) for p in products],
            actor=user,
        )  # fmt: skip

    order(RetailerFactory(territory=territory_a))
    client.force_login(manager_a)
    # Session, user, count, page (order ⋈ retailer ⋈ entered by), lines ⋈ product.
    with django_assert_num_queries(5):
        assert client.get(reverse("orders-list")).status_code == 200

    for _ in range(30):
        order(RetailerFactory(territory=territory_a))
    with django_assert_num_queries(5):
        response = client.get(reverse("orders-list"))
    assert len(response.context["orders"]) == views.PAGE_SIZE
    assert response.context["page"].paginator.count == 31
    assert client.get(reverse("orders-list"), {"page": 2}).context["orders"].__len__() == 6
