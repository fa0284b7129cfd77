"""Every model registered in the admin opens for an administrator; audited records are
read-only there (their writes go through the services)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tobacco_crm.core.tests.factories import RetailerFactory, UserFactory
from tobacco_crm.grading.models import Deduction, GradingRun
from tobacco_crm.orders.models import Order
from tobacco_crm.supply.models import RetailerLimit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_every_changelist_opens(admin_client, territory_a):
    RetailerFactory(territory=territory_a)
    for model in admin.site._registry:
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")

        response = admin_client.get(url)

        assert response.status_code == 200, url


@pytest.mark.parametrize("model", [Deduction, GradingRun, Order, RetailerLimit])
def test_audited_records_cannot_be_added_in_the_admin(admin_client, model):
    meta = model._meta

    response = admin_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))

    assert response.status_code == 403
