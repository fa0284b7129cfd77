"""ORM ⇄ engine: the arrays `load_inputs` builds from the database, and what `store_results`
writes back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from tobacco_crm.core.tests.factories import RetailerFactory
from tobacco_crm.engines.grading import BusinessSettings, Indicator, TierSettings, grade
from tobacco_crm.engines.grading import GradingPolicy as EnginePolicy
from tobacco_crm.grading import adapters, services
from tobacco_crm.grading.models import GradingRun, RetailerGrade
from tobacco_crm.orders.models import RetailerMonthlySales
from tobacco_crm.retailers.choices import RetailerStatus

pytestmark = pytest.mark.django_db

Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
# Every indicator the adapter computes, and one a customer manager enters.
INDICATORS = tuple(
    Indicator(key, key, 10.0)
    for key in (
        "cartons", "amount", "premium_cartons", "amount_per_carton", "product_count", "growth",
        "order_regularity", "e_settlement", "cooperation",
    )
)  # fmt: skip
ENGINE_POLICY = EnginePolicy(
    business=BusinessSettings(indicators=INDICATORS), tiers=TierSettings(count=4)
)


def month(year: int, number: int) -> dt.date:
    return dt.date(year, number, 1)


def sale(retailer, when, cartons, amount="0", products=0, premium=0, orders=0):
    return RetailerMonthlySales.objects.create(
        retailer=retailer, month=when, cartons=cartons, amount=Decimal(amount),
        product_count=products, premium_cartons=premium, order_count=orders,
    )  # fmt: skip


@pytest.fixture
def period(marketing_manager):
    return services.grading_period_create(
        code="2026Q3", name="2026 年三季度", start_date=Q3[0], end_date=Q3[1],
        actor=marketing_manager,
    )  # fmt: skip


@pytest.fixture
def policy(marketing_manager):
    return services.grading_policy_save(
        name="全指标", data=ENGINE_POLICY.to_dict(), actor=marketing_manager
    )


def load(period):
    return adapters.load_inputs(period=period, policy=ENGINE_POLICY).inputs


def test_indicators_from_the_monthly_sales(territory_a, period):
    shop = RetailerFactory(territory=territory_a, e_settlement=True)
    sale(shop, month(2026, 4), 50)  # the previous quarter: 50 + 50 cartons
    sale(shop, month(2026, 6), 50)
    sale(shop, month(2026, 7), 100, "20000.00", products=12, premium=30, orders=5)
    sale(shop, month(2026, 9), 50, "5000.50", products=6, premium=0, orders=4)
    sale(shop, month(2026, 10), 999, "1", 1, 1, 1)  # after the period: ignored

    inputs = load(period)

    values = {key: array[0] for key, array in inputs.indicators.items()}
    assert inputs.retailer_ids.tolist() == [shop.pk]
    assert values["cartons"] == 150
    assert values["amount"] == pytest.approx(25000.50)
    assert values["premium_cartons"] == 30
    assert values["amount_per_carton"] == pytest.approx(25000.50 / 150)
    assert values["product_count"] == pytest.approx((12 + 0 + 6) / 3)  # August: none bought
    assert values["growth"] == pytest.approx(150 / 100 - 1)
    assert values["order_regularity"] == pytest.approx(9 / (92 / 7))
    assert values["e_settlement"] == 1.0
    assert np.isnan(values["cooperation"])  # not entered
    assert inputs.is_new.tolist() == [False]
    # 13 months of cartons, oldest first: 2025-09 .. 2026-09.
    assert inputs.monthly_sales.shape == (1, 13)
    assert inputs.monthly_sales[0].tolist() == [0] * 7 + [50, 0, 50, 100, 0, 50]


def test_missing_sales_give_nan_ratios_and_regularity_is_capped(territory_a, period):
    idle = RetailerFactory(territory=territory_a)
    busy = RetailerFactory(territory=territory_a)
    sale(busy, month(2026, 8), 10, "100", orders=40)

    inputs = load(period)

    by_id = {rid: i for i, rid in enumerate(inputs.retailer_ids.tolist())}
    ind = inputs.indicators
    assert np.isnan(ind["amount_per_carton"][by_id[idle.pk]])
    assert np.isnan(ind["growth"][by_id[idle.pk]])  # nothing the quarter before
    assert np.isnan(ind["growth"][by_id[busy.pk]])
    assert ind["order_regularity"][by_id[busy.pk]] == 1.0
    assert ind["cartons"][by_id[idle.pk]] == 0.0
    assert inputs.is_new.tolist() == [True, True]


def test_cancelled_retailers_are_not_graded(territory_a, period):
    kept = RetailerFactory(territory=territory_a, status=RetailerStatus.SUSPENDED)
    gone = RetailerFactory(territory=territory_a, status=RetailerStatus.CANCELLED)
    sale(gone, month(2026, 7), 10)

    inputs = load(period)

    assert inputs.retailer_ids.tolist() == [kept.pk]
    assert inputs.indicators["cartons"].tolist() == [0.0]


def test_new_means_no_sales_before_the_period(territory_a, period):
    old = RetailerFactory(territory=territory_a)
    sale(old, month(2024, 1), 3)  # long before the 13 months of history
    zero = RetailerFactory(territory=territory_a)
    sale(zero, month(2026, 5), 0)  # a row without cartons is no sale
    new = RetailerFactory(territory=territory_a)
    sale(new, month(2026, 7), 40)

    inputs = load(period)

    assert dict(zip(inputs.retailer_ids.tolist(), inputs.is_new.tolist(), strict=True)) == {
        old.pk: False,
        zero.pk: True,
        new.pk: True,
    }


def test_manual_indicators_of_the_period_only(marketing_manager, manager_a, territory_a, period):
    first, second = RetailerFactory.create_batch(2, territory=territory_a)
    other = services.grading_period_create(
        code="2026Q2", name="二季度", start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2026, 6, 30), actor=marketing_manager,
    )  # fmt: skip
    services.manual_indicator_set(
        retailer=first, period=period, key="cooperation", value=7, actor=manager_a
    )
    services.manual_indicator_set(
        retailer=second, period=other, key="cooperation", value=9, actor=manager_a
    )
    services.manual_indicator_set(
        retailer=second, period=period, key="manager_score", value=88, actor=manager_a
    )

    inputs = load(period)

    cooperation = inputs.indicators["cooperation"]
    assert cooperation[0] == 7 and np.isnan(cooperation[1])
    assert np.isnan(inputs.manager_scores[0]) and inputs.manager_scores[1] == 88


def test_deductions_in_force(inspector, territory_a, policy, period):
    territory_a.inspectors.add(inspector)
    first, second = RetailerFactory.create_batch(2, territory=territory_a)

    def record(retailer, item, points):
        return services.deduction_record(
            retailer=retailer, period=period, policy=policy, item_code=item,
            points=Decimal(points), reason="检查", occurred_on=dt.date(2026, 7, 2),
            actor=inspector,
        )  # fmt: skip

    kept = record(second, "price_tag", 2)
    replaced = record(first, "address_change", 5)
    correction = services.deduction_correct(
        deduction=replaced, points=Decimal(3), reason="复查", actor=inspector
    )
    cancelled = record(first, "counterfeit", 20)
    services.deduction_correct(
        deduction=cancelled, points=Decimal(0), reason="误录", actor=inspector
    )
    cleared = record(second, "smuggled", 20)
    cleared_now = services.deduction_correct(
        deduction=cleared, points=Decimal(20), reason="已处理", actor=inspector, cleared=True
    )

    inputs = load(period)

    assert inputs.deduction_ids.tolist() == [kept.pk, correction.pk, cleared_now.pk]
    assert inputs.deduction_retailer.tolist() == [1, 0, 1]  # positions, not ids
    assert inputs.deduction_item.tolist() == ["price_tag", "address_change", "smuggled"]
    assert inputs.deduction_points.tolist() == [2.0, 3.0, 20.0]
    assert inputs.deduction_cleared.tolist() == [False, False, True]
    result = grade(inputs, ENGINE_POLICY)
    assert result.compliance_points.tolist() == [97.0, 78.0]
    assert result.supply_stopped.tolist() == [False, False]


def test_previous_tiers_of_the_last_published_earlier_run(
    marketing_manager, territory_a, policy, period
):
    shops = RetailerFactory.create_batch(3, territory=territory_a)
    earlier = []
    for code, start, end in (
        ("2026Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        ("2026Q2", dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
    ):
        earlier.append(
            services.grading_period_create(
                code=code, name=code, start_date=start, end_date=end, actor=marketing_manager
            )
        )
    runs = {}
    for p, tiers in ((earlier[0], [1, 2, 3]), (earlier[1], [4, 3, 2])):
        run = GradingRun.objects.create(period=p, policy=policy, created_by=marketing_manager)
        for shop, tier in zip(shops, tiers, strict=True):
            RetailerGrade.objects.create(
                run=run, retailer=shop, compliance_points=100, compliance_class="A",
                business_score=1, final_score=1, rank=1, tier=tier, segment="stable",
            )  # fmt: skip
        runs[p.code] = run
    services.grading_run_publish(run=runs["2026Q1"], actor=marketing_manager)
    dry_only = load(period).previous_tier.tolist()
    services.grading_run_publish(run=runs["2026Q2"], actor=marketing_manager)

    assert dry_only == [1, 2, 3]  # the Q2 run wasn't published yet
    assert load(period).previous_tier.tolist() == [4, 3, 2]
    # A published run of the same (or a later) period is no "previous" tier.
    q3_run = services.grading_run_start(period=period, policy=policy, actor=marketing_manager)
    services.grading_run_publish(run=q3_run, actor=marketing_manager)
    assert load(period).previous_tier.tolist() == [4, 3, 2]


def test_store_results_writes_one_grade_per_retailer_in_batches(
    monkeypatch, marketing_manager, territory_a, policy, period
):
    shops = RetailerFactory.create_batch(5, territory=territory_a)
    for k, shop in enumerate(shops):
        sale(shop, month(2026, 7), 10 * (k + 1), f"{1000 * (k + 1)}", products=k + 1, orders=2)
    loaded = adapters.load_inputs(period=period, policy=ENGINE_POLICY)
    result = grade(loaded.inputs, ENGINE_POLICY)
    run = GradingRun.objects.create(period=period, policy=policy, created_by=marketing_manager)
    monkeypatch.setattr(adapters, "STORE_BATCH", 2)

    written = adapters.store_results(run=run, result=result)

    run.refresh_from_db()
    assert written == 5 == run.retailer_count == run.grades.count()
    assert run.summary == result.summary()
    assert run.context == result.context()
    stored = {g.retailer_id: g for g in run.grades.all()}
    for i, rid in enumerate(result.retailer_ids.tolist()):
        g = stored[rid]
        assert g.row == result.row(i)
        assert g.tier == result.tier[i] and g.rank == result.rank[i]
        assert g.final_score == pytest.approx(result.final_score[i])
        assert g.compliance_class == result.compliance_class[i]
        assert g.segment == result.segment[i]
        assert g.stars == result.stars[i] and g.super_five == result.super_five[i]
