"""Scarce-supply allocation (货源投放): weekly supply periods, plans with one line per scarce
product, the limits (限量) a simulation computes, and reported demand (需求提报).

A plan is simulated (limits written, not visible to retailers) as often as wanted, then
published all-or-nothing: it and its limits are locked; a later published plan of the same
period supersedes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from tobacco_crm.products.models import Product
from tobacco_crm.retailers.models import Retailer

from .choices import AllocationReason, Basis, PlanStatus


class SupplyPeriod(models.Model):
    """A supply period (投放周期), a week by default."""

    code = models.CharField(_("编码"), max_length=16, unique=True, help_text=_("例如 2026-W48"))
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    sequence = models.PositiveIntegerField(
        _("序号"), help_text=_("逐周递增；用于轮换并列零售户的余量")
    )

    class Meta:
        verbose_name = _("投放周期")
        verbose_name_plural = pgettext_lazy("plural", "投放周期")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="supply_period_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            )
        ]

    def __str__(self) -> str:
        return self.code


class SupplyPlan(models.Model):
    """The plan of one period: its lines say how much of each scarce product is available
    and by which rule it is allocated."""

    period = models.ForeignKey(
        SupplyPeriod, on_delete=models.PROTECT, related_name="plans", verbose_name=_("投放周期")
    )
    name = models.CharField(_("名称"), max_length=100)
    status = models.CharField(
        _("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    grading_run = models.ForeignKey(
        "grading.GradingRun", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("依据的分级批次"),
    )  # fmt: skip
    summary = models.JSONField(_("模拟结果"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("制定人"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    simulated_at = models.DateTimeField(_("模拟时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("发布人"),
    )  # fmt: skip
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["summary"])

    class Meta:
        verbose_name = _("投放方案")
        verbose_name_plural = pgettext_lazy("plural", "投放方案")
        ordering = ["-period__start_date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["period"],
                condition=models.Q(status=PlanStatus.PUBLISHED),
                name="supply_plan_one_published_per_period",
                violation_error_message=_("每个投放周期只能有一个生效的发布方案。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.name}"

    @property
    def editable(self) -> bool:
        return self.status in (PlanStatus.DRAFT, PlanStatus.SIMULATED)


class SupplyPlanLine(models.Model):
    """One scarce product of a plan: the quantity available (可供量), the rule, and the
    eligibility filters. `rule` holds the engine rule's options
    (tobacco_crm.engines.allocation.ProductRule.to_dict() without product and available);
    `eligibility` the filters: lists of compliance classes, business formats, districts,
    market types and territory codes (empty = all)."""

    plan = models.ForeignKey(
        SupplyPlan, on_delete=models.CASCADE, related_name="lines", verbose_name=_("投放方案")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("卷烟规格")
    )
    available = models.PositiveIntegerField(_("可供量（条）"))
    basis = models.CharField(_("投放方式"), max_length=16, choices=Basis.choices)
    rule = models.JSONField(_("规则"), default=dict, blank=True)
    eligibility = models.JSONField(_("投放条件"), default=dict, blank=True)
    summary = models.JSONField(_("模拟结果"), default=dict, blank=True)

    class Meta:
        verbose_name = _("投放品规")
        verbose_name_plural = pgettext_lazy("plural", "投放品规")
        ordering = ["plan", "product__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "product"],
                name="supply_plan_line_one_per_product",
                violation_error_message=_("同一方案中每个规格只能出现一次。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.product_id} {self.available}"


class RetailerLimit(models.Model):
    """One retailer's limit (限量) for one product of a plan, with its reason. Written in bulk
    by a simulation (only retailers with a limit or an exclusion worth telling), locked when
    the plan is published."""

    plan = models.ForeignKey(
        SupplyPlan, on_delete=models.CASCADE, related_name="limits", verbose_name=_("投放方案")
    )
    retailer = models.ForeignKey(
        Retailer, on_delete=models.CASCADE, related_name="limits", verbose_name=_("零售户")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("卷烟规格")
    )
    tier = models.PositiveSmallIntegerField(_("档位"))
    limit = models.PositiveIntegerField(_("限量（条）"))
    reason = models.PositiveSmallIntegerField(_("原因"), choices=AllocationReason.choices)

    class Meta:
        verbose_name = _("限量")
        verbose_name_plural = pgettext_lazy("plural", "限量")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "retailer", "product"],
                name="retailer_limit_once",
                violation_error_message=_("同一方案中每户每个规格只有一个限量。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.retailer_id} {self.product_id} ≤ {self.limit}"


class DemandReport(models.Model):
    """Reported demand (需求提报) of a retailer for a product in a period, used by demand-based
    rules."""

    period = models.ForeignKey(
        SupplyPeriod, on_delete=models.PROTECT, related_name="demands", verbose_name=_("投放周期")
    )
    retailer = models.ForeignKey(
        Retailer, on_delete=models.CASCADE, related_name="demands", verbose_name=_("零售户")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("卷烟规格")
    )
    cartons = models.PositiveIntegerField(_("需求量（条）"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("提报人"),
    )  # fmt: skip
    reported_at = models.DateTimeField(_("提报时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("需求提报")
        verbose_name_plural = pgettext_lazy("plural", "需求提报")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "retailer", "product"],
                name="demand_report_once",
                violation_error_message=_("本周期已提报过这个规格的需求。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.retailer_id} {self.product_id} {self.cartons}"
