"""Choices of orders (订单)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    CONFIRMED = "confirmed", _("已确认")
    CANCELLED = "cancelled", _("已取消")
