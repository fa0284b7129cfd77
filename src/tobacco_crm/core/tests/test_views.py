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
