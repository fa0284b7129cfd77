"""Quarterly grading (客户分类分级): policies, periods, deductions, manual indicators, runs,
the grades they produce, appeals (复核) and the adjustments accepted appeals make.

Published runs and their grades are never changed in place: a re-grade is a new run that
supersedes the old one, and an accepted appeal is a `GradeAdjustment` beside the grade.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from tobacco_crm.retailers.models import Retailer

from .choices import AppealStatus, ComplianceClass, RunStatus, Segment


class GradingPolicy(models.Model):
    """One version of a grading policy: the engine's policy as JSON
    (`tobacco_crm.engines.grading.GradingPolicy.to_dict()`). A version is never edited; a
    change is saved as the next version."""

    name = models.CharField(_("名称"), max_length=100)
    version = models.PositiveIntegerField(_("版本"))
    data = models.JSONField(_("政策内容"))
    note = models.CharField(_("修订说明"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("制定人"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("分级政策")
        verbose_name_plural = pgettext_lazy("plural", "分级政策")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "version"],
                name="grading_policy_unique_version",
                violation_error_message=_("该政策已有这个版本号。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class GradingPeriod(models.Model):
    """A grading period (评定周期), usually a quarter. Once locked, its deductions and manual
    indicators can't be changed; corrections are new records."""

    code = models.CharField(_("编码"), max_length=16, unique=True, help_text=_("例如 2026Q3"))
    name = models.CharField(_("名称"), max_length=64)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    locked = models.BooleanField(_("已锁定"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评定周期")
        verbose_name_plural = pgettext_lazy("plural", "评定周期")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="grading_period_ends_after_start",
                violation_error_message=_("结束日期必须晚于开始日期。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Deduction(models.Model):
    """A deduction record (扣分记录) made by a market inspector. Never edited: a correction is
    a new record pointing at the one it replaces (`corrects`); points 0 cancels."""

    retailer = models.ForeignKey(
        Retailer, on_delete=models.PROTECT, related_name="deductions", verbose_name=_("零售户")
    )
    period = models.ForeignKey(
        GradingPeriod, on_delete=models.PROTECT, related_name="deductions",
        verbose_name=_("评定周期"),
    )  # fmt: skip
    occurred_on = models.DateField(_("检查日期"))
    item_code = models.CharField(_("扣分项目"), max_length=32)
    item_label = models.CharField(_("项目名称"), max_length=100)
    points = models.DecimalField(_("扣分"), max_digits=5, decimal_places=1)
    reason = models.CharField(_("扣分原因"), max_length=255)
    note = models.TextField(_("备注"), blank=True)
    explained = models.BooleanField(_("已向零售户说明"), default=False)
    cleared = models.BooleanField(
        _("已处理完毕"), default=False, help_text=_("停货类违规经专卖部门处理后恢复供货")
    )
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrected_by",
        verbose_name=_("更正的记录"),
    )  # fmt: skip
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("市管员"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("扣分记录")
        verbose_name_plural = pgettext_lazy("plural", "扣分记录")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["period", "retailer"], name="deduction_period_retailer")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points__gte=0, points__lte=100),
                name="deduction_points_0_to_100",
                violation_error_message=_("扣分必须在 0 到 100 之间。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.retailer_id} {self.item_label} -{self.points}"


class ManualIndicator(models.Model):
    """A business indicator entered by the customer manager for one retailer and period
    (合作水平: price tags, information feedback, brand display, ...; or his own score)."""

    retailer = models.ForeignKey(
        Retailer, on_delete=models.CASCADE, related_name="manual_indicators",
        verbose_name=_("零售户"),
    )  # fmt: skip
    period = models.ForeignKey(
        GradingPeriod, on_delete=models.PROTECT, related_name="manual_indicators",
        verbose_name=_("评定周期"),
    )  # fmt: skip
    key = models.CharField(_("指标"), max_length=48)
    value = models.FloatField(_("取值"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("录入人"),
    )  # fmt: skip
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("人工指标")
        verbose_name_plural = pgettext_lazy("plural", "人工指标")
        constraints = [
            models.UniqueConstraint(
                fields=["retailer", "period", "key"],
                name="manual_indicator_once_per_period",
                violation_error_message=_("该零售户本周期已录入这个指标。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.retailer_id} {self.key}={self.value}"


class GradingRun(models.Model):
    """One grading of a period with a policy version. A dry run can be discarded; a published
    run is locked and only ever superseded by a later published run."""

    period = models.ForeignKey(
        GradingPeriod, on_delete=models.PROTECT, related_name="runs", verbose_name=_("评定周期")
    )
    policy = models.ForeignKey(
        GradingPolicy, on_delete=models.PROTECT, related_name="runs", verbose_name=_("分级政策")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=RunStatus.choices, default=RunStatus.DRY_RUN
    )
    retailer_count = models.PositiveIntegerField(_("零售户数"), default=0)
    summary = models.JSONField(_("分布"), default=dict)
    context = models.JSONField(_("解释所需数据"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("发起人"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("发布人"),
    )  # fmt: skip
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["summary", "context"])

    class Meta:
        verbose_name = _("评定批次")
        verbose_name_plural = pgettext_lazy("plural", "评定批次")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["period"],
                condition=models.Q(status=RunStatus.PUBLISHED),
                name="grading_run_one_published_per_period",
                violation_error_message=_("每个评定周期只能有一个生效的发布批次。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} #{self.pk} {self.get_status_display()}"


class RetailerGrade(models.Model):
    """The grade a run gives one retailer: compliance class, scores, tier (档位), stars,
    segment, and the compact data its explanation is rebuilt from (`row`, with the run's
    `context`)."""

    run = models.ForeignKey(
        GradingRun, on_delete=models.CASCADE, related_name="grades", verbose_name=_("评定批次")
    )
    retailer = models.ForeignKey(
        Retailer, on_delete=models.CASCADE, related_name="grades", verbose_name=_("零售户")
    )
    compliance_points = models.FloatField(_("守法得分"))
    compliance_class = models.CharField(
        _("守法类别"), max_length=1, choices=ComplianceClass.choices
    )
    supply_stopped = models.BooleanField(_("停货"), default=False)
    business_score = models.FloatField(_("经营得分"))
    final_score = models.FloatField(_("综合得分"))
    rank = models.PositiveIntegerField(_("排名"))
    tier = models.PositiveSmallIntegerField(_("档位"))
    previous_tier = models.PositiveSmallIntegerField(_("上期档位"), default=0)
    stars = models.PositiveSmallIntegerField(_("星级"), default=0)
    super_five = models.BooleanField(_("超五星"), default=False)
    segment = models.CharField(_("客户分群"), max_length=16, choices=Segment.choices)
    row = models.JSONField(_("明细"), default=dict)

    class Meta:
        verbose_name = _("零售户等级")
        verbose_name_plural = pgettext_lazy("plural", "零售户等级")
        indexes = [
            models.Index(fields=["retailer", "run"], name="grade_retailer_run"),
            models.Index(fields=["run", "tier"], name="grade_run_tier"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "retailer"],
                name="grade_once_per_run",
                violation_error_message=_("同一批次中每个零售户只有一个等级。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.retailer_id} {self.compliance_class} 档位{self.tier}"


class Appeal(models.Model):
    """A request for review (复核) of a published grade, raised by the retailer's customer
    manager and decided by the marketing manager."""

    grade = models.ForeignKey(
        RetailerGrade, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("等级")
    )
    reason = models.TextField(_("复核理由"))
    requested_tier = models.PositiveSmallIntegerField(_("申请档位"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("申请人"),
    )  # fmt: skip
    raised_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("复核人"),
    )  # fmt: skip
    reviewed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    review_note = models.TextField(_("复核意见"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("复核申请")
        verbose_name_plural = pgettext_lazy("plural", "复核申请")
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"{self.grade} {self.get_status_display()}"


class GradeAdjustment(models.Model):
    """An audited change of a published grade's tier (and stars), made by accepting an appeal.
    The grade row itself stays as the run computed it; the latest adjustment is in force."""

    grade = models.ForeignKey(
        RetailerGrade, on_delete=models.PROTECT, related_name="adjustments",
        verbose_name=_("等级"),
    )  # fmt: skip
    appeal = models.OneToOneField(
        Appeal, on_delete=models.PROTECT, null=True, blank=True, related_name="adjustment",
        verbose_name=_("复核申请"),
    )  # fmt: skip
    old_tier = models.PositiveSmallIntegerField(_("原档位"))
    new_tier = models.PositiveSmallIntegerField(_("调整后档位"))
    reason = models.TextField(_("调整理由"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("调整人"),
    )  # fmt: skip
    made_at = models.DateTimeField(_("调整时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("等级调整")
        verbose_name_plural = pgettext_lazy("plural", "等级调整")
        ordering = ["-made_at", "-id"]

    def __str__(self) -> str:
        return f"{self.grade_id}: {self.old_tier} → {self.new_tier}"
