"""Orders (订单) and their lines: the sales history that grading and analysis aggregate.

Lines carry the retailer and the order date of their order (denormalised, written by the
services that create orders) so that per-retailer and per-product sums by week and month are
single index range scans.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tobacco_crm.products.models import Product
from tobacco_crm.retailers.models import Retailer

from .choices import OrderStatus


class Order(models.Model):
    """One retailer's order for one week (订单)."""

    retailer = models.ForeignKey(
        Retailer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("零售户")
    )
    order_date = models.DateField(_("订货日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.CONFIRMED
    )
    total_cartons = models.PositiveIntegerField(_("订购量（条）"), default=0)
    total_amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2, default=0)
    supply_period = models.ForeignKey(
        "supply.SupplyPeriod", on_delete=models.PROTECT, null=True, blank=True,
        related_name="orders", verbose_name=_("投放周期"),
    )  # fmt: skip
    client_token = models.CharField(
        _("提交标识"), max_length=64, blank=True,
        help_text=_("同一次提交的唯一标识：重复提交（双击、重试）不会产生第二张订单"),
    )  # fmt: skip
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("录入人"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("订单")
        verbose_name_plural = _("订单")
        ordering = ["-order_date", "-id"]
        indexes = [
            models.Index(fields=["retailer", "order_date"], name="order_retailer_date"),
            models.Index(fields=["order_date"], name="order_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["retailer", "client_token"],
                condition=~models.Q(client_token=""),
                name="order_submitted_once",
                violation_error_message=_("这张订单已经提交过。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.retailer_id} {self.order_date}"


class OrderLine(models.Model):
    """One product of an order, in whole cartons (条)."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("订单")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("卷烟规格")
    )
    retailer = models.ForeignKey(
        Retailer, on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("零售户")
    )
    order_date = models.DateField(_("订货日期"))
    cartons = models.PositiveIntegerField(_("订购量（条）"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("订单明细")
        verbose_name_plural = _("订单明细")
        indexes = [
            models.Index(fields=["retailer", "order_date"], name="orderline_retailer_date"),
            models.Index(fields=["product", "order_date"], name="orderline_product_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cartons__gt=0),
                name="orderline_cartons_positive",
                violation_error_message=_("订单明细至少一条。"),
            ),
            models.UniqueConstraint(
                fields=["order", "product"],
                name="orderline_one_per_product",
                violation_error_message=_("同一订单中每个规格只能出现一次。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} × {self.cartons}"


class RetailerMonthlySales(models.Model):
    """Monthly aggregate of one retailer's order lines (a statistic refilled month by month by
    `orders.services.monthly_sales_refresh`): what grading, segments and analyses read instead
    of scanning every order line.

    `premium_cartons` counts cartons of price class 二类 and above (price_class ≤ 2);
    `product_count` is the number of distinct products bought in the month.
    """

    retailer = models.ForeignKey(
        Retailer, on_delete=models.CASCADE, related_name="monthly_sales", verbose_name=_("零售户")
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    cartons = models.PositiveIntegerField(_("订购量（条）"), default=0)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2, default=0)
    premium_cartons = models.PositiveIntegerField(_("二类及以上（条）"), default=0)
    product_count = models.PositiveIntegerField(_("订购规格数"), default=0)
    order_count = models.PositiveIntegerField(_("订单数"), default=0)

    class Meta:
        verbose_name = _("月度销售汇总")
        verbose_name_plural = _("月度销售汇总")
        indexes = [models.Index(fields=["month"], name="monthly_sales_month")]
        constraints = [
            models.UniqueConstraint(
                fields=["retailer", "month"],
                name="monthly_sales_one_per_month",
                violation_error_message=_("每个零售户每月只有一条汇总。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.retailer_id} {self.month:%Y-%m}"
