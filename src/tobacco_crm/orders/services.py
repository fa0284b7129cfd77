"""Writes of the order history's statistics.

`monthly_sales_refresh` refills the monthly aggregates of a range of months from the order
lines, set-based (one aggregate query per month, bulk insert), inside one transaction: a
crashed refresh leaves the previous figures in place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum

from tobacco_crm.products.choices import PriceClass

from .choices import OrderStatus
from .models import Order, OrderLine, RetailerMonthlySales

COUNTED_STATUSES = (OrderStatus.SUBMITTED, OrderStatus.CONFIRMED)
BATCH_SIZE = 5000


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months_between(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """Each month's first day from the month of `first` to the month of `last`, inclusive."""
    month = month_start(first)
    while month <= last:
        yield month
        month = next_month(month)


def _month_rows(lines):
    return (
        lines.values("retailer_id")
        .annotate(
            sum_cartons=Sum("cartons"),
            sum_amount=Sum("amount"),
            sum_premium=Sum("cartons", filter=Q(product__price_class__lte=PriceClass.TWO)),
            products=Count("product_id", distinct=True),
            orders=Count("order_id", distinct=True),
        )
        .order_by("retailer_id")
    )


def _aggregate(row: dict, month: dt.date) -> RetailerMonthlySales:
    return RetailerMonthlySales(
        retailer_id=row["retailer_id"],
        month=month,
        cartons=row["sum_cartons"] or 0,
        amount=row["sum_amount"] or 0,
        premium_cartons=row["sum_premium"] or 0,
        product_count=row["products"],
        order_count=row["orders"],
    )


def _counted_lines(month: dt.date):
    return OrderLine.objects.filter(
        order_date__gte=month, order_date__lt=next_month(month), order__status__in=COUNTED_STATUSES
    )


@transaction.atomic
def monthly_sales_refresh_retailer(*, retailer_id: int, day: dt.date) -> None:
    """Refill one retailer's aggregate of the month holding `day` (after an order entry)."""
    month = month_start(day)
    RetailerMonthlySales.objects.filter(retailer_id=retailer_id, month=month).delete()
    rows = _month_rows(_counted_lines(month).filter(retailer_id=retailer_id))
    RetailerMonthlySales.objects.bulk_create([_aggregate(row, month) for row in rows])


@transaction.atomic
def monthly_sales_refresh(*, first: dt.date | None = None, last: dt.date | None = None) -> int:
    """Recompute the monthly aggregates for the months from `first` to `last` (default: every
    month with orders). Returns the number of aggregate rows written."""
    if first is None or last is None:
        bounds = Order.objects.aggregate(first=Min("order_date"), last=Max("order_date"))
        if bounds["first"] is None:
            return 0
        first = first or bounds["first"]
        last = last or bounds["last"]
    written = 0
    for month in months_between(first, last):
        RetailerMonthlySales.objects.filter(month=month).delete()
        rows = _month_rows(_counted_lines(month))
        batch = [_aggregate(row, month) for row in rows.iterator(chunk_size=BATCH_SIZE)]
        RetailerMonthlySales.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        written += len(batch)
    return written
