"""Monthly sales aggregates refilled from order lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tobacco_crm.core.tests.factories import ProductFactory, RetailerFactory
from tobacco_crm.orders.models import Order, OrderLine, RetailerMonthlySales
from tobacco_crm.orders.services import monthly_sales_refresh

pytestmark = pytest.mark.django_db


def _order(retailer, day, lines, status="confirmed"):
    order = Order.objects.create(retailer=retailer, order_date=day, status=status)
    for product, cartons in lines:
        OrderLine.objects.create(
            order=order, product=product, retailer=retailer, order_date=day, cartons=cartons,
            amount=product.wholesale_price * cartons,
        )  # fmt: skip
    return order


def test_refresh_sums_each_month_and_counts_premium_and_products(territory_a):
    shop = RetailerFactory(territory=territory_a)
    premium = ProductFactory(price_class=1, wholesale_price=Decimal("500"), retail_price=600)
    cheap = ProductFactory(price_class=4, wholesale_price=Decimal("80"), retail_price=100)
    _order(shop, dt.date(2026, 1, 5), [(premium, 2), (cheap, 10)])
    _order(shop, dt.date(2026, 1, 19), [(cheap, 5)])
    _order(shop, dt.date(2026, 2, 2), [(cheap, 3)])
    _order(shop, dt.date(2026, 2, 9), [(premium, 9)], status="cancelled")

    written = monthly_sales_refresh(first=dt.date(2026, 1, 1), last=dt.date(2026, 2, 28))

    assert written == 2
    january = RetailerMonthlySales.objects.get(retailer=shop, month=dt.date(2026, 1, 1))
    assert (january.cartons, january.premium_cartons, january.product_count) == (17, 2, 2)
    assert january.amount == Decimal("2200.00")
    assert january.order_count == 2
    february = RetailerMonthlySales.objects.get(retailer=shop, month=dt.date(2026, 2, 1))
    assert (february.cartons, february.premium_cartons) == (3, 0)


def test_refresh_replaces_previous_figures(territory_a):
    shop = RetailerFactory(territory=territory_a)
    product = ProductFactory()
    order = _order(shop, dt.date(2026, 3, 2), [(product, 4)])
    monthly_sales_refresh(first=dt.date(2026, 3, 1), last=dt.date(2026, 3, 31))
    order.status = "cancelled"
    order.save()

    monthly_sales_refresh(first=dt.date(2026, 3, 1), last=dt.date(2026, 3, 31))

    assert not RetailerMonthlySales.objects.filter(retailer=shop).exists()


def test_an_entered_order_updates_the_months_aggregate(territory_a, manager_a):
    from tobacco_crm.orders.entry import order_submit

    shop = RetailerFactory(territory=territory_a)
    product = ProductFactory(price_class=2, wholesale_price=Decimal("200"), retail_price=250)
    _order(shop, dt.date(2026, 4, 6), [(product, 3)])
    monthly_sales_refresh(first=dt.date(2026, 4, 1), last=dt.date(2026, 4, 30))

    order_submit(retailer=shop, day=dt.date(2026, 4, 20), lines=[(product, 2)], actor=manager_a)

    april = RetailerMonthlySales.objects.get(retailer=shop, month=dt.date(2026, 4, 1))
    assert (april.cartons, april.premium_cartons, april.order_count) == (5, 5, 2)
    assert april.amount == Decimal("1000.00")
