"""The product catalogue (卷烟规格)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import PriceClass, ProductStatus


class Product(models.Model):
    """A cigarette product, priced per carton (条)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    brand = models.CharField(_("brand"), max_length=64, db_index=True)
    name = models.CharField(_("name"), max_length=128)
    price_class = models.PositiveSmallIntegerField(_("price class"), choices=PriceClass.choices)
    wholesale_price = models.DecimalField(
        _("wholesale price per carton"), max_digits=10, decimal_places=2
    )
    retail_price = models.DecimalField(
        _("suggested retail price per carton"), max_digits=10, decimal_places=2
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProductStatus.choices, default=ProductStatus.NORMAL
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["price_class", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(wholesale_price__gt=0),
                name="product_wholesale_price_positive",
                violation_error_message=_("The wholesale price must be positive."),
            ),
            models.CheckConstraint(
                condition=models.Q(retail_price__gte=models.F("wholesale_price")),
                name="product_retail_not_below_wholesale",
                violation_error_message=_(
                    "The suggested retail price may not be below the wholesale price."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand}({self.name})"
