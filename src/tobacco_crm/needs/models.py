"""Follow-up (效果跟踪): a need, complaint or piece of market intelligence raised for a retailer
and tracked to its resolution and the answer fed back to the retailer. Every change goes
through `services` and is kept in the history."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from tobacco_crm.retailers.models import Retailer

from .choices import (
    ACTIVE_STATUSES,
    INTEL_CATEGORIES,
    NeedCategory,
    NeedChannel,
    NeedKind,
    NeedStatus,
)

_DONE = (NeedStatus.RESOLVED, NeedStatus.FED_BACK, NeedStatus.CLOSED)


class Need(models.Model):
    """A need (诉求), complaint (投诉) or market intelligence (市场信息) about a retailer. Needs
    and complaints go open → assigned → resolved → fed back; market intelligence goes to the
    inspectors of the retailer's territory and ends closed (forwarded to 专卖管理部门)."""

    retailer = models.ForeignKey(
        Retailer, on_delete=models.PROTECT, related_name="needs", verbose_name=_("零售户")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=NeedKind.choices)
    category = models.CharField(_("类别"), max_length=32, choices=NeedCategory.choices)
    description = models.TextField(_("内容"))
    channel = models.CharField(
        _("来源渠道"), max_length=8, choices=NeedChannel.choices, default=NeedChannel.VISIT
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("登记人"),
    )  # fmt: skip
    raised_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    status = models.CharField(
        _("状态"), max_length=16, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="owned_needs", verbose_name=_("负责人"),
    )  # fmt: skip
    due_date = models.DateField(_("办结期限"))
    resolution = models.TextField(_("处理结果"), blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    feedback = models.TextField(_("反馈内容"), blank=True)
    fed_back_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("诉求投诉")
        verbose_name_plural = pgettext_lazy("plural", "诉求投诉")
        ordering = ["due_date", "raised_at", "pk"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="need_status_due"),
            models.Index(fields=["owner", "status"], name="need_owner_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind=NeedKind.MARKET_INTEL, category__in=INTEL_CATEGORIES)
                    | (
                        ~models.Q(kind=NeedKind.MARKET_INTEL)
                        & ~models.Q(category__in=INTEL_CATEGORIES)
                    )
                ),
                name="need_category_matches_kind",
                violation_error_message=_("类别与类型不符。"),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind=NeedKind.MARKET_INTEL)
                    & ~models.Q(status__in=[NeedStatus.RESOLVED, NeedStatus.FED_BACK])
                )
                | (~models.Q(kind=NeedKind.MARKET_INTEL) & ~models.Q(status=NeedStatus.CLOSED)),
                name="need_status_matches_kind",
                violation_error_message=_("市场信息只能移交专卖，诉求投诉须反馈零售户。"),
            ),
            models.CheckConstraint(
                condition=models.Q(status=NeedStatus.OPEN, owner__isnull=True)
                | (~models.Q(status=NeedStatus.OPEN) & models.Q(owner__isnull=False)),
                name="need_owner_iff_assigned",
                violation_error_message=_("待分派的事项没有负责人，分派后必须有负责人。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=_DONE)
                | (models.Q(resolved_at__isnull=False) & ~models.Q(resolution="")),
                name="need_done_has_resolution",
                violation_error_message=_("办结的事项必须有处理结果。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(status=NeedStatus.FED_BACK)
                | (models.Q(fed_back_at__isnull=False) & ~models.Q(feedback="")),
                name="need_fed_back_has_feedback",
                violation_error_message=_("已反馈的事项必须有反馈内容。"),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.get_category_display()}"

    def get_absolute_url(self) -> str:
        return reverse("needs-detail", args=[self.pk])

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Still waiting for someone after its due date."""
        return self.status in ACTIVE_STATUSES and self.due_date < (today or timezone.localdate())
