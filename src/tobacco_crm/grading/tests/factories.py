"""factory_boy factories of grading. They write rows directly (test set-up), not through the
services; tests of behaviour call the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from tobacco_crm.accounts.choices import Role
from tobacco_crm.core.tests.factories import RetailerFactory, UserFactory
from tobacco_crm.engines.grading import GradingPolicy as EnginePolicy
from tobacco_crm.grading.choices import AppealStatus, ComplianceClass, RunStatus, Segment
from tobacco_crm.grading.models import (
    Appeal,
    Deduction,
    GradingPeriod,
    GradingPolicy,
    GradingRun,
    ManualIndicator,
    RetailerGrade,
)


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the quarter holding `day`."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    next_start = (
        dt.date(day.year + 1, 1, 1) if first_month == 10 else dt.date(day.year, first_month + 3, 1)
    )
    return start, next_start - dt.timedelta(days=1)


def _quarter_start(n: int) -> dt.date:
    # 2000Q1 ... 2019Q4, then again: never today's quarter, so a test may create the period
    # holding today (`start_date=quarter_of(today)[0]`) beside sequence-made ones.
    return dt.date(2000 + (n // 4) % 20, 3 * (n % 4) + 1, 1)


class GradingPolicyFactory(factory.django.DjangoModelFactory):
    """A policy version holding the engine's default policy (35/55/10, 30 tiers)."""

    class Meta:
        model = GradingPolicy

    name = "默认分级政策"
    version = factory.Sequence(lambda n: n + 1)
    data = factory.LazyFunction(lambda: EnginePolicy().to_dict())
    note = ""
    created_by = factory.SubFactory(UserFactory, role=Role.MARKETING_MANAGER)


class GradingPeriodFactory(factory.django.DjangoModelFactory):
    """A quarter: the sequence's (2000Q1, 2000Q2, ...) or the one starting at `start_date`
    (pass the first day of a quarter, e.g. `quarter_of(day)[0]`)."""

    class Meta:
        model = GradingPeriod

    start_date = factory.Sequence(_quarter_start)
    end_date = factory.LazyAttribute(lambda o: quarter_of(o.start_date)[1])
    code = factory.LazyAttribute(
        lambda o: f"{o.start_date.year}Q{(o.start_date.month - 1) // 3 + 1}"
    )
    name = factory.LazyAttribute(
        lambda o: f"{o.start_date.year}年第{(o.start_date.month - 1) // 3 + 1}季度"
    )
    locked = False


class DeductionFactory(factory.django.DjangoModelFactory):
    """A deduction of the default policy's item "未明码标价" (2 points)."""

    class Meta:
        model = Deduction

    retailer = factory.SubFactory(RetailerFactory)
    period = factory.SubFactory(GradingPeriodFactory)
    occurred_on = factory.LazyAttribute(lambda o: o.period.start_date)
    item_code = "price_tag"
    item_label = "未明码标价"
    points = Decimal("2.0")
    reason = "卷烟未明码标价"
    note = ""
    explained = True
    inspector = factory.SubFactory(UserFactory, role=Role.INSPECTOR)


class ManualIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ManualIndicator

    retailer = factory.SubFactory(RetailerFactory)
    period = factory.SubFactory(GradingPeriodFactory)
    key = "price_tags"
    value = 1.0
    entered_by = factory.LazyAttribute(lambda o: o.retailer.territory.customer_manager)


class GradingRunFactory(factory.django.DjangoModelFactory):
    """A run row without grades (for grades made by hand; real runs: services.grading_run_start)."""

    class Meta:
        model = GradingRun

    period = factory.SubFactory(GradingPeriodFactory)
    policy = factory.SubFactory(GradingPolicyFactory)
    status = RunStatus.PUBLISHED
    created_by = factory.SubFactory(UserFactory, role=Role.MARKETING_MANAGER)


class RetailerGradeFactory(factory.django.DjangoModelFactory):
    """A grade row made by hand (its `row` is empty: no explanation can be rebuilt from it)."""

    class Meta:
        model = RetailerGrade

    run = factory.SubFactory(GradingRunFactory)
    retailer = factory.SubFactory(RetailerFactory)
    compliance_points = 100.0
    compliance_class = ComplianceClass.A
    business_score = 80.0
    final_score = 80.0
    rank = 1
    tier = 20
    segment = Segment.STABLE


class AppealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appeal

    grade = factory.SubFactory(RetailerGradeFactory)
    reason = "销量明显高于同档零售户"
    requested_tier = None
    status = AppealStatus.OPEN
    raised_by = factory.LazyAttribute(lambda o: o.grade.retailer.territory.customer_manager)
