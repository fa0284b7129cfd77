"""The product catalogue API: read-only, filterable and searchable."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tobacco_crm.core.tests.factories import ProductFactory


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def codes(response) -> set[str]:
    return {row["code"] for row in response.json()["results"]}


@pytest.mark.django_db
def test_every_signed_in_user_lists_products(manager_a, inspector):
    ProductFactory(code="P1", price_class=1, status="scarce")

    for user in (manager_a, inspector):
        response = client_for(user).get("/api/products/")
        assert response.status_code == 200
        assert codes(response) == {"P1"}
    row = response.json()["results"][0]
    assert row["price_class_display"] == "一类"
    assert row["status_display"] == "紧俏"
    assert row["wholesale_price"] == "100.00"


@pytest.mark.django_db
def test_products_filter_and_search(manager_a):
    ProductFactory(code="P1", brand="娇子", name="宽窄", price_class=1, status="scarce")
    ProductFactory(code="P2", brand="中华", name="软", price_class=1)
    ProductFactory(code="P3", brand="娇子", name="蓝", price_class=3)
    client = client_for(manager_a)

    assert codes(client.get("/api/products/", {"status": "scarce"})) == {"P1"}
    assert codes(client.get("/api/products/", {"price_class": 1})) == {"P1", "P2"}
    assert codes(client.get("/api/products/", {"brand": "娇子"})) == {"P1", "P3"}
    assert codes(client.get("/api/products/", {"search": "宽窄"})) == {"P1"}
    assert codes(client.get("/api/products/", {"search": "P2"})) == {"P2"}


@pytest.mark.django_db
def test_products_are_read_only(marketing_manager):
    product = ProductFactory()
    client = client_for(marketing_manager)

    assert client.post("/api/products/", {"code": "X"}, format="json").status_code == 405
    assert client.patch(f"/api/products/{product.pk}/", {}, format="json").status_code == 405
    assert client.delete(f"/api/products/{product.pk}/").status_code == 405


@pytest.mark.django_db
def test_anonymous_is_refused():
    assert APIClient().get("/api/products/").status_code in (401, 403)
