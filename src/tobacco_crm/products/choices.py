"""Choices of the product catalogue (卷烟规格)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PriceClass(models.IntegerChoices):
    """价类, by wholesale price per carton (一类 is the most expensive)."""

    ONE = 1, _("一类")
    TWO = 2, _("二类")
    THREE = 3, _("三类")
    FOUR = 4, _("四类")
    FIVE = 5, _("五类")


class ProductStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    SCARCE = "scarce", _("紧俏")
    NEW = "new", _("新品")
    CULTIVATED = "cultivated", _("重点培育")
    STOPPED = "stopped", _("停供")


# Units (DOMAIN.md): 1 case (箱) = 250 cartons (条); 1 carton = 10 packs (包); 1 pack = 20 sticks.
CARTONS_PER_CASE = 250
PACKS_PER_CARTON = 10
STICKS_PER_PACK = 20
