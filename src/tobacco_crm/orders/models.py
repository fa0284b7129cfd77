"""Orders (订单) and their lines: the sales history that grading and analysis aggregate.

Lines carry the retailer and the order date of their order (denormalised, written by the
services that create orders) so that per-retailer and per-product sums by week and month are
single index range scans.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tobacco_crm.products.models import Product
from tobacco_crm.retailers.models import Retailer

from .choices import OrderStatus


class Order(models.Model):
    """One retailer's order for one week (订单)."""

    retailer = models.ForeignKey(
        Retailer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("retailer")
    )
    order_date = models.DateField(_("order date"))
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.CONFIRMED
    )
    total_cartons = models.PositiveIntegerField(_("cartons"), default=0)
    total_amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-order_date", "-id"]
        indexes = [
            models.Index(fields=["retailer", "order_date"], name="order_retailer_date"),
            models.Index(fields=["order_date"], name="order_date"),
        ]

    def __str__(self) -> str:
        return f"{self.retailer_id} {self.order_date}"


class OrderLine(models.Model):
    """One product of an order, in whole cartons (条)."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("product")
    )
    retailer = models.ForeignKey(
        Retailer, on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("retailer")
    )
    order_date = models.DateField(_("order date"))
    cartons = models.PositiveIntegerField(_("cartons"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        indexes = [
            models.Index(fields=["retailer", "order_date"], name="orderline_retailer_date"),
            models.Index(fields=["product", "order_date"], name="orderline_product_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cartons__gt=0),
                name="orderline_cartons_positive",
                violation_error_message=_("An order line needs at least one carton."),
            ),
            models.UniqueConstraint(
                fields=["order", "product"],
                name="orderline_one_per_product",
                violation_error_message=_("A product appears once per order."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} × {self.cartons}"
