"""The accounts API: the signed-in user, scoped territories, and the API's schema."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tobacco_crm.accounts.choices import Role
from tobacco_crm.core.tests.factories import UserFactory


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.django_db
def test_me_describes_the_customer_manager(manager_a):
    response = client_for(manager_a).get("/api/me/")

    assert response.status_code == 200
    assert response.json() == {
        "id": manager_a.pk,
        "username": "cm_a",
        "name": "客户经理甲",
        "role": "customer_manager",
        "role_label": "客户经理",
        "capabilities": {
            "sees_whole_company": False,
            "can_edit_archive": True,
            "can_import_archive": False,
            "sees_full_phone": True,
            "sees_full_license": True,
        },
    }


@pytest.mark.django_db
def test_me_of_a_superuser_is_an_administrator():
    user = UserFactory(username="root", role=Role.INSPECTOR, is_superuser=True)

    data = client_for(user).get("/api/me/").json()

    assert data["role"] == "admin"
    assert data["role_label"] == "管理员"
    assert all(data["capabilities"].values())


@pytest.mark.django_db
def test_me_needs_a_signed_in_user():
    assert APIClient().get("/api/me/").status_code in (401, 403)


@pytest.mark.django_db
def test_territories_are_scoped(manager_a, marketing_manager, territory_a, territory_b):
    assert ids(client_for(manager_a).get("/api/territories/")) == {territory_a.pk}
    assert ids(client_for(marketing_manager).get("/api/territories/")) == {
        territory_a.pk,
        territory_b.pk,
    }
    assert client_for(manager_a).get(f"/api/territories/{territory_b.pk}/").status_code == 404


@pytest.mark.django_db
def test_inspector_sees_his_assigned_territories(inspector, territory_a, territory_b):
    territory_b.inspectors.add(inspector)

    response = client_for(inspector).get("/api/territories/")

    assert ids(response) == {territory_b.pk}
    row = response.json()["results"][0]
    assert row["code"] == "TB"
    assert row["customer_manager_name"] == "客户经理乙"


@pytest.mark.django_db
def test_schema_describes_the_api(manager_a):
    response = client_for(manager_a).get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/retailers/", "/api/retailers/{id}/history/", "/api/me/"} <= set(schema["paths"])


@pytest.mark.django_db
def test_api_root_lists_the_endpoints(manager_a):
    data = client_for(manager_a).get("/api/", HTTP_ACCEPT="application/json").json()

    assert {"retailers", "territories", "products", "orders"} <= set(data)
