"""Validators of the retailer archive's fields; each error names the rule that was broken."""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Area code 0xx or 0xxx, optional hyphen, 7-8 digit number, optional -extension.
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")

# Bounding box of mainland China, Hainan and the islands (generous but excludes the rest).
CHINA_LAT = (Decimal("3.8"), Decimal("53.6"))
CHINA_LON = (Decimal("73.4"), Decimal("135.1"))


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s()]", "", value or "").replace("+86", "", 1)


def validate_phone(value: str) -> None:
    phone = normalize_phone(value)
    if not (MOBILE_RE.match(phone) or LANDLINE_RE.match(phone)):
        raise ValidationError(
            _("“%(value)s”不是有效的手机号（1 开头的 11 位数字）或固定电话（0 开头的区号-号码）。"),
            code="invalid_phone",
            params={"value": value},
        )


def validate_license_no(value: str) -> None:
    pattern = settings.RETAILER_LICENSE_PATTERN
    if not re.fullmatch(pattern, value or ""):
        raise ValidationError(
            _("“%(value)s”不是有效的许可证号（应符合 %(pattern)s）。"),
            code="invalid_license_no",
            params={"value": value, "pattern": pattern},
        )


def validate_latitude(value: Decimal | float | None) -> None:
    if value is not None and not (CHINA_LAT[0] <= Decimal(str(value)) <= CHINA_LAT[1]):
        raise ValidationError(
            _("纬度 %(value)s 不在中国境内（%(low)s 至 %(high)s）。"),
            code="latitude_outside_china",
            params={"value": value, "low": CHINA_LAT[0], "high": CHINA_LAT[1]},
        )


def validate_longitude(value: Decimal | float | None) -> None:
    if value is not None and not (CHINA_LON[0] <= Decimal(str(value)) <= CHINA_LON[1]):
        raise ValidationError(
            _("经度 %(value)s 不在中国境内（%(low)s 至 %(high)s）。"),
            code="longitude_outside_china",
            params={"value": value, "low": CHINA_LON[0], "high": CHINA_LON[1]},
        )
