"""Writes of visit records (拜访记录): checking in (the browser's position, the distance to the
shop, a flag when far), the checklist, a retailer not in (the call logged), and corrections.

A record is append-only once its day has closed: `visit_record_checklist` refuses it, and
`visit_correct` saves a new record pointing at the one it corrects. Checking in sets
`PlannedVisit.visited_at`; a retailer not in leaves it empty, so the next week's draft picks
the retailer up again as a missed visit (`PurposeKind.MISSED`). From the visit the manager
also raises needs (channel 拜访) and corrects the retailer's archive (reason 拜访中更正).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tobacco_crm.core.history import stamp_history
from tobacco_crm.needs.choices import NeedChannel
from tobacco_crm.needs.models import Need
from tobacco_crm.needs.services import need_raise
from tobacco_crm.retailers.models import Retailer
from tobacco_crm.retailers.services import retailer_update

from .choices import FAR_FROM_SHOP_M, InfoGiven, PriceTags, VisitOutcome
from .models import PlannedVisit, VisitRecord

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User

EARTH_RADIUS_M = 6_371_000.0
ARCHIVE_CORRECTION_FIELDS = frozenset(
    {"phone", "owner_name", "business_format", "business_district"}
)
ARCHIVE_CORRECTION_REASON = "拜访中更正"
CHECKLIST_FIELDS = frozenset(
    {
        "board_business_card",
        "board_complaint_card",
        "board_monthly_info",
        "price_tags",
        "e_settlement_reminded",
        "brands_displayed",
        "stock",
        "prices",
        "opinions",
        "info_given",
        "note",
    }
)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _check_retailer(retailer: Retailer, actor: User) -> None:
    if not Retailer.objects.visible_to(actor).filter(pk=retailer.pk).exists():
        raise PermissionDenied(_("该零售户不在您的片区。"))


def _check_planned(planned_visit: PlannedVisit, actor: User) -> None:
    if planned_visit.plan.manager_id != actor.pk:
        raise PermissionDenied(_("只能记录自己计划中的拜访。"))
    _check_retailer(planned_visit.retailer, actor)


def _check_own(record: VisitRecord, actor: User) -> None:
    if record.manager_id != actor.pk:
        raise PermissionDenied(_("只能修改自己的拜访记录。"))


def _coordinate(value: float, low: float, high: float, name: str) -> Decimal:
    if not (low <= value <= high) or math.isnan(value):
        raise ValidationError({name: _("定位坐标无效。")})
    return Decimal(f"{value:.6f}")


def visit_check_in(
    *,
    planned_visit: PlannedVisit | None = None,
    retailer: Retailer | None = None,
    lat: float,
    lon: float,
    accuracy: float | None,
    actor: User,
) -> VisitRecord:
    """Check in at a planned visit, or ad hoc at a retailer: record the time, the position
    and its accuracy, and the distance to the shop (flagged beyond `FAR_FROM_SHOP_M`)."""
    if (planned_visit is None) == (retailer is None):
        raise ValueError("give either planned_visit or retailer")
    if planned_visit is not None:
        _check_planned(planned_visit, actor)
        retailer = planned_visit.retailer
    assert retailer is not None
    _check_retailer(retailer, actor)
    latitude = _coordinate(lat, -90, 90, "latitude")
    longitude = _coordinate(lon, -180, 180, "longitude")
    distance: float | None = None
    if retailer.latitude is not None and retailer.longitude is not None:
        distance = round(
            haversine_m(lat, lon, float(retailer.latitude), float(retailer.longitude)), 1
        )
    now = timezone.now()
    record = VisitRecord(
        planned_visit=planned_visit,
        retailer=retailer,
        manager=actor,
        outcome=VisitOutcome.VISITED,
        checked_in_at=now,
        latitude=latitude,
        longitude=longitude,
        accuracy_m=accuracy,
        distance_m=distance,
        far_from_shop=distance is not None and distance > FAR_FROM_SHOP_M,
    )
    with transaction.atomic():
        record.full_clean()
        stamp_history(record, actor=actor, reason="签到")
        record.save()
        if planned_visit is not None:
            PlannedVisit.objects.filter(pk=planned_visit.pk).update(visited_at=now)
            planned_visit.visited_at = now
    return record


def visit_not_in(*, planned_visit: PlannedVisit, call_note: str, actor: User) -> VisitRecord:
    """The retailer was not in: log the call made. The planned visit stays unvisited, so the
    next week's draft plans it again as missed."""
    _check_planned(planned_visit, actor)
    if not call_note.strip():
        raise ValidationError({"call_note": _("请填写电话联系情况。")})
    record = VisitRecord(
        planned_visit=planned_visit,
        retailer=planned_visit.retailer,
        manager=actor,
        outcome=VisitOutcome.NOT_IN,
        checked_in_at=timezone.now(),
        call_note=call_note.strip(),
    )
    record.full_clean()
    stamp_history(record, actor=actor, reason="未遇")
    record.save()
    return record


def _clean_checklist(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - CHECKLIST_FIELDS
    if unknown:
        raise ValidationError({name: _("该字段不可写入。") for name in sorted(unknown)})
    data = dict(fields)
    if data.get("price_tags") and data["price_tags"] not in PriceTags.values:
        raise ValidationError({"price_tags": _("价签情况无效。")})
    info = data.get("info_given")
    if info is not None:
        bad = [x for x in info if x not in InfoGiven.values]
        if bad:
            raise ValidationError({"info_given": _("传递的信息无效。")})
        data["info_given"] = sorted(set(info), key=list(InfoGiven.values).index)
    return data


@transaction.atomic
def visit_record_checklist(*, record: VisitRecord, actor: User, **fields: Any) -> VisitRecord:
    """Fill in (or change, the same day) the checklist of a visit record."""
    record = VisitRecord.objects.select_for_update().get(pk=record.pk)
    _check_own(record, actor)
    if record.day_closed:
        raise ValidationError(_("拜访当天已结束，记录不能再修改，请提交更正记录。"))
    if record.outcome != VisitOutcome.VISITED:
        raise ValidationError(_("未遇的拜访没有检查项目。"))
    for name, value in _clean_checklist(fields).items():
        setattr(record, name, value)
    record.full_clean()
    stamp_history(record, actor=actor, reason="检查项目")
    record.save()
    return record


def visit_correct(*, record: VisitRecord, actor: User, **fields: Any) -> VisitRecord:
    """Correct a record: a new record, a copy of the corrected one with the given checklist
    fields (and call note) changed, pointing at it. The original stays as it was."""
    _check_own(record, actor)
    call_note = fields.pop("call_note", None)
    data = _clean_checklist(fields)
    new = VisitRecord(
        planned_visit=record.planned_visit,
        retailer=record.retailer,
        manager=record.manager,
        corrects=record,
        outcome=record.outcome,
        checked_in_at=record.checked_in_at,
        latitude=record.latitude,
        longitude=record.longitude,
        accuracy_m=record.accuracy_m,
        distance_m=record.distance_m,
        far_from_shop=record.far_from_shop,
        call_note=record.call_note if call_note is None else call_note,
        **{name: getattr(record, name) for name in CHECKLIST_FIELDS},
    )
    for name, value in data.items():
        setattr(new, name, value)
    new.full_clean()
    stamp_history(new, actor=actor, reason="更正")
    new.save()
    return new


def visit_need_raise(
    *, retailer: Retailer, kind: str, category: str, description: str, actor: User
) -> Need:
    """A need, complaint or market intelligence heard in the shop (channel 拜访)."""
    return need_raise(
        retailer=retailer,
        kind=kind,
        category=category,
        description=description,
        channel=NeedChannel.VISIT,
        actor=actor,
    )


def visit_archive_correct(*, retailer: Retailer, data: Mapping[str, Any], actor: User) -> Retailer:
    """Correct the archive fields seen in the shop; lands in the retailer's history."""
    unknown = set(data) - ARCHIVE_CORRECTION_FIELDS
    if unknown:
        raise ValidationError({name: _("该字段不可在拜访中更正。") for name in sorted(unknown)})
    return retailer_update(
        retailer=retailer, data=data, actor=actor, reason=ARCHIVE_CORRECTION_REASON
    )
