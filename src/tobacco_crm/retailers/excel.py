"""The retailer archive as an Excel sheet: the columns (declared once, field ⇄ Chinese
header), the import template and the export. The import itself is in `importing.py`.

A choice column holds the Chinese label (e.g. 食杂店) and also accepts the code (``Z``); a
yes/no column holds 是/否; times are HH:MM; dates are Excel dates or YYYY-MM-DD. An export
can be edited and imported again: rows are matched by 许可证号, and the derived columns
(分类编码, 客户经理) are ignored on import.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import TYPE_CHECKING, Any, Literal, cast

from django.conf import settings
from django.db import models
from django.db.models import QuerySet

from tobacco_crm.core.excel import SheetSpec, write_workbook
from tobacco_crm.core.masking import license_no_for, phone_for

from .choices import (
    BusinessDistrict,
    BusinessFormat,
    BusinessScale,
    ChainType,
    MarketType,
    RetailerStatus,
    Scale,
)
from .models import Retailer
from .validators import CHINA_LAT, CHINA_LON

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User

Kind = Literal[
    "license", "text", "phone", "latitude", "longitude", "choice", "scale", "time", "date",
    "bool", "territory",
]  # fmt: skip

EXPORT_CHUNK_SIZE = 2000
SHEET_TITLE = "零售客户档案"
NOTES_TITLE = "说明"


@dataclass(frozen=True)
class Column:
    """One column of the sheet: the model field it fills, its header, how a cell is read
    (`kind`), whether a value is required, and the note and example of the template."""

    field: str
    header: str
    kind: Kind
    required: bool = False
    choices: type[models.Choices] | None = None
    note: str = ""
    example: Any = ""
    width: float = 12

    @property
    def attname(self) -> str:
        """The attribute the import sets (``territory_id`` for the territory column)."""
        return "territory_id" if self.kind == "territory" else self.field

    @property
    def model_field(self) -> models.Field:
        return cast(models.Field, Retailer._meta.get_field(self.field))

    @property
    def max_length(self) -> int | None:
        return self.model_field.max_length


COLUMNS: tuple[Column, ...] = (
    Column("license_no", "许可证号", "license", required=True, width=16,
           note="烟草专卖零售许可证号，导入时按它匹配已有零售户：已存在则更新，否则新增。",
           example="510100000001"),
    Column("shop_name", "店铺名称", "text", required=True, width=22, example="便民商店"),
    Column("owner_name", "户主姓名", "text", required=True, width=10, example="张三"),
    Column("phone", "联系电话", "phone", required=True, width=15,
           note="手机号（11位，1开头）或固定电话（区号0开头，如 028-87654321）。"
                "固定电话请用文本格式，以免丢失开头的0。",
           example="13812345678"),
    Column("address", "经营地址", "text", required=True, width=30,
           example="城关镇人民路1号"),
    Column("latitude", "纬度", "latitude", width=11,
           note=f"WGS-84 十进制纬度，须在中国境内（{CHINA_LAT[0]} 到 {CHINA_LAT[1]}）。",
           example=30.572800),
    Column("longitude", "经度", "longitude", width=11,
           note=f"WGS-84 十进制经度，须在中国境内（{CHINA_LON[0]} 到 {CHINA_LON[1]}）。",
           example=104.066800),
    Column("business_format", "业态", "choice", required=True, choices=BusinessFormat,
           width=10, example="食杂店"),
    Column("market_type", "市场类型", "choice", required=True, choices=MarketType,
           width=10, example="城镇"),
    Column("scale", "规模", "scale", choices=Scale, width=8,
           note="业态内的规模：1（大）、2（中）、3（小）。与业态、市场类型一起决定分类编码。",
           example=2),
    Column("business_district", "商圈", "choice", choices=BusinessDistrict, width=13,
           example="居民区/社区"),
    Column("chain_type", "连锁类型", "choice", choices=ChainType, width=13,
           example="非连锁"),
    Column("opens_at", "开门时间", "time", width=10, note="HH:MM，如 07:30。",
           example="07:30"),
    Column("closes_at", "关门时间", "time", width=10,
           note="HH:MM，如 22:00；过午夜关门的填次日时间，如 01:00。", example="22:00"),
    Column("licensed", "是否持证", "bool", width=10, example="是"),
    Column("status", "经营状态", "choice", choices=RetailerStatus, width=10,
           example="正常"),
    Column("birthday", "户主生日", "date", width=12,
           note="日期，如 1980-05-20（Excel 日期或文本均可）。", example=date(1980, 5, 20)),
    Column("e_settlement", "电子结算", "bool", width=10, note="是否开通电子结算。",
           example="是"),
    Column("business_scale", "经营规模", "choice", choices=BusinessScale, width=10,
           example="小型"),
    Column("territory", "片区编码", "territory", required=True, width=12,
           note="零售户所属片区（访销线）的编码，须是系统中已有的片区。", example="T001"),
)  # fmt: skip

COLUMNS_BY_HEADER = {column.header: column for column in COLUMNS}
REQUIRED_HEADERS = tuple(column.header for column in COLUMNS if column.required)

# Derived columns, written by the export only (ignored by the import).
CLASS_CODE_HEADER = "分类编码"
CUSTOMER_MANAGER_HEADER = "客户经理"

BOOL_LABELS = {True: "是", False: "否"}


def field_is_nullable(column: Column) -> bool:
    return bool(column.model_field.null)


def choice_labels(choices: type[models.Choices]) -> dict[Any, str]:
    """Code → Chinese label."""
    return {value: str(label) for value, label in choices.choices}


def allowed_values(column: Column) -> str:
    """The 说明 text of what a cell of this column may hold."""
    if column.kind == "scale":
        return "1、2、3"
    if column.choices is not None:
        return "、".join(
            f"{label}（{value}）" for value, label in choice_labels(column.choices).items()
        )
    if column.kind == "text":
        return f"文本，最多 {column.max_length} 个字符"
    if column.kind == "license":
        return license_rule_text(settings.RETAILER_LICENSE_PATTERN)
    return {
        "phone": "手机或固定电话",
        "latitude": f"{CHINA_LAT[0]} ~ {CHINA_LAT[1]}",
        "longitude": f"{CHINA_LON[0]} ~ {CHINA_LON[1]}",
        "time": "HH:MM",
        "date": "YYYY-MM-DD",
        "bool": "是、否",
        "territory": "已有片区的编码",
    }[column.kind]


def license_rule_text(pattern: str) -> str:
    """`^\\d{12}$` → 12位数字; any other pattern is shown as it is."""
    match = re.fullmatch(r"\^?\\d\{(\d+)\}\$?", pattern)
    return f"{match.group(1)}位数字" if match else f"符合格式 {pattern}"


def _empty_rule(column: Column) -> str:
    if column.required:
        return "必填"
    if field_is_nullable(column):
        return "可留空（留空即清除原值）"
    default = column.model_field.get_default()
    if column.kind == "bool":
        shown = BOOL_LABELS[bool(default)]
    elif column.kind == "scale":
        shown = str(default)
    elif column.choices is not None:
        shown = choice_labels(column.choices).get(default, str(default))
    else:
        shown = str(default)
    return f"可留空（新增时取默认值“{shown}”，更新时保留原值）"


GENERAL_NOTES = (
    "第一个工作表的第1行为列标题（不要修改标题文字，列的顺序可以调整）；第2行为示例，导入前请删除或覆盖。",
    "按许可证号匹配：系统中已有该许可证号的零售户会被更新（只改有变化的字段），没有的会被新增；"
    "重复导入同一文件不会产生重复档案。",
    "同一文件中许可证号不能重复。任何一行有错误时整个文件都不会导入，请按错误清单修改后重新上传。",
    "选项列填中文名称（如“食杂店”），也可以填括号中的代码（如“Z”）。",
    "导出文件中的“分类编码”“客户经理”两列由系统生成，导入时忽略。",
    "导出文件中脱敏的电话或许可证号（含 *）不能导入，请填写完整号码。",
)


def _notes_rows() -> Iterator[list[Any]]:
    for column in COLUMNS:
        yield [
            column.header,
            "是" if column.required else "否",
            allowed_values(column),
            _empty_rule(column),
            column.note,
        ]
    yield []
    for i, note in enumerate(GENERAL_NOTES, start=1):
        yield [f"导入规则{i}", "", note]


def _data_sheet(rows: Iterable[Sequence[Any]]) -> SheetSpec:
    return SheetSpec(
        title=SHEET_TITLE,
        headers=[column.header for column in COLUMNS],
        rows=rows,
        widths=[column.width for column in COLUMNS],
        emphasized={i for i, column in enumerate(COLUMNS) if column.required},
        choices={
            i: list(choice_labels(column.choices).values())
            for i, column in enumerate(COLUMNS)
            if column.kind == "choice" and column.choices is not None
        }
        | {i: ["是", "否"] for i, column in enumerate(COLUMNS) if column.kind == "bool"},
    )


def retailer_template_workbook() -> bytes:
    """The import template: the headers (required ones in red), one example row, drop-down
    lists on the choice columns, and a second sheet "说明" describing each column."""
    notes = SheetSpec(
        title=NOTES_TITLE,
        headers=["列名", "必填", "格式 / 可选值", "留空时", "说明"],
        rows=_notes_rows(),
        widths=[12, 6, 60, 36, 60],
        wrap=True,
    )
    example = [column.example for column in COLUMNS]
    return write_workbook(_data_sheet([example]), notes)


def _hhmm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


Getter = Callable[[Retailer], Any]


def _export_getters(user: User) -> list[tuple[str, Getter]]:
    """(header, value of a retailer) for every exported column, in order."""

    def getter(column: Column) -> Getter:
        name = column.field
        if column.kind == "license":
            return lambda r: license_no_for(user, r.license_no)
        if column.kind == "phone":
            return lambda r: phone_for(user, r.phone)
        if column.kind == "choice" and column.choices is not None:
            labels = choice_labels(column.choices)
            return lambda r: labels.get(getattr(r, name), getattr(r, name))
        if column.kind == "bool":
            return lambda r: BOOL_LABELS[bool(getattr(r, name))]
        if column.kind == "time":
            return lambda r: _hhmm(getattr(r, name))
        if column.kind == "territory":
            return lambda r: r.territory.code
        return lambda r: getattr(r, name)

    def manager(r: Retailer) -> str:
        cm = r.territory.customer_manager
        return str(cm) if cm is not None else ""

    getters: list[tuple[str, Getter]] = []
    for column in COLUMNS:
        getters.append((column.header, getter(column)))
        if column.field == "scale":
            getters.append((CLASS_CODE_HEADER, lambda r: r.class_code))
        if column.kind == "territory":
            getters.append((CUSTOMER_MANAGER_HEADER, manager))
    return getters


def _export_rows(retailers: QuerySet[Retailer], getters: Sequence[Getter]) -> Iterator[list[Any]]:
    queryset = retailers.select_related("territory", "territory__customer_manager")
    for retailer in queryset.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield [get(retailer) for get in getters]


def retailers_export_workbook(*, retailers: QuerySet[Retailer], user: User) -> bytes:
    """The given retailers (already scoped to `user` and filtered by the caller) as an .xlsx,
    streamed from the database in chunks. Phone and license number are masked for roles that
    may not see them in full; 分类编码 and 客户经理 are added for reading."""
    headers, getters = zip(*_export_getters(user), strict=True)
    widths = [COLUMNS_BY_HEADER[h].width if h in COLUMNS_BY_HEADER else 12 for h in headers]
    spec = SheetSpec(
        title=SHEET_TITLE,
        headers=headers,
        rows=_export_rows(retailers, getters),
        widths=widths,
    )
    return write_workbook(spec)
