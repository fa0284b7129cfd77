"""The dashboard and navigation: each role gets its own shortcuts."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("user_fixture", "present", "absent"),
    [
        ("manager_a", ["grading-indicator-entry"], ["grading-deduction-list", "grading-home"]),
        ("inspector", ["grading-deduction-list"], ["grading-indicator-entry", "grading-home"]),
        ("marketing_manager", ["grading-home", "retailer-import"], ["grading-deduction-list"]),
    ],
)
def test_dashboard_shows_the_roles_shortcuts(client, request, user_fixture, present, absent):
    client.force_login(request.getfixturevalue(user_fixture))

    page = client.get(reverse("dashboard")).text

    for name in present:
        assert f'href="{reverse(name)}"' in page
    for name in absent:
        assert f'href="{reverse(name)}"' not in page


def test_dashboard_counts_the_users_overdue_needs(client, manager_a, territory_a):
    import datetime as dt

    from tobacco_crm.core.tests.factories import RetailerFactory
    from tobacco_crm.needs.models import Need
    from tobacco_crm.needs.services import need_raise

    shop = RetailerFactory(territory=territory_a)
    need = need_raise(
        retailer=shop, kind="need", category="supply", description="想多订中华",
        channel="visit", actor=manager_a,
    )  # fmt: skip
    # Time passes: the due date is now behind us.
    Need.objects.filter(pk=need.pk).update(due_date=dt.date.today() - dt.timedelta(days=1))
    client.force_login(manager_a)

    response = client.get(reverse("dashboard"))

    assert response.context["overdue_needs"] == 1
    assert 'id="overdue-needs"' in response.text
