"""Grading write services: policy versions, deductions, manual indicators, runs end to end
(the grades are the engine's on the same arrays), publishing, appeals; and the scoped reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from tobacco_crm.core.tests.factories import RetailerFactory
from tobacco_crm.engines.grading import (
    PUBLISHED_35_55_10,
    BusinessSettings,
    GradingInputs,
    Indicator,
    TierSettings,
    grade,
)
from tobacco_crm.engines.grading import GradingPolicy as EnginePolicy
from tobacco_crm.grading import adapters, selectors, services
from tobacco_crm.grading.choices import AppealStatus, RunStatus
from tobacco_crm.grading.models import (
    Deduction,
    GradeAdjustment,
    GradingPeriod,
    GradingPolicy,
    GradingRun,
    RetailerGrade,
)
from tobacco_crm.orders.models import RetailerMonthlySales

pytestmark = pytest.mark.django_db

Q2 = (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
Q2_MONTHS = [dt.date(2026, m, 1) for m in (4, 5, 6)]
Q3_MONTHS = [dt.date(2026, m, 1) for m in (7, 8, 9)]
# Four tiers keep the hand-worked cases readable; class caps A 4, B 3, C 2, W 1.
FOUR_TIERS = TierSettings(
    count=4, class_max_tier={"A": 4, "B": 3, "C": 2, "W": 1}, new_retailer_tier=2
)


def make_policy(actor, *, name="默认政策", **settings) -> GradingPolicy:
    settings.setdefault("tiers", FOUR_TIERS)
    data = EnginePolicy(**settings).to_dict()
    return services.grading_policy_save(name=name, data=data, actor=actor)


def make_period(actor, code="2026Q3", dates=Q3) -> GradingPeriod:
    return services.grading_period_create(
        code=code, name=f"{code} 评定", start_date=dates[0], end_date=dates[1], actor=actor
    )


def add_sales(retailer, months, *, cartons, amount, products, premium, orders=4) -> None:
    RetailerMonthlySales.objects.bulk_create(
        RetailerMonthlySales(
            retailer=retailer,
            month=month,
            cartons=cartons,
            amount=Decimal(amount),
            product_count=products,
            premium_cartons=premium,
            order_count=orders,
        )
        for month in months
    )


@pytest.fixture
def three_shops(territory_a, territory_b):
    """Three established retailers (sales in Q2 and Q3), the 35/55/10 case worked by hand.

    a month:  cartons amount products premium | Q3 points: 35·c/360 55·a/90000 5·p/50 5·q/90
    big          120  30000       50      30  |            35       55         5      5    = 100
    middle        60  15000       25      15  |            17.5     27.5       2.5    2.5  = 50
    small         30  10000       10       0  |            8.75     18.3333    1      0    = 28.0833
    """
    big = RetailerFactory(territory=territory_a, shop_name="大店")
    middle = RetailerFactory(territory=territory_a, shop_name="中店")
    small = RetailerFactory(territory=territory_b, shop_name="小店")
    for shop, values in (
        (big, (120, 30000, 50, 30)),
        (middle, (60, 15000, 25, 15)),
        (small, (30, 10000, 10, 0)),
    ):
        cartons, amount, products, premium = values
        add_sales(
            shop,
            Q2_MONTHS + Q3_MONTHS,
            cartons=cartons,
            amount=amount,
            products=products,
            premium=premium,
        )
    return big, middle, small


def grades_by_shop(run: GradingRun) -> dict[int, RetailerGrade]:
    return {g.retailer_id: g for g in run.grades.all()}


# Policies ------------------------------------------------------------------------------


def test_policy_versions_increment_and_old_versions_stay(marketing_manager):
    first = make_policy(marketing_manager)
    data = EnginePolicy(tiers=TierSettings(count=10)).to_dict()
    second = services.grading_policy_save(
        name="默认政策", data=data, actor=marketing_manager, note="十档"
    )

    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    assert first.data["tiers"]["count"] == 4
    assert second.data["tiers"]["count"] == 10
    assert EnginePolicy.from_dict(second.data) == EnginePolicy(tiers=TierSettings(count=10))
    other = make_policy(marketing_manager, name="试行政策")
    assert other.version == 1


def test_policy_save_fills_defaults_through_the_engine(marketing_manager):
    policy = services.grading_policy_save(name="p", data={}, actor=marketing_manager)

    assert policy.data == EnginePolicy().to_dict()


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"tiers": {"count": 0}}, "tiers.count"),
        ({"tiers": {"count": 30, "class_max_tier": {"B": 31}}}, "tiers.class_max_tier['B']"),
        ({"compliance": {"class_b_min": 95}}, "compliance.class_b_min"),
        ({"tierz": {}}, "tierz"),
    ],
)
def test_policy_save_refuses_bad_data_naming_the_field(marketing_manager, data, path):
    with pytest.raises(ValidationError) as error:
        services.grading_policy_save(name="p", data=data, actor=marketing_manager)

    assert list(error.value.message_dict) == ["data"]
    assert path in error.value.message_dict["data"][0]
    assert GradingPolicy.objects.count() == 0


def test_only_grading_managers_save_policies(manager_a, inspector):
    for user in (manager_a, inspector):
        with pytest.raises(PermissionDenied):
            services.grading_policy_save(name="p", data={}, actor=user)


# Deductions ----------------------------------------------------------------------------


@pytest.fixture
def graded_setup(marketing_manager, three_shops):
    return make_policy(marketing_manager), make_period(marketing_manager)


def record(inspector, retailer, period, policy, item="price_tag", points=None, **extra):
    return services.deduction_record(
        retailer=retailer,
        period=period,
        policy=policy,
        item_code=item,
        points=None if points is None else Decimal(points),
        reason=extra.pop("reason", "检查发现"),
        occurred_on=extra.pop("occurred_on", dt.date(2026, 7, 15)),
        actor=inspector,
        **extra,
    )


def test_inspector_records_a_deduction_with_history(inspector, territory_a, graded_setup):
    policy, period = graded_setup
    territory_a.inspectors.add(inspector)
    shop = RetailerFactory(territory=territory_a)

    deduction = record(
        inspector, shop, period, policy, "address_change", note="现场", explained=True
    )

    assert deduction.points == Decimal("5.0")  # the item's default points
    assert deduction.item_label == "擅自变更经营地址"
    assert deduction.explained and deduction.inspector == inspector
    entry = deduction.history.get()
    assert entry.history_user == inspector
    assert entry.history_change_reason == "录入扣分"
    explicit = record(inspector, shop, period, policy, "address_change", points="3.5")
    assert explicit.points == Decimal("3.5")


def test_deduction_permissions(
    inspector, manager_a, marketing_manager, territory_a, territory_b, graded_setup
):
    policy, period = graded_setup
    territory_a.inspectors.add(inspector)
    own = RetailerFactory(territory=territory_a)
    elsewhere = RetailerFactory(territory=territory_b)

    for user in (manager_a, marketing_manager):
        with pytest.raises(PermissionDenied):
            record(user, own, period, policy)
    with pytest.raises(PermissionDenied):
        record(inspector, elsewhere, period, policy)
    assert Deduction.objects.count() == 0


def test_deduction_refuses_unknown_item_bad_points_and_locked_period(
    inspector, territory_a, graded_setup
):
    policy, period = graded_setup
    territory_a.inspectors.add(inspector)
    shop = RetailerFactory(territory=territory_a)

    with pytest.raises(ValidationError) as error:
        record(inspector, shop, period, policy, "no_such_item")
    assert "item_code" in error.value.message_dict
    with pytest.raises(ValidationError):
        record(inspector, shop, period, policy, points="150")
    period.locked = True
    period.save()
    with pytest.raises(ValidationError) as error:
        record(inspector, shop, period, policy)
    assert "period" in error.value.message_dict
    assert Deduction.objects.count() == 0


def test_correction_replaces_the_record_in_the_next_run(
    inspector, marketing_manager, territory_a, three_shops, graded_setup
):
    policy, period = graded_setup
    big, _, _ = three_shops
    territory_a.inspectors.add(inspector)
    original = record(inspector, big, period, policy, "counterfeit")
    before = grades_by_shop(
        services.grading_run_start(period=period, policy=policy, actor=marketing_manager)
    )
    assert before[big.pk].compliance_points == 80.0
    assert before[big.pk].supply_stopped

    period.locked = True  # corrections are allowed in a locked period
    period.save()
    correction = services.deduction_correct(
        deduction=original, points=Decimal(0), reason="复查：系误判", actor=inspector
    )
    after = grades_by_shop(
        services.grading_run_start(period=period, policy=policy, actor=marketing_manager)
    )

    assert correction.corrects == original
    assert correction.history.get().history_change_reason == "更正扣分"
    original.refresh_from_db()
    assert original.points == Decimal("20.0")  # the record itself is never edited
    assert after[big.pk].compliance_points == 100.0
    assert after[big.pk].compliance_class == "A"
    assert not after[big.pk].supply_stopped
    with pytest.raises(ValidationError) as error:
        services.deduction_correct(
            deduction=original, points=Decimal(1), reason="再改", actor=inspector
        )
    assert "deduction" in error.value.message_dict


def test_correction_needs_an_inspector_who_sees_the_retailer(
    inspector, manager_a, territory_a, territory_b, graded_setup
):
    policy, period = graded_setup
    territory_a.inspectors.add(inspector)
    deduction = record(inspector, RetailerFactory(territory=territory_a), period, policy)
    territory_a.inspectors.remove(inspector)

    for user in (inspector, manager_a):
        with pytest.raises(PermissionDenied):
            services.deduction_correct(
                deduction=deduction, points=Decimal(0), reason="x", actor=user
            )
    assert Deduction.objects.count() == 1


# Manual indicators ---------------------------------------------------------------------


def test_manager_enters_indicators_for_his_own_retailers_only(
    manager_a, inspector, territory_a, territory_b, graded_setup
):
    _, period = graded_setup
    own = RetailerFactory(territory=territory_a)
    other = RetailerFactory(territory=territory_b)
    territory_a.inspectors.add(inspector)

    entry = services.manual_indicator_set(
        retailer=own, period=period, key="cooperation", value=6, actor=manager_a
    )
    again = services.manual_indicator_set(
        retailer=own, period=period, key="cooperation", value=8, actor=manager_a
    )

    assert again.pk == entry.pk and again.value == 8
    assert again.history.count() == 2
    with pytest.raises(PermissionDenied):
        services.manual_indicator_set(
            retailer=other, period=period, key="cooperation", value=1, actor=manager_a
        )
    with pytest.raises(PermissionDenied):
        services.manual_indicator_set(
            retailer=own, period=period, key="cooperation", value=1, actor=inspector
        )
    period.locked = True
    period.save()
    with pytest.raises(ValidationError) as error:
        services.manual_indicator_set(
            retailer=own, period=period, key="cooperation", value=1, actor=manager_a
        )
    assert "period" in error.value.message_dict


# Runs ----------------------------------------------------------------------------------


def engine_grades(shops, policy: GradingPolicy, indicators, **extra):
    """What the engine computes on the arrays the adapter should have built for `shops`
    (sales in Q2 and Q3 only: a 13-month history from 2025-09 to 2026-09)."""
    monthly = np.zeros((len(shops), 13))
    for i, shop in enumerate(shops):
        for sale in shop.monthly_sales.all():
            k = (sale.month.year - 2025) * 12 + sale.month.month - 9
            monthly[i, k] = sale.cartons
    inputs = GradingInputs(
        retailer_ids=[s.pk for s in shops], indicators=indicators, monthly_sales=monthly, **extra
    )
    return grade(inputs, EnginePolicy.from_dict(policy.data))


def test_run_grades_35_55_10_by_hand_and_as_the_engine(
    marketing_manager, manager_a, manager_b, three_shops
):
    big, middle, small = three_shops
    indicators = (*PUBLISHED_35_55_10, Indicator("cooperation", "配合度", 10.0))
    policy = make_policy(marketing_manager, business=BusinessSettings(indicators=indicators))
    period = make_period(marketing_manager)
    for shop, manager, value in ((big, manager_a, 5), (small, manager_b, 10)):
        services.manual_indicator_set(
            retailer=shop, period=period, key="cooperation", value=value, actor=manager
        )

    run = services.grading_run_start(period=period, policy=policy, actor=marketing_manager)

    grades = grades_by_shop(run)
    assert run.status == RunStatus.DRY_RUN
    assert run.retailer_count == 3 == len(grades)
    # 35/55/10 by hand (see three_shops), plus cooperation 5/10·10 and 10/10·10 (middle: none).
    assert grades[big.pk].business_score == pytest.approx(100 + 5)
    assert grades[middle.pk].business_score == pytest.approx(50)
    assert grades[small.pk].business_score == pytest.approx(28.0833 + 10, abs=1e-4)
    assert [grades[s.pk].rank for s in (big, middle, small)] == [1, 2, 3]

    expected = engine_grades(
        [big, middle, small],
        policy,
        {
            "cartons": [360, 180, 90],
            "amount": [90000, 45000, 30000],
            "product_count": [50, 25, 10],
            "premium_cartons": [90, 45, 0],
            "cooperation": [5, np.nan, 10],
        },
        is_new=[False] * 3,
    )
    for i, shop in enumerate((big, middle, small)):
        stored = grades[shop.pk]
        assert stored.final_score == pytest.approx(expected.final_score[i])
        assert stored.tier == expected.tier[i]
        assert stored.compliance_class == expected.compliance_class[i] == "A"
        assert stored.stars == expected.stars[i]
        assert stored.super_five == expected.super_five[i]
        assert stored.segment == expected.segment[i]
        assert stored.previous_tier == 0
        assert stored.row == expected.row(i)
    assert run.summary["tiers"] == expected.summary()["tiers"]
    assert run.context == expected.context()


def test_deductions_lower_compliance_and_class_and_stop_supply(
    inspector, marketing_manager, territory_a, territory_b, three_shops, graded_setup
):
    policy, period = graded_setup
    big, middle, small = three_shops
    territory_a.inspectors.add(inspector)
    territory_b.inspectors.add(inspector)
    record(inspector, middle, period, policy, "address_change")  # 5
    record(inspector, middle, period, policy, "sell_to_minor")  # 10 → 85, class B
    record(inspector, small, period, policy, "counterfeit")  # 20 → 80, class C, stopped
    cleared = record(inspector, big, period, policy, "illegal_channel", points="5")
    services.deduction_correct(  # cleared by the monopoly administration: supply resumes
        deduction=cleared, points=Decimal(5), reason="已处理", actor=inspector, cleared=True
    )

    grades = grades_by_shop(
        services.grading_run_start(period=period, policy=policy, actor=marketing_manager)
    )

    assert (grades[big.pk].compliance_points, grades[big.pk].compliance_class) == (95.0, "A")
    assert not grades[big.pk].supply_stopped  # cleared
    assert (grades[middle.pk].compliance_points, grades[middle.pk].compliance_class) == (85.0, "B")
    assert not grades[middle.pk].supply_stopped
    assert (grades[small.pk].compliance_points, grades[small.pk].compliance_class) == (80.0, "C")
    assert grades[small.pk].supply_stopped
    assert grades[middle.pk].tier <= 3 and grades[small.pk].tier <= 2  # the class caps


def test_new_retailers_are_detected_and_start_at_the_policy_tier(
    marketing_manager, territory_a, three_shops, graded_setup
):
    policy, period = graded_setup
    newcomer = RetailerFactory(territory=territory_a)
    add_sales(newcomer, Q3_MONTHS, cartons=200, amount=50000, products=60, premium=40)
    older = RetailerFactory(territory=territory_a)  # sold long ago, nothing since
    add_sales(older, [dt.date(2025, 1, 1)], cartons=5, amount=500, products=1, premium=0)

    grades = grades_by_shop(
        services.grading_run_start(period=period, policy=policy, actor=marketing_manager)
    )

    assert grades[newcomer.pk].row["new"] is True
    assert grades[newcomer.pk].tier == 2  # new_retailer_tier, rule "fixed"
    assert grades[older.pk].row["new"] is False
    assert all(not grades[s.pk].row["new"] for s in three_shops)


def test_previous_tiers_come_from_the_last_published_earlier_run(marketing_manager, three_shops):
    policy = make_policy(marketing_manager)
    q2 = make_period(marketing_manager, "2026Q2", Q2)
    q3 = make_period(marketing_manager, "2026Q3", Q3)
    q2_run = services.grading_run_start(period=q2, policy=policy, actor=marketing_manager)
    services.grading_run_publish(run=q2_run, actor=marketing_manager)
    unpublished_q3 = services.grading_run_start(period=q3, policy=policy, actor=marketing_manager)

    q3_run = services.grading_run_start(period=q3, policy=policy, actor=marketing_manager)

    before = grades_by_shop(q2_run)
    after = grades_by_shop(q3_run)
    assert {pk: g.previous_tier for pk, g in after.items()} == {
        pk: g.tier for pk, g in before.items()
    }
    assert all(g.previous_tier == 0 for g in before.values())
    assert all(g.row["prev"] == g.previous_tier for g in after.values())
    assert unpublished_q3.grades.count() == 3


def test_a_run_that_fails_half_way_stores_nothing(
    marketing_manager, monkeypatch, three_shops, graded_setup
):
    policy, period = graded_setup
    store = adapters.store_results

    def store_then_fail(**kwargs):
        store(**kwargs)
        assert GradingRun.objects.exists() and RetailerGrade.objects.count() == 3
        raise RuntimeError("disk full")

    monkeypatch.setattr(adapters, "store_results", store_then_fail)

    with pytest.raises(RuntimeError):
        services.grading_run_start(period=period, policy=policy, actor=marketing_manager)

    assert GradingRun.objects.count() == 0
    assert GradingRun.history.count() == 0
    assert RetailerGrade.objects.count() == 0


def test_only_grading_managers_run_and_publish(
    manager_a, inspector, marketing_manager, graded_setup
):
    policy, period = graded_setup
    for user in (manager_a, inspector):
        with pytest.raises(PermissionDenied):
            services.grading_run_start(period=period, policy=policy, actor=user)
    run = services.grading_run_start(period=period, policy=policy, actor=marketing_manager)
    for user in (manager_a, inspector):
        with pytest.raises(PermissionDenied):
            services.grading_run_publish(run=run, actor=user)
        with pytest.raises(PermissionDenied):
            services.grading_run_discard(run=run, actor=user)


# Publishing ----------------------------------------------------------------------------


def test_publish_locks_the_run_and_the_period(marketing_manager, graded_setup):
    policy, period = graded_setup
    run = services.grading_run_start(period=period, policy=policy, actor=marketing_manager)

    published = services.grading_run_publish(run=run, actor=marketing_manager)

    assert published.status == RunStatus.PUBLISHED
    assert published.published_by == marketing_manager and published.published_at
    period.refresh_from_db()
    assert period.locked
    assert period.history.first().history_change_reason == f"发布批次 #{run.pk} 时锁定"
    with pytest.raises(ValidationError) as error:
        services.grading_run_publish(run=run, actor=marketing_manager)
    assert "status" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.grading_run_discard(run=run, actor=marketing_manager)
    assert GradingRun.objects.filter(pk=run.pk, status=RunStatus.PUBLISHED).exists()
    assert run.grades.count() == 3


def test_a_second_published_run_supersedes_the_first_untouched(
    inspector, marketing_manager, territory_a, three_shops, graded_setup
):
    policy, period = graded_setup
    territory_a.inspectors.add(inspector)
    deduction = record(inspector, three_shops[0], period, policy, "counterfeit")
    first = services.grading_run_start(period=period, policy=policy, actor=marketing_manager)
    services.grading_run_publish(run=first, actor=marketing_manager)
    before = list(first.grades.order_by("pk").values())
    # A correction after the lock: the next run takes it, the published one doesn't change.
    services.deduction_correct(
        deduction=deduction, points=Decimal(10), reason="复查", actor=inspector
    )

    second = services.grading_run_start(period=period, policy=policy, actor=marketing_manager)
    services.grading_run_publish(run=second, actor=marketing_manager)

    first.refresh_from_db()
    assert first.status == RunStatus.SUPERSEDED
    assert list(first.grades.order_by("pk").values()) == before
    assert GradingRun.objects.get(status=RunStatus.PUBLISHED) == second
    assert grades_by_shop(second)[three_shops[0].pk].compliance_points == 90.0
    assert selectors.run_in_force(period) == second


def test_the_database_allows_one_published_run_per_period(marketing_manager, graded_setup):
    policy, period = graded_setup
    first = services.grading_run_start(period=period, policy=policy, actor=marketing_manager)
    services.grading_run_publish(run=first, actor=marketing_manager)
    second = services.grading_run_start(period=period, policy=policy, actor=marketing_manager)

    with pytest.raises(IntegrityError), transaction.atomic():
        GradingRun.objects.filter(pk=second.pk).update(status=RunStatus.PUBLISHED)
    other = make_period(marketing_manager, "2026Q2", Q2)
    third = services.grading_run_start(period=other, policy=policy, actor=marketing_manager)
    services.grading_run_publish(run=third, actor=marketing_manager)  # another period: fine
    assert GradingRun.objects.filter(status=RunStatus.PUBLISHED).count() == 2


def test_discard_deletes_a_dry_run_and_its_grades(marketing_manager, graded_setup):
    policy, period = graded_setup
    run = services.grading_run_start(period=period, policy=policy, actor=marketing_manager)

    services.grading_run_discard(run=run, actor=marketing_manager)

    assert not GradingRun.objects.exists()
    assert not RetailerGrade.objects.exists()


# Appeals -------------------------------------------------------------------------------


@pytest.fixture
def published(marketing_manager, graded_setup):
    policy, period = graded_setup
    run = services.grading_run_start(period=period, policy=policy, actor=marketing_manager)
    return services.grading_run_publish(run=run, actor=marketing_manager)


def test_appeal_is_raised_by_the_retailers_manager_on_a_published_grade(
    manager_a, manager_b, marketing_manager, three_shops, graded_setup
):
    policy, period = graded_setup
    big, _, small = three_shops
    dry = services.grading_run_start(period=period, policy=policy, actor=marketing_manager)
    with pytest.raises(ValidationError) as error:
        services.appeal_raise(grade=dry.grades.get(retailer=big), reason="偏低", actor=manager_a)
    assert "grade" in error.value.message_dict
    services.grading_run_publish(run=dry, actor=marketing_manager)
    own = dry.grades.get(retailer=big)

    appeal = services.appeal_raise(
        grade=own, reason="销量统计漏单", actor=manager_a, requested_tier=4
    )

    assert appeal.status == AppealStatus.OPEN and appeal.raised_by == manager_a
    assert appeal.history.get().history_user == manager_a
    with pytest.raises(PermissionDenied):
        services.appeal_raise(grade=own, reason="x", actor=manager_b)
    with pytest.raises(PermissionDenied):
        services.appeal_raise(grade=own, reason="x", actor=marketing_manager)
    with pytest.raises(ValidationError) as error:
        services.appeal_raise(grade=dry.grades.get(retailer=small), reason="  ", actor=manager_b)
    assert "reason" in error.value.message_dict


def test_accepted_appeal_adjusts_the_tier_in_force(
    manager_a, marketing_manager, three_shops, published
):
    own = published.grades.get(retailer=three_shops[1])
    old_tier = own.tier
    new_tier = 1 if old_tier != 1 else 2
    appeal = services.appeal_raise(grade=own, reason="门店装修停业两月", actor=manager_a)

    with pytest.raises(ValidationError) as error:
        services.appeal_review(
            appeal=appeal, accept=True, note="同意", actor=marketing_manager, new_tier=5
        )
    assert "new_tier" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.appeal_review(appeal=appeal, accept=True, note="同意", actor=manager_a, new_tier=1)
    reviewed = services.appeal_review(
        appeal=appeal, accept=True, note="情况属实", actor=marketing_manager, new_tier=new_tier
    )

    assert reviewed.status == AppealStatus.ACCEPTED and reviewed.reviewed_by == marketing_manager
    adjustment = GradeAdjustment.objects.get()
    assert (adjustment.old_tier, adjustment.new_tier) == (old_tier, new_tier)
    assert adjustment.appeal == appeal and adjustment.made_by == marketing_manager
    own.refresh_from_db()
    assert own.tier == old_tier  # the run's row never changes
    assert services.effective_tier(own) == new_tier
    annotated = selectors.grade_with_adjustment(RetailerGrade.objects.filter(pk=own.pk)).get()
    assert annotated.adjusted_tier == new_tier
    with pytest.raises(ValidationError) as error:
        services.appeal_review(appeal=appeal, accept=False, note="再议", actor=marketing_manager)
    assert "status" in error.value.message_dict


def test_rejected_appeal_changes_nothing(manager_a, marketing_manager, three_shops, published):
    own = published.grades.get(retailer=three_shops[0])
    appeal = services.appeal_raise(grade=own, reason="偏低", actor=manager_a, requested_tier=1)

    with pytest.raises(ValidationError) as error:
        services.appeal_review(appeal=appeal, accept=False, note=" ", actor=marketing_manager)
    assert "review_note" in error.value.message_dict
    reviewed = services.appeal_review(
        appeal=appeal, accept=False, note="依据充分，维持原档", actor=marketing_manager
    )

    assert reviewed.status == AppealStatus.REJECTED
    assert not GradeAdjustment.objects.exists()
    assert services.effective_tier(own) == own.tier


# Reads ---------------------------------------------------------------------------------


def test_explanation_lists_each_deduction_with_date_and_reason(
    inspector, marketing_manager, territory_a, three_shops, graded_setup
):
    policy, period = graded_setup
    big = three_shops[0]
    territory_a.inspectors.add(inspector)
    deduction = record(
        inspector,
        big,
        period,
        policy,
        "sell_to_minor",
        reason="向学生售烟",
        occurred_on=dt.date(2026, 8, 3),
        explained=True,
    )
    run = services.grading_run_start(period=period, policy=policy, actor=marketing_manager)

    explanation = selectors.grade_explanation(run.grades.get(retailer=big))

    compliance = explanation["compliance"]
    assert compliance["points"] == 90.0 and compliance["class"] == "B"
    [item] = compliance["deductions"]
    assert item["deduction_id"] == deduction.pk
    assert item["item"] == "sell_to_minor" and item["points"] == 10.0
    assert item["occurred_on"] == "2026-08-03"
    assert item["reason"] == "向学生售烟"
    assert item["inspector"] == str(inspector)
    assert item["explained"] is True
    assert explanation["tier"]["tier"] == run.grades.get(retailer=big).tier


def test_a_manager_sees_only_his_retailers_grades(
    manager_a, manager_b, marketing_manager, inspector, territory_a, three_shops, published
):
    big, middle, small = three_shops
    territory_a.inspectors.add(inspector)

    def visible(user):
        return set(selectors.grades_visible_to(user).values_list("retailer_id", flat=True))

    assert visible(manager_a) == {big.pk, middle.pk}
    assert visible(manager_b) == {small.pk}
    assert visible(inspector) == {big.pk, middle.pk}
    assert visible(marketing_manager) == {big.pk, middle.pk, small.pk}
    assert selectors.grade_current(user=manager_a, retailer_id=small.pk) is None
    assert selectors.grade_current(user=manager_b, retailer_id=small.pk).run == published
