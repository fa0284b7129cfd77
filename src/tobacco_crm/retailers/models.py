"""The retailer archive (零售客户档案)."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tobacco_crm.accounts.models import Territory

from .choices import (
    ALL_CLASS_CODES,
    BusinessDistrict,
    BusinessFormat,
    BusinessScale,
    ChainType,
    MarketType,
    RetailerStatus,
    Scale,
    class_code,
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
        _("许可证号"), max_length=32, unique=True, validators=[validate_license_no]
    )
    shop_name = models.CharField(_("店铺名称"), max_length=128, db_index=True)
    owner_name = models.CharField(_("户主姓名"), max_length=64, db_index=True)
    phone = models.CharField(
        _("联系电话"), max_length=20, db_index=True, validators=[validate_phone]
    )
    address = models.CharField(_("经营地址"), max_length=255)
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[validate_latitude],
    )
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[validate_longitude],
    )
    business_format = models.CharField(_("业态"), max_length=1, choices=BusinessFormat.choices)
    market_type = models.CharField(_("市场类型"), max_length=1, choices=MarketType.choices)
    scale = models.PositiveSmallIntegerField(_("规模"), choices=Scale.choices, default=Scale.TWO)
    class_code = models.CharField(_("分类编码"), max_length=3, editable=False, db_index=True)
    business_district = models.CharField(
        _("商圈"),
        max_length=16,
        choices=BusinessDistrict.choices,
        default=BusinessDistrict.RESIDENTIAL,
    )
    chain_type = models.CharField(
        _("连锁类型"), max_length=20, choices=ChainType.choices, default=ChainType.NONE
    )
    opens_at = models.TimeField(_("开门时间"), null=True, blank=True)
    closes_at = models.TimeField(_("关门时间"), null=True, blank=True)
    licensed = models.BooleanField(_("是否持证"), default=True)
    status = models.CharField(
        _("经营状态"), max_length=16, choices=RetailerStatus.choices, default=RetailerStatus.NORMAL
    )
    birthday = models.DateField(_("户主生日"), null=True, blank=True)
    important_dates = models.JSONField(
        _("重要日期"),
        default=list,
        blank=True,
        help_text=_('JSON 列表，例如 [{"date": "2026-05-01", "label": "开业纪念日"}]'),
    )
    e_settlement = models.BooleanField(_("电子结算"), default=False)
    business_scale = models.CharField(
        _("经营规模"),
        max_length=8,
        choices=BusinessScale.choices,
        default=BusinessScale.SMALL,
    )
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="retailers", verbose_name=_("片区")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "created_at"])

    objects = RetailerQuerySet.as_manager()

    class Meta:
        verbose_name = _("零售户")
        verbose_name_plural = _("零售户")
        ordering = ["license_no"]
        indexes = [
            models.Index(fields=["territory", "status"], name="retailer_territory_status"),
            models.Index(fields=["business_format", "market_type"], name="retailer_format_market"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scale__gte=1, scale__lte=3),
                name="retailer_scale_1_to_3",
                violation_error_message=_("规模只能是 1、2 或 3。"),
            ),
            models.CheckConstraint(
                condition=models.Q(class_code__in=ALL_CLASS_CODES),
                name="retailer_class_code_set",
                violation_error_message=_(
                    "分类编码必须是 42 类之一（由市场类型、业态和规模得出）。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop_name} ({self.license_no})"

    def get_absolute_url(self) -> str:
        return reverse("retailer-detail", args=[self.pk])

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
