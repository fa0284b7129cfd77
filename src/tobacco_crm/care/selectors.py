"""Reads of customer service, scoped by `Retailer.objects.visible_to` like every retailer
read: a retailer's service plan, the manager's agenda of birthdays and important dates, and
the outbox.

Dates recur by month and day; in a year without 29 February, a 29 February date is kept on
28 February."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from tobacco_crm.grading.models import RetailerGrade
from tobacco_crm.grading.selectors import run_in_force
from tobacco_crm.retailers.models import Retailer

from .choices import AGENDA_DAYS, OccasionKind
from .models import OutboxMessage, ServiceStandardItem

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User


@dataclass(frozen=True)
class Occasion:
    """A date on the agenda: a retailer's birthday or important date falling on `day`."""

    day: dt.date
    retailer: Retailer
    kind: str
    label: str
    original: dt.date

    @property
    def template_code(self) -> str:
        return "birthday" if self.kind == OccasionKind.BIRTHDAY else "important_date"


# The service plan -----------------------------------------------------------------------


def retailer_segment(*, retailer: Retailer) -> str | None:
    """The retailer's segment in the grading run in force, if graded."""
    run = run_in_force()
    if run is None:
        return None
    grade = RetailerGrade.objects.filter(run=run, retailer=retailer).only("segment").first()
    return grade.segment if grade else None


def retailer_service_plan(*, retailer: Retailer) -> list[ServiceStandardItem]:
    """The active services the retailer's current segment is owed (empty if ungraded)."""
    segment = retailer_segment(retailer=retailer)
    if segment is None:
        return []
    return list(ServiceStandardItem.objects.filter(segment=segment, active=True))


# Dates ----------------------------------------------------------------------------------


def _month_days(days: Iterable[dt.date]) -> dict[tuple[int, int], dt.date]:
    """(month, day) → the date it falls on within `days`; 29 Feb falls on 28 Feb in a
    year without it."""
    keys: dict[tuple[int, int], dt.date] = {}
    for d in days:
        keys[(d.month, d.day)] = d
        if d.month == 2 and d.day == 28 and not calendar.isleap(d.year):
            keys[(2, 29)] = d
    return keys


def _parse(value: object) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def occasions_of(retailer: Retailer, keys: dict[tuple[int, int], dt.date]) -> list[Occasion]:
    """The retailer's birthday and important dates that fall on one of `keys`."""
    found: list[Occasion] = []
    if retailer.birthday is not None:
        day = keys.get((retailer.birthday.month, retailer.birthday.day))
        if day is not None:
            found.append(Occasion(day, retailer, OccasionKind.BIRTHDAY, "生日", retailer.birthday))
    entries = retailer.important_dates if isinstance(retailer.important_dates, list) else []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        date = _parse(entry.get("date"))
        if date is None:
            continue
        day = keys.get((date.month, date.day))
        if day is not None:
            label = str(entry.get("label") or "重要日期")
            found.append(Occasion(day, retailer, OccasionKind.IMPORTANT_DATE, label, date))
    return found


def _window(day: dt.date, days: int) -> list[dt.date]:
    return [day + dt.timedelta(days=i) for i in range(days + 1)]


def agenda_for(*, user: User, day: dt.date, days: int = AGENDA_DAYS) -> list[Occasion]:
    """Birthdays and important dates of the user's retailers from `day` to `days` days
    after, by date then shop name. A customer manager's retailers are those of his
    territories; company-wide users see the whole company's."""
    keys = _month_days(_window(day, days))
    birthday = reduce(or_, (Q(birthday__month=m, birthday__day=d) for m, d in keys))
    candidates = (
        Retailer.objects.visible_to(user)
        .filter(birthday | ~Q(important_dates=[]))
        .only("pk", "shop_name", "owner_name", "phone", "birthday", "important_dates")
        .order_by("shop_name", "pk")
    )
    found: list[Occasion] = []
    for retailer in candidates.iterator(chunk_size=2000):
        found.extend(occasions_of(retailer, keys))
    found.sort(key=lambda o: (o.day, o.retailer.shop_name, o.retailer.pk, o.kind))
    return found


def retailer_upcoming(*, retailer: Retailer, day: dt.date, days: int = 30) -> list[Occasion]:
    """The retailer's own dates in the next `days` days."""
    found = occasions_of(retailer, _month_days(_window(day, days)))
    return sorted(found, key=lambda o: (o.day, o.kind))


# The outbox -----------------------------------------------------------------------------


def outbox_visible_to(user: User) -> QuerySet[OutboxMessage]:
    """Messages to the retailers the user sees, newest first."""
    return (
        OutboxMessage.objects.filter(retailer__in=Retailer.objects.visible_to(user))
        .select_related("retailer", "created_by")
        .order_by("-created_at", "-pk")
    )
