"""The weekly draft: who is due, key targets and their reasons, capacity, the engine's route
order and windows, scoping of writes, and re-optimizing after a move."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tobacco_crm.core.tests.factories import RetailerFactory
from tobacco_crm.grading.choices import Segment
from tobacco_crm.grading.tests.factories import GradingRunFactory, RetailerGradeFactory
from tobacco_crm.needs.tests.factories import NeedFactory
from tobacco_crm.orders.models import RetailerMonthlySales
from tobacco_crm.visits import adapters, services
from tobacco_crm.visits.choices import LeftOutReason, PlanStatus, PurposeKind
from tobacco_crm.visits.models import PlannedVisit, ServiceStandard, VisitPlan

pytestmark = pytest.mark.django_db

WEEK = dt.date(2026, 11, 16)  # a Monday


@pytest.fixture
def office(company):
    company.latitude, company.longitude = Decimal("30.570000"), Decimal("104.060000")
    company.save()
    return company


def shop(territory, i: int, **kwargs):
    """A retailer on a ring around the office (about 1-3 km away)."""
    kwargs.setdefault("latitude", Decimal("30.570000") + Decimal(i % 7 - 3) / 100)
    kwargs.setdefault(
        "longitude", Decimal("104.060000") + Decimal(i % 5 - 2) / 100 + Decimal("0.001")
    )
    return RetailerFactory(territory=territory, **kwargs)


def last_visit(manager, retailer, day: dt.date) -> None:
    plan, _ = VisitPlan.objects.get_or_create(
        manager=manager, week_start=day - dt.timedelta(days=day.weekday())
    )
    PlannedVisit.objects.create(
        plan=plan, retailer=retailer, day=day, visited_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )


def grade(retailer, segment, run):
    RetailerGradeFactory(run=run, retailer=retailer, segment=segment)


def planned(plan) -> set[int]:
    return set(plan.visits.values_list("retailer_id", flat=True))


def test_due_by_segment_interval(manager_a, territory_a, office):
    run = GradingRunFactory()
    top = shop(territory_a, 1)
    stable_due = shop(territory_a, 2)
    stable_not_due = shop(territory_a, 3)
    bottom_not_due = shop(territory_a, 4)
    never = shop(territory_a, 5)
    grade(top, Segment.TOP, run)
    grade(stable_due, Segment.STABLE, run)
    grade(stable_not_due, Segment.STABLE, run)
    grade(bottom_not_due, Segment.BOTTOM, run)
    last_visit(manager_a, top, WEEK - dt.timedelta(days=7))  # weekly: due
    last_visit(manager_a, stable_due, WEEK - dt.timedelta(days=14))  # every 2 weeks: due
    last_visit(manager_a, stable_not_due, WEEK - dt.timedelta(days=5))  # last week: not due
    last_visit(manager_a, bottom_not_due, WEEK - dt.timedelta(days=21))  # every 4: not due

    plan = services.visit_plan_draft(manager=manager_a, week_start=WEEK, actor=manager_a)

    assert planned(plan) == {top.pk, stable_due.pk, never.pk}
    visit = plan.visits.get(retailer=stable_due)
    assert visit.purposes[0]["kind"] == PurposeKind.DUE
    assert visit.purposes[0]["interval_weeks"] == 2


def test_key_targets_with_reasons(manager_a, territory_a, office):
    run = GradingRunFactory()
    with_need, moved, missed, quiet = (shop(territory_a, i) for i in range(4))
    for r in (with_need, moved, missed, quiet):
        grade(r, Segment.BOTTOM, run)
        last_visit(manager_a, r, WEEK - dt.timedelta(days=8))  # not due for 4 weeks
    NeedFactory(retailer=with_need, description="要求调整货源")
    RetailerMonthlySales.objects.create(retailer=moved, month=dt.date(2026, 9, 1), cartons=100)
    RetailerMonthlySales.objects.create(retailer=moved, month=dt.date(2026, 10, 1), cartons=40)
    RetailerMonthlySales.objects.create(retailer=quiet, month=dt.date(2026, 9, 1), cartons=100)
    RetailerMonthlySales.objects.create(retailer=quiet, month=dt.date(2026, 10, 1), cartons=95)
    last_plan = VisitPlan.objects.create(manager=manager_a, week_start=WEEK - dt.timedelta(days=7))
    PlannedVisit.objects.create(plan=last_plan, retailer=missed, day=WEEK - dt.timedelta(days=6))

    plan = services.visit_plan_draft(manager=manager_a, week_start=WEEK, actor=manager_a)

    assert planned(plan) == {with_need.pk, moved.pk, missed.pk}
    kinds = {v.retailer_id: [p["kind"] for p in v.purposes] for v in plan.visits.all()}
    assert kinds[with_need.pk] == [PurposeKind.OPEN_NEED]
    assert kinds[moved.pk] == [PurposeKind.SALES_MOVED]
    assert plan.visits.get(retailer=moved).purposes[0]["change_pct"] == -60.0
    assert kinds[missed.pk] == [PurposeKind.MISSED]


def test_birthday_is_a_purpose(manager_a, territory_a, office):
    r = shop(territory_a, 1, birthday=dt.date(1970, 11, 18))
    plan = services.visit_plan_draft(manager=manager_a, week_start=WEEK, actor=manager_a)
    kinds = [p["kind"] for p in plan.visits.get(retailer=r).purposes]
    assert kinds == [PurposeKind.DUE, PurposeKind.BIRTHDAY]


def test_day_capacity_and_over_capacity_reported(manager_a, territory_a, office, marketing_manager):
    services.service_standard_save(actor=marketing_manager, day_visits=2, working_days=[0, 1])
    shops = [shop(territory_a, i) for i in range(6)]
    plan = services.visit_plan_draft(manager=manager_a, week_start=WEEK, actor=manager_a)
    per_day: dict[dt.date, int] = {}
    for v in plan.visits.all():
        per_day[v.day] = per_day.get(v.day, 0) + 1
        assert v.day in (WEEK, WEEK + dt.timedelta(days=1))
    assert max(per_day.values()) <= 2
    assert plan.visits.count() == 4
    left = [x for x in plan.left_out if x["reason"] == LeftOutReason.OVER_CAPACITY]
    assert len(left) == 2
    assert planned(plan) | {x["retailer"] for x in left} == {s.pk for s in shops}


def test_route_order_comes_from_engine_and_respects_windows(manager_a, territory_a, office):
    early = shop(territory_a, 1, opens_at=dt.time(8, 0), closes_at=dt.time(9, 30))
    late = shop(territory_a, 2, opens_at=dt.time(14, 0), closes_at=dt.time(20, 0))
    mid = shop(territory_a, 3, opens_at=dt.time(10, 0), closes_at=dt.time(12, 0))
    services.service_standard_save(
        actor=_admin(), working_days=[0], day_start=dt.time(8, 0), day_minutes=600
    )
    plan = services.visit_plan_draft(manager=manager_a, week_start=WEEK, actor=manager_a)
    visits = list(plan.visits.order_by("position"))
    assert [v.retailer_id for v in visits] == [early.pk, mid.pk, late.pk]
    standard = ServiceStandard.objects.get()
    for v in visits:
        opens, closes = adapters.window(v.retailer.opens_at, v.retailer.closes_at)
        start = adapters.minutes(v.planned_start, 0)
        assert start >= opens and start + v.service_minutes <= closes
        assert v.planned_arrival <= v.planned_start
    # The same order as the engine gives on the same inputs.
    stops = [services._stop(r, standard) for r in (early, late, mid)]
    routed = adapters.route_day(
        (30.57, 104.06), [s for s in stops if s], speed_kmh=25.0, day_start=480, day_minutes=600
    )
    assert [s.retailer_id for s, _a, _s in routed.visits] == [v.retailer_id for v in visits]


def _admin():
    from tobacco_crm.accounts.choices import Role
    from tobacco_crm.core.tests.factories import UserFactory

    return UserFactory(username="admin1", role=Role.ADMIN)


def test_window_too_short_is_reported(manager_a, territory_a, office):
    shop(territory_a, 1, opens_at=dt.time(9, 0), closes_at=dt.time(9, 5))
    plan = services.visit_plan_draft(manager=manager_a, week_start=WEEK, actor=manager_a)
    assert plan.visits.count() == 0
    assert plan.left_out[0]["reason"] == LeftOutReason.WINDOW_TOO_SHORT


def test_other_manager_cannot_draft_or_modify(
    manager_a, manager_b, territory_a, territory_b, office
):
    shop(territory_a, 1)
    b_shop = shop(territory_b, 2)
    with pytest.raises(PermissionDenied):
        services.visit_plan_draft(manager=manager_a, week_start=WEEK, actor=manager_b)
    plan = services.visit_plan_draft(manager=manager_a, week_start=WEEK, actor=manager_a)
    assert b_shop.pk not in planned(plan)
    visit = plan.visits.get()
    with pytest.raises(PermissionDenied):
        services.planned_visit_move(visit=visit, day=WEEK + dt.timedelta(days=1), actor=manager_b)
    with pytest.raises(PermissionDenied):
        services.planned_visit_drop(visit=visit, actor=manager_b)
    with pytest.raises(PermissionDenied):
        services.planned_visit_add(plan=plan, retailer=b_shop, day=WEEK, actor=manager_a)


def test_move_reoptimizes_both_days(manager_a, territory_a, office):
    services.service_standard_save(actor=_admin(), working_days=[0, 1], day_visits=3)
    for i in range(6):
        shop(territory_a, i)
    plan = services.visit_plan_draft(manager=manager_a, week_start=WEEK, actor=manager_a)
    monday = list(plan.visits.filter(day=WEEK).order_by("position"))
    moved = monday[0]
    services.planned_visit_move(visit=moved, day=WEEK + dt.timedelta(days=1), actor=manager_a)
    tuesday = list(plan.visits.filter(day=WEEK + dt.timedelta(days=1)).order_by("position"))
    assert moved.pk in [v.pk for v in tuesday]
    assert [v.position for v in tuesday] == list(range(1, len(tuesday) + 1))
    assert all(v.planned_arrival is not None for v in tuesday)
    rest = list(plan.visits.filter(day=WEEK).order_by("position"))
    assert [v.position for v in rest] == list(range(1, len(rest) + 1))
    # Tuesday's order is the engine's order for Tuesday's stops.
    standard = ServiceStandard.objects.get()
    stops = [services._stop(v.retailer, standard) for v in tuesday]
    routed = adapters.route_day(
        (30.57, 104.06), [s for s in stops if s], speed_kmh=25.0, day_start=510, day_minutes=480
    )
    engine_order = [s.retailer_id for s, _a, _s in routed.visits]
    order = [v.retailer_id for v in tuesday]
    assert order in (engine_order, engine_order[::-1])  # a symmetric tour: either direction


def test_move_outside_week_and_confirmed_plan_rejected(manager_a, territory_a, office):
    shop(territory_a, 1)
    plan = services.visit_plan_draft(manager=manager_a, week_start=WEEK, actor=manager_a)
    visit = plan.visits.get()
    with pytest.raises(ValidationError):
        services.planned_visit_move(visit=visit, day=WEEK + dt.timedelta(days=5), actor=manager_a)
    services.visit_plan_confirm(plan=plan, actor=manager_a)
    assert VisitPlan.objects.get().status == PlanStatus.CONFIRMED
    with pytest.raises(ValidationError):
        services.planned_visit_drop(visit=visit, actor=manager_a)
    with pytest.raises(ValidationError):
        services.visit_plan_draft(manager=manager_a, week_start=WEEK, actor=manager_a)


def test_standard_is_versioned_and_policy_only(marketing_manager, manager_a):
    first = services.service_standard_save(actor=marketing_manager, interval_top=1)
    second = services.service_standard_save(actor=marketing_manager, interval_top=2)
    assert (first.version, second.version) == (1, 2)
    with pytest.raises(PermissionDenied):
        services.service_standard_save(actor=manager_a)
