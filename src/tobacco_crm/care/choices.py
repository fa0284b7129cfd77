"""Choices of customer service (客户服务): the kinds of service a segment is owed, how often,
and the states of an outgoing message."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceKind(models.TextChoices):
    """DOMAIN.md duty 2: basic, marketing and emotional services."""

    BASIC = "basic", _("基础服务")
    MARKETING = "marketing", _("营销服务")
    EMOTIONAL = "emotional", _("情感服务")


class ServiceFrequency(models.TextChoices):
    PER_VISIT = "per_visit", _("每次拜访")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    ON_DATE = "on_date", _("逢重要日期")
    ON_DEMAND = "on_demand", _("按需")


class OccasionKind(models.TextChoices):
    BIRTHDAY = "birthday", _("生日")
    IMPORTANT_DATE = "important_date", _("重要日期")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


# Days after today the agenda looks ahead ("this week").
AGENDA_DAYS = 7

DEFAULT_BACKEND = "tobacco_crm.care.backends.OutboxBackend"
