"""Import of the retailer archive (零售客户档案) from Excel.

Fetch, check, store, like every bulk write:

1. read the sheet and check every cell in plain Python: a small parser is built once per
   column, then applied row by row (no `full_clean()`, no query per row); territories are
   looked up in a dict loaded with one query;
2. match the rows to existing retailers by license number, comparing with plain value tuples
   fetched in chunked `license_no__in` queries;
3. in one transaction, create the new retailers and change the changed ones, in chunks,
   through the bulk services, which write the history (actor, "Excel导入: <file name>").

Nothing is written when any row has an error, or on a dry run. Every error is reported, not
only the first, with its Excel row number, the Chinese header and a Chinese message.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from tobacco_crm.accounts.models import Territory
from tobacco_crm.core.excel import (
    CellError,
    CellValue,
    ExcelReadError,
    SheetData,
    cell_bool,
    cell_code,
    cell_date,
    cell_decimal,
    cell_display,
    cell_text,
    cell_time,
    is_blank,
    read_workbook,
)

from .excel import (
    COLUMNS,
    COLUMNS_BY_HEADER,
    REQUIRED_HEADERS,
    Column,
    choice_labels,
    field_is_nullable,
    license_rule_text,
)
from .models import Retailer
from .services import retailers_bulk_create, retailers_bulk_update
from .validators import CHINA_LAT, CHINA_LON, LANDLINE_RE, MOBILE_RE, normalize_phone

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User

# Existing retailers are looked up `license_no__in` this many at a time (below SQLite's and
# Oracle's limits on query parameters).
LOOKUP_CHUNK_SIZE = 900
# Retailers are created / changed this many at a time (bounds the memory of the model and
# history instances the bulk services build).
WRITE_CHUNK_SIZE = 5000
# simple-history's change reason column holds 100 characters.
REASON_MAX_LENGTH = 100
FILE_FIELD = "文件"
LICENSE_HEADER = COLUMNS[0].header


@dataclass(frozen=True)
class RowError:
    """One problem: the Excel row (the header is row 1; 0 means the file as a whole), the
    Chinese header of the column, the cell as read, and what is wrong, in Chinese."""

    row: int
    field: str
    value: str
    message: str


@dataclass
class ImportReport:
    """What an import read and wrote. On a dry run `created` / `updated` / `unchanged` say
    what the real import would do; with any error nothing is written and they stay 0."""

    filename: str = ""
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


Parser = Callable[[CellValue], Any]

# What an empty cell means: an error, or "not given" (the default on creation, the current
# value on update); nullable fields get None.
_REQUIRED = object()
_MISSING = object()


# Parsers, one per column kind -----------------------------------------------------------


def _text_parser(column: Column) -> Parser:
    max_length = column.max_length

    def parse(value: CellValue) -> str:
        text = cell_text(value)
        if max_length and len(text) > max_length:
            raise CellError(f"不能超过 {max_length} 个字符（现有 {len(text)} 个）")
        return text

    return parse


def _license_parser(column: Column) -> Parser:
    pattern = settings.RETAILER_LICENSE_PATTERN
    matcher = re.compile(pattern)
    rule = license_rule_text(pattern)
    max_length = column.max_length

    def parse(value: CellValue) -> str:
        text = cell_code(value)
        if "*" in text:
            raise CellError("是导出时脱敏的许可证号（含 *），请填写完整的许可证号")
        if (max_length and len(text) > max_length) or not matcher.fullmatch(text):
            raise CellError(f"不是有效的许可证号（应为{rule}）")
        return text

    return parse


def _parse_phone(value: CellValue) -> str:
    phone = normalize_phone(cell_code(value))
    if MOBILE_RE.match(phone) or LANDLINE_RE.match(phone):
        return phone
    if "*" in phone:
        raise CellError("是导出时脱敏的号码（含 *），请填写完整号码")
    if not isinstance(value, str) and not phone.startswith("1"):
        # A landline typed as a number has lost its leading 0.
        raise CellError(
            "不是有效的手机或固定电话号码（固定电话请以文本格式填写，保留区号开头的 0，"
            "如 028-87654321）"
        )
    raise CellError("不是有效的手机或固定电话号码")


def _coordinate_parser(name: str, bounds: tuple[Decimal, Decimal]) -> Parser:
    low, high = bounds

    def parse(value: CellValue) -> Decimal:
        number = cell_decimal(value, places=6, name=name)
        if not low <= number <= high:
            raise CellError(f"{name}不在中国境内（应在 {low} 到 {high} 之间）")
        return number

    return parse


def _choice_parser(column: Column) -> Parser:
    assert column.choices is not None
    labels = choice_labels(column.choices)
    lookup: dict[str, Any] = {}
    for value, label in labels.items():
        lookup[label] = value
        lookup[str(value).lower()] = value
    allowed = "、".join(labels.values())

    def parse(value: CellValue) -> Any:
        text = cell_text(value)
        found = lookup.get(text)
        if found is None:
            found = lookup.get(text.lower())
        if found is None:
            raise CellError(f"不是有效的{column.header}，可选：{allowed}")
        return found

    return parse


def _scale_parser(column: Column) -> Parser:
    assert column.choices is not None
    lookup: dict[str, int] = {"大": 1, "中": 2, "小": 3}
    for value, label in choice_labels(column.choices).items():
        lookup[str(value)] = value
        lookup[label.replace(" ", "")] = value

    def parse(value: CellValue) -> int:
        found = lookup.get(cell_text(value).replace(" ", ""))
        if found is None:
            raise CellError("规模应为 1、2 或 3")
        return found

    return parse


def _birthday_parser(column: Column) -> Parser:
    today = timezone.localdate()

    def parse(value: CellValue) -> date:
        day = cell_date(value)
        if day.year < 1900 or day > today:
            raise CellError("日期不合理（应在 1900 年之后，且不晚于今天）")
        return day

    return parse


def _territory_parser(territories: dict[str, int]) -> Parser:
    def parse(value: CellValue) -> int:
        code = cell_code(value)
        pk = territories.get(code)
        if pk is None:
            raise CellError(f"片区编码“{code}”不存在，或您无权使用该片区")
        return pk

    return parse


def _parser(column: Column, territories: dict[str, int]) -> Parser:
    kind = column.kind
    if kind == "license":
        return _license_parser(column)
    if kind == "text":
        return _text_parser(column)
    if kind == "phone":
        return _parse_phone
    if kind == "latitude":
        return _coordinate_parser("纬度", CHINA_LAT)
    if kind == "longitude":
        return _coordinate_parser("经度", CHINA_LON)
    if kind == "choice":
        return _choice_parser(column)
    if kind == "scale":
        return _scale_parser(column)
    if kind == "time":
        return cell_time
    if kind == "date":
        return _birthday_parser(column)
    if kind == "bool":
        return cell_bool
    return _territory_parser(territories)


def _on_empty(column: Column) -> Any:
    if column.required:
        return _REQUIRED
    if field_is_nullable(column):
        return None
    return _MISSING


# Reading and checking --------------------------------------------------------------------


def _filename(file: Any) -> str:
    name = getattr(file, "name", None)
    if name is None and isinstance(file, (str, os.PathLike)):
        name = file
    return os.path.basename(str(name or "")) or "上传文件"


def _header_key(text: str) -> str:
    # Tolerate a required-field mark ("许可证号*") and stray spaces.
    return text.replace(" ", "").rstrip("*＊")


def _check_headers(sheet: SheetData, report: ImportReport) -> list[tuple[int, Column]] | None:
    """(sheet column index, column) of each known header, in declaration order; None, with
    errors, when a required header is missing or a header repeats. Other headers (分类编码,
    客户经理, the user's own notes) are ignored."""
    found: dict[str, int] = {}
    for index, text in enumerate(sheet.headers):
        key = _header_key(text)
        if key not in COLUMNS_BY_HEADER:
            continue
        if key in found:
            report.errors.append(RowError(sheet.header_row, key, text, f"列“{key}”出现了两次"))
        found[key] = index
    for header in REQUIRED_HEADERS:
        if header not in found:
            report.errors.append(RowError(sheet.header_row, header, "", f"缺少必需的列“{header}”"))
    if report.errors:
        return None
    return [(found[c.header], c) for c in COLUMNS if c.header in found]


@dataclass
class _Rows:
    """The valid rows, as tuples of values in the order of `attnames` (`_MISSING` where a
    cell was left empty and the field is not nullable), with their Excel row numbers."""

    attnames: list[str]
    numbers: list[int] = field(default_factory=list)
    values: list[tuple[Any, ...]] = field(default_factory=list)


def _read_rows(
    rows: Iterator[tuple[int, list[CellValue]]],
    columns: list[tuple[int, Column]],
    territories: dict[str, int],
    report: ImportReport,
) -> _Rows:
    """Check every cell of every row; record an error for each bad cell and each license
    number already seen in an earlier row."""
    plan = [
        (index, column.header, _parser(column, territories), _on_empty(column))
        for index, column in columns
    ]
    result = _Rows(attnames=[column.attname for _, column in columns])
    license_at = result.attnames.index("license_no")
    errors = report.errors
    first_row_of: dict[str, int] = {}
    for number, cells in rows:
        report.rows += 1
        values: list[Any] = []
        valid = True
        for index, header, parse, on_empty in plan:
            raw = cells[index]
            if is_blank(raw):
                if on_empty is _REQUIRED:
                    errors.append(RowError(number, header, "", "必填，不能为空"))
                    valid = False
                values.append(on_empty)
                continue
            try:
                values.append(parse(raw))
            except CellError as exc:
                errors.append(RowError(number, header, cell_display(raw), str(exc)))
                values.append(None)
                valid = False
        license_no = values[license_at]
        if isinstance(license_no, str):
            first = first_row_of.setdefault(license_no, number)
            if first != number:
                message = f"许可证号重复：第 {first} 行和第 {number} 行是同一个许可证号"
                errors.append(RowError(number, LICENSE_HEADER, license_no, message))
                valid = False
        if valid:
            result.numbers.append(number)
            result.values.append(tuple(values))
    return result


# Matching and writing --------------------------------------------------------------------


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Plan:
    attnames: list[str]
    creates: list[tuple[Any, ...]] = field(default_factory=list)  # rows, as in `_Rows`
    changes: dict[int, dict[str, Any]] = field(default_factory=dict)  # pk → attname → value
    unchanged: int = 0


def _plan(rows: _Rows, actor: User, report: ImportReport) -> _Plan:
    """Which rows create a retailer and which change one (and how). Existing retailers are
    compared as value tuples, not model instances. A license number held by a retailer the
    actor may not edit is an error."""
    attnames = rows.attnames
    license_at = attnames.index("license_no")
    licenses = [values[license_at] for values in rows.values]
    current: dict[str, tuple[Any, ...]] = {}
    editable = Retailer.objects.editable_by(actor)
    for chunk in _chunks(licenses, LOOKUP_CHUNK_SIZE):
        for found in editable.filter(license_no__in=chunk).values_list("pk", *attnames):
            current[found[1 + license_at]] = found
    if not actor.sees_whole_company:
        # License numbers are unique over the company, out of the actor's reach too.
        taken: set[str] = set()
        for chunk in _chunks([n for n in licenses if n not in current], LOOKUP_CHUNK_SIZE):
            taken.update(
                Retailer.objects.filter(license_no__in=chunk).values_list("license_no", flat=True)
            )
        for number, license_no in zip(rows.numbers, licenses, strict=True):
            if license_no in taken:
                message = "该许可证号属于您无权修改的零售户"
                report.errors.append(RowError(number, LICENSE_HEADER, license_no, message))

    plan = _Plan(attnames=attnames)
    for values in rows.values:
        found = current.get(values[license_at])
        if found is None:
            plan.creates.append(values)
            continue
        changed = {
            name: value
            for name, value, old in zip(attnames, values, found[1:], strict=True)
            if value is not _MISSING and value != old
        }
        if changed:
            plan.changes[found[0]] = changed
        else:
            plan.unchanged += 1
    return plan


def _write(plan: _Plan, actor: User, reason: str) -> None:
    attnames = plan.attnames
    for chunk in _chunks(plan.creates, WRITE_CHUNK_SIZE):
        retailers = [
            Retailer(**{name: value for name, value in zip(attnames, values, strict=True)
                        if value is not _MISSING})
            for values in chunk
        ]  # fmt: skip
        retailers_bulk_create(retailers=retailers, actor=actor, reason=reason)
    names = {column.attname: column.field for column in COLUMNS}
    now = timezone.now()  # bulk_update does not set auto_now fields by itself
    for pks in _chunks(list(plan.changes), WRITE_CHUNK_SIZE):
        # Locked (in pk order), so that a concurrent edit of another field is not undone.
        locked = Retailer.objects.select_for_update().order_by("pk")
        retailers = [
            retailer
            for some in _chunks(sorted(pks), LOOKUP_CHUNK_SIZE)
            for retailer in locked.filter(pk__in=some)
        ]
        fields = {"updated_at"}
        for retailer in retailers:
            for name, value in plan.changes[retailer.pk].items():
                setattr(retailer, name, value)
                fields.add(names[name])
            retailer.updated_at = now
        retailers_bulk_update(
            retailers=retailers, fields=sorted(fields), actor=actor, reason=reason
        )


def _count(report: ImportReport, plan: _Plan) -> None:
    report.created = len(plan.creates)
    report.updated = len(plan.changes)
    report.unchanged = plan.unchanged


def retailer_import(*, file: Any, actor: User, dry_run: bool) -> ImportReport:
    """Import retailers from an uploaded .xlsx (a Django `UploadedFile`, a path, bytes or a
    binary file object). Rows whose license number exists update that retailer (only when
    something changed); the others create one. All or nothing: with any error, or on a dry
    run, nothing is written. Raises PermissionDenied when the actor's role may not import."""
    if not getattr(actor, "can_import_archive", False):
        raise PermissionDenied("您的角色不能导入零售客户档案。")
    filename = _filename(file)
    report = ImportReport(filename=filename, dry_run=dry_run)
    try:
        sheet = read_workbook(file, header_marker=LICENSE_HEADER)
    except ExcelReadError as exc:
        report.errors.append(RowError(0, FILE_FIELD, filename, str(exc)))
        return report
    columns = _check_headers(sheet, report)
    if columns is None:
        return report

    territories = dict(Territory.objects.visible_to(actor).values_list("code", "pk"))
    rows = _read_rows(sheet.rows, columns, territories, report)
    if report.rows == 0:
        report.errors.append(RowError(0, FILE_FIELD, filename, "文件中没有数据行"))
    if report.errors:
        return report

    if dry_run:
        plan = _plan(rows, actor, report)
        if report.ok:
            _count(report, plan)
        return report

    reason = f"Excel导入: {filename}"[:REASON_MAX_LENGTH]
    try:
        with transaction.atomic():
            plan = _plan(rows, actor, report)
            if not report.ok:
                return report
            _write(plan, actor, reason)
    except IntegrityError:
        # A license number was created by someone else meanwhile; all is rolled back.
        message = "导入时档案被他人同时修改，本次未写入任何数据，请重新导入"
        report.errors.append(RowError(0, FILE_FIELD, filename, message))
        return report
    _count(report, plan)
    return report
