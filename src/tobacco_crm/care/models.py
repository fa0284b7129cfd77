"""Customer service (客户服务): the service standard each segment is owed, the greeting
templates, and the outbox of messages sent to retailers. Writes go through `services`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tobacco_crm.grading.choices import Segment
from tobacco_crm.retailers.models import Retailer

from .choices import MessageStatus, ServiceFrequency, ServiceKind


class ServiceStandardItem(models.Model):
    """One service a segment is owed (服务标准): policy the marketing manager edits."""

    segment = models.CharField(_("客户分群"), max_length=16, choices=Segment.choices)
    code = models.SlugField(_("代码"), max_length=32)
    label = models.CharField(_("服务内容"), max_length=128)
    kind = models.CharField(_("服务类别"), max_length=16, choices=ServiceKind.choices)
    frequency = models.CharField(_("频次"), max_length=16, choices=ServiceFrequency.choices)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务标准")
        verbose_name_plural = pgettext_lazy("plural", "服务标准")
        ordering = ["segment", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "code"],
                name="care_standard_item_unique",
                violation_error_message=_("同一客户分群的服务代码不能重复。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_segment_display()} · {self.label}"


class MessageTemplate(models.Model):
    """A greeting text with the placeholders {shop_name}, {owner_name} and {label}."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    label = models.CharField(_("名称"), max_length=64)
    text = models.TextField(
        _("内容"), help_text=_("可用占位符：{shop_name} 店名，{owner_name} 户主，{label} 事由")
    )

    class Meta:
        verbose_name = _("短信模板")
        verbose_name_plural = pgettext_lazy("plural", "短信模板")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label


class OutboxMessage(models.Model):
    """A message to a retailer, as handed to the message backend; the phone is stored as it
    was when sending."""

    retailer = models.ForeignKey(
        Retailer, on_delete=models.PROTECT, related_name="care_messages", verbose_name=_("零售户")
    )
    phone = models.CharField(_("手机号"), max_length=20)
    text = models.TextField(_("内容"))
    template = models.ForeignKey(
        MessageTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("模板"),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("发送人"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    status = models.CharField(
        _("状态"), max_length=8, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )

    class Meta:
        verbose_name = _("短信发件箱")
        verbose_name_plural = pgettext_lazy("plural", "短信发件箱")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["retailer", "-created_at"], name="care_outbox_retailer")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(text=""),
                name="care_outbox_text_not_empty",
                violation_error_message=_("短信内容不能为空。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.phone}: {self.text[:20]}"
