"""Pagination that never counts more rows than a person will page through."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator


class CappedCountPaginator(Paginator):
    """Counts at most `cap` + 1 rows: a substring search over 200,000 retailers stops counting
    once it knows there are more than `cap` matches (shown as "more than cap"), instead of
    scanning the whole table a second time just to print the total."""

    cap = 10_000

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        rows: Any = self.object_list
        # django-tables2 hands over its BoundRows; the queryset is inside.
        queryset: Any = getattr(getattr(rows, "data", None), "data", rows)
        if hasattr(queryset, "count") and hasattr(queryset, "query"):
            return queryset[: self.cap + 1].count()
        return min(len(rows), self.cap + 1)

    @property
    def capped(self) -> bool:
        return self.count > self.cap
