"""The marketing manager's grading screens: permissions, policy versions (form, JSON export and
import, defaults), periods, runs (dry-run report, publish, discard, all-or-nothing), the grade
list (filters, query count, Excel export) and appeal reviews."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from tobacco_crm.accounts.choices import Role
from tobacco_crm.core.tests.factories import RetailerFactory, UserFactory
from tobacco_crm.engines.grading import GradingPolicy as EnginePolicy
from tobacco_crm.engines.grading import TierSettings
from tobacco_crm.grading import adapters, services
from tobacco_crm.grading.choices import AppealStatus, RunStatus
from tobacco_crm.grading.models import (
    Appeal,
    GradeAdjustment,
    GradingPeriod,
    GradingPolicy,
    GradingRun,
    RetailerGrade,
)
from tobacco_crm.grading.tests.factories import (
    AppealFactory,
    DeductionFactory,
    GradingPeriodFactory,
    GradingPolicyFactory,
    GradingRunFactory,
    RetailerGradeFactory,
)
from tobacco_crm.orders.models import RetailerMonthlySales

pytestmark = pytest.mark.django_db

Q2_MONTHS = [dt.date(2026, m, 1) for m in (4, 5, 6)]
Q3_MONTHS = [dt.date(2026, m, 1) for m in (7, 8, 9)]
FOUR_TIERS = TierSettings(
    count=4, class_max_tier={"A": 4, "B": 3, "C": 2, "W": 1}, new_retailer_tier=2
)


# Set-up ---------------------------------------------------------------------------------


def add_sales(retailer, *, cartons: int, amount: int, products: int, premium: int) -> None:
    """The same monthly sales in Q2 and Q3 2026 (so the retailer is not new in Q3)."""
    RetailerMonthlySales.objects.bulk_create(
        RetailerMonthlySales(
            retailer=retailer,
            month=month,
            cartons=cartons,
            amount=Decimal(amount),
            product_count=products,
            premium_cartons=premium,
            order_count=4,
        )
        for month in Q2_MONTHS + Q3_MONTHS
    )


def make_policy(actor, *, name: str = "默认分级政策", tiers: TierSettings = FOUR_TIERS):
    data = EnginePolicy(name=name, tiers=tiers).to_dict()
    return services.grading_policy_save(name=name, data=data, actor=actor, note="初版")


def make_period(actor, code: str = "2026Q3") -> GradingPeriod:
    return services.grading_period_create(
        code=code, name="2026年第三季度", start_date=dt.date(2026, 7, 1),
        end_date=dt.date(2026, 9, 30), actor=actor,
    )  # fmt: skip


@pytest.fixture
def shops(territory_a, territory_b):
    """Three established retailers: big and middle in territory A, small in B."""
    big = RetailerFactory(territory=territory_a, shop_name="城关大店", phone="13811112222")
    middle = RetailerFactory(territory=territory_a, shop_name="城关中店")
    small = RetailerFactory(territory=territory_b, shop_name="乡镇小店")
    add_sales(big, cartons=120, amount=30000, products=50, premium=30)
    add_sales(middle, cartons=60, amount=15000, products=25, premium=15)
    add_sales(small, cartons=30, amount=10000, products=10, premium=0)
    return big, middle, small


@pytest.fixture
def setup(marketing_manager, shops):
    """A Q3 period, a four-tier policy and a deduction that makes the small shop class B."""
    period = make_period(marketing_manager)
    policy = make_policy(marketing_manager)
    DeductionFactory(
        retailer=shops[2], period=period, item_code="address_change",
        item_label="擅自变更经营地址", points=Decimal("12"), reason="搬到隔壁未报备",
    )  # fmt: skip
    return period, policy


def start_run(client, period, policy) -> GradingRun:
    response = client.post(reverse("grading-run-start"), {"period": period.pk, "policy": policy.pk})
    run = GradingRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("grading-run-detail", args=[run.pk])
    return run


def form_data(form) -> dict[str, Any]:
    """What a browser posts for an unbound form as rendered."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    return data


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# Permissions ----------------------------------------------------------------------------


@pytest.fixture
def some_of_everything(marketing_manager):
    policy = GradingPolicyFactory()
    period = GradingPeriodFactory()
    run = GradingRunFactory(period=period, policy=policy, status=RunStatus.DRY_RUN)
    grade = RetailerGradeFactory(run=run)
    appeal = AppealFactory(grade=grade)
    return policy, period, run, appeal


def management_urls(policy, period, run, appeal) -> list[tuple[str, str]]:
    return [
        ("get", reverse("grading-home")),
        ("get", reverse("grading-policy-list")),
        ("get", reverse("grading-policy-create")),
        ("post", reverse("grading-policy-create")),
        ("get", reverse("grading-policy-detail", args=[policy.pk])),
        ("get", reverse("grading-policy-edit", args=[policy.pk])),
        ("post", reverse("grading-policy-edit", args=[policy.pk])),
        ("get", reverse("grading-policy-export", args=[policy.pk])),
        ("get", reverse("grading-policy-import")),
        ("post", reverse("grading-policy-import")),
        ("get", reverse("grading-period-list")),
        ("get", reverse("grading-period-create")),
        ("post", reverse("grading-period-create")),
        ("get", reverse("grading-run-list")),
        ("get", reverse("grading-run-start")),
        ("post", reverse("grading-run-start")),
        ("get", reverse("grading-run-detail", args=[run.pk])),
        ("post", reverse("grading-run-publish", args=[run.pk])),
        ("post", reverse("grading-run-discard", args=[run.pk])),
        ("get", reverse("grading-run-grades", args=[run.pk])),
        ("get", reverse("grading-run-export", args=[run.pk])),
        ("get", reverse("grading-appeal-list")),
        ("get", reverse("grading-appeal-review", args=[appeal.pk])),
        ("post", reverse("grading-appeal-review", args=[appeal.pk])),
    ]


@pytest.mark.parametrize("role", [Role.CUSTOMER_MANAGER, Role.INSPECTOR, Role.ORDER_TAKER])
def test_every_management_screen_is_403_for_other_roles(client, role, some_of_everything):
    policy, period, run, appeal = some_of_everything
    client.force_login(UserFactory(username=f"someone-{role}", role=role))

    for method, url in management_urls(*some_of_everything):
        response = getattr(client, method)(url, {"period": period.pk, "policy": policy.pk})
        assert response.status_code == 403, (method, url)

    run.refresh_from_db()
    appeal.refresh_from_db()
    assert run.status == RunStatus.DRY_RUN
    assert appeal.status == AppealStatus.OPEN
    assert GradingRun.objects.count() == 1
    assert GradingPolicy.objects.count() == 1


def test_anonymous_users_are_sent_to_login(client, some_of_everything):
    for method, url in management_urls(*some_of_everything):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response.url.startswith(reverse("login"))


def test_marketing_manager_opens_every_screen(client, marketing_manager, some_of_everything):
    client.force_login(marketing_manager)

    for method, url in management_urls(*some_of_everything):
        if method == "get":
            assert client.get(url).status_code == 200, url


# Policies ------------------------------------------------------------------------------


def test_first_policy_from_the_engine_defaults(client, marketing_manager):
    client.force_login(marketing_manager)
    assert "还没有分级政策" in client.get(reverse("grading-home")).text

    response = client.post(reverse("grading-policy-create"), {"name": "2026年分级政策"})

    policy = GradingPolicy.objects.get()
    assert response.url == reverse("grading-policy-detail", args=[policy.pk])
    assert (policy.name, policy.version, policy.created_by) == (
        "2026年分级政策", 1, marketing_manager,
    )  # fmt: skip
    assert policy.data == EnginePolicy(name="2026年分级政策").to_dict()
    page = client.get(response.url).text
    for text in ("卷烟销量", "卷烟销售额", "订购规格数", "二类及以上卷烟销量", "共 30 档"):
        assert text in page
    # The same name again is refused: a change is a new version made on the policy's page.
    again = client.post(reverse("grading-policy-create"), {"name": "2026年分级政策"})
    assert "已有同名政策" in again.text
    assert GradingPolicy.objects.count() == 1


def test_policy_detail_renders_the_version_in_chinese(client, marketing_manager):
    policy = make_policy(marketing_manager)
    client.force_login(marketing_manager)

    page = client.get(reverse("grading-policy-detail", args=[policy.pk])).text

    for text in (
        "未明码标价",  # a deduction item
        "销售假冒卷烟",
        "≥ 91",  # class A threshold
        "相对最高值",  # the scoring method
        "共 4 档",
        "新办零售户：第 2 档",
        "前 20%",
    ):
        assert text in page, text


def test_policy_edit_saves_a_new_version_and_keeps_the_old(client, marketing_manager):
    first = make_policy(marketing_manager)
    client.force_login(marketing_manager)
    form = client.get(reverse("grading-policy-edit", args=[first.pk])).context["form"]
    data = form_data(form)
    data.update(note="A 类门槛提高到 92，改为 6 档", class_a_min="92", tier_count="6")
    points_field = next(f for f in form.fields if f.endswith("_max_points"))
    data[points_field] = "40"

    response = client.post(reverse("grading-policy-edit", args=[first.pk]), data)

    second = GradingPolicy.objects.get(version=2)
    assert response.status_code == 302
    assert response.url == reverse("grading-policy-detail", args=[second.pk])
    assert second.name == first.name
    assert second.note == "A 类门槛提高到 92，改为 6 档"
    assert second.data["compliance"]["class_a_min"] == 92
    assert second.data["business"]["indicators"][0]["max_points"] == 40
    tiers = second.data["tiers"]
    assert tiers["count"] == 6
    # Caps and the new-retailer tier were not touched: the defaults for six tiers.
    assert tiers["class_max_tier"] == {"A": 6, "B": 5, "C": 4, "W": 2}
    assert tiers["new_retailer_tier"] == 2
    first.refresh_from_db()
    assert first.data == EnginePolicy(name=first.name, tiers=FOUR_TIERS).to_dict()


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("class_a_min", "101", "compliance.class_a_min"),
        ("tier_count", "0", "tiers.count"),
        ("cap_B", "9", "tiers.class_max_tier['B']"),
        ("bottom_share", "0.9", "segments.bottom_share"),
    ],
)
def test_policy_edit_shows_a_bad_value_next_to_its_field_and_stores_nothing(
    client, marketing_manager, field, value, path
):
    policy = make_policy(marketing_manager)
    client.force_login(marketing_manager)
    data = form_data(client.get(reverse("grading-policy-edit", args=[policy.pk])).context["form"])
    data.update(note="试一下", **{field: value})

    response = client.post(reverse("grading-policy-edit", args=[policy.pk]), data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert path in errors[field][0]
    # Rendered with its field (label, input, error together).
    group = str(response.context["form"][field].as_field_group())
    assert escape(path) in group
    assert group in response.text
    assert GradingPolicy.objects.count() == 1


def test_policy_edit_opened_before_another_save_is_refused(client, marketing_manager):
    policy = make_policy(marketing_manager)
    client.force_login(marketing_manager)
    data = form_data(client.get(reverse("grading-policy-edit", args=[policy.pk])).context["form"])
    data.update(note="我的修改", class_a_min="93")
    other = dict(policy.data, compliance=dict(policy.data["compliance"], class_c_min=60))
    services.grading_policy_save(name=policy.name, data=other, actor=marketing_manager)

    response = client.post(reverse("grading-policy-edit", args=[policy.pk]), data)

    assert "已有人保存了第 2 版" in response.text
    assert GradingPolicy.objects.count() == 2
    assert GradingPolicy.objects.get(version=2).data["compliance"]["class_c_min"] == 60


def test_policy_edit_reports_bad_advanced_json(client, marketing_manager):
    policy = make_policy(marketing_manager)
    client.force_login(marketing_manager)
    data = form_data(client.get(reverse("grading-policy-edit", args=[policy.pk])).context["form"])
    data["note"] = "改 JSON"

    broken = client.post(
        reverse("grading-policy-edit", args=[policy.pk]), {**data, "advanced_json": "{oops"}
    )
    unknown = json.loads(data["advanced_json"])
    unknown["tiers"]["cuont"] = 5
    typo = client.post(
        reverse("grading-policy-edit", args=[policy.pk]),
        {**data, "advanced_json": json.dumps(unknown)},
    )

    assert "不是有效的 JSON" in broken.context["form"].errors["advanced_json"][0]
    assert "tiers.cuont" in typo.context["form"].errors["advanced_json"][0]
    assert GradingPolicy.objects.count() == 1


def test_policy_edit_applies_the_advanced_json(client, marketing_manager):
    policy = make_policy(marketing_manager)
    client.force_login(marketing_manager)
    data = form_data(client.get(reverse("grading-policy-edit", args=[policy.pk])).context["form"])
    changed = json.loads(data["advanced_json"])
    changed["stars"]["thresholds"] = [50, 60, 70, 80, 90]
    data.update(note="星级门槛下调", advanced_json=json.dumps(changed))

    client.post(reverse("grading-policy-edit", args=[policy.pk]), data)

    assert GradingPolicy.objects.get(version=2).data["stars"]["thresholds"] == [50, 60, 70, 80, 90]


def test_policy_json_export_and_import_round_trip(client, marketing_manager):
    policy = make_policy(marketing_manager)
    client.force_login(marketing_manager)

    exported = client.get(reverse("grading-policy-export", args=[policy.pk]))
    upload = SimpleUploadedFile("policy.json", exported.content, "application/json")
    response = client.post(reverse("grading-policy-import"), {"file": upload, "note": "回导"})

    assert exported["Content-Type"].startswith("application/json")
    assert "attachment" in exported["Content-Disposition"]
    imported = GradingPolicy.objects.get(version=2)
    assert response.url == reverse("grading-policy-detail", args=[imported.pk])
    assert imported.name == policy.name
    assert imported.data == policy.data
    assert imported.note == "回导"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "不是有效的 JSON"),
        (b"\xff\xfe\x00", "UTF-8"),
        (json.dumps({"tiers": {"count": 0}}).encode(), "tiers.count"),
        (json.dumps({"tiers": {"cuont": 5}}).encode(), "tiers.cuont"),
        (b"[1, 2]", "policy"),
    ],
)
def test_policy_import_refuses_a_bad_file_with_a_clear_error(
    client, marketing_manager, content, message
):
    client.force_login(marketing_manager)
    upload = SimpleUploadedFile("policy.json", content, "application/json")

    response = client.post(reverse("grading-policy-import"), {"file": upload, "name": "新政策"})

    assert response.status_code == 200
    assert message in response.context["form"].errors["file"][0]
    assert not GradingPolicy.objects.exists()


def test_policy_list_shows_versions_with_who_and_note(client, marketing_manager):
    first = make_policy(marketing_manager)
    data = dict(first.data, compliance=dict(first.data["compliance"], class_a_min=95))
    services.grading_policy_save(name=first.name, data=data, actor=marketing_manager, note="更严")
    client.force_login(marketing_manager)

    page = client.get(reverse("grading-policy-list")).text

    assert "v1" in page and "v2" in page
    assert "初版" in page and "更严" in page
    assert str(marketing_manager) in page


# Periods --------------------------------------------------------------------------------


def test_period_create_and_list(client, marketing_manager):
    client.force_login(marketing_manager)

    response = client.post(
        reverse("grading-period-create"),
        {"code": "2026q3", "name": "2026年第三季度", "start_date": "2026-07-01",
         "end_date": "2026-09-30"},
    )  # fmt: skip
    duplicate = client.post(
        reverse("grading-period-create"),
        {"code": "2026Q3", "name": "重复", "start_date": "2026-07-01", "end_date": "2026-09-30"},
    )
    backwards = client.post(
        reverse("grading-period-create"),
        {"code": "2026Q4", "name": "倒置", "start_date": "2026-12-31", "end_date": "2026-10-01"},
    )

    assert response.url == reverse("grading-period-list")
    period = GradingPeriod.objects.get()
    assert (period.code, period.start_date) == ("2026Q3", dt.date(2026, 7, 1))
    assert period.history.first().history_user == marketing_manager
    assert "code" in duplicate.context["form"].errors
    assert "end_date" in backwards.context["form"].errors
    assert "2026年第三季度" in client.get(reverse("grading-period-list")).text


# Runs -----------------------------------------------------------------------------------


def test_a_dry_run_shows_its_distribution(client, marketing_manager, setup, shops):
    period, policy = setup
    client.force_login(marketing_manager)

    run = start_run(client, period, policy)
    response = client.get(reverse("grading-run-detail", args=[run.pk]))

    assert run.status == RunStatus.DRY_RUN
    assert RetailerGrade.objects.filter(run=run).count() == 3
    report = response.context["report"]
    assert report["retailers"] == 3
    assert sum(row["count"] for row in report["tiers"]) == 3
    assert {row["key"]: row["count"] for row in report["classes"]} == {
        "A": 2, "B": 1, "C": 0, "W": 0,
    }  # fmt: skip
    assert sum(row["count"] for row in report["segments"]) == 3
    territories = {t["retailer__territory__code"]: t for t in response.context["territories"]}
    assert territories["TA"]["retailers"] == 2
    assert territories["TB"]["class_b"] == 1
    page = response.text
    for text in ("档位分布", "守法类别分布", "客户分群分布", "星级分布", "城关片区", "乡镇片区"):
        assert text in page
    assert 'id="publish-form"' in page and 'id="discard-form"' in page
    assert "还没有更早的发布结果可供对比" in page


def test_publish_locks_the_run_and_a_second_publish_is_refused(client, marketing_manager, setup):
    period, policy = setup
    client.force_login(marketing_manager)
    run = start_run(client, period, policy)

    client.post(reverse("grading-run-publish", args=[run.pk]))
    run.refresh_from_db()
    published_at = run.published_at
    again = client.post(reverse("grading-run-publish", args=[run.pk]), follow=True)
    discard = client.post(reverse("grading-run-discard", args=[run.pk]), follow=True)

    run.refresh_from_db()
    period.refresh_from_db()
    assert run.status == RunStatus.PUBLISHED
    assert run.published_by == marketing_manager
    assert run.published_at == published_at
    assert period.locked
    assert any("只有试算批次可以发布" in m for m in message_texts(again))
    assert any("已发布的批次不能删除" in m for m in message_texts(discard))
    assert RetailerGrade.objects.filter(run=run).count() == 3
    assert 'id="publish-form"' not in again.text


def test_discarding_a_dry_run_deletes_it(client, marketing_manager, setup):
    period, policy = setup
    client.force_login(marketing_manager)
    run = start_run(client, period, policy)

    response = client.post(reverse("grading-run-discard", args=[run.pk]))

    assert response.url == reverse("grading-run-list")
    assert not GradingRun.objects.exists()
    assert not RetailerGrade.objects.exists()


def test_a_second_run_shows_moves_against_the_published_one(
    client, marketing_manager, setup, shops
):
    period, policy = setup
    client.force_login(marketing_manager)
    first = start_run(client, period, policy)
    client.post(reverse("grading-run-publish", args=[first.pk]))
    # The middle shop's sales triple: it passes the big one in the next run.
    RetailerMonthlySales.objects.filter(retailer=shops[1]).update(cartons=360, amount=90000)

    second = services.grading_run_start(period=period, policy=policy, actor=marketing_manager)
    response = client.get(reverse("grading-run-detail", args=[second.pk]))

    movements = response.context["movements"]
    assert movements["previous_run"] == first.pk
    assert movements["up"] + movements["down"] + movements["same"] == 3
    before = {g.retailer_id: g.tier for g in first.grades.all()}
    after = {g.retailer_id: g.tier for g in second.grades.all()}
    ups = [m.retailer_id for m in response.context["ups"]]
    downs = [m.retailer_id for m in response.context["downs"]]
    assert ups == [rid for rid in after if after[rid] > before[rid]]
    assert downs == [rid for rid in after if after[rid] < before[rid]]
    assert f"对比批次 #{first.pk}" in response.text


def _raise_after(real):
    def broken(*args, **kwargs):
        real(*args, **kwargs)
        raise ValueError("模拟：计算中途出错")

    return broken


@pytest.mark.parametrize("where", ["engine", "store"])
def test_a_failing_run_stores_nothing(client, marketing_manager, setup, monkeypatch, where):
    period, policy = setup
    if where == "engine":  # the engine computes, then fails
        monkeypatch.setattr(services, "grade", _raise_after(services.grade))
    else:  # the grades are written, then the run fails
        monkeypatch.setattr(adapters, "store_results", _raise_after(adapters.store_results))
    client.force_login(marketing_manager)

    response = client.post(reverse("grading-run-start"), {"period": period.pk, "policy": policy.pk})

    assert response.status_code == 200
    assert "试算失败，未保存任何结果" in response.text
    assert "模拟：计算中途出错" in response.text
    assert not GradingRun.objects.exists()
    assert not RetailerGrade.objects.exists()


# The grade list -------------------------------------------------------------------------


@pytest.fixture
def published(client, marketing_manager, setup):
    period, policy = setup
    client.force_login(marketing_manager)
    run = start_run(client, period, policy)
    client.post(reverse("grading-run-publish", args=[run.pk]))
    run.refresh_from_db()
    return run


def shop_names(response) -> set[str]:
    return {row.record.retailer.shop_name for row in response.context["table"].page.object_list}


def test_grade_list_filters(client, published, shops, territory_a):
    url = reverse("grading-run-grades", args=[published.pk])
    grades = {g.retailer.shop_name: g for g in published.grades.select_related("retailer")}

    everyone = client.get(url)
    in_a = client.get(url, {"territory": territory_a.pk})
    class_b = client.get(url, {"compliance_class": "B"})
    tier = client.get(url, {"tier": grades["城关大店"].tier})
    segment = client.get(url, {"segment": grades["乡镇小店"].segment})

    assert shop_names(everyone) == {"城关大店", "城关中店", "乡镇小店"}
    assert shop_names(in_a) == {"城关大店", "城关中店"}
    assert shop_names(class_b) == {"乡镇小店"}
    assert "城关大店" in shop_names(tier)
    assert all(grades[n].tier == grades["城关大店"].tier for n in shop_names(tier))
    assert "乡镇小店" in shop_names(segment)
    page = everyone.text
    assert f'href="{shops[0].get_absolute_url()}"' in page
    assert "1381****" not in page  # no phone column on screen; license masked
    assert shops[0].license_no not in page


def test_grade_list_query_count_does_not_grow_with_rows(
    client, marketing_manager, territory_a, territory_b, django_assert_num_queries
):
    """Session, user, run, count, page of grades (retailer, territory and adjusted tier in
    the same query), territory options; a territory filter adds its lookup."""
    client.force_login(marketing_manager)
    period = make_period(marketing_manager)
    policy = make_policy(marketing_manager)
    made = 0

    for count in (3, 60):
        for k in range(made, count):
            shop = RetailerFactory(territory=territory_a if k % 2 else territory_b)
            add_sales(shop, cartons=10 + k, amount=2000 + 100 * k, products=5, premium=k % 7)
        made = count
        run = services.grading_run_start(period=period, policy=policy, actor=marketing_manager)
        url = reverse("grading-run-grades", args=[run.pk])

        with django_assert_num_queries(6):
            plain = client.get(url, {"sort": "-final_score"})
        with django_assert_num_queries(7):
            filtered = client.get(url, {"territory": territory_a.pk, "page": 1})

        assert len(plain.context["table"].page.object_list) == min(count, 50)
        assert len(filtered.context["table"].page.object_list) == min(count // 2, 50)


def test_export_holds_only_the_filtered_rows_masked(client, published, shops, territory_a):
    response = client.get(
        reverse("grading-run-export", args=[published.pk]), {"territory": territory_a.pk}
    )

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:4] == ("许可证号", "店铺名称", "户主", "电话")
    assert {row[1] for row in body} == {"城关大店", "城关中店"}
    big = next(row for row in body if row[1] == "城关大店")
    # Marketing managers see phone and license masked, as on screen.
    assert big[3] == "138****2222"
    assert big[0] != shops[0].license_no and big[0].startswith(shops[0].license_no[:4])


def test_export_of_invalid_filters_is_empty(client, published):
    response = client.get(reverse("grading-run-export", args=[published.pk]), {"tier": "x"})

    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows())
    assert len(rows) == 1  # the header only


# Appeals --------------------------------------------------------------------------------


def test_accepting_an_appeal_adjusts_the_tier_shown_in_the_list(
    client, marketing_manager, manager_a, published, shops
):
    grade = published.grades.get(retailer=shops[1])
    new_tier = grade.tier + 1 if grade.tier < 4 else grade.tier - 1
    appeal = services.appeal_raise(
        grade=grade, reason="本季度新增两个规格，销量明显高于同档", actor=manager_a,
        requested_tier=new_tier,
    )  # fmt: skip
    review = reverse("grading-appeal-review", args=[appeal.pk])

    page = client.get(review)
    no_note = client.post(review, {"decision": "accept", "new_tier": new_tier, "note": " "})
    response = client.post(review, {"decision": "accept", "new_tier": "", "note": "核实属实"})

    assert page.status_code == 200
    assert page.context["explanation"] is not None
    assert "卷烟销量" in page.text  # the grade's explanation, for context
    assert "note" in no_note.context["form"].errors
    assert response.url == reverse("grading-appeal-list")
    adjustment = GradeAdjustment.objects.get()
    assert (adjustment.grade, adjustment.appeal) == (grade, appeal)
    assert (adjustment.old_tier, adjustment.new_tier) == (grade.tier, new_tier)
    assert (adjustment.made_by, adjustment.reason) == (marketing_manager, "核实属实")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ACCEPTED
    assert appeal.reviewed_by == marketing_manager

    grades = client.get(reverse("grading-run-grades", args=[published.pk]))
    row = next(r for r in grades.context["table"].page.object_list if r.record.pk == grade.pk)
    assert row.record.adjusted_tier == new_tier
    assert row.record.effective_tier == new_tier
    assert 'class="adjusted"' in grades.text
    by_tier = client.get(reverse("grading-run-grades", args=[published.pk]), {"tier": new_tier})
    assert "城关中店" in shop_names(by_tier)
    # The run's grade row itself is unchanged.
    grade.refresh_from_db()
    assert grade.tier == adjustment.old_tier


def test_rejecting_an_appeal_needs_a_note_and_adjusts_nothing(
    client, marketing_manager, manager_a, published, shops
):
    grade = published.grades.get(retailer=shops[0])
    appeal = services.appeal_raise(grade=grade, reason="请复核", actor=manager_a)
    review = reverse("grading-appeal-review", args=[appeal.pk])

    client.post(review, {"decision": "reject", "note": "按政策计算无误"})
    again = client.post(review, {"decision": "accept", "new_tier": 1, "note": "改主意"})

    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REJECTED
    assert appeal.review_note == "按政策计算无误"
    assert not GradeAdjustment.objects.exists()
    assert "这个复核申请已处理" in again.text


def test_accepting_without_any_tier_is_refused(client, marketing_manager, manager_a, published):
    grade = published.grades.first()
    appeal = services.appeal_raise(grade=grade, reason="请复核", actor=manager_a)

    response = client.post(
        reverse("grading-appeal-review", args=[appeal.pk]),
        {"decision": "accept", "new_tier": "", "note": "同意"},
    )
    too_high = client.post(
        reverse("grading-appeal-review", args=[appeal.pk]),
        {"decision": "accept", "new_tier": 99, "note": "同意"},
    )

    assert "new_tier" in response.context["form"].errors
    assert "1 到 4" in too_high.context["form"].errors["new_tier"][0]
    assert not GradeAdjustment.objects.exists()


def test_appeal_list_shows_open_appeals_first(client, marketing_manager):
    decided = AppealFactory(status=AppealStatus.REJECTED, review_note="无误")
    open_one = AppealFactory()
    older_open = AppealFactory()
    Appeal.objects.filter(pk=older_open.pk).update(raised_at=decided.raised_at)
    client.force_login(marketing_manager)

    response = client.get(reverse("grading-appeal-list"))

    order = [a.pk for a in response.context["appeals"]]
    assert order.index(decided.pk) == 2
    assert set(order[:2]) == {open_one.pk, older_open.pk}
    home = client.get(reverse("grading-home"))
    assert home.context["open_appeals"] == 2
