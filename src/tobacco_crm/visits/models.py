"""Service standards (服务标准) and weekly visit plans (拜访计划) with their routes (拜访线路).

A service standard is policy the marketing manager sets; a version is never edited, a change
is saved as the next version (`services.service_standard_save`), and each plan records the
version it was drafted under. A plan belongs to one customer manager and one ISO week.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tobacco_crm.retailers.models import Retailer

from .choices import (
    DEFAULT_INTERVALS,
    DEFAULT_VISIT_MINUTES,
    PlanStatus,
    PriceTags,
    VisitOutcome,
)


def default_visit_minutes() -> dict[str, int]:
    return dict(DEFAULT_VISIT_MINUTES)


def default_working_days() -> list[int]:
    return [0, 1, 2, 3, 4]


class ServiceStandard(models.Model):
    """One version of the service standard: visit interval per segment (weeks), the day's
    capacity, visit minutes per business format, travel speed and working days
    (0 = Monday). Never edited in place: a change is the next version."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    interval_top = models.PositiveSmallIntegerField(
        _("前 20% 拜访间隔（周）"), default=DEFAULT_INTERVALS["top"]
    )
    interval_high_potential = models.PositiveSmallIntegerField(
        _("发展潜力大拜访间隔（周）"), default=DEFAULT_INTERVALS["high_potential"]
    )
    interval_stable = models.PositiveSmallIntegerField(
        _("平稳拜访间隔（周）"), default=DEFAULT_INTERVALS["stable"]
    )
    interval_volatile = models.PositiveSmallIntegerField(
        _("易变拜访间隔（周）"), default=DEFAULT_INTERVALS["volatile"]
    )
    interval_bottom = models.PositiveSmallIntegerField(
        _("后 20% 拜访间隔（周）"), default=DEFAULT_INTERVALS["bottom"],
        help_text=_("未评级的零售户也按此间隔"),
    )  # fmt: skip
    day_visits = models.PositiveSmallIntegerField(_("每天最多拜访户数"), default=12)
    day_start = models.TimeField(_("出发时间"), default=dt.time(8, 30))
    day_minutes = models.PositiveSmallIntegerField(_("每天工作分钟"), default=480)
    visit_minutes = models.JSONField(
        _("各业态拜访分钟"), default=default_visit_minutes,
        help_text=_('业态编码 → 分钟，例如 {"Z": 15, "C": 30}'),
    )  # fmt: skip
    default_visit_minutes = models.PositiveSmallIntegerField(_("默认拜访分钟"), default=15)
    speed_kmh = models.DecimalField(_("行驶速度（公里/小时）"), max_digits=5, decimal_places=1,
                                    default=25)  # fmt: skip
    working_days = models.JSONField(
        _("工作日"), default=default_working_days, help_text=_("0=周一 … 6=周日")
    )
    sales_move_pct = models.PositiveSmallIntegerField(
        _("销量环比变动阈值（%）"), default=30,
        help_text=_("上月订购量较前一月变动超过此比例列为重点拜访对象"),
    )  # fmt: skip
    note = models.CharField(_("修订说明"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("制定人"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务标准")
        verbose_name_plural = _("服务标准")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day_visits__gte=1, day_minutes__gte=60, speed_kmh__gt=0),
                name="service_standard_positive_capacity",
                violation_error_message=_("每天拜访户数、工作分钟和速度必须为正。"),
            )
        ]

    def __str__(self) -> str:
        return f"{_('服务标准')} v{self.version}"

    def interval_for(self, segment: str | None) -> int:
        """Weeks between visits for a segment; an ungraded retailer counts as bottom."""
        weeks = {
            "top": self.interval_top,
            "high_potential": self.interval_high_potential,
            "stable": self.interval_stable,
            "volatile": self.interval_volatile,
        }.get(segment or "", self.interval_bottom)
        return max(1, weeks)

    def minutes_for(self, business_format: str) -> int:
        return int(self.visit_minutes.get(business_format, self.default_visit_minutes))


class VisitPlan(models.Model):
    """A customer manager's plan for one ISO week (`week_start` is its Monday). `left_out`
    lists the retailers owed a visit that could not be planned, with the reason
    (`[{"retailer": id, "reason": LeftOutReason}]`)."""

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visit_plans",
        verbose_name=_("客户经理"),
    )  # fmt: skip
    week_start = models.DateField(_("周一日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    standard = models.ForeignKey(
        ServiceStandard, on_delete=models.PROTECT, null=True, blank=True, related_name="plans",
        verbose_name=_("服务标准"),
    )  # fmt: skip
    left_out = models.JSONField(_("未排入的零售户"), default=list, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("拜访计划")
        verbose_name_plural = _("拜访计划")
        ordering = ["-week_start", "manager_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["manager", "week_start"],
                name="visit_plan_one_per_week",
                violation_error_message=_("每位客户经理每周只有一份拜访计划。"),
            ),
        ]

    def __str__(self) -> str:
        iso = self.week_start.isocalendar()
        return f"{self.manager} {iso.year}-W{iso.week:02d}"

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)


class PlannedVisit(models.Model):
    """One planned visit: the day, its position in the day's route, the planned arrival and
    start (after waiting for the shop to open), and its purposes
    (`[{"kind": PurposeKind, "label": str, ...}]`). `unfit_reason` is set when the day's route
    cannot fit it (after a manual move); `visited_at` is filled by the visit record."""

    plan = models.ForeignKey(
        VisitPlan, on_delete=models.CASCADE, related_name="visits", verbose_name=_("拜访计划")
    )
    retailer = models.ForeignKey(
        Retailer, on_delete=models.PROTECT, related_name="planned_visits",
        verbose_name=_("零售户"),
    )  # fmt: skip
    day = models.DateField(_("拜访日期"))
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    planned_arrival = models.TimeField(_("预计到达"), null=True, blank=True)
    planned_start = models.TimeField(_("预计开始"), null=True, blank=True)
    service_minutes = models.PositiveSmallIntegerField(_("拜访分钟"), default=15)
    purposes = models.JSONField(_("拜访目的"), default=list, blank=True)
    unfit_reason = models.CharField(_("无法排入原因"), max_length=32, blank=True)
    visited_at = models.DateTimeField(_("实际拜访时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("计划拜访")
        verbose_name_plural = _("计划拜访")
        ordering = ["day", "position", "id"]
        indexes = [models.Index(fields=["retailer", "day"], name="planned_visit_retailer_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "retailer"],
                name="planned_visit_once_per_plan",
                violation_error_message=_("同一零售户在一份计划中只拜访一次。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} #{self.position} {self.retailer_id}"


class VisitRecord(models.Model):
    """What happened at one visit (拜访记录): the check-in (time, the browser's position and
    its accuracy, the distance to the shop's archived coordinates, flagged when far), the
    outcome, and the checklist of seed 002 ❼. Append-only once its day has closed: a
    correction is a new record whose `corrects` points at the record it corrects.

    `stock` rows are `{"brand": str, "stock": int, "stockout_days": int}` (cartons on hand and
    days out of stock, for the YC/T 455 measures); `prices` rows are
    `{"brand": str, "price": str}` (the price actually charged per pack); `info_given` lists
    `InfoGiven` values."""

    planned_visit = models.ForeignKey(
        PlannedVisit, on_delete=models.PROTECT, null=True, blank=True, related_name="records",
        verbose_name=_("计划拜访"),
    )  # fmt: skip
    retailer = models.ForeignKey(
        Retailer, on_delete=models.PROTECT, related_name="visit_records",
        verbose_name=_("零售户"),
    )  # fmt: skip
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visit_records",
        verbose_name=_("客户经理"),
    )  # fmt: skip
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections",
        verbose_name=_("更正的记录"),
    )  # fmt: skip
    outcome = models.CharField(
        _("结果"), max_length=16, choices=VisitOutcome.choices, default=VisitOutcome.VISITED
    )
    checked_in_at = models.DateTimeField(_("签到时间"))
    latitude = models.DecimalField(_("签到纬度"), max_digits=9, decimal_places=6, null=True,
                                   blank=True)  # fmt: skip
    longitude = models.DecimalField(_("签到经度"), max_digits=9, decimal_places=6, null=True,
                                    blank=True)  # fmt: skip
    accuracy_m = models.FloatField(_("定位精度（米）"), null=True, blank=True)
    distance_m = models.FloatField(_("距店距离（米）"), null=True, blank=True)
    far_from_shop = models.BooleanField(_("远离店铺签到"), default=False)
    call_note = models.TextField(_("电话联系记录"), blank=True)
    board_business_card = models.BooleanField(_("服务牌：名片"), default=False)
    board_complaint_card = models.BooleanField(_("服务牌：投诉卡"), default=False)
    board_monthly_info = models.BooleanField(_("服务牌：月度信息"), default=False)
    price_tags = models.CharField(_("价签"), max_length=16, choices=PriceTags.choices,
                                  blank=True)  # fmt: skip
    e_settlement_reminded = models.BooleanField(_("已提醒电子结算"), default=False)
    brands_displayed = models.BooleanField(_("培育品牌上柜（至少两包陈列）"), default=False)
    stock = models.JSONField(_("各品牌库存与断货天数"), default=list, blank=True)
    prices = models.JSONField(_("实际零售价"), default=list, blank=True)
    opinions = models.TextField(_("对订货和货源的意见"), blank=True)
    info_given = models.JSONField(_("传递的信息"), default=list, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("拜访记录")
        verbose_name_plural = _("拜访记录")
        ordering = ["-checked_in_at", "-id"]
        indexes = [
            models.Index(fields=["retailer", "checked_in_at"], name="visit_record_retailer_at"),
            models.Index(fields=["manager", "checked_in_at"], name="visit_record_manager_at"),
        ]

    def __str__(self) -> str:
        return f"{self.retailer_id} {self.checked_in_at:%Y-%m-%d %H:%M}"

    @property
    def day_closed(self) -> bool:
        """Whether the record's day is over (the record can no longer be edited)."""
        return timezone.localdate(self.checked_in_at) < timezone.localdate()
