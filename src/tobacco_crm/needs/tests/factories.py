"""factory_boy factories of follow-up."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from tobacco_crm.core.tests.factories import RetailerFactory, UserFactory
from tobacco_crm.needs.choices import NeedCategory, NeedChannel, NeedKind, NeedStatus
from tobacco_crm.needs.models import Need


class NeedFactory(factory.django.DjangoModelFactory):
    """An open need; pass status/owner together to build later states."""

    class Meta:
        model = Need

    retailer = factory.SubFactory(RetailerFactory)
    kind = NeedKind.NEED
    category = NeedCategory.SUPPLY
    description = factory.Sequence(lambda n: f"希望增加紧俏烟货源 {n}")
    channel = NeedChannel.VISIT
    raised_by = factory.SubFactory(UserFactory)
    status = NeedStatus.OPEN
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))
