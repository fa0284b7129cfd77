"""Excel of the supply screens: the plan-line import (template and import) and the limits
export.

Import: one row per product. Every row is read and checked first (one query for the
products, one for the territories); when every row reads well, each becomes a line through
`services.supply_plan_line_set` inside one transaction, and any refusal (the engine's rule
check names the rule field, mapped back to its column) rolls the whole file back. Every
error names its Excel row and column; with any error nothing is written.

Export: a plan's limits of the retailers the user may see, each with its tier and reason,
license numbers masked for roles that only see them masked (as on screen).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from tobacco_crm.accounts.models import Territory
from tobacco_crm.core.excel import (
    CellError,
    CellValue,
    ExcelReadError,
    SheetSpec,
    cell_bool,
    cell_code,
    cell_display,
    cell_text,
    is_blank,
    read_workbook,
    write_workbook,
)
from tobacco_crm.core.masking import license_no_for
from tobacco_crm.grading.choices import ComplianceClass
from tobacco_crm.products.choices import ProductStatus
from tobacco_crm.products.models import Product
from tobacco_crm.retailers.choices import BusinessDistrict, BusinessFormat, MarketType

from .choices import AllocationReason, Basis
from .forms import parse_weight_table, rule_data, rule_error_field, split_list
from .models import RetailerLimit, SupplyPlan
from .selectors import FEATURED_PRODUCT_STATUSES
from .services import supply_plan_line_set

if TYPE_CHECKING:
    from tobacco_crm.accounts.models import User

EXPORT_CHUNK_SIZE = 2000
#: Data rows an export holds at most: an Excel sheet has 1,048,576 rows, one is the header and
#: one says that the rest was left out.
MAX_EXPORT_ROWS = 1_048_574
EXPORT_CUT_NOTE = "行数超过 Excel 上限，其余限量未导出：请按片区分别导出。"
SHEET_TITLE = "投放品规"
NOTES_TITLE = "说明"
PRODUCTS_TITLE = "紧俏新品规格"

CODE = "规格编码"
NAME = "规格名称"
AVAILABLE = "可供量"
BASIS = "投放方式"
CAP_BY_DEMAND = "以需求为限"
MAX_PER_RETAILER = "单户上限"
MIN_TIER = "最低档位"
MAX_TIER = "最高档位"
LEFTOVER = "余量分配"
WEIGHTS = "档位权重"
AS_LIMITS = "权重即限量"
FLOAT = "上浮比例"
CLASSES = "守法类别"
FORMATS = "业态"
DISTRICTS = "商圈"
MARKETS = "市场类型"
TERRITORIES = "片区编码"

LEFTOVER_WORDS = {"逐户": "retailer", "整档": "tier", "retailer": "retailer", "tier": "tier"}


@dataclass(frozen=True)
class Column:
    header: str
    required: bool
    allowed: str
    example: Any
    width: float


COLUMNS = (
    Column(CODE, True, "卷烟规格编码（见“紧俏新品规格”表）", "6901028075862", 16),
    Column(NAME, False, "仅供阅读，导入时忽略", "中华(硬)", 14),
    Column(AVAILABLE, True, "本周可供量，整数（条）", 1200, 8),
    Column(BASIS, True, "按档位 / 按比例 / 按需 / 按价位段", "按档位", 10),
    Column(CAP_BY_DEMAND, False, "是 / 否（留空为否）：每户不超过其需求提报量", "是", 10),
    Column(MAX_PER_RETAILER, False, "整数（条），留空为不限", 20, 8),
    Column(MIN_TIER, False, "整数，低于此档不投放，留空为不限", 3, 8),
    Column(MAX_TIER, False, "整数，高于此档不投放，留空为不限", "", 8),
    Column(LEFTOVER, False, "逐户 / 整档（留空为逐户）", "逐户", 8),
    Column(WEIGHTS, False, "“档位:权重”，逗号分隔，例如 1:1,10:2.5,30:6；留空为线性", "", 18),
    Column(AS_LIMITS, False, "是 / 否：档位权重即每档限量（档位限量表）", "", 10),
    Column(FLOAT, False, "协议量上浮 %，大/中/小型户，例如 5,10,15（一个数则三类相同）", "", 10),
    Column(CLASSES, False, "A / B / C / W，逗号分隔，留空为全部", "A,B", 10),
    Column(FORMATS, False, "业态名称，逗号分隔，留空为全部", "", 12),
    Column(DISTRICTS, False, "商圈名称，逗号分隔，留空为全部", "", 12),
    Column(MARKETS, False, "城镇 / 乡村，留空为全部", "", 8),
    Column(TERRITORIES, False, "片区编码，逗号分隔，留空为全部", "", 12),
)
COLUMNS_BY_HEADER = {column.header: column for column in COLUMNS}
REQUIRED_HEADERS = tuple(column.header for column in COLUMNS if column.required)
#: The column that sets the rule field an engine error names.
RULE_ERROR_COLUMNS = {
    "available": AVAILABLE,
    "basis": BASIS,
    "tier_weights": WEIGHTS,
    "tier_weights.as_limits": AS_LIMITS,
    "cap_by_demand": CAP_BY_DEMAND,
    "max_per_retailer": MAX_PER_RETAILER,
    "float_cap": FLOAT,
    "agreed": FLOAT,
    "min_tier": MIN_TIER,
    "max_tier": MAX_TIER,
    "leftover": LEFTOVER,
}
SERVICE_ERROR_COLUMNS = {"available": AVAILABLE, "basis": BASIS, "product": CODE}


@dataclass(frozen=True)
class RowError:
    """One problem: the Excel row (the header is row 1; 0 means the file as a whole), the
    column's header, the cell as read, and what is wrong, in Chinese."""

    row: int
    column: str
    value: str
    message: str


@dataclass
class ImportReport:
    filename: str = ""
    rows: int = 0
    written: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# The template --------------------------------------------------------------------------


def _labels(choices: Any) -> list[str]:
    return [str(label) for _value, label in choices]


def plan_template_workbook() -> bytes:
    """The import template: the headers (required ones in red), one example row, drop-down
    lists, a sheet "说明" describing each column, and the scarce / new / cultivated
    products with their codes."""
    featured = Product.objects.filter(status__in=FEATURED_PRODUCT_STATUSES).order_by("code")
    products = list(featured.values_list("code", "brand", "name", "status", "price_class"))
    example = [column.example for column in COLUMNS]
    if products:
        example[0], example[1] = products[0][0], f"{products[0][1]}({products[0][2]})"
    headers = [column.header for column in COLUMNS]
    yes_no = ["是", "否"]
    data = SheetSpec(
        title=SHEET_TITLE,
        headers=headers,
        rows=[example],
        widths=[column.width + 4 for column in COLUMNS],
        emphasized={i for i, column in enumerate(COLUMNS) if column.required},
        choices={
            headers.index(BASIS): ["按档位", "按比例", "按需", "按价位段"],
            headers.index(CAP_BY_DEMAND): yes_no,
            headers.index(LEFTOVER): ["逐户", "整档"],
            headers.index(AS_LIMITS): yes_no,
        },
    )
    notes = SheetSpec(
        title=NOTES_TITLE,
        headers=["列名", "必填", "格式 / 可选值"],
        rows=[
            [column.header, "是" if column.required else "否", column.allowed] for column in COLUMNS
        ]
        + [
            [],
            ["导入规则1", "", "每行一个规格；方案中已有的规格按文件中的规则覆盖，其余规格不变。"],
            ["导入规则2", "", "任何一行有错，整个文件都不导入，并列出出错的行号和列名。"],
            ["导入规则3", "", "业态、商圈、市场类型可填名称或编码；多个值用逗号分隔。"],
        ],
        widths=[12, 6, 80],
        wrap=True,
    )
    statuses = dict(Product._meta.get_field("status").flatchoices)
    classes = dict(Product._meta.get_field("price_class").flatchoices)
    product_sheet = SheetSpec(
        title=PRODUCTS_TITLE,
        headers=["规格编码", "品牌", "名称", "状态", "价类"],
        rows=[
            [code, brand, name, str(statuses.get(status, status)), str(classes.get(pc, pc))]
            for code, brand, name, status, pc in products
        ],
        widths=[16, 10, 16, 10, 8],
    )
    return write_workbook(data, notes, product_sheet)


# The import ------------------------------------------------------------------------------


def _int(value: CellValue, *, low: int | None = None) -> int:
    if isinstance(value, bool):
        raise CellError("应为整数")
    if isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        text = cell_display(value)
        if not re.fullmatch(r"-?\d+(\.0*)?", text):
            raise CellError("应为整数")
        number = int(float(text))
    if low is not None and number < low:
        raise CellError(f"不能小于 {low}")
    return number


def _lookup(words: dict[str, str], what: str) -> Callable[[CellValue], list[str]]:
    """A parser of a comma-separated list of names or codes into codes."""
    by_word = {w.lower(): code for w, code in words.items()}

    def parse(value: CellValue) -> list[str]:
        codes = []
        for part in split_list(cell_text(value)):
            code = by_word.get(part.lower())
            if code is None:
                raise CellError(f"未知的{what}“{part}”（可填：{'、'.join(sorted(set(words)))}）")
            if code not in codes:
                codes.append(code)
        return codes

    return parse


def _choice_words(choices: Any) -> dict[str, str]:
    words = {}
    for value, label in choices:
        words[str(value)] = str(value)
        words[str(label)] = str(value)
    return words


def _basis(value: CellValue) -> str:
    words = _choice_words(Basis.choices) | {"按比例": Basis.RATIO}
    text = cell_text(value)
    basis = words.get(text) or words.get(text.lower())
    if basis is None:
        raise CellError("应为 按档位、按比例、按需 或 按价位段")
    return str(basis)


def _leftover(value: CellValue) -> str:
    mode = LEFTOVER_WORDS.get(cell_text(value).lower())
    if mode is None:
        raise CellError("应为“逐户”或“整档”")
    return mode


def _float_pct(value: CellValue) -> dict[int, float]:
    parts = [cell_display(value)] if isinstance(value, int | float) else split_list(str(value))
    try:
        numbers = [float(p.rstrip("%％")) for p in parts]
    except ValueError:
        raise CellError("应为大/中/小型户的上浮百分比，例如 5,10,15") from None
    if len(numbers) == 1:
        numbers = numbers * 3
    if len(numbers) != 3:
        raise CellError("应为三个数（大/中/小型户），或一个数（三类相同）")
    return {1: numbers[0], 2: numbers[1], 3: numbers[2]}


def _weights(value: CellValue) -> dict[int, float]:
    try:
        return parse_weight_table(cell_text(value))
    except ValidationError as error:
        raise CellError("；".join(error.messages)) from None


@dataclass
class _Line:
    row: int
    product: Product
    available: int
    basis: str
    rule: dict[str, Any]
    eligibility: dict[str, list[str]]


def _parsers(territory_codes: set[str]) -> dict[str, Callable[[CellValue], Any]]:
    territories = {code: code for code in territory_codes}
    return {
        AVAILABLE: lambda v: _int(v, low=0),
        BASIS: _basis,
        CAP_BY_DEMAND: cell_bool,
        MAX_PER_RETAILER: lambda v: _int(v, low=0),
        MIN_TIER: _int,
        MAX_TIER: _int,
        LEFTOVER: _leftover,
        WEIGHTS: _weights,
        AS_LIMITS: cell_bool,
        FLOAT: _float_pct,
        CLASSES: _lookup({c.value: c.value for c in ComplianceClass}, "守法类别"),
        FORMATS: _lookup(_choice_words(BusinessFormat.choices), "业态"),
        DISTRICTS: _lookup(_choice_words(BusinessDistrict.choices), "商圈"),
        MARKETS: _lookup(_choice_words(MarketType.choices), "市场类型"),
        TERRITORIES: _lookup(territories, "片区编码"),
    }


def _read(
    file: Any, report: ImportReport
) -> tuple[list[str], list[tuple[int, dict[str, CellValue]]]] | None:
    try:
        sheet = read_workbook(file, header_marker=CODE)
    except ExcelReadError as error:
        report.errors.append(RowError(0, "", "", str(error)))
        return None
    headers = sheet.headers
    for header in REQUIRED_HEADERS:
        if header not in headers:
            report.errors.append(RowError(sheet.header_row, header, "", "缺少这一列"))
    for header in dict.fromkeys(h for h in headers if h):
        if header not in COLUMNS_BY_HEADER:
            report.errors.append(
                RowError(sheet.header_row, header, "", "未知的列（请按模板的列名填写）")
            )
        elif headers.count(header) > 1:
            report.errors.append(RowError(sheet.header_row, header, "", "这一列出现了两次"))
    if report.errors:
        return None
    rows = [(number, dict(zip(headers, values, strict=True))) for number, values in sheet.rows]
    return headers, rows


def _error(
    report: ImportReport, number: int, row: dict[str, CellValue], column: str, message: str
) -> None:
    shown = cell_display(row.get(column, ""))
    report.errors.append(RowError(number, column, shown, message))


def _parse(rows: list[tuple[int, dict[str, CellValue]]], report: ImportReport) -> list[_Line]:
    codes = {cell_code(r[CODE]) for _n, r in rows if not is_blank(r.get(CODE, ""))}
    products = {p.code: p for p in Product.objects.filter(code__in=codes)}
    territory_codes = set(Territory.objects.values_list("code", flat=True))
    parsers = _parsers(territory_codes)
    seen: dict[str, int] = {}
    lines = []
    for number, row in rows:
        errors_before = len(report.errors)
        values: dict[str, Any] = {}
        for header, parse in parsers.items():
            cell = row.get(header, "")
            if is_blank(cell):
                if COLUMNS_BY_HEADER[header].required:
                    _error(report, number, row, header, "必填")
                continue
            try:
                values[header] = parse(cell)
            except CellError as problem:
                _error(report, number, row, header, str(problem))
        product = None
        if is_blank(row.get(CODE, "")):
            _error(report, number, row, CODE, "必填")
        else:
            code = cell_code(row[CODE])
            product = products.get(code)
            if product is None:
                _error(report, number, row, CODE, "没有这个规格编码")
            elif product.status == ProductStatus.STOPPED:
                _error(report, number, row, CODE, "该规格已停供，不能投放")
            elif code in seen:
                _error(report, number, row, CODE, f"与第 {seen[code]} 行重复")
            else:
                seen[code] = number
        if len(report.errors) > errors_before or product is None:
            continue
        table = values.get(WEIGHTS) or {}
        lines.append(
            _Line(
                row=number,
                product=product,
                available=values[AVAILABLE],
                basis=values[BASIS],
                rule=rule_data(
                    cap_by_demand=bool(values.get(CAP_BY_DEMAND, False)),
                    max_per_retailer=values.get(MAX_PER_RETAILER),
                    min_tier=values.get(MIN_TIER),
                    max_tier=values.get(MAX_TIER),
                    leftover=values.get(LEFTOVER, "retailer"),
                    weights_policy="table" if table else "",
                    weights_table=table,
                    weights_as_limits=bool(values.get(AS_LIMITS, False)),
                    float_pct=values.get(FLOAT),
                ),
                eligibility={
                    "compliance_classes": values.get(CLASSES, []),
                    "business_formats": values.get(FORMATS, []),
                    "business_districts": values.get(DISTRICTS, []),
                    "market_types": values.get(MARKETS, []),
                    "territories": values.get(TERRITORIES, []),
                },
            )
        )
    return lines


def _service_errors(line: _Line, error: ValidationError) -> list[RowError]:
    if not hasattr(error, "error_dict"):
        return [RowError(line.row, "", "", message) for message in error.messages]
    found = []
    for key, messages in error.message_dict.items():
        for message in messages:
            if key == "rule":
                column = rule_error_field(message, RULE_ERROR_COLUMNS) or ""
                found.append(RowError(line.row, column, "", f"规则校验未通过：{message}"))
            else:
                column = SERVICE_ERROR_COLUMNS.get(key, "")
                found.append(RowError(line.row, column, "", message))
    return found


def plan_lines_import(*, plan: SupplyPlan, file: Any, actor: User) -> ImportReport:
    """Add or replace the plan's lines from an uploaded workbook: all or nothing."""
    report = ImportReport(filename=getattr(file, "name", "") or "")
    read = _read(file, report)
    if read is None:
        return report
    _headers, rows = read
    report.rows = len(rows)
    if not rows:
        report.errors.append(RowError(0, "", "", "文件中没有数据行"))
        return report
    lines = _parse(rows, report)
    if report.errors:
        return report
    with transaction.atomic():
        for line in lines:
            try:
                supply_plan_line_set(
                    plan=plan,
                    product=line.product,
                    available=line.available,
                    basis=line.basis,
                    rule=line.rule,
                    eligibility=line.eligibility,
                    actor=actor,
                )
            except ValidationError as error:
                report.errors.extend(_service_errors(line, error))
        if report.errors:
            transaction.set_rollback(True)
        else:
            report.written = len(lines)
    return report


# The limits export -------------------------------------------------------------------------

EXPORT_HEADERS = (
    "片区编码", "片区", "许可证号", "店铺名称", "规格编码", "卷烟规格", "档位", "限量（条）",
    "原因",
)  # fmt: skip
EXPORT_WIDTHS = (10, 14, 16, 24, 16, 18, 6, 10, 16)
EXPORT_FIELDS = (
    "retailer__territory__code", "retailer__territory__name", "retailer__license_no",
    "retailer__shop_name", "product__code", "product__brand", "product__name", "tier",
    "limit", "reason",
)  # fmt: skip


def limits_export_workbook(
    *, limits: QuerySet[RetailerLimit], plan: SupplyPlan, user: User
) -> bytes:
    """`limits` (a `selectors.plan_limits_for_export` queryset: already scoped and filtered)
    as .xlsx, streamed in chunks with one query per chunk."""
    reasons = {code: str(label) for code, label in AllocationReason.choices}

    def rows() -> Iterator[list[Any]]:
        values = limits.values_list(*EXPORT_FIELDS)
        for n, row in enumerate(values.iterator(chunk_size=EXPORT_CHUNK_SIZE)):
            if n >= MAX_EXPORT_ROWS:
                yield [EXPORT_CUT_NOTE]
                return
            t_code, t_name, license_no, shop, p_code, brand, name, tier, limit, reason = row
            yield [
                t_code, t_name, license_no_for(user, license_no), shop, p_code,
                f"{brand}({name})", tier, limit, reasons.get(reason, str(reason)),
            ]  # fmt: skip

    title = re.sub(r"[\[\]:*?/\\]", "", f"{plan.period.code} 限量")[:31]
    return write_workbook(
        SheetSpec(title=title, headers=EXPORT_HEADERS, rows=rows(), widths=EXPORT_WIDTHS)
    )
