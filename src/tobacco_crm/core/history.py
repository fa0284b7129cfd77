"""Readable change history over django-simple-history records.

Every write service stamps who and why on the instance (`stamp_history`) before saving; bulk
writes go through `bulk_create_with_history` / `bulk_update_with_history` with the same
actor. `changes_of` turns the records into the diff the retailer page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ChangeEntry:
    when: datetime
    who: str
    kind: str  # "+" created, "~" changed, "-" deleted
    kind_label: str
    reason: str
    changes: list[FieldChange]


KIND_LABELS = {"+": "创建", "~": "修改", "-": "删除"}
# How a change shows an empty value.
EMPTY = "—"


def stamp_history(instance: models.Model, *, actor: Any, reason: str = "") -> None:
    """Tell simple-history who makes the next save and why."""
    instance._history_user = actor  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]


def _display(model: type[models.Model], field_name: str, value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    try:
        field = model._meta.get_field(field_name)
    except Exception:
        return str(value)
    choices = getattr(field, "flatchoices", None)
    if choices:
        return str(dict(choices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def changes_of(instance: models.Model, *, limit: int = 100) -> list[ChangeEntry]:
    """The instance's history, newest first, each entry with its field-level changes."""
    model = type(instance)
    records = list(
        instance.history.select_related("history_user").order_by(  # type: ignore[attr-defined]
            "-history_date", "-history_id"
        )[: limit + 1]
    )
    entries = []
    for i, record in enumerate(records[:limit]):
        previous = records[i + 1] if i + 1 < len(records) else None
        changes: list[FieldChange] = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                label = str(
                    getattr(model._meta.get_field(change.field), "verbose_name", change.field)
                )
                changes.append(
                    FieldChange(
                        field=change.field,
                        label=label,
                        old=_display(model, change.field, change.old),
                        new=_display(model, change.field, change.new),
                    )
                )
        user = record.history_user
        entries.append(
            ChangeEntry(
                when=record.history_date,
                who=str(user) if user else "系统",
                kind=record.history_type,
                kind_label=KIND_LABELS.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries
