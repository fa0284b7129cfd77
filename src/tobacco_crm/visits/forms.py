"""Forms of the plan screens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def day_label(day: dt.date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day:%m-%d}"


class WeekForm(forms.Form):
    week = forms.DateField(label=_("周"), required=False)


class MoveForm(forms.Form):
    day = forms.TypedChoiceField(label=_("改到"), coerce=dt.date.fromisoformat)

    def __init__(self, *args: Any, days: list[dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [(d.isoformat(), day_label(d)) for d in days]  # type: ignore[attr-defined]


class AddVisitForm(forms.Form):
    """Add one of the manager's retailers to a day of the plan, with a purpose note."""

    retailer = forms.IntegerField(label=_("零售户"), min_value=1)
    note = forms.CharField(label=_("拜访目的"), max_length=120, required=False)
