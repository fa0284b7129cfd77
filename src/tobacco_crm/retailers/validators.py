"""Validators of the retailer archive's fields; each error names the rule that was broken."""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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
            _("“%(value)s” is not a mainland mobile (11 digits starting with 1) or landline "
              "(area code 0xx-) number."),
            code="invalid_phone",
            params={"value": value},
        )


def validate_license_no(value: str) -> None:
    pattern = settings.RETAILER_LICENSE_PATTERN
    if not re.fullmatch(pattern, value or ""):
        raise ValidationError(
            _("“%(value)s” is not a valid license number (expected pattern %(pattern)s)."),
            code="invalid_license_no",
            params={"value": value, "pattern": pattern},
        )


def validate_latitude(value: Decimal | float | None) -> None:
    if value is not None and not (CHINA_LAT[0] <= Decimal(str(value)) <= CHINA_LAT[1]):
        raise ValidationError(
            _("Latitude %(value)s does not lie in China (%(low)s to %(high)s)."),
            code="latitude_outside_china",
            params={"value": value, "low": CHINA_LAT[0], "high": CHINA_LAT[1]},
        )


def validate_longitude(value: Decimal | float | None) -> None:
    if value is not None and not (CHINA_LON[0] <= Decimal(str(value)) <= CHINA_LON[1]):
        raise ValidationError(
            _("Longitude %(value)s does not lie in China (%(low)s to %(high)s)."),
            code="longitude_outside_china",
            params={"value": value, "low": CHINA_LON[0], "high": CHINA_LON[1]},
        )
