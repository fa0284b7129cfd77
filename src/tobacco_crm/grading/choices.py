"""Choices of quarterly grading."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplianceClass(models.TextChoices):
    """守法类别."""

    A = "A", _("A 类")
    B = "B", _("B 类")
    C = "C", _("C 类")
    W = "W", _("W 类（严重违规）")


class Segment(models.TextChoices):
    """客户分群 (seed 003)."""

    TOP = "top", _("前 20%（情感营销）")
    HIGH_POTENTIAL = "high_potential", _("发展潜力大")
    STABLE = "stable", _("平稳")
    VOLATILE = "volatile", _("易变")
    BOTTOM = "bottom", _("后 20%（四步服务）")


class RunStatus(models.TextChoices):
    DRY_RUN = "dry_run", _("试算")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已被替代")


class AppealStatus(models.TextChoices):
    OPEN = "open", _("待复核")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("已驳回")
