"""Excel template, export and import of the retailer archive."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from tobacco_crm.accounts.choices import Role
from tobacco_crm.core.excel import XLSX_CONTENT_TYPE
from tobacco_crm.core.tests.factories import RetailerFactory, UserFactory
from tobacco_crm.retailers.excel import (
    COLUMNS,
    retailer_template_workbook,
    retailers_export_workbook,
)
from tobacco_crm.retailers.importing import retailer_import
from tobacco_crm.retailers.models import Retailer

HEADERS = [column.header for column in COLUMNS]


def _row(n: int = 1, territory: str = "TA", **values: object) -> list[object]:
    """A valid row in HEADERS order; `values` override cells by header."""
    cells: dict[str, object] = {
        "许可证号": f"5101000000{n:02d}",
        "店铺名称": f"便民商店{n}号",
        "户主姓名": f"张{n}",
        "联系电话": f"138000000{n:02d}",
        "经营地址": f"城关镇人民路{n}号",
        "纬度": 30.5728,
        "经度": 104.0668,
        "业态": "食杂店",
        "市场类型": "城镇",
        "规模": 2,
        "商圈": "居民区/社区",
        "连锁类型": "非连锁",
        "开门时间": "07:30",
        "关门时间": "22:00",
        "是否持证": "是",
        "经营状态": "正常",
        "户主生日": date(1980, 5, 20),
        "电子结算": "否",
        "经营规模": "小型",
        "片区编码": territory,
    }
    cells.update(values)
    return [cells[header] for header in HEADERS]


def _xlsx(
    rows: list[list[object]],
    headers: list[str] = HEADERS,
    name: str = "零售户档案.xlsx",
    above: Sequence[list[object]] = (),
) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    for row in above:
        ws.append(row)
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)


def _sheet(data: bytes, index: int = 0) -> list[list[object]]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    return [list(row) for row in wb.worksheets[index].iter_rows(values_only=True)]


def _history_count() -> int:
    return Retailer.history.count()


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", display_name="管理员", role=Role.ADMIN)


# Template ---------------------------------------------------------------------------------


def test_template_has_the_chinese_headers_an_example_and_the_notes():
    data = retailer_template_workbook()
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["零售客户档案", "说明"]

    rows = _sheet(data)
    assert rows[0] == HEADERS
    assert rows[0][:5] == ["许可证号", "店铺名称", "户主姓名", "联系电话", "经营地址"]
    assert len(rows) == 2  # one example row
    example = dict(zip(rows[0], rows[1], strict=True))
    assert example["业态"] == "食杂店"
    assert wb.worksheets[0].freeze_panes == "A2"
    assert wb.worksheets[0]["A1"].font.b

    notes = _sheet(data, 1)
    described = {row[0]: row for row in notes[1:] if row and row[0]}
    for header in HEADERS:
        assert header in described
    assert "食杂店" in described["业态"][2]
    assert described["许可证号"][1] == "是"
    assert described["纬度"][1] == "否"


def test_template_example_imports_once_its_territory_exists(marketing_manager, company):
    from tobacco_crm.core.tests.factories import TerritoryFactory

    TerritoryFactory(code="T001", company=company)
    upload = SimpleUploadedFile("模板.xlsx", retailer_template_workbook())
    report = retailer_import(file=upload, actor=marketing_manager, dry_run=True)
    assert report.ok, report.errors
    assert (report.rows, report.created) == (1, 1)


# Export -----------------------------------------------------------------------------------


@pytest.fixture
def two_territories(territory_a, territory_b):
    a = RetailerFactory.create_batch(3, territory=territory_a)
    b = RetailerFactory.create_batch(2, territory=territory_b)
    return a, b


def _export(user, queryset) -> list[dict[str, object]]:
    rows = _sheet(retailers_export_workbook(retailers=queryset, user=user))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_export_masks_the_phone_for_a_marketing_manager(
    marketing_manager, two_territories, territory_a, django_assert_num_queries
):
    in_a, _ = two_territories
    queryset = Retailer.objects.visible_to(marketing_manager).filter(territory=territory_a)
    with django_assert_num_queries(1):
        rows = _export(marketing_manager, queryset)

    assert len(rows) == 3
    assert {row["店铺名称"] for row in rows} == {r.shop_name for r in in_a}
    by_name = {r.shop_name: r for r in in_a}
    for row in rows:
        retailer = by_name[row["店铺名称"]]
        assert row["联系电话"] == retailer.phone[:3] + "****" + retailer.phone[-4:]
        assert row["许可证号"] != retailer.license_no  # a marketing manager sees it masked
        assert "*" in row["许可证号"]
        assert row["分类编码"] == retailer.class_code == "CZ2"
        assert row["客户经理"] == "客户经理甲"
        assert row["片区编码"] == "TA"
        assert row["业态"] == "食杂店"


def test_export_gives_a_customer_manager_the_full_phone(manager_a, two_territories):
    in_a, _ = two_territories
    rows = _export(manager_a, Retailer.objects.visible_to(manager_a))
    assert sorted((row["许可证号"], row["联系电话"]) for row in rows) == sorted(
        (r.license_no, r.phone) for r in in_a
    )


def test_export_keeps_a_formula_like_shop_name_as_text(admin_user, territory_a):
    RetailerFactory(shop_name='=HYPERLINK("http://evil.example","点我")', territory=territory_a)
    data = retailers_export_workbook(retailers=Retailer.objects.all(), user=admin_user)
    cell = load_workbook(io.BytesIO(data)).worksheets[0]["B2"]
    assert cell.data_type == "s"
    assert cell.value.startswith("=HYPERLINK")


def test_export_of_an_admin_imports_back_unchanged(admin_user, two_territories):
    data = retailers_export_workbook(retailers=Retailer.objects.all(), user=admin_user)
    history = _history_count()
    report = retailer_import(
        file=SimpleUploadedFile("导出.xlsx", data), actor=admin_user, dry_run=False
    )
    assert report.ok, report.errors
    assert (report.rows, report.created, report.updated, report.unchanged) == (5, 0, 0, 5)
    assert _history_count() == history


# Import: errors ---------------------------------------------------------------------------


def test_import_reports_every_bad_row_and_writes_nothing(
    marketing_manager, territory_a, territory_b
):
    RetailerFactory(territory=territory_a)
    retailers, history = Retailer.objects.count(), _history_count()
    rows = [
        _row(1),  # row 2: good
        _row(2, 联系电话="12345"),  # row 3
        _row(3, 许可证号="51010000003"),  # row 4: 11 digits
        _row(4, 纬度=60.1, 经度=10),  # row 5: both outside China
        _row(5, 业态="小卖部", 规模=5),  # row 6
        _row(6, 开门时间="25:00", 户主生日="1980-13-01", 电子结算="也许"),  # row 7
        _row(7, territory="NOPE", 店铺名称=""),  # row 8
        _row(1, 店铺名称="另一家"),  # row 9: same license as row 2
        _row(9, 经营状态="营业中", 是否持证="是的"),  # row 10
    ]
    report = retailer_import(file=_xlsx(rows), actor=marketing_manager, dry_run=False)

    assert not report.ok
    assert report.rows == 9
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    got = {(e.row, e.field): e for e in report.errors}
    assert set(got) == {
        (3, "联系电话"),
        (4, "许可证号"),
        (5, "纬度"),
        (5, "经度"),
        (6, "业态"),
        (6, "规模"),
        (7, "开门时间"),
        (7, "户主生日"),
        (7, "电子结算"),
        (8, "片区编码"),
        (8, "店铺名称"),
        (9, "许可证号"),
        (10, "经营状态"),
        (10, "是否持证"),
    }
    assert got[(3, "联系电话")].message == "不是有效的手机或固定电话号码"
    assert got[(3, "联系电话")].value == "12345"
    assert "12位数字" in got[(4, "许可证号")].message
    assert "中国境内" in got[(5, "纬度")].message
    assert "食杂店" in got[(6, "业态")].message
    assert got[(6, "业态")].value == "小卖部"
    assert "1、2 或 3" in got[(6, "规模")].message
    assert "HH:MM" in got[(7, "开门时间")].message
    assert "YYYY-MM-DD" in got[(7, "户主生日")].message
    assert "是" in got[(7, "电子结算")].message
    assert "NOPE" in got[(8, "片区编码")].message
    assert "必填" in got[(8, "店铺名称")].message
    duplicate = got[(9, "许可证号")].message
    assert "第 2 行" in duplicate and "第 9 行" in duplicate

    assert Retailer.objects.count() == retailers
    assert _history_count() == history


def test_import_names_a_missing_required_header(marketing_manager, territory_a):
    headers = [h for h in HEADERS if h != "联系电话"]
    rows = [[v for h, v in zip(HEADERS, _row(1), strict=True) if h != "联系电话"]]
    report = retailer_import(file=_xlsx(rows, headers), actor=marketing_manager, dry_run=False)
    assert [(e.row, e.field) for e in report.errors] == [(1, "联系电话")]
    assert "联系电话" in report.errors[0].message
    assert Retailer.objects.count() == 0


def test_a_repeated_header_is_an_error(marketing_manager, territory_a):
    report = retailer_import(
        file=_xlsx([[*_row(1), "x"]], [*HEADERS, "店铺名称"]), actor=marketing_manager, dry_run=True
    )
    assert [(e.row, e.field) for e in report.errors] == [(1, "店铺名称")]


def test_a_non_xlsx_upload_gives_a_clear_error(marketing_manager, territory_a):
    upload = SimpleUploadedFile("retailers.csv", "许可证号,店铺名称\n510100000001,便民\n".encode())
    report = retailer_import(file=upload, actor=marketing_manager, dry_run=False)
    assert not report.ok
    [error] = report.errors
    assert (error.row, error.field, error.value) == (0, "文件", "retailers.csv")
    assert ".xlsx" in error.message
    assert Retailer.objects.count() == 0


def test_a_customer_manager_may_not_import(manager_a, territory_a):
    with pytest.raises(PermissionDenied):
        retailer_import(file=_xlsx([_row(1)]), actor=manager_a, dry_run=False)
    assert Retailer.objects.count() == 0


def test_a_masked_phone_from_an_export_is_refused_with_a_reason(marketing_manager, territory_a):
    report = retailer_import(
        file=_xlsx([_row(1, 联系电话="138****0001")]), actor=marketing_manager, dry_run=True
    )
    assert [(e.row, e.field) for e in report.errors] == [(2, "联系电话")]
    assert "脱敏" in report.errors[0].message


# Import: writes ---------------------------------------------------------------------------


def test_import_creates_retailers_with_history(marketing_manager, territory_a, territory_b):
    rows = [
        _row(1),
        # Cells as Excel often gives them: numbers for license and phone, codes for choices,
        # text dates and times, a boolean cell, empty optional cells.
        _row(
            2,
            territory="TB",
            许可证号=510100000002,
            联系电话=13800000002.0,
            业态="B",
            市场类型="X",
            规模="1",
            开门时间=time(6, 30),
            关门时间="0:30",
            户主生日="1975/3/8",
            电子结算=True,
            纬度="",
            经度="",
            经营状态="",
        ),
        _row(3, 联系电话="028-87654321"),
    ]
    report = retailer_import(file=_xlsx(rows), actor=marketing_manager, dry_run=False)
    assert report.ok, report.errors
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)

    second = Retailer.objects.get(license_no="510100000002")
    assert second.phone == "13800000002"
    assert second.territory.code == "TB"
    assert (second.business_format, second.market_type, second.scale) == ("B", "X", 1)
    assert second.class_code == "XB1"
    assert (second.opens_at, second.closes_at) == (time(6, 30), time(0, 30))
    assert second.birthday == date(1975, 3, 8)
    assert second.e_settlement is True
    assert second.latitude is None
    assert second.status == "normal"  # the default
    first = Retailer.objects.get(license_no="510100000001")
    assert first.latitude == Decimal("30.572800")
    assert first.class_code == "CZ2"
    assert Retailer.objects.get(license_no="510100000003").phone == "028-87654321"

    records = list(Retailer.history.all())
    assert len(records) == 3
    for record in records:
        assert record.history_type == "+"
        assert record.history_user == marketing_manager
        assert record.history_change_reason == "Excel导入: 零售户档案.xlsx"


def test_dry_run_counts_but_writes_nothing(marketing_manager, territory_a):
    RetailerFactory(license_no="510100000001", territory=territory_a)
    report = retailer_import(file=_xlsx([_row(1), _row(2)]), actor=marketing_manager, dry_run=True)
    assert report.ok and report.dry_run
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    assert Retailer.objects.count() == 1
    assert _history_count() == 1


def test_reimport_updates_by_license_number_without_duplicates(marketing_manager, territory_a):
    upload = _xlsx([_row(1), _row(2)])
    assert retailer_import(file=upload, actor=marketing_manager, dry_run=False).created == 2

    again = retailer_import(file=upload, actor=marketing_manager, dry_run=False)
    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Retailer.objects.count() == 2
    assert _history_count() == 2

    changed = retailer_import(
        file=_xlsx([_row(1, 店铺名称="新名字"), _row(2), _row(3)]),
        actor=marketing_manager,
        dry_run=False,
    )
    assert (changed.created, changed.updated, changed.unchanged) == (1, 1, 1)
    assert Retailer.objects.count() == 3
    assert Retailer.objects.get(license_no="510100000001").shop_name == "新名字"


def test_an_update_changing_the_phone_writes_history(marketing_manager, territory_a):
    retailer = RetailerFactory(
        license_no="510100000001", phone="13900000000", status="suspended", territory=territory_a
    )
    before = retailer.history.count()
    # The status cell is empty: an update keeps the current value.
    upload = _xlsx([_row(1, 联系电话="138 0000 0001", 经营状态="")], name="电话变更.xlsx")
    report = retailer_import(file=upload, actor=marketing_manager, dry_run=False)
    assert report.ok, report.errors
    assert report.updated == 1

    retailer.refresh_from_db()
    assert retailer.phone == "13800000001"
    assert retailer.status == "suspended"
    assert retailer.history.count() == before + 1
    latest = retailer.history.latest("history_date")
    assert latest.history_type == "~"
    assert latest.history_user == marketing_manager
    assert "电话变更.xlsx" in latest.history_change_reason
    delta = latest.diff_against(latest.prev_record)
    assert "phone" in delta.changed_fields
    assert "status" not in delta.changed_fields


def test_title_rows_above_the_header_are_skipped(marketing_manager, territory_a):
    upload = _xlsx(
        [_row(1), [], _row(2)],  # an empty row in between is skipped too
        above=[["华县零售客户档案（2024年）"], []],
    )
    report = retailer_import(file=upload, actor=marketing_manager, dry_run=True)
    assert report.ok, report.errors
    assert (report.rows, report.created) == (2, 2)

    bad = _xlsx([_row(1), _row(2, 联系电话="1")], above=[["标题"]])
    [error] = retailer_import(file=bad, actor=marketing_manager, dry_run=True).errors
    assert error.row == 4  # title, header, row 1, then the bad row: Excel's own number


def test_import_page_dry_run_lists_bad_rows_then_real_import_writes(
    client, marketing_manager, territory_a
):
    client.force_login(marketing_manager)
    bad = _xlsx([_row(1), _row(2, **{"联系电话": "12345"})])

    response = client.post("/retailers/import/", {"file": bad, "dry_run": "on"})

    assert response.status_code == 200
    errors = response.context["report"].errors
    assert [(e.row, e.field) for e in errors] == [(3, "联系电话")]
    assert "联系电话" in response.text and "12345" in response.text
    assert Retailer.objects.count() == 0

    good = _xlsx([_row(1), _row(2)])
    response = client.post("/retailers/import/", {"file": good})

    assert response.status_code == 302
    assert Retailer.objects.count() == 2
