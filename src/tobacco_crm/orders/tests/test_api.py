"""The orders API: only orders of visible retailers, with their lines, without N+1."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from tobacco_crm.core.tests.factories import ProductFactory, RetailerFactory
from tobacco_crm.orders.models import Order, OrderLine


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def make_order(retailer, products, order_date=datetime.date(2025, 3, 3)) -> Order:
    order = Order.objects.create(
        retailer=retailer,
        order_date=order_date,
        total_cartons=2 * len(products),
        total_amount=Decimal("200.00") * len(products),
    )
    for product in products:
        OrderLine.objects.create(
            order=order, product=product, retailer=retailer, order_date=order_date,
            cartons=2, amount=Decimal("200.00"),
        )  # fmt: skip
    return order


@pytest.mark.django_db
def test_orders_of_visible_retailers_only(manager_a, marketing_manager, territory_a, territory_b):
    products = ProductFactory.create_batch(2)
    mine = make_order(RetailerFactory(territory=territory_a), products)
    other = make_order(RetailerFactory(territory=territory_b), products)

    assert ids(client_for(manager_a).get("/api/orders/")) == {mine.pk}
    assert client_for(manager_a).get(f"/api/orders/{other.pk}/").status_code == 404
    assert ids(client_for(marketing_manager).get("/api/orders/")) == {mine.pk, other.pk}


@pytest.mark.django_db
def test_inspector_sees_orders_of_assigned_territories(inspector, territory_a, territory_b):
    territory_b.inspectors.add(inspector)
    product = ProductFactory()
    make_order(RetailerFactory(territory=territory_a), [product])
    assigned = make_order(RetailerFactory(territory=territory_b), [product])

    assert ids(client_for(inspector).get("/api/orders/")) == {assigned.pk}


@pytest.mark.django_db
def test_order_detail_has_lines(manager_a, territory_a):
    product = ProductFactory(code="P9", brand="娇子", name="宽窄")
    retailer = RetailerFactory(territory=territory_a, shop_name="甲店")
    order = make_order(retailer, [product])

    data = client_for(manager_a).get(f"/api/orders/{order.pk}/").json()

    assert data["retailer"] == retailer.pk
    assert data["retailer_shop_name"] == "甲店"
    assert data["retailer_license_no"] == retailer.license_no
    assert data["status_display"] == "已确认"
    assert data["lines"] == [
        {
            "id": order.lines.get().pk,
            "product": product.pk,
            "product_code": "P9",
            "product_name": "娇子(宽窄)",
            "cartons": 2,
            "amount": "200.00",
        }
    ]


@pytest.mark.django_db
def test_license_masked_for_marketing_manager(marketing_manager, territory_a):
    retailer = RetailerFactory(territory=territory_a, license_no="510100123456")
    make_order(retailer, [ProductFactory()])

    row = client_for(marketing_manager).get("/api/orders/").json()["results"][0]

    assert row["retailer_license_no"] == "5101******56"


@pytest.mark.django_db
def test_orders_filter_by_retailer_and_dates(manager_a, territory_a, territory_b):
    product = ProductFactory()
    shop = RetailerFactory(territory=territory_a)
    march = make_order(shop, [product], datetime.date(2025, 3, 3))
    april = make_order(shop, [product], datetime.date(2025, 4, 7))
    make_order(RetailerFactory(territory=territory_a), [product], datetime.date(2025, 3, 3))
    foreign = RetailerFactory(territory=territory_b)
    client = client_for(manager_a)

    assert ids(client.get("/api/orders/", {"retailer": shop.pk})) == {march.pk, april.pk}
    response = client.get(
        "/api/orders/", {"retailer": shop.pk, "date_from": "2025-04-01", "date_to": "2025-04-30"}
    )
    assert ids(response) == {april.pk}
    assert len(ids(client.get("/api/orders/", {"date_to": "2025-03-31"}))) == 2
    # Another manager's retailer is not a valid filter value.
    assert client.get("/api/orders/", {"retailer": foreign.pk}).status_code == 400


@pytest.mark.django_db
def test_order_list_query_count_does_not_grow(manager_a, territory_a, django_assert_num_queries):
    products = ProductFactory.create_batch(3)
    client = client_for(manager_a)
    make_order(RetailerFactory(territory=territory_a), products)
    # Session, user, count, page (order ⋈ retailer), lines ⋈ product.
    with django_assert_num_queries(5):
        assert client.get("/api/orders/").json()["count"] == 1

    for _ in range(20):
        make_order(RetailerFactory(territory=territory_a), products)
    with django_assert_num_queries(5):
        assert client.get("/api/orders/").json()["count"] == 21
