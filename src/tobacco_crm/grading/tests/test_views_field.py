"""The field side of grading: a retailer's grade and its sheet (scoped), deductions recorded
and corrected by inspectors (with history), manual indicators and appeals by customer
managers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tobacco_crm.core.tests.factories import RetailerFactory
from tobacco_crm.engines.grading import PUBLISHED_35_55_10, BusinessSettings, Indicator
from tobacco_crm.engines.grading import GradingPolicy as EnginePolicy
from tobacco_crm.grading import services
from tobacco_crm.grading.models import Appeal, Deduction, GradingPeriod, ManualIndicator
from tobacco_crm.grading.tests.factories import (
    DeductionFactory,
    GradingPeriodFactory,
    GradingPolicyFactory,
    quarter_of,
)
from tobacco_crm.orders.models import RetailerMonthlySales

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _months(first: dt.date, count: int) -> list[dt.date]:
    index = first.year * 12 + first.month - 1
    return [dt.date((index + k) // 12, (index + k) % 12 + 1, 1) for k in range(count)]


def _sales(retailer, *, cartons: int, until: dt.date, months: int = 9) -> None:
    """`months` months of sales ending with the month of `until`."""
    index = until.year * 12 + until.month - 1 - (months - 1)
    start = dt.date(index // 12, index % 12 + 1, 1)
    RetailerMonthlySales.objects.bulk_create(
        RetailerMonthlySales(
            retailer=retailer,
            month=month,
            cartons=cartons,
            amount=Decimal(cartons * 200),
            premium_cartons=cartons // 5,
            product_count=20,
            order_count=4,
        )
        for month in _months(start, months)
    )


def _grade(*, period: GradingPeriod, policy, actor) -> None:
    run = services.grading_run_start(period=period, policy=policy, actor=actor)
    services.grading_run_publish(run=run, actor=actor)


@pytest.fixture
def period():
    """The open quarter holding today."""
    return GradingPeriodFactory(start_date=quarter_of(timezone.localdate())[0])


@pytest.fixture
def policy(marketing_manager):
    return GradingPolicyFactory(created_by=marketing_manager)


@pytest.fixture
def shops(territory_a, territory_b, inspector):
    territory_a.inspectors.add(inspector)
    mine = RetailerFactory(territory=territory_a, shop_name="城关便民店", license_no="510100000001")
    neighbour = RetailerFactory(territory=territory_a, shop_name="城关烟酒行")
    theirs = RetailerFactory(territory=territory_b, shop_name="乡镇便民店")
    return mine, neighbour, theirs


@pytest.fixture
def graded(shops, period, policy, inspector, marketing_manager):
    """A published run of the current period; the first shop has a 10-point deduction."""
    mine, neighbour, theirs = shops
    for retailer, cartons in ((mine, 100), (neighbour, 80), (theirs, 60)):
        _sales(retailer, cartons=cartons, until=period.end_date, months=12)
    deduction = services.deduction_record(
        retailer=mine, period=period, policy=policy, item_code="sell_to_minor", points=None,
        reason="向未成年人出售卷烟两包", occurred_on=period.start_date, actor=inspector,
        explained=True,
    )  # fmt: skip
    _grade(period=period, policy=policy, actor=marketing_manager)
    return mine, deduction


# The grade of a retailer ------------------------------------------------------------------


def test_grade_fragment_explains_indicators_and_deductions(client, manager_a, graded):
    mine, deduction = graded
    client.force_login(manager_a)

    response = client.get(reverse("grading-retailer-grade", args=[mine.pk]), **HTMX)

    assert response.status_code == 200
    html = response.text
    assert "<html" not in html  # a fragment for htmx
    assert 'id="grade-compliance">90<' in html
    assert 'id="grade-class">B<' in html
    for text in ("卷烟销量", "卷烟销售额", "订购规格数", "二类及以上卷烟销量", "权重"):
        assert text in html
    assert deduction.occurred_on.isoformat() in html
    assert "向未成年人出售卷烟两包" in html
    assert "向未成年人售烟" in html  # the item's label
    assert "−10 分" in html
    assert "已向零售户说明" in html
    assert "守法类别为 B 类，档位最高为第 24 档" in html or "按综合得分为第" in html
    assert reverse("grading-grade-sheet", args=[response.context["grade"].pk]) in html
    assert reverse("grading-appeal-create", args=[response.context["grade"].pk]) in html


def test_grade_is_a_full_page_without_htmx(client, manager_a, graded):
    mine, _deduction = graded
    client.force_login(manager_a)

    response = client.get(reverse("grading-retailer-grade", args=[mine.pk]))

    assert response.status_code == 200
    assert "<html" in response.text
    assert 'id="grade"' in response.text and "卷烟销量" in response.text


def test_no_grade_yet(client, manager_a, shops):
    mine, _neighbour, _theirs = shops
    client.force_login(manager_a)

    response = client.get(reverse("grading-retailer-grade", args=[mine.pk]), **HTMX)

    assert response.status_code == 200
    assert "暂无等级" in response.text
    assert "sheet-link" not in response.text


def test_grade_fragment_lists_pending_deductions_for_the_inspector(client, inspector, shops):
    mine, _neighbour, _theirs = shops
    pending = DeductionFactory(
        retailer=mine, period=GradingPeriodFactory(), reason="价签缺失", inspector=inspector
    )
    client.force_login(inspector)

    html = client.get(reverse("grading-retailer-grade", args=[mine.pk]), **HTMX).text

    assert "价签缺失" in html
    assert reverse("grading-deduction-correct", args=[pending.pk]) in html
    assert reverse("grading-deduction-create", args=[mine.pk]) in html
    assert "appeal-link" not in html


def test_correction_after_the_run_is_pending_until_the_next_run(client, inspector, graded):
    mine, deduction = graded
    correction = services.deduction_correct(
        deduction=deduction, points=Decimal(0), reason="核实为成年人", actor=inspector
    )
    client.force_login(inspector)

    html = client.get(reverse("grading-retailer-grade", args=[mine.pk]), **HTMX).text

    assert 'id="grade-compliance">90<' in html  # the grade in force is unchanged
    assert "核实为成年人" in html.split('id="pending-deductions"')[1]
    assert reverse("grading-deduction-correct", args=[deduction.pk]) in html
    assert correction.corrects == deduction


def test_customer_manager_sees_only_his_retailers_grades(client, manager_b, graded):
    mine, _deduction = graded
    grade = mine.grades.get()
    client.force_login(manager_b)

    assert client.get(reverse("grading-retailer-grade", args=[mine.pk]), **HTMX).status_code == 404
    assert client.get(reverse("grading-retailer-grade", args=[mine.pk])).status_code == 404
    assert client.get(reverse("grading-grade-sheet", args=[grade.pk])).status_code == 404
    assert client.get(reverse("grading-appeal-create", args=[grade.pk])).status_code == 404


def test_sheet_is_a_chinese_print_sheet(client, manager_a, graded):
    mine, _deduction = graded
    grade = mine.grades.get()
    client.force_login(manager_a)

    response = client.get(reverse("grading-grade-sheet", args=[grade.pk]))

    assert response.status_code == 200
    html = response.text
    assert "零售客户分类分级结果告知单" in html
    assert "城关便民店" in html
    assert "510100000001" in html  # a customer manager sees the full license number
    assert grade.run.period.name in html
    assert "卷烟销量" in html and "向未成年人出售卷烟两包" in html
    assert "六、如何提升档位" in html  # the engine's Chinese text
    assert "css/grading.css" in html


def test_sheet_masks_the_license_for_roles_that_see_it_masked(client, marketing_manager, graded):
    mine, _deduction = graded
    client.force_login(marketing_manager)

    html = client.get(reverse("grading-grade-sheet", args=[mine.grades.get().pk])).text

    assert "510100000001" not in html
    assert "5101******01" in html


# Deductions -------------------------------------------------------------------------------


def test_deduction_screens_answer_403_to_roles_that_dont_record(client, manager_a, shops):
    mine, _neighbour, _theirs = shops
    client.force_login(manager_a)

    assert client.get(reverse("grading-deduction-list")).status_code == 403
    assert client.get(reverse("grading-deduction-create", args=[mine.pk])).status_code == 403
    assert client.post(reverse("grading-deduction-create", args=[mine.pk])).status_code == 403


def test_inspector_finds_only_retailers_of_his_territories(client, inspector, shops):
    client.force_login(inspector)

    html = client.get(reverse("grading-deduction-list"), {"q": "便民"}).text

    assert "城关便民店" in html
    assert "乡镇便民店" not in html


def test_deduction_list_shows_recent_deductions_in_few_queries(
    client, inspector, shops, django_assert_max_num_queries
):
    mine, neighbour, _theirs = shops
    period = GradingPeriodFactory()
    for retailer in (mine, neighbour, mine):
        DeductionFactory(retailer=retailer, period=period, inspector=inspector)
    client.force_login(inspector)

    with django_assert_max_num_queries(6):
        html = client.get(reverse("grading-deduction-list")).text

    assert html.count("卷烟未明码标价") == 3


def test_deduction_form_defaults_to_the_current_period_and_today(client, inspector, shops, period):
    mine, _neighbour, _theirs = shops
    GradingPeriodFactory()  # an older open period
    GradingPolicyFactory()
    client.force_login(inspector)

    response = client.get(reverse("grading-deduction-create", args=[mine.pk]))

    form = response.context["form"]
    assert form.initial["period"] == period.pk
    assert form.initial["occurred_on"] == timezone.localdate()
    assert "未明码标价（2 分）" in response.text
    assert "销售假冒卷烟（20 分），停货" in response.text


def test_inspector_records_a_deduction_with_history(client, inspector, shops, period, policy):
    mine, _neighbour, _theirs = shops
    client.force_login(inspector)

    response = client.post(
        reverse("grading-deduction-create", args=[mine.pk]),
        {
            "period": period.pk, "item_code": "address_change", "points": "",
            "reason": "经营地址已迁至人民路 8 号", "note": "已拍照", "explained": "on",
            "occurred_on": period.start_date.isoformat(),
        },
    )  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == mine.get_absolute_url()
    deduction = Deduction.objects.get(retailer=mine)
    assert deduction.points == Decimal("5.0")  # the item's default
    assert deduction.item_label == "擅自变更经营地址"
    assert deduction.explained and deduction.inspector == inspector
    record = deduction.history.get()
    assert record.history_user == inspector
    assert record.history_change_reason == "录入扣分"
    followed = client.get(response["Location"])
    assert "已录入扣分：擅自变更经营地址，扣 5 分。" in followed.text


def test_inspector_cannot_record_outside_his_territories(client, inspector, shops, period, policy):
    _mine, _neighbour, theirs = shops
    client.force_login(inspector)
    url = reverse("grading-deduction-create", args=[theirs.pk])

    assert client.get(url).status_code == 404
    response = client.post(
        url,
        {"period": period.pk, "item_code": "price_tag", "reason": "x",
         "occurred_on": period.start_date.isoformat()},
    )  # fmt: skip
    assert response.status_code == 404
    assert not Deduction.objects.exists()


def test_locked_period_refuses_new_deductions(client, inspector, shops, period, policy):
    mine, _neighbour, _theirs = shops
    period.locked = True
    period.save()
    client.force_login(inspector)

    response = client.post(
        reverse("grading-deduction-create", args=[mine.pk]),
        {"period": period.pk, "item_code": "price_tag", "reason": "未明码标价",
         "occurred_on": period.start_date.isoformat()},
    )  # fmt: skip

    assert response.status_code == 200
    assert "该评定周期已锁定，不能再录入扣分。" in response.context["form"].errors["period"]
    assert "该评定周期已锁定" in response.text
    assert not Deduction.objects.exists()


def test_without_an_open_period_the_form_says_so(client, inspector, shops, policy):
    mine, _neighbour, _theirs = shops
    client.force_login(inspector)

    response = client.get(reverse("grading-deduction-create", args=[mine.pk]))

    assert response.status_code == 200
    assert response.context["form"] is None
    assert "当前没有开放的评定周期" in response.text


def test_deduction_form_shows_field_errors(client, inspector, shops, period, policy):
    mine, _neighbour, _theirs = shops
    client.force_login(inspector)
    outside = period.start_date - dt.timedelta(days=1)

    response = client.post(
        reverse("grading-deduction-create", args=[mine.pk]),
        {"period": period.pk, "item_code": "no_such_item", "points": "120", "reason": "  ",
         "occurred_on": outside.isoformat()},
    )  # fmt: skip

    errors = response.context["form"].errors
    assert set(errors) >= {"item_code", "points", "reason", "occurred_on"}
    assert "检查日期不在所选评定周期内。" in errors["occurred_on"]
    assert not Deduction.objects.exists()


def test_correction_is_a_new_audited_record(client, inspector, shops):
    mine, _neighbour, _theirs = shops
    original = DeductionFactory(retailer=mine, period=GradingPeriodFactory(locked=True))
    client.force_login(inspector)
    url = reverse("grading-deduction-correct", args=[original.pk])

    assert client.get(url).status_code == 200
    response = client.post(url, {"points": "0", "reason": "复查确认已明码标价"})

    assert response.status_code == 302
    correction = Deduction.objects.get(corrects=original)
    assert correction.points == 0 and correction.inspector == inspector
    assert correction.history.get().history_user == inspector
    assert Deduction.objects.get(pk=original.pk).points == Decimal("2.0")  # never edited
    again = client.post(url, {"points": "1", "reason": "再次更正"})
    assert "这条记录已被更正过，请更正最新的记录。" in again.context["form"].non_field_errors()
    assert Deduction.objects.count() == 2


def test_correction_is_scoped_and_for_inspectors_only(client, inspector, manager_a, shops):
    _mine, _neighbour, theirs = shops
    other = DeductionFactory(retailer=theirs)
    client.force_login(inspector)
    assert client.get(reverse("grading-deduction-correct", args=[other.pk])).status_code == 404
    client.force_login(manager_a)
    assert client.get(reverse("grading-deduction-correct", args=[other.pk])).status_code == 403


# Manual indicators --------------------------------------------------------------------------


@pytest.fixture
def cooperation_policy(marketing_manager):
    engine = EnginePolicy(
        business=BusinessSettings(
            indicators=(
                *PUBLISHED_35_55_10,
                Indicator("price_tags", "明码标价", 10.0, group="合作水平"),
            ),
            manager_weight=0.2,
        )
    )
    return GradingPolicyFactory(data=engine.to_dict(), created_by=marketing_manager)


def test_indicator_entry_is_for_customer_managers(client, inspector):
    client.force_login(inspector)

    assert client.get(reverse("grading-indicator-entry")).status_code == 403


def test_indicator_entry_lists_manual_keys_and_own_retailers(
    client, manager_a, shops, period, cooperation_policy
):
    client.force_login(manager_a)

    response = client.get(reverse("grading-indicator-entry"))

    assert response.status_code == 200
    assert [k["key"] for k in response.context["keys"]] == ["price_tags", "manager_score"]
    html = response.text
    assert "明码标价" in html and "客户经理评分" in html
    assert "城关便民店" in html and "城关烟酒行" in html
    assert "乡镇便民店" not in html
    assert "卷烟销量" not in html  # computed by the system


def test_indicator_entry_saves_changed_cells_with_history(
    client, manager_a, shops, period, cooperation_policy
):
    mine, neighbour, _theirs = shops
    client.force_login(manager_a)
    url = reverse("grading-indicator-entry")

    response = client.post(
        url,
        {"period": period.pk, f"r{mine.pk}__price_tags": "1", f"r{mine.pk}__manager_score": "85",
         f"r{neighbour.pk}__price_tags": ""},
    )  # fmt: skip

    assert response.status_code == 302
    values = dict(ManualIndicator.objects.values_list("key", "value"))
    assert values == {"price_tags": 1.0, "manager_score": 85.0}
    entry = ManualIndicator.objects.get(key="manager_score")
    assert entry.retailer == mine and entry.entered_by == manager_a
    assert entry.history.get().history_user == manager_a
    page = client.get(url)
    assert page.context["form"][f"r{mine.pk}__manager_score"].value() == 85.0


def test_indicator_entry_rejects_bad_values_and_saves_nothing(
    client, manager_a, shops, period, cooperation_policy
):
    mine, neighbour, _theirs = shops
    client.force_login(manager_a)

    response = client.post(
        reverse("grading-indicator-entry"),
        {"period": period.pk, f"r{mine.pk}__manager_score": "120",
         f"r{neighbour.pk}__price_tags": "1"},
    )  # fmt: skip

    assert response.status_code == 200
    assert f"r{mine.pk}__manager_score" in response.context["form"].errors
    assert not ManualIndicator.objects.exists()


def test_indicator_entry_pages_by_25(client, manager_a, territory_a, period, cooperation_policy):
    RetailerFactory.create_batch(30, territory=territory_a)
    client.force_login(manager_a)

    first = client.get(reverse("grading-indicator-entry"))
    second = client.get(reverse("grading-indicator-entry"), {"page": 2})

    assert len(first.context["form"].rows) == 25
    assert len(second.context["form"].rows) == 5


# Appeals ------------------------------------------------------------------------------------


def test_customer_manager_raises_an_appeal(client, manager_a, graded):
    mine, _deduction = graded
    grade = mine.grades.get()
    client.force_login(manager_a)
    url = reverse("grading-appeal-create", args=[grade.pk])

    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "本季度销量在片区内第一", "requested_tier": "30"})

    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.grade == grade and appeal.raised_by == manager_a
    assert appeal.requested_tier == 30
    assert appeal.history.get().history_user == manager_a
    html = client.get(reverse("grading-retailer-grade", args=[mine.pk]), **HTMX).text
    assert "待复核" in html


def test_appeal_checks_the_tier_and_the_role(client, manager_a, inspector, graded):
    mine, _deduction = graded
    grade = mine.grades.get()
    client.force_login(manager_a)
    url = reverse("grading-appeal-create", args=[grade.pk])

    response = client.post(url, {"reason": "", "requested_tier": "31"})

    assert set(response.context["form"].errors) == {"reason", "requested_tier"}
    client.force_login(inspector)  # sees the retailer, may not appeal
    assert client.get(url).status_code == 403
    assert not Appeal.objects.exists()


def test_accepted_appeal_shows_the_adjusted_tier(client, manager_a, marketing_manager, graded):
    mine, _deduction = graded
    grade = mine.grades.get()
    appeal = services.appeal_raise(grade=grade, reason="销量第一", actor=manager_a)
    services.appeal_review(
        appeal=appeal,
        accept=True,
        note="核实无误",
        actor=marketing_manager,
        new_tier=grade.tier - 1,
    )
    client.force_login(manager_a)

    html = client.get(reverse("grading-retailer-grade", args=[mine.pk]), **HTMX).text

    assert f'id="grade-tier">{grade.tier - 1}<' in html
    assert "经复核调整" in html and "核实无误" in html
