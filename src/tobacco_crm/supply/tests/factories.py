"""factory_boy factories of supply. They write rows directly (test set-up), not through the
services; tests of behaviour call the services."""

from __future__ import annotations

import datetime as dt

import factory

from tobacco_crm.accounts.choices import Role
from tobacco_crm.core.tests.factories import ProductFactory, UserFactory
from tobacco_crm.products.choices import ProductStatus
from tobacco_crm.supply.choices import Basis, PlanStatus
from tobacco_crm.supply.models import SupplyPeriod, SupplyPlan, SupplyPlanLine
from tobacco_crm.supply.services import week_of

# 2000-01-03 is a Monday: the sequence's weeks are far from today's, so a test may create
# the period holding today (`services.supply_period_for(day=today)`) beside these.
FIRST_MONDAY = dt.date(2000, 1, 3)


def _monday(n: int) -> dt.date:
    return FIRST_MONDAY + dt.timedelta(weeks=n)


class SupplyPeriodFactory(factory.django.DjangoModelFactory):
    """A week: the sequence's (2000-W01, 2000-W02, ...) or the one starting at `start_date`
    (pass a Monday)."""

    class Meta:
        model = SupplyPeriod
        django_get_or_create = ("code",)

    start_date = factory.Sequence(_monday)
    end_date = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=6))
    code = factory.LazyAttribute(lambda o: week_of(o.start_date)[0])
    sequence = factory.Sequence(lambda n: n + 1)


class SupplyPlanFactory(factory.django.DjangoModelFactory):
    """A draft plan without lines (no grading run unless given)."""

    class Meta:
        model = SupplyPlan

    period = factory.SubFactory(SupplyPeriodFactory)
    name = factory.LazyAttribute(lambda o: f"{o.period.code} 投放方案")
    status = PlanStatus.DRAFT
    created_by = factory.SubFactory(UserFactory, role=Role.MARKETING_MANAGER)


class SupplyPlanLineFactory(factory.django.DjangoModelFactory):
    """A line of a scarce product by tier with the default rule."""

    class Meta:
        model = SupplyPlanLine

    plan = factory.SubFactory(SupplyPlanFactory)
    product = factory.SubFactory(ProductFactory, status=ProductStatus.SCARCE)
    available = 100
    basis = Basis.TIER
    rule = factory.LazyFunction(dict)
    eligibility = factory.LazyFunction(dict)
