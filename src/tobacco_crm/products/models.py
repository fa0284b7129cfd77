"""The product catalogue (卷烟规格)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import PriceClass, ProductStatus


class Product(models.Model):
    """A cigarette product, priced per carton (条)."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    brand = models.CharField(_("品牌"), max_length=64, db_index=True)
    name = models.CharField(_("名称"), max_length=128)
    price_class = models.PositiveSmallIntegerField(_("价类"), choices=PriceClass.choices)
    wholesale_price = models.DecimalField(_("批发价（元/条）"), max_digits=10, decimal_places=2)
    retail_price = models.DecimalField(_("建议零售价（元/条）"), max_digits=10, decimal_places=2)
    status = models.CharField(
        _("状态"), max_length=16, choices=ProductStatus.choices, default=ProductStatus.NORMAL
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("卷烟规格")
        verbose_name_plural = _("卷烟规格")
        ordering = ["price_class", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(wholesale_price__gt=0),
                name="product_wholesale_price_positive",
                violation_error_message=_("批发价必须大于零。"),
            ),
            models.CheckConstraint(
                condition=models.Q(retail_price__gte=models.F("wholesale_price")),
                name="product_retail_not_below_wholesale",
                violation_error_message=_("建议零售价不能低于批发价。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand}({self.name})"
