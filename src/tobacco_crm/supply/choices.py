"""Choices of scarce-supply allocation (货源投放)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SIMULATED = "simulated", _("已模拟")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已被替代")


class Basis(models.TextChoices):
    """The allocation rule's basis (see tobacco_crm.engines.allocation)."""

    TIER = "tier", _("按档位")
    RATIO = "ratio", _("按比例（历史销量）")
    DEMAND = "demand", _("按需")
    PRICE_BAND = "price_band", _("按价位段")


class AllocationReason(models.IntegerChoices):
    """Why a retailer has its limit: the engine's `Reason` codes, labelled for users."""

    TIER_LIMIT = 1, _("档位限量")
    RATIO_SHARE = 2, _("按历史比例")
    DEMAND_SHARE = 3, _("按需求比例")
    BAND_SHARE = 4, _("按价位段比例")
    LEFTOVER = 5, _("余量加 1 条")
    CAPPED_DEMAND = 6, _("以需求为限")
    CAPPED_FLOAT = 7, _("协议量上浮封顶")
    CAPPED_RETAILER = 8, _("单户限量")
    CAPPED_MAX = 9, _("方案单户上限")
    CAPPED_TABLE = 10, _("档位限量表")
    NO_WEIGHT = 11, _("无投放依据")
    OUTSIDE_TIER_RANGE = 12, _("档位不在投放范围")
    INELIGIBLE = 13, _("不符合投放条件")
    SUPPLY_STOPPED = 14, _("停货")
