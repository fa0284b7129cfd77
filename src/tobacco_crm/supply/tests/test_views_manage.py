"""The supply screens: permissions, plans and their lines (form validation by the engine, Excel
import all-or-nothing), the simulation report (per tier, per territory × tier, undistributed
and why, against last week), publishing and the lock, the public tier table, the limits export
(scoped and masked), and the plan page's query count.

Data goes through the real paths: sales → a published grading run (the tiers) → plans, lines,
simulations and publishing through the services."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tobacco_crm.accounts.choices import Role
from tobacco_crm.core.excel import SheetSpec, write_workbook
from tobacco_crm.core.tests.factories import ProductFactory, RetailerFactory, UserFactory
from tobacco_crm.engines.grading import GradingPolicy as EnginePolicy
from tobacco_crm.engines.grading import TierSettings
from tobacco_crm.grading import services as grading_services
from tobacco_crm.orders.models import RetailerMonthlySales
from tobacco_crm.products.choices import ProductStatus
from tobacco_crm.retailers.choices import BusinessScale
from tobacco_crm.supply import services
from tobacco_crm.supply.choices import AllocationReason, Basis, PlanStatus
from tobacco_crm.supply.excel import COLUMNS
from tobacco_crm.supply.models import RetailerLimit, SupplyPeriod, SupplyPlan, SupplyPlanLine
from tobacco_crm.supply.tests.factories import SupplyPlanFactory, SupplyPlanLineFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 25)  # Wednesday of 2026-W48
LAST_WEEK = dt.date(2026, 11, 18)  # 2026-W47
Q3_MONTHS = [dt.date(2026, m, 1) for m in (4, 5, 6, 7, 8, 9)]
FOUR_TIERS = TierSettings(
    count=4, class_max_tier={"A": 4, "B": 3, "C": 2, "W": 1}, new_retailer_tier=2
)


# Set-up ---------------------------------------------------------------------------------


def add_sales(retailer, *, cartons: int) -> None:
    RetailerMonthlySales.objects.bulk_create(
        RetailerMonthlySales(
            retailer=retailer, month=month, cartons=cartons, amount=Decimal(cartons * 250),
            product_count=20, premium_cartons=cartons // 4, order_count=4,
        )
        for month in Q3_MONTHS
    )  # fmt: skip


@pytest.fixture
def shops(marketing_manager, territory_a, territory_b):
    """Eight retailers, alternating between territories A and B, graded by a published run
    into four tiers, two a tier: A holds one retailer of each tier, and so does B."""
    made = []
    for k in range(8):
        shop = RetailerFactory(
            territory=territory_a if k % 2 == 0 else territory_b,
            shop_name=f"{'城关' if k % 2 == 0 else '乡镇'}{k}号店",
            business_scale=BusinessScale.SMALL,
        )
        add_sales(shop, cartons=400 - 40 * k)
        made.append(shop)
    policy = grading_services.grading_policy_save(
        name="分级政策",
        data=EnginePolicy(name="分级政策", tiers=FOUR_TIERS).to_dict(),
        actor=marketing_manager,
    )
    period = grading_services.grading_period_create(
        code="2026Q3", name="2026年第三季度", start_date=dt.date(2026, 7, 1),
        end_date=dt.date(2026, 9, 30), actor=marketing_manager,
    )  # fmt: skip
    run = grading_services.grading_run_start(period=period, policy=policy, actor=marketing_manager)
    grading_services.grading_run_publish(run=run, actor=marketing_manager)
    return made


@pytest.fixture
def scarce():
    return ProductFactory(
        code="6901028075862", brand="中华", name="硬", status=ProductStatus.SCARCE
    )


@pytest.fixture
def new_product():
    return ProductFactory(code="6901028180559", brand="玉溪", name="软", status=ProductStatus.NEW)


def make_plan(actor, *lines: dict[str, Any], day: dt.date = DAY, name: str = "第48周投放"):
    plan = services.supply_plan_create(
        period=services.supply_period_for(day=day), name=name, actor=actor
    )
    for line in lines:
        services.supply_plan_line_set(plan=plan, actor=actor, **line)
    return plan


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def line_post(product, **changes: Any) -> dict[str, Any]:
    """What the line form posts for a plain tier line of 100 cartons."""
    data: dict[str, Any] = {
        "product": product.pk, "available": 100, "basis": Basis.TIER, "max_per_retailer": "",
        "min_tier": "", "max_tier": "", "weights_policy": "", "weights_table": "",
        "leftover": "retailer", "float_large": "", "float_medium": "", "float_small": "",
    }  # fmt: skip
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def workbook(rows: list[list[Any]], headers: list[str] | None = None) -> SimpleUploadedFile:
    headers = headers or [column.header for column in COLUMNS]
    content = write_workbook(SheetSpec(title="投放品规", headers=headers, rows=rows))
    return SimpleUploadedFile("plan.xlsx", content)


def import_row(**values: Any) -> list[Any]:
    row = {column.header: "" for column in COLUMNS}
    row.update(values)
    return [row[column.header] for column in COLUMNS]


def sheet_rows(response) -> list[tuple[Any, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


# Permissions ------------------------------------------------------------------------------


@pytest.fixture
def some_plan(marketing_manager, scarce):
    line = SupplyPlanLineFactory(
        product=scarce, plan=SupplyPlanFactory(created_by=marketing_manager)
    )
    return line.plan, line


def manager_urls(plan: SupplyPlan, line: SupplyPlanLine) -> list[tuple[str, str]]:
    return [
        ("get", reverse("supply-home")),
        ("post", reverse("supply-plan-create")),
        ("get", reverse("supply-plan-template")),
        ("get", reverse("supply-plan-detail", args=[plan.pk])),
        ("get", reverse("supply-plan-line-add", args=[plan.pk])),
        ("post", reverse("supply-plan-line-add", args=[plan.pk])),
        ("get", reverse("supply-plan-line-edit", args=[plan.pk, line.pk])),
        ("post", reverse("supply-plan-line-edit", args=[plan.pk, line.pk])),
        ("post", reverse("supply-plan-line-delete", args=[plan.pk, line.pk])),
        ("get", reverse("supply-plan-import", args=[plan.pk])),
        ("post", reverse("supply-plan-import", args=[plan.pk])),
        ("post", reverse("supply-plan-simulate", args=[plan.pk])),
        ("post", reverse("supply-plan-publish", args=[plan.pk])),
        ("get", reverse("supply-plan-territories", args=[plan.pk]) + f"?product={line.product_id}"),
    ]


@pytest.mark.parametrize("role", [Role.CUSTOMER_MANAGER, Role.INSPECTOR, Role.ORDER_TAKER])
def test_every_manager_screen_is_403_for_other_roles(client, role, some_plan):
    plan, line = some_plan
    client.force_login(UserFactory(username=f"someone-{role}", role=role))

    for method, url in manager_urls(plan, line):
        response = getattr(client, method)(url, {"confirm": "yes", "available": 5})
        assert response.status_code == 403, (method, url)

    plan.refresh_from_db()
    line.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and line.available == 100
    assert SupplyPlan.objects.count() == 1 and SupplyPlanLine.objects.count() == 1


def test_anonymous_users_are_sent_to_login(client, some_plan):
    plan, line = some_plan
    urls = [
        *manager_urls(plan, line),
        ("get", reverse("supply-tier-table", args=[plan.pk])),
        ("get", reverse("supply-limits-export", args=[plan.pk])),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response.url.startswith(reverse("login"))


def test_marketing_manager_opens_every_screen(client, marketing_manager, some_plan):
    plan, line = some_plan
    client.force_login(marketing_manager)

    for method, url in manager_urls(plan, line):
        if method == "get":
            assert client.get(url).status_code == 200, url
    assert client.get(reverse("supply-tier-table", args=[plan.pk])).status_code == 200


# Plans -------------------------------------------------------------------------------------


def test_home_creates_a_plan_for_this_week(client, marketing_manager, shops):
    client.force_login(marketing_manager)
    page = client.get(reverse("supply-home"))
    assert page.status_code == 200
    assert "还没有投放方案" in page.text
    assert 'id="create-this-week"' in page.text

    response = client.post(reverse("supply-plan-create"))  # the "this week" button

    plan = SupplyPlan.objects.get()
    assert response.url == reverse("supply-plan-detail", args=[plan.pk])
    today_week = services.week_of(timezone.localdate())[0]
    assert plan.period.code == today_week
    assert plan.name == f"{today_week} 投放方案"
    assert plan.grading_run is not None and plan.created_by == marketing_manager
    home = client.get(reverse("supply-home")).text
    assert plan.name in home and "草稿" in home and "营销经理" in home


def test_a_plan_for_a_chosen_date(client, marketing_manager, shops):
    client.force_login(marketing_manager)

    client.post(reverse("supply-plan-create"), {"name": "第48周紧俏烟", "day": "2026-11-25"})

    plan = SupplyPlan.objects.get()
    assert (plan.name, plan.period.code) == ("第48周紧俏烟", "2026-W48")
    assert plan.period.start_date == dt.date(2026, 11, 23)


def test_a_plan_without_a_published_grading_warns(client, marketing_manager):
    client.force_login(marketing_manager)

    response = client.post(reverse("supply-plan-create"), {"day": "2026-11-25"}, follow=True)

    assert "还没有已发布的分级结果" in response.text
    assert SupplyPlan.objects.get().grading_run is None


# Lines -------------------------------------------------------------------------------------


def test_line_form_lists_scarce_new_and_cultivated_products_first(client, marketing_manager):
    normal = ProductFactory(code="A0001", status=ProductStatus.NORMAL)
    stopped = ProductFactory(code="A0002", status=ProductStatus.STOPPED)
    cultivated = ProductFactory(code="Z0001", status=ProductStatus.CULTIVATED)
    scarce = ProductFactory(code="Z0002", status=ProductStatus.SCARCE)
    plan = SupplyPlanFactory(created_by=marketing_manager)
    client.force_login(marketing_manager)

    form = client.get(reverse("supply-plan-line-add", args=[plan.pk])).context["form"]

    offered = list(form.fields["product"].queryset)
    assert offered == [cultivated, scarce, normal]
    assert stopped not in offered


def test_line_form_saves_rule_and_eligibility(
    client, marketing_manager, shops, scarce, territory_a
):
    plan = make_plan(marketing_manager)
    client.force_login(marketing_manager)
    url = reverse("supply-plan-line-add", args=[plan.pk])

    response = client.post(
        url,
        line_post(
            scarce, available=240, basis=Basis.TIER, cap_by_demand="on", max_per_retailer=20,
            min_tier=2, max_tier=4, weights_policy="table", weights_table="1:1\n2：2, 4:5",
            weights_as_limits="on", leftover="tier", compliance_classes=["A", "B"],
            business_formats=["Z", "B"], market_types=["C"], territories=[territory_a.code],
            business_districts=["school"],
        ),
    )  # fmt: skip

    assert response.status_code == 302, response.context["form"].errors
    assert response.url == reverse("supply-plan-detail", args=[plan.pk]) + "#lines"
    line = SupplyPlanLine.objects.get()
    assert (line.product, line.available, line.basis) == (scarce, 240, Basis.TIER)
    assert line.rule == {
        "tier_weights": {
            "policy": "table", "table": {"1": 1.0, "2": 2.0, "4": 5.0}, "as_limits": True,
        },
        "cap_by_demand": True, "max_per_retailer": 20, "float_cap": None, "min_tier": 2,
        "max_tier": 4, "leftover": "tier",
    }  # fmt: skip
    assert line.eligibility == {
        "compliance_classes": ["A", "B"], "business_formats": ["Z", "B"],
        "business_districts": ["school"], "market_types": ["C"], "territories": [territory_a.code],
    }  # fmt: skip
    page = client.get(reverse("supply-plan-detail", args=[plan.pk])).text
    for text in ("以需求为限", "单户上限 20 条", "档位 2–4", "档位权重表 1:1, 2:2, 4:5",
                 "余量整档分配", "守法类别 A、B", "业态 食杂店、便利店", "学区", "城镇",
                 "紧俏"):  # fmt: skip
        assert text in page, text

    # The form opens again with what was stored.
    edit = client.get(reverse("supply-plan-line-edit", args=[plan.pk, line.pk])).context["form"]
    assert edit["weights_table"].value() == "1:1\n2:2\n4:5"
    assert edit["territories"].value() == [territory_a.code]
    assert edit.fields["product"].disabled


def test_line_form_float_percentages(client, marketing_manager, scarce):
    plan = SupplyPlanFactory(created_by=marketing_manager)
    client.force_login(marketing_manager)
    url = reverse("supply-plan-line-add", args=[plan.pk])

    partial = client.post(url, line_post(scarce, float_large="5"))
    full = client.post(
        url, line_post(scarce, float_large="5", float_medium="10", float_small="15.5")
    )

    assert "上浮比例三项都填或都不填" in partial.text
    assert full.status_code == 302
    assert SupplyPlanLine.objects.get().rule["float_cap"] == {
        "pct_by_scale": {"1": 5.0, "2": 10.0, "3": 15.5}, "default_pct": None,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "field", "named"),
    [
        ({"min_tier": 4, "max_tier": 2}, "max_tier", "max_tier: 2 is below min_tier (4)"),
        ({"weights_policy": "table", "weights_table": "1:3\n10:2"}, "weights_table",
         "tier_weights.table[10]"),
        ({"basis": Basis.RATIO, "leftover": "tier"}, "leftover", "leftover:"),
        ({"basis": Basis.DEMAND, "weights_as_limits": "on"}, "weights_as_limits",
         "tier_weights.as_limits"),
        ({"weights_policy": "table", "weights_table": "1:1\n10:0.5"}, "weights_table",
         "tier_weights.table[10]"),
    ],
)  # fmt: skip
def test_line_form_shows_the_engine_error_next_to_the_field_and_stores_nothing(
    client, marketing_manager, scarce, changes, field, named
):
    plan = SupplyPlanFactory(created_by=marketing_manager)
    client.force_login(marketing_manager)

    response = client.post(
        reverse("supply-plan-line-add", args=[plan.pk]), line_post(scarce, **changes)
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(named in str(e) and "规则校验未通过" in str(e) for e in errors[field]), errors
    assert f'class="field field-{field} invalid"' in response.text
    assert not SupplyPlanLine.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"available": -1}, "available"),
        ({"available": ""}, "available"),
        ({"weights_policy": "table", "weights_table": "1-3"}, "weights_table"),
        ({"weights_policy": "table", "weights_table": ""}, "weights_table"),
        ({"weights_table": "1:1"}, "weights_policy"),
        ({"basis": "by_luck"}, "basis"),
        ({"compliance_classes": ["Z"]}, "compliance_classes"),
    ],
)
def test_line_form_input_errors_name_the_field(client, marketing_manager, scarce, changes, field):
    plan = SupplyPlanFactory(created_by=marketing_manager)
    client.force_login(marketing_manager)

    response = client.post(
        reverse("supply-plan-line-add", args=[plan.pk]), line_post(scarce, **changes)
    )

    assert field in response.context["form"].errors
    assert not SupplyPlanLine.objects.exists()


def test_a_product_already_in_the_plan_is_edited_not_added(client, marketing_manager, scarce):
    line = SupplyPlanLineFactory(
        product=scarce, plan=SupplyPlanFactory(created_by=marketing_manager)
    )
    client.force_login(marketing_manager)

    added = client.post(
        reverse("supply-plan-line-add", args=[line.plan_id]), line_post(scarce, available=5)
    )
    edited = client.post(
        reverse("supply-plan-line-edit", args=[line.plan_id, line.pk]),
        line_post(ProductFactory(), available=7),  # the product of a line is fixed
    )

    assert "这个规格已在方案中" in added.text
    assert edited.status_code == 302
    line.refresh_from_db()
    assert (line.available, line.product) == (7, scarce)
    assert SupplyPlanLine.objects.count() == 1


def test_deleting_a_line(client, marketing_manager, some_plan):
    plan, line = some_plan
    client.force_login(marketing_manager)

    response = client.post(reverse("supply-plan-line-delete", args=[plan.pk, line.pk]))

    assert response.url.endswith("#lines")
    assert not SupplyPlanLine.objects.exists()


def test_changing_a_simulated_plan_sends_it_back_to_draft(client, marketing_manager, shops, scarce):
    plan = make_plan(marketing_manager, {"product": scarce, "available": 40, "basis": Basis.TIER})
    services.supply_plan_simulate(plan=plan, actor=marketing_manager)
    line = plan.lines.get()
    client.force_login(marketing_manager)

    client.post(
        reverse("supply-plan-line-edit", args=[plan.pk, line.pk]), line_post(scarce, available=50)
    )

    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and not RetailerLimit.objects.exists()
    page = client.get(reverse("supply-plan-detail", args=[plan.pk])).text
    assert 'id="report"' not in page and 'id="simulate-button"' in page


# Excel import ------------------------------------------------------------------------------


def test_template_has_the_columns_an_example_and_the_scarce_products(
    client, marketing_manager, scarce, new_product
):
    client.force_login(marketing_manager)

    response = client.get(reverse("supply-plan-template"))

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["投放品规", "说明", "紧俏新品规格"]
    header, example = list(book["投放品规"].iter_rows(values_only=True))[:2]
    assert header[:4] == ("规格编码", "规格名称", "可供量", "投放方式")
    assert {"单户上限", "最低档位", "最高档位", "以需求为限", "守法类别"} <= set(header)
    assert example[0] == scarce.code
    products = [row[0] for row in book["紧俏新品规格"].iter_rows(min_row=2, values_only=True)]
    assert products == [scarce.code, new_product.code]


def test_import_adds_and_replaces_lines(
    client, marketing_manager, shops, scarce, new_product, territory_b
):
    plan = make_plan(marketing_manager, {"product": scarce, "available": 10, "basis": Basis.TIER})
    client.force_login(marketing_manager)
    rows = [
        import_row(规格编码=scarce.code, 可供量=120, 投放方式="按档位", 单户上限=20, 最低档位=2,
                   以需求为限="是", 守法类别="A,B", 档位权重="1:1,3:2", 余量分配="整档"),
        import_row(规格编码=int(new_product.code), 可供量="80", 投放方式="按价位段",
                   业态="便利店、超市", 市场类型="城镇", 片区编码=territory_b.code,
                   上浮比例="5,10,15"),
    ]  # fmt: skip

    response = client.post(reverse("supply-plan-import", args=[plan.pk]), {"file": workbook(rows)})

    assert response.status_code == 302, response.context["report"].errors
    assert "导入完成：2 个规格已写入方案。" in message_texts(response)
    first, second = plan.lines.order_by("product__code")
    assert (first.product, first.available, first.basis) == (scarce, 120, Basis.TIER)
    assert first.rule["max_per_retailer"] == 20 and first.rule["cap_by_demand"] is True
    assert first.rule["min_tier"] == 2 and first.rule["leftover"] == "tier"
    assert first.rule["tier_weights"]["table"] == {"1": 1.0, "3": 2.0}
    assert first.eligibility == {"compliance_classes": ["A", "B"]}
    assert (second.product, second.available, second.basis) == (new_product, 80, Basis.PRICE_BAND)
    assert second.eligibility == {
        "business_formats": ["B", "C"], "market_types": ["C"], "territories": [territory_b.code],
    }  # fmt: skip
    assert second.rule["float_cap"]["pct_by_scale"] == {"1": 5.0, "2": 10.0, "3": 15.0}


def test_import_with_a_bad_row_writes_nothing_and_names_row_and_column(
    client, marketing_manager, scarce, new_product
):
    plan = SupplyPlanFactory(created_by=marketing_manager)
    client.force_login(marketing_manager)
    rows = [
        import_row(规格编码=scarce.code, 可供量=120, 投放方式="按档位"),
        import_row(规格编码=new_product.code, 可供量=80, 投放方式="随便投"),
        import_row(规格编码="0000000000000", 可供量="八十", 投放方式="按需"),
    ]

    response = client.post(reverse("supply-plan-import", args=[plan.pk]), {"file": workbook(rows)})

    errors = {(e.row, e.column) for e in response.context["report"].errors}
    assert errors == {(3, "投放方式"), (4, "规格编码"), (4, "可供量")}
    assert "发现错误，未写入任何数据" in response.text and "随便投" in response.text
    assert not SupplyPlanLine.objects.exists()


def test_import_rolls_back_when_the_engine_refuses_a_row(
    client, marketing_manager, scarce, new_product
):
    plan = SupplyPlanFactory(created_by=marketing_manager)
    client.force_login(marketing_manager)
    rows = [
        import_row(规格编码=scarce.code, 可供量=120, 投放方式="按档位"),  # valid, written first
        import_row(规格编码=new_product.code, 可供量=80, 投放方式="按档位", 最低档位=5, 最高档位=2),
    ]

    response = client.post(reverse("supply-plan-import", args=[plan.pk]), {"file": workbook(rows)})

    [error] = response.context["report"].errors
    assert (error.row, error.column) == (3, "最高档位")
    assert "max_tier: 2 is below min_tier (5)" in error.message
    assert not SupplyPlanLine.objects.exists()  # the first row was rolled back too


def test_import_refuses_unknown_columns_and_missing_required_ones(
    client, marketing_manager, scarce
):
    plan = SupplyPlanFactory(created_by=marketing_manager)
    client.force_login(marketing_manager)
    upload = workbook([[scarce.code, 5, "按档位"]], headers=["规格编码", "可供数量", "投放方式"])

    response = client.post(reverse("supply-plan-import", args=[plan.pk]), {"file": upload})

    errors = {(e.row, e.column, e.message) for e in response.context["report"].errors}
    assert (1, "可供量", "缺少这一列") in errors
    assert (1, "可供数量", "未知的列（请按模板的列名填写）") in errors
    bad = client.post(
        reverse("supply-plan-import", args=[plan.pk]),
        {"file": SimpleUploadedFile("plan.xlsx", b"not a workbook")},
    )
    assert "无法读取该文件" in bad.text
    assert not SupplyPlanLine.objects.exists()


# Simulation and its report -------------------------------------------------------------------


def test_simulate_shows_per_tier_rows_and_the_undistributed_reason(
    client, marketing_manager, shops, scarce, new_product
):
    plan = make_plan(
        marketing_manager,
        {"product": scarce, "available": 100, "basis": Basis.TIER, "rule": {"max_per_retailer": 5}},
        {"product": new_product, "available": 20, "basis": Basis.TIER},
    )
    client.force_login(marketing_manager)

    response = client.post(reverse("supply-plan-simulate", args=[plan.pk]))

    assert response.url == reverse("supply-plan-detail", args=[plan.pk]) + "#report"
    assert "模拟完成：可供 120 条，投放 60 条，未投放 60 条。请检查后再发布。" in message_texts(
        response
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SIMULATED
    page = client.get(reverse("supply-plan-detail", args=[plan.pk]))
    report = page.context["report"]
    capped, shared = sorted(report.lines, key=lambda r: r.line.product.code)
    assert (capped.available, capped.allocated, capped.undistributed) == (100, 40, 60)
    assert capped.undistributed_label == "符合条件的零售户均已达到上限"
    assert capped.receiving == 8
    assert capped.reason_rows == [("方案单户上限", 8)]
    assert [t.tier for t in capped.tiers] == [4, 3, 2, 1]
    assert all((t.retailers, t.taking_part, t.limit_range) == (2, 2, "5") for t in capped.tiers)
    # 20 cartons over linear weights 4, 4, 3, 3, 2, 2, 1, 1 (sum 20): one carton per weight.
    assert [(t.tier, t.limit_range, t.allocated) for t in shared.tiers] == [
        (4, "4", 8), (3, "3", 6), (2, "2", 4), (1, "1", 2),
    ]  # fmt: skip
    assert shared.undistributed == 0
    text = page.text
    assert 'id="report-6901028075862"' in text and "符合条件的零售户均已达到上限" in text
    assert text.count('class="tier-row') == 8
    assert "还没有更早的已发布方案可供对比" in text
    assert 'id="publish-form"' in text


def test_the_territory_breakdown_of_a_product(
    client, marketing_manager, shops, scarce, territory_a
):
    plan = make_plan(marketing_manager, {"product": scarce, "available": 20, "basis": Basis.TIER})
    services.supply_plan_simulate(plan=plan, actor=marketing_manager)
    client.force_login(marketing_manager)
    url = reverse("supply-plan-territories", args=[plan.pk])

    fragment = client.get(url, {"product": scarce.pk}, headers={"HX-Request": "true"})
    full = client.get(url, {"product": scarce.pk})

    blocks = fragment.context["blocks"]
    assert [b.code for b in blocks] == ["TA", "TB"]
    assert [(t.tier, t.receiving, t.limit_range, t.total) for t in blocks[0].tiers] == [
        (4, 1, "4", 4), (3, 1, "3", 3), (2, 1, "2", 2), (1, 1, "1", 1),
    ]  # fmt: skip
    assert blocks[0].receiving == 4 and blocks[0].total == 10
    assert "<html" not in fragment.text and "城关片区" in fragment.text
    assert "<html" in full.text
    assert client.get(url, {"product": 999999}).status_code == 404
    assert client.get(url, {"product": "x"}).status_code == 404


def test_the_report_compares_with_last_weeks_published_plan(
    client, marketing_manager, shops, scarce
):
    last = make_plan(marketing_manager, {"product": scarce, "available": 10, "basis": Basis.TIER},
                     day=LAST_WEEK, name="第47周")  # fmt: skip
    services.supply_plan_simulate(plan=last, actor=marketing_manager)
    services.supply_plan_publish(plan=last, actor=marketing_manager)
    plan = make_plan(marketing_manager, {"product": scarce, "available": 20, "basis": Basis.TIER})
    services.supply_plan_simulate(plan=plan, actor=marketing_manager)
    client.force_login(marketing_manager)

    page = client.get(reverse("supply-plan-detail", args=[plan.pk]))

    report = page.context["report"]
    assert report.previous == last
    [line] = report.lines
    assert (line.previous_total, line.allocated, line.total_change) == (10, 20, 10)
    # Last week 10 cartons over weights 20: tier 4 got 2, tier 1 got 0 or 1.
    tier4 = line.tiers[0]
    assert (tier4.tier, tier4.previous_range, tier4.limit_range, tier4.change) == (4, "2", "4", 2)
    assert "与上周已发布的方案对比：2026-W47 第47周。" in page.text
    assert "上周限量" in page.text


def test_a_failed_simulation_stores_nothing(client, marketing_manager, shops):
    plan = make_plan(marketing_manager)  # no lines
    client.force_login(marketing_manager)

    response = client.post(reverse("supply-plan-simulate", args=[plan.pk]), follow=True)

    assert "模拟失败，未保存任何结果：方案中还没有投放品规。" in response.text
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and not plan.summary


# Publishing -----------------------------------------------------------------------------------


def test_publish_needs_the_confirmation_then_locks_the_plan(
    client, marketing_manager, shops, scarce
):
    plan = make_plan(marketing_manager, {"product": scarce, "available": 20, "basis": Basis.TIER})
    line = plan.lines.get()
    client.force_login(marketing_manager)
    client.post(reverse("supply-plan-simulate", args=[plan.pk]))

    unconfirmed = client.post(reverse("supply-plan-publish", args=[plan.pk]))
    plan.refresh_from_db()
    assert "请先勾选确认，再发布。" in message_texts(unconfirmed)
    assert plan.status == PlanStatus.SIMULATED

    published = client.post(reverse("supply-plan-publish", args=[plan.pk]), {"confirm": "yes"})

    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED and plan.published_by == marketing_manager
    assert "已发布：2026-W48 的限量即日起公开，方案已锁定。" in message_texts(published)
    limits = dict(RetailerLimit.objects.filter(plan=plan).values_list("retailer_id", "limit"))
    page = client.get(reverse("supply-plan-detail", args=[plan.pk])).text
    assert 'id="locked"' in page and "已发布 · 已锁定" in page
    for absent in ('id="add-line"', 'id="simulate-button"', 'id="publish-form"', 'id="import-link"',
                   reverse("supply-plan-line-edit", args=[plan.pk, line.pk])):  # fmt: skip
        assert absent not in page, absent

    # Every write is refused now, and nothing changes.
    edit = client.post(
        reverse("supply-plan-line-edit", args=[plan.pk, line.pk]), line_post(scarce, available=1)
    )
    assert "方案已发布，不能再修改。" in message_texts(edit)
    assert client.get(reverse("supply-plan-line-add", args=[plan.pk])).status_code == 302
    deleted = client.post(reverse("supply-plan-line-delete", args=[plan.pk, line.pk]))
    assert "方案已发布，不能再修改。" in message_texts(deleted)
    simulated = client.post(reverse("supply-plan-simulate", args=[plan.pk]))
    assert any("方案已发布，不能再修改。" in m for m in message_texts(simulated))
    again = client.post(reverse("supply-plan-publish", args=[plan.pk]), {"confirm": "yes"})
    assert "只有模拟过且未修改的方案可以发布。" in message_texts(again)
    imported = client.post(
        reverse("supply-plan-import", args=[plan.pk]),
        {"file": workbook([import_row(规格编码=scarce.code, 可供量=1, 投放方式="按档位")])},
    )
    assert "方案已发布，不能再修改。" in message_texts(imported)
    plan.refresh_from_db()
    line.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED and line.available == 20
    assert (
        dict(RetailerLimit.objects.filter(plan=plan).values_list("retailer_id", "limit")) == limits
    )


# The public tier table and the export ------------------------------------------------------


def test_tier_table_is_visible_to_a_customer_manager_only_after_publishing(
    client, marketing_manager, manager_a, shops, scarce
):
    plan = make_plan(marketing_manager, {"product": scarce, "available": 20, "basis": Basis.TIER})
    url = reverse("supply-tier-table", args=[plan.pk])
    client.force_login(manager_a)
    assert client.get(url).status_code == 404  # draft

    services.supply_plan_simulate(plan=plan, actor=marketing_manager)
    assert client.get(url).status_code == 404  # simulated, not published
    assert client.get(reverse("supply-limits-export", args=[plan.pk])).status_code == 404

    services.supply_plan_publish(plan=plan, actor=marketing_manager)
    response = client.get(url)

    assert response.status_code == 200
    [product] = response.context["products"]
    assert [(t.tier, t.limit_range) for t in product.tiers] == [
        (4, "4"),
        (3, "3"),
        (2, "2"),
        (1, "1"),
    ]
    assert 'id="tiers-6901028075862"' in response.text and "中华(硬)" in response.text
    assert 'id="preview-notice"' not in response.text
    assert 'class="subnav"' not in response.text  # no management links


def test_managers_preview_the_tier_table_before_publishing(
    client, marketing_manager, shops, scarce
):
    plan = make_plan(marketing_manager, {"product": scarce, "available": 20, "basis": Basis.TIER})
    services.supply_plan_simulate(plan=plan, actor=marketing_manager)
    client.force_login(marketing_manager)

    response = client.get(reverse("supply-tier-table", args=[plan.pk]))

    assert response.status_code == 200 and 'id="preview-notice"' in response.text


@pytest.fixture
def published(marketing_manager, shops, scarce, new_product):
    plan = make_plan(
        marketing_manager,
        {"product": scarce, "available": 20, "basis": Basis.TIER},
        {
            "product": new_product,
            "available": 8,
            "basis": Basis.TIER,
            "rule": {"max_per_retailer": 1},
        },
    )
    services.supply_plan_simulate(plan=plan, actor=marketing_manager)
    return services.supply_plan_publish(plan=plan, actor=marketing_manager)


def test_export_holds_only_the_customer_managers_retailers(client, manager_a, published, shops):
    client.force_login(manager_a)

    response = client.get(reverse("supply-limits-export", args=[published.pk]))

    assert response.status_code == 200
    header, *body = sheet_rows(response)
    assert header == ("片区编码", "片区", "许可证号", "店铺名称", "规格编码", "卷烟规格", "档位",
                      "限量（条）", "原因")  # fmt: skip
    mine = {s.shop_name for s in shops if s.territory.code == "TA"}
    assert {row[3] for row in body} == mine
    assert {row[0] for row in body} == {"TA"}
    assert len(body) == 2 * len(mine)  # two products each
    big = next(row for row in body if row[3] == "城关0号店" and row[4] == "6901028075862")
    assert big[2] == shops[0].license_no  # customer managers see license numbers in full
    assert (big[6], big[7], big[8]) == (4, 4, "档位限量")
    capped = next(row for row in body if row[3] == "城关0号店" and row[4] == "6901028180559")
    assert (capped[7], capped[8]) == (1, "方案单户上限")


def test_export_of_another_territory_is_empty(client, manager_a, territory_b, published):
    client.force_login(manager_a)

    response = client.get(
        reverse("supply-limits-export", args=[published.pk]), {"territory": territory_b.pk}
    )

    assert len(sheet_rows(response)) == 1  # the header only


def test_export_by_territory_masks_licenses_for_marketing_managers(
    client, marketing_manager, territory_b, published, shops
):
    client.force_login(marketing_manager)

    response = client.get(
        reverse("supply-limits-export", args=[published.pk]), {"territory": territory_b.pk}
    )

    body = sheet_rows(response)[1:]
    assert {row[0] for row in body} == {"TB"} and len(body) == 8
    assert all("*" in row[2] for row in body)
    assert AllocationReason.TIER_LIMIT.label in {row[8] for row in body}
    assert "TB" in response["Content-Disposition"]


# Query counts --------------------------------------------------------------------------------


def test_plan_page_query_count_does_not_grow_with_lines_or_retailers(
    client, marketing_manager, shops, django_assert_num_queries
):
    """Session, user, plan (period and people joined), lines (products joined), territories
    of the export form; a simulated plan adds last week's plan and its lines."""
    client.force_login(marketing_manager)
    for count in (1, 6):
        products = [ProductFactory(status=ProductStatus.SCARCE) for _ in range(count)]
        lines = [{"product": p, "available": 30, "basis": Basis.TIER} for p in products]
        last = make_plan(marketing_manager, *lines, day=LAST_WEEK, name=f"上周 {count}")
        services.supply_plan_simulate(plan=last, actor=marketing_manager)
        services.supply_plan_publish(plan=last, actor=marketing_manager)
        plan = make_plan(marketing_manager, *lines, name=f"本周 {count}")
        url = reverse("supply-plan-detail", args=[plan.pk])

        with django_assert_num_queries(4):
            client.get(url)  # draft: no report, no export
        services.supply_plan_simulate(plan=plan, actor=marketing_manager)
        with django_assert_num_queries(7):
            response = client.get(url)

        assert len(response.context["report"].lines) == count
        assert response.context["report"].previous == last


def test_tier_table_query_count_does_not_grow_with_products(
    client, manager_a, marketing_manager, shops, django_assert_num_queries
):
    """Session, user, plan, lines (products joined), territories of the export form."""
    client.force_login(manager_a)
    for count in (1, 5):
        products = [ProductFactory(status=ProductStatus.SCARCE) for _ in range(count)]
        plan = make_plan(
            marketing_manager,
            *({"product": p, "available": 9, "basis": Basis.TIER} for p in products),
        )
        services.supply_plan_simulate(plan=plan, actor=marketing_manager)
        services.supply_plan_publish(plan=plan, actor=marketing_manager)

        with django_assert_num_queries(5):
            response = client.get(reverse("supply-tier-table", args=[plan.pk]))

        assert len(response.context["products"]) == count


def test_home_query_count_does_not_grow_with_plans(
    client, marketing_manager, django_assert_num_queries
):
    """Session, user, periods (with published plans prefetched), count and page of plans."""
    client.force_login(marketing_manager)
    for count in (2, 12):
        while SupplyPlan.objects.count() < count:
            SupplyPlanLineFactory(plan=SupplyPlanFactory(created_by=marketing_manager))
        with django_assert_num_queries(6):
            response = client.get(reverse("supply-home"))
        assert len(response.context["table"].page.object_list) == count
        assert SupplyPeriod.objects.count() == count


def test_an_export_beyond_excels_rows_says_so(client, marketing_manager, published, monkeypatch):
    monkeypatch.setattr("tobacco_crm.supply.excel.MAX_EXPORT_ROWS", 3)
    client.force_login(marketing_manager)

    rows = sheet_rows(client.get(reverse("supply-limits-export", args=[published.pk])))

    assert len(rows) == 1 + 3 + 1
    assert rows[-1][0] == "行数超过 Excel 上限，其余限量未导出：请按片区分别导出。"
