"""A run's grade list as an Excel sheet: the rows of the screen's filtered list, with phone and
license numbers masked for roles that only see them masked (as on screen)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from tobacco_crm.core.excel import SheetSpec, write_workbook
from tobacco_crm.core.masking import license_no_for, phone_for

from .choices import ComplianceClass, Segment
from .models import GradingRun, RetailerGrade

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User

EXPORT_CHUNK_SIZE = 2000
HEADERS = (
    "许可证号", "店铺名称", "户主", "电话", "片区编码", "片区", "守法得分", "守法类别", "停货",
    "经营得分", "综合得分", "排名", "评定档位", "复核调整后档位", "生效档位", "上期档位", "星级",
    "超五星", "客户分群",
)  # fmt: skip
WIDTHS = (16, 22, 10, 14, 10, 14, 10, 14, 6, 10, 10, 8, 10, 14, 10, 10, 6, 8, 18)
FIELDS = (
    "retailer__license_no", "retailer__shop_name", "retailer__owner_name", "retailer__phone",
    "retailer__territory__code", "retailer__territory__name", "compliance_points",
    "compliance_class", "supply_stopped", "business_score", "final_score", "rank", "tier",
    "adjusted_tier", "effective_tier", "previous_tier", "stars", "super_five", "segment",
)  # fmt: skip


def grades_export_workbook(
    *, grades: QuerySet[RetailerGrade], run: GradingRun, user: User
) -> bytes:
    """The grades of `grades` (a `grade_list` queryset: already scoped and filtered) as .xlsx,
    streamed in chunks with one query per chunk."""
    classes = dict(ComplianceClass.choices)
    segments = dict(Segment.choices)
    yes = "是"

    def rows() -> Iterator[list[Any]]:
        values = grades.values_list(*FIELDS)
        for row in values.iterator(chunk_size=EXPORT_CHUNK_SIZE):
            (license_no, shop, owner, phone, t_code, t_name, cp, cc, stopped, bs, fs, rank, tier,
             adjusted, effective, previous, stars, five, segment) = row  # fmt: skip
            yield [
                license_no_for(user, license_no), shop, owner, phone_for(user, phone), t_code,
                t_name, cp, str(classes.get(cc, cc)), yes if stopped else "", round(bs, 4),
                round(fs, 4), rank, tier, adjusted, effective, previous or None, stars,
                yes if five else "", str(segments.get(segment, segment)),
            ]  # fmt: skip

    # Excel sheet names are at most 31 characters, without []:*?/\
    title = re.sub(r"[\[\]:*?/\\]", "", f"{run.period.code} 等级")[:31]
    return write_workbook(SheetSpec(title=title, headers=HEADERS, rows=rows(), widths=WIDTHS))
