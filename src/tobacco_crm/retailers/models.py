"""The retailer archive (零售客户档案)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tobacco_crm.accounts.models import Territory

from .choices import (
    BusinessDistrict,
    BusinessFormat,
    BusinessScale,
    ChainType,
    MarketType,
    RetailerStatus,
    Scale,
    class_code,
)

ALL_CLASS_CODES = sorted(
    class_code(m, f, s) for m in MarketType.values for f in BusinessFormat.values for s in Scale.values
)
from .querysets import RetailerQuerySet
from .validators import (
    validate_latitude,
    validate_license_no,
    validate_longitude,
    validate_phone,
)


class Retailer(models.Model):
    """A licensed cigarette retailer (零售户) of the company, with every archive field a
    customer manager keeps. `class_code` is derived from market type, format and scale by the
    services that write retailers; the database checks it stays consistent."""

    license_no = models.CharField(
        _("license number"), max_length=32, unique=True, validators=[validate_license_no]
    )
    shop_name = models.CharField(_("shop name"), max_length=128, db_index=True)
    owner_name = models.CharField(_("owner"), max_length=64, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, db_index=True, validators=[validate_phone])
    address = models.CharField(_("address"), max_length=255)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[validate_latitude],
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[validate_longitude],
    )
    business_format = models.CharField(
        _("business format"), max_length=1, choices=BusinessFormat.choices
    )
    market_type = models.CharField(_("market type"), max_length=1, choices=MarketType.choices)
    scale = models.PositiveSmallIntegerField(_("scale"), choices=Scale.choices, default=Scale.TWO)
    class_code = models.CharField(_("class code"), max_length=3, editable=False, db_index=True)
    business_district = models.CharField(
        _("business district"), max_length=16, choices=BusinessDistrict.choices,
        default=BusinessDistrict.RESIDENTIAL,
    )
    chain_type = models.CharField(
        _("chain type"), max_length=20, choices=ChainType.choices, default=ChainType.NONE
    )
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    licensed = models.BooleanField(_("licensed"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RetailerStatus.choices, default=RetailerStatus.NORMAL
    )
    birthday = models.DateField(_("owner's birthday"), null=True, blank=True)
    important_dates = models.JSONField(
        _("important dates"), default=list, blank=True,
        help_text=_('A list of {"date": "YYYY-MM-DD", "label": "..."}'),
    )
    e_settlement = models.BooleanField(_("e-settlement"), default=False)
    business_scale = models.CharField(
        _("business scale"), max_length=8, choices=BusinessScale.choices,
        default=BusinessScale.SMALL,
    )
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="retailers", verbose_name=_("territory")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "created_at"])

    objects = RetailerQuerySet.as_manager()

    class Meta:
        verbose_name = _("retailer")
        verbose_name_plural = _("retailers")
        ordering = ["license_no"]
        indexes = [
            models.Index(fields=["territory", "status"], name="retailer_territory_status"),
            models.Index(fields=["business_format", "market_type"], name="retailer_format_market"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scale__gte=1, scale__lte=3),
                name="retailer_scale_1_to_3",
                violation_error_message=_("Scale must be 1, 2 or 3."),
            ),
            models.CheckConstraint(
                condition=models.Q(class_code__in=ALL_CLASS_CODES),
                name="retailer_class_code_set",
                violation_error_message=_("The class code must be one of the 42 classes, derived before saving."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop_name} ({self.license_no})"

    def derive_class_code(self) -> None:
        self.class_code = class_code(self.market_type, self.business_format, self.scale)

    @property
    def daily_hours(self) -> float | None:
        """Opening hours per day, e.g. 16.0 for 07:00-23:00 (a shop closing after midnight
        wraps around)."""
        if self.opens_at is None or self.closes_at is None:
            return None
        start = self.opens_at.hour * 60 + self.opens_at.minute
        end = self.closes_at.hour * 60 + self.closes_at.minute
        minutes = (end - start) % (24 * 60) or 24 * 60
        return minutes / 60

