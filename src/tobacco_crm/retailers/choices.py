"""Choices of the retailer archive, declared once: stable codes with Chinese labels.

Business formats and market types follow the national classification (中烟销网[2008]52号):
format × market type × scale gives 42 classes with codes such as ``CZ1`` (urban grocery,
scale 1) or ``XB1`` (rural convenience store, scale 1).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BusinessFormat(models.TextChoices):
    """业态; the code is the letter used in the class code."""

    GROCERY = "Z", _("食杂店")
    CONVENIENCE = "B", _("便利店")
    SUPERMARKET = "C", _("超市")
    MALL = "S", _("商场")
    TOBACCO_LIQUOR = "Y", _("烟酒店")
    ENTERTAINMENT = "F", _("娱乐服务")
    OTHER = "Q", _("其他")


class MarketType(models.TextChoices):
    """市场类型; the code is the first letter of the class code."""

    URBAN = "C", _("城镇")
    RURAL = "X", _("乡村")


class Scale(models.IntegerChoices):
    """规模 within the format, 1 (largest) to 3, by share of volume and amount."""

    ONE = 1, _("1 (大)")
    TWO = 2, _("2 (中)")
    THREE = 3, _("3 (小)")


class BusinessScale(models.TextChoices):
    """经营规模: large, medium or small retailer (drives e.g. the allowed upper float)."""

    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")


class BusinessDistrict(models.TextChoices):
    """商圈."""

    COMMERCIAL = "commercial", _("商业/集贸区")
    RESIDENTIAL = "residential", _("居民区/社区")
    INDUSTRIAL = "industrial", _("工业区")
    SCHOOL = "school", _("学区")
    TRANSPORT = "transport", _("交通枢纽")
    TOURIST = "tourist", _("旅游景区")
    RURAL_MARKET = "rural_market", _("乡镇集市")
    OTHER = "other", _("其他")


class ChainType(models.TextChoices):
    """连锁类型."""

    NONE = "none", _("非连锁")
    SAME_LEGAL_PERSON = "same_legal_person", _("同一法人连锁")
    SAME_NAME = "same_name", _("同名个体连锁")


class RetailerStatus(models.TextChoices):
    """经营状态."""

    NORMAL = "normal", _("正常")
    SUSPENDED = "suspended", _("停业")
    CLOSED = "closed", _("歇业")
    CANCELLED = "cancelled", _("注销")


def class_code(market_type: str, business_format: str, scale: int) -> str:
    """The 42-class code (e.g. ``CZ1``) from market type, format and scale."""
    return f"{market_type}{business_format}{int(scale)}"


ALL_CLASS_CODES = sorted(
    class_code(m, f, s)
    for m in MarketType.values
    for f in BusinessFormat.values
    for s in Scale.values
)
