"""Excel in and out, independent of any model.

Writing uses openpyxl's write-only mode (rows are streamed to the file, never held as cell
objects): a bold, frozen header row and column widths. Reading uses python-calamine (Rust),
much faster than openpyxl on large sheets, and gives each data row with its Excel
row number so that errors can point at the row the user sees. The `cell_*` functions read a
cell the way users fill them in (a number where text was meant, a date typed as text, 是/否)
and raise `CellError` with a Chinese message otherwise.
"""

from __future__ import annotations

import io
import itertools
import os
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import python_calamine
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

# What a cell read by calamine holds; empty cells are "".
CellValue = str | int | float | bool | date | datetime | time | timedelta

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# With a header marker, the header is looked for in this many first non-empty rows.
HEADER_SEARCH_ROWS = 10
# Excel's last row: list validations cover the whole column below the header.
_MAX_ROW = 1_048_576
_HEADER_FONT = Font(bold=True)
_EMPHASIZED_HEADER_FONT = Font(bold=True, color="C00000")
_HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")


class ExcelReadError(Exception):
    """The upload is not a workbook we can read; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class SheetSpec:
    """One sheet to write. `rows` may be a generator: it is consumed once, row by row.

    `widths` are in characters, one per column (missing ones get a width from the header);
    `emphasized` are header indexes shown in red (e.g. required columns); `choices` maps a
    column index to the values offered in a drop-down list; `wrap` wraps long cell texts.
    """

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]] = ()
    widths: Sequence[float] = ()
    emphasized: Collection[int] = ()
    choices: Mapping[int, Sequence[str]] = field(default_factory=dict)
    wrap: bool = False


@dataclass
class SheetData:
    """A read sheet: the header texts (stripped) and the data rows, each with its Excel row
    number (the header is row `header_row`). Entirely empty rows are skipped; every row is
    padded to the header's length."""

    headers: list[str]
    header_row: int
    rows: Iterator[tuple[int, list[CellValue]]]


def _header_width(text: str) -> float:
    # CJK characters are about twice as wide as Latin ones.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 4


def _write_sheet(wb: Workbook, spec: SheetSpec) -> None:
    ws = wb.create_sheet(title=spec.title)
    # Dimensions, panes and validations must be set before the first row is written.
    ws.freeze_panes = "A2"
    for i, header in enumerate(spec.headers):
        width = spec.widths[i] if i < len(spec.widths) else _header_width(header)
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    for i, values in spec.choices.items():
        # An explicit list formula is limited to 255 characters; longer lists are skipped.
        formula = '"' + ",".join(values) + '"'
        if len(formula) <= 255:
            letter = get_column_letter(i + 1)
            validation = DataValidation(type="list", formula1=formula, allow_blank=True)
            validation.add(f"{letter}2:{letter}{_MAX_ROW}")
            ws.data_validations.append(validation)

    header_cells = []
    for i, text in enumerate(spec.headers):
        cell = WriteOnlyCell(ws, value=text)
        cell.font = _EMPHASIZED_HEADER_FONT if i in spec.emphasized else _HEADER_FONT
        cell.fill = _HEADER_FILL
        header_cells.append(cell)
    ws.append(header_cells)

    if spec.wrap:
        for row in spec.rows:
            wrapped = []
            for value in _safe(ws, row):
                cell = value if isinstance(value, Cell) else WriteOnlyCell(ws, value)
                cell.alignment = _WRAP
                wrapped.append(cell)
            ws.append(wrapped)
    else:
        for row in spec.rows:
            ws.append(_safe(ws, row))


def _safe(ws: Any, row: Sequence[Any]) -> list[Any]:
    """The row's values, with text that openpyxl would take for a formula ("=...") kept as
    text (no formula injection from a shop name) and characters XML cannot hold removed."""
    values = list(row)
    for i, value in enumerate(values):
        if value.__class__ is str and value:
            if ILLEGAL_CHARACTERS_RE.search(value):
                value = values[i] = ILLEGAL_CHARACTERS_RE.sub("", value)
            if value.startswith("="):
                cell = WriteOnlyCell(ws, value=value)
                cell.data_type = "s"
                values[i] = cell
    return values


def write_workbook(*sheets: SheetSpec) -> bytes:
    """An .xlsx file with the given sheets, in order, as bytes."""
    wb = Workbook(write_only=True)
    for spec in sheets:
        _write_sheet(wb, spec)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _open(file: Any) -> python_calamine.CalamineWorkbook:
    if isinstance(file, (str, os.PathLike)):
        return python_calamine.CalamineWorkbook.from_path(file)
    if isinstance(file, (bytes, bytearray, memoryview)):
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(bytes(file)))
    # A Django upload spooled to disk is read from its path, without copying it in memory.
    path = getattr(file, "temporary_file_path", None)
    if callable(path):
        return python_calamine.CalamineWorkbook.from_path(path())
    if hasattr(file, "seek"):
        file.seek(0)
    return python_calamine.CalamineWorkbook.from_filelike(file)


def read_workbook(
    file: str | os.PathLike[str] | bytes | IO[bytes],
    *,
    sheet: int = 0,
    header_marker: str | None = None,
) -> SheetData:
    """Read one sheet (the first by default) of an uploaded workbook.

    The header is the first non-empty row, or, given `header_marker`, the first row among
    the first few that holds a cell with that text (so that title rows above the header are
    skipped). `file` is a path, bytes, or a file-like object such as a Django
    `UploadedFile`. Raises `ExcelReadError` with a message for the user when the file is
    not a readable workbook (.xlsx; calamine also reads .xlsm, .xlsb, .xls and .ods) or the
    sheet is empty.
    """
    try:
        workbook = _open(file)
        sheet_data = workbook.get_sheet_by_index(sheet)
    except python_calamine.PasswordError as exc:
        raise ExcelReadError("文件已加密，请取消密码保护后再上传。") from exc
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise ExcelReadError(
            "无法读取该文件：请上传 Excel 工作簿（.xlsx 格式）。"
            "CSV、WPS 专有格式或损坏的文件不能导入，请在 Excel 中“另存为 .xlsx”后重试。"
        ) from exc

    start_row = sheet_data.start[0] if sheet_data.start else 0
    rows = enumerate(sheet_data.iter_rows(), start=start_row + 1)
    leading: list[tuple[int, list[CellValue]]] = []
    found = 0
    for number, values in rows:
        if all(is_blank(v) for v in values):
            continue
        leading.append((number, values))
        if header_marker is None:
            break
        if any(isinstance(v, str) and v.strip() == header_marker for v in values):
            found = len(leading) - 1
            break
        if len(leading) >= HEADER_SEARCH_ROWS:
            break
    if not leading:
        raise ExcelReadError("工作表是空的：第一行应为列标题。")
    number, values = leading[found]
    headers = [cell_text(v) for v in values]
    while headers and not headers[-1]:
        headers.pop()
    remaining = itertools.chain(leading[found + 1 :], rows)
    return SheetData(headers=headers, header_row=number, rows=_data_rows(remaining, len(headers)))


def _data_rows(
    rows: Iterator[tuple[int, list[CellValue]]], width: int
) -> Iterator[tuple[int, list[CellValue]]]:
    for number, values in rows:
        values = values[:width]
        if values.count("") == len(values):  # fast: calamine gives "" for an empty cell
            continue
        if len(values) < width:
            values = values + [""] * (width - len(values))
        yield number, values


# Reading cells ---------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read as its column expects; the message is for the user."""


_INTEGRAL_TEXT = re.compile(r"^(\d+)\.0*$")
_TIME_TEXT = re.compile(r"^(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = date(1899, 12, 30)
_TRUE = frozenset({"是", "y", "yes", "true", "1", "√"})
_FALSE = frozenset({"否", "n", "no", "false", "0", "×"})


def is_blank(value: CellValue) -> bool:
    return value == "" or (value.__class__ is str and value.isspace())  # type: ignore[union-attr]


def cell_display(value: CellValue) -> str:
    """A cell as the user sees it, for messages: 510100000001 rather than 510100000001.0."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value).strip()


def cell_text(value: CellValue) -> str:
    """A text cell; numbers are written without a spurious ".0"."""
    if isinstance(value, str):
        return value.strip()
    return cell_display(value)


def cell_code(value: CellValue) -> str:
    """A number kept as text (license number, phone, code): Excel may hold it as a number
    (510100000001.0), or as text with ".0" after a conversion."""
    if isinstance(value, str):
        text = value.strip()
        match = _INTEGRAL_TEXT.match(text)
        return match.group(1) if match else text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise CellError("应为文本或数字")


def cell_decimal(value: CellValue, *, places: int, name: str = "数值") -> Decimal:
    """A number rounded to `places` decimals (floats through their shortest repr, so that
    30.5728 stays 30.572800)."""
    if isinstance(value, (bool, date, time, timedelta)):
        raise CellError(f"{name}应为数字")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else repr(value))
    except (InvalidOperation, ValueError):
        raise CellError(f"{name}应为数字") from None
    if not number.is_finite():
        raise CellError(f"{name}应为数字")
    return number.quantize(Decimal(1).scaleb(-places))


def cell_time(value: CellValue) -> time:
    """A time of day to the minute: a time cell, a number (fraction of a day) or "HH:MM"."""
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, timedelta) and timedelta(0) <= value < timedelta(days=1):
        minutes = round(value.total_seconds() / 60) % (24 * 60)
        return time(minutes // 60, minutes % 60)
    if isinstance(value, float) and 0 <= value < 1:
        minutes = round(value * 24 * 60) % (24 * 60)
        return time(minutes // 60, minutes % 60)
    if isinstance(value, str):
        match = _TIME_TEXT.match(value.strip())
        if match:
            hour, minute = int(match.group(1)), int(match.group(2))
            if hour < 24 and minute < 60:
                return time(hour, minute)
    raise CellError("时间格式应为 HH:MM（如 08:00）")


def _date_from_text(text: str) -> date | None:
    match = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def cell_date(value: CellValue) -> date:
    """A date: a date cell, text (2024-05-20, 2024/5/20, 2024.5.20, 2024年5月20日, 20240520),
    or an Excel date serial in a cell formatted as a number."""
    day: date | None = None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        day = _date_from_text(value.strip())
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
        if number.is_integer() and 10000101 <= number <= 99991231:
            day = _date_from_text(str(int(number)))
        elif 1 <= number < 2958466:
            day = _EXCEL_EPOCH + timedelta(days=int(number))
    if day is None:
        raise CellError("日期格式应为 YYYY-MM-DD（如 1980-05-20）")
    return day


def cell_bool(value: CellValue) -> bool:
    """是/否 (also a boolean cell, 1/0, Y/N, true/false)."""
    if isinstance(value, bool):
        return value
    text = cell_display(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError("应填“是”或“否”")
