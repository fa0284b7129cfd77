"""Choices of visit planning (拜访计划)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    CONFIRMED = "confirmed", _("已确认")


class PurposeKind(models.TextChoices):
    """Why a retailer is in the plan (the entries of `PlannedVisit.purposes`)."""

    DUE = "due", _("按服务标准到期")
    OPEN_NEED = "open_need", _("待办诉求")
    SALES_MOVED = "sales_moved", _("销量环比大幅变化")
    MISSED = "missed", _("上周未拜访")
    BIRTHDAY = "birthday", _("本周生日")
    MANUAL = "manual", _("手工添加")
    DISPLAY_CHECK = "display_check", _("价签与陈列检查")
    PUSH_BRANDS = "push_brands", _("推荐品牌")
    OUT_OF_STOCK = "out_of_stock", _("断货预警")


# Key targets (重点拜访对象): planned first whatever their segment's interval.
KEY_TARGET_KINDS = frozenset({PurposeKind.OPEN_NEED, PurposeKind.SALES_MOVED, PurposeKind.MISSED})


class LeftOutReason(models.TextChoices):
    """Why a retailer owed a visit was left out of the week's plan."""

    OVER_CAPACITY = "over_capacity", _("超出本周拜访容量")
    NO_COORDINATES = "no_coordinates", _("缺少经纬度")
    WINDOW_TOO_SHORT = "window_too_short", _("营业时间短于拜访时长")
    CLOSED_BEFORE_REACHABLE = "closed_before_reachable", _("到达前已关门")
    CANNOT_RETURN = "cannot_return", _("当天无法往返")
    NO_TIME_LEFT = "no_time_left", _("当天时间不足")


DEFAULT_INTERVALS = {"top": 1, "high_potential": 2, "stable": 2, "volatile": 2, "bottom": 4}
# Minutes of a visit per business format (业态 code), used when the standard names none.
DEFAULT_VISIT_MINUTES = {"Z": 15, "B": 20, "C": 30, "S": 30, "Y": 20, "F": 15, "Q": 15}


class VisitOutcome(models.TextChoices):
    VISITED = "visited", _("已拜访")
    NOT_IN = "not_in", _("未遇（已电话联系）")


class PriceTags(models.TextChoices):
    RIGHT = "right", _("明码标价正确")
    MISSING = "missing", _("缺少价签")
    TAMPERED = "tampered", _("价签被改动")


class InfoGiven(models.TextChoices):
    """Information the manager gave the retailer during the visit."""

    OUT_OF_STOCK = "out_of_stock", _("断货预警")
    PRICE_CHANGE = "price_change", _("价格调整")
    PROMOTION = "promotion", _("促销活动")
    NEW_PRODUCT = "new_product", _("新品上市")


# A check-in further than this from the shop's archived coordinates is flagged.
FAR_FROM_SHOP_M = 300
