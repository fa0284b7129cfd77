"""The retailer archive API: scoping, masking, writes through the services, history."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tobacco_crm.core.tests.factories import RetailerFactory, TerritoryFactory
from tobacco_crm.retailers.models import Retailer


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def detail_url(retailer: Retailer) -> str:
    return f"/api/retailers/{retailer.pk}/"


def test_api_url_names_do_not_shadow_the_ui():
    assert reverse("api-retailer-list") == "/api/retailers/"
    assert reverse("api-retailer-history", args=[7]) == "/api/retailers/7/history/"
    assert reverse("retailer-list") == "/retailers/"


@pytest.mark.django_db
def test_anonymous_is_refused(territory_a):
    RetailerFactory(territory=territory_a)
    assert APIClient().get("/api/retailers/").status_code in (401, 403)


@pytest.mark.django_db
def test_manager_lists_only_his_retailers(manager_a, territory_a, territory_b):
    own = RetailerFactory.create_batch(3, territory=territory_a)
    RetailerFactory.create_batch(2, territory=territory_b)

    response = client_for(manager_a).get("/api/retailers/")

    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert ids(response) == {r.pk for r in own}


@pytest.mark.django_db
def test_other_managers_retailer_answers_404(manager_a, territory_a, territory_b):
    other = RetailerFactory(territory=territory_b, shop_name="乙的店")
    client = client_for(manager_a)

    assert client.get(detail_url(other)).status_code == 404
    assert client.patch(detail_url(other), {"shop_name": "改名"}, format="json").status_code == 404
    assert client.get(f"{detail_url(other)}history/").status_code == 404
    other.refresh_from_db()
    assert other.shop_name == "乙的店"


@pytest.mark.django_db
def test_delete_is_not_offered(manager_a, territory_a):
    retailer = RetailerFactory(territory=territory_a)

    response = client_for(manager_a).delete(detail_url(retailer))

    assert response.status_code == 405
    assert Retailer.objects.filter(pk=retailer.pk).exists()


@pytest.mark.django_db
def test_search_does_not_leak_other_territories(manager_a, territory_a, territory_b):
    mine = RetailerFactory(territory=territory_a, shop_name="东风便利店", phone="13900000001")
    RetailerFactory(territory=territory_b, shop_name="东风烟酒行", phone="13900000002")
    client = client_for(manager_a)

    assert ids(client.get("/api/retailers/", {"q": "东风"})) == {mine.pk}
    assert ids(client.get("/api/retailers/", {"q": "139000000"})) == {mine.pk}
    # Another manager's territory is not even a valid filter value.
    response = client.get("/api/retailers/", {"territory": territory_b.pk})
    assert response.status_code == 400
    assert "territory" in response.json()


@pytest.mark.django_db
def test_filters_and_ordering(manager_a, territory_a):
    RetailerFactory(territory=territory_a, shop_name="乙", market_type="X", status="suspended")
    wanted = RetailerFactory(territory=territory_a, shop_name="甲", market_type="C")
    client = client_for(manager_a)

    response = client.get("/api/retailers/", {"market_type": "C", "status": "normal"})
    assert ids(response) == {wanted.pk}
    assert ids(client.get("/api/retailers/", {"class_code": "CZ2"})) == {wanted.pk}
    names = [
        r["shop_name"] for r in client.get("/api/retailers/?ordering=-shop_name").json()["results"]
    ]
    assert names == sorted(names, reverse=True)


@pytest.mark.django_db
def test_marketing_manager_sees_all_with_masked_phone(
    manager_a, marketing_manager, territory_a, territory_b
):
    a = RetailerFactory(territory=territory_a, phone="13812345678", license_no="510100123456")
    b = RetailerFactory(territory=territory_b)

    response = client_for(marketing_manager).get("/api/retailers/")
    assert ids(response) == {a.pk, b.pk}
    row = next(r for r in response.json()["results"] if r["id"] == a.pk)
    assert row["phone"] == "138****5678"
    assert row["license_no"] == "5101******56"
    assert "13812345678" not in response.content.decode()

    own = client_for(manager_a).get(detail_url(a)).json()
    assert own["phone"] == "13812345678"
    assert own["license_no"] == "510100123456"


@pytest.mark.django_db
def test_detail_shows_labels_and_territory(manager_a, territory_a):
    retailer = RetailerFactory(territory=territory_a, business_format="B", market_type="X")

    data = client_for(manager_a).get(detail_url(retailer)).json()

    assert data["territory"] == territory_a.pk
    assert data["territory_code"] == "TA"
    assert data["territory_name"] == "城关片区"
    assert data["customer_manager"] == manager_a.pk
    assert data["customer_manager_name"] == "客户经理甲"
    assert data["class_code"] == "XB2"
    assert data["business_format_display"] == "便利店"
    assert data["market_type_display"] == "乡村"
    assert data["status_display"] == "正常"
    assert "reason" not in data


@pytest.mark.django_db
def test_update_writes_one_history_record_and_diff(manager_a, territory_a):
    retailer = RetailerFactory(territory=territory_a, shop_name="旧名", scale=2)
    before = retailer.history.count()
    client = client_for(manager_a)

    response = client.patch(
        detail_url(retailer), {"shop_name": "新名", "scale": 1, "reason": "核实"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["shop_name"] == "新名"
    assert response.json()["class_code"] == "CZ1"
    assert retailer.history.count() == before + 1
    record = retailer.history.latest()
    assert record.history_user == manager_a
    assert record.history_change_reason == "核实"

    history = client.get(f"{detail_url(retailer)}history/").json()
    latest = history[0]
    assert latest["who"] == "客户经理甲"
    assert latest["kind"] == "~"
    assert latest["reason"] == "核实"
    changes = {c["field"]: (c["old"], c["new"]) for c in latest["changes"]}
    assert changes["shop_name"] == ("旧名", "新名")
    assert changes["scale"] == ("2 (中)", "1 (大)")


@pytest.mark.django_db
def test_unchanged_update_writes_no_history(manager_a, territory_a):
    retailer = RetailerFactory(territory=territory_a, shop_name="同名")
    before = retailer.history.count()

    response = client_for(manager_a).patch(
        detail_url(retailer), {"shop_name": "同名"}, format="json"
    )

    assert response.status_code == 200
    assert retailer.history.count() == before


@pytest.mark.django_db
def test_history_masks_phone_for_masked_roles(manager_a, marketing_manager, territory_a):
    retailer = RetailerFactory(territory=territory_a, phone="13812345678")
    client_for(manager_a).patch(detail_url(retailer), {"phone": "13987654321"}, format="json")

    masked = client_for(marketing_manager).get(f"{detail_url(retailer)}history/").json()
    full = client_for(manager_a).get(f"{detail_url(retailer)}history/").json()

    assert [(c["field"], c["old"], c["new"]) for c in masked[0]["changes"]] == [
        ("phone", "138****5678", "139****4321")
    ]
    assert [(c["field"], c["old"], c["new"]) for c in full[0]["changes"]] == [
        ("phone", "13812345678", "13987654321")
    ]
    assert "13812345678" not in str(masked)


@pytest.mark.django_db
def test_masked_phone_sent_back_keeps_stored_value(marketing_manager, territory_a):
    retailer = RetailerFactory(territory=territory_a, phone="13812345678")
    client = client_for(marketing_manager)
    data = client.get(detail_url(retailer)).json()
    assert data["phone"] == "138****5678"

    # A full update (PUT) echoing every field as read, with a changed shop name.
    payload = {k: v for k, v in data.items() if v is not None}
    payload["shop_name"] = "改过的名字"
    response = client.put(detail_url(retailer), payload, format="json")

    assert response.status_code == 200, response.json()
    retailer.refresh_from_db()
    assert retailer.phone == "13812345678"
    assert retailer.shop_name == "改过的名字"
    # The masked manager may still set a new number.
    response = client.patch(detail_url(retailer), {"phone": "13911112222"}, format="json")
    assert response.status_code == 200
    retailer.refresh_from_db()
    assert retailer.phone == "13911112222"


@pytest.mark.django_db
def test_invalid_phone_gives_400_naming_phone(manager_a, territory_a):
    retailer = RetailerFactory(territory=territory_a)

    response = client_for(manager_a).patch(detail_url(retailer), {"phone": "12345"}, format="json")

    assert response.status_code == 400
    assert "phone" in response.json()


@pytest.mark.django_db
def test_inspector_gets_403_inside_and_404_outside(inspector, territory_a, territory_b):
    territory_a.inspectors.add(inspector)
    inside = RetailerFactory(territory=territory_a, shop_name="原名")
    outside = RetailerFactory(territory=territory_b)
    client = client_for(inspector)

    assert client.get(detail_url(inside)).status_code == 200
    assert client.patch(detail_url(inside), {"shop_name": "x"}, format="json").status_code == 403
    assert client.patch(detail_url(outside), {"shop_name": "x"}, format="json").status_code == 404
    inside.refresh_from_db()
    assert inside.shop_name == "原名"


@pytest.mark.django_db
def test_inspector_sees_full_license_but_masked_phone(inspector, territory_a):
    territory_a.inspectors.add(inspector)
    retailer = RetailerFactory(territory=territory_a, phone="13812345678")

    data = client_for(inspector).get(detail_url(retailer)).json()

    assert data["phone"] == "138****5678"
    assert data["license_no"] == retailer.license_no


def create_payload(territory, **overrides):
    return {
        "license_no": "510199000001",
        "shop_name": "新开便利店",
        "owner_name": "李四",
        "phone": "13800001111",
        "address": "人民路1号",
        "business_format": "B",
        "market_type": "C",
        "scale": 3,
        "territory": territory.pk,
        "important_dates": [{"date": "2024-05-01", "label": "开业"}],
        **overrides,
    }


@pytest.mark.django_db
def test_manager_creates_retailer_in_his_territory(manager_a, territory_a):
    response = client_for(manager_a).post(
        "/api/retailers/", create_payload(territory_a), format="json"
    )

    assert response.status_code == 201, response.json()
    retailer = Retailer.objects.get(pk=response.json()["id"])
    assert retailer.class_code == "CB3"
    assert retailer.important_dates == [{"date": "2024-05-01", "label": "开业"}]
    record = retailer.history.get()
    assert record.history_type == "+"
    assert record.history_user == manager_a


@pytest.mark.django_db
def test_manager_may_not_assign_a_territory_not_his(manager_a, territory_a, territory_b):
    client = client_for(manager_a)
    response = client.post("/api/retailers/", create_payload(territory_b), format="json")
    assert response.status_code == 403
    assert not Retailer.objects.exists()

    retailer = RetailerFactory(territory=territory_a)
    response = client.patch(detail_url(retailer), {"territory": territory_b.pk}, format="json")
    assert response.status_code == 403
    retailer.refresh_from_db()
    assert retailer.territory == territory_a


@pytest.mark.django_db
def test_create_validation_errors_name_fields(manager_a, territory_a):
    RetailerFactory(territory=territory_a, license_no="510199000001")
    client = client_for(manager_a)

    # Uniqueness is checked by the service (full_clean): its ValidationError becomes a 400.
    response = client.post("/api/retailers/", create_payload(territory_a), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"license_no"}

    response = client.post(
        "/api/retailers/",
        create_payload(territory_a, license_no="5101", latitude="60.000000"),
        format="json",
    )
    assert response.status_code == 400
    assert {"license_no", "latitude"} <= set(response.json())
    assert Retailer.objects.count() == 1


@pytest.mark.django_db
def test_inspector_may_not_create(inspector, territory_a):
    territory_a.inspectors.add(inspector)

    response = client_for(inspector).post(
        "/api/retailers/", create_payload(territory_a), format="json"
    )

    assert response.status_code == 403


@pytest.mark.django_db
def test_list_query_count_does_not_grow(manager_a, territory_a, django_assert_num_queries):
    client = client_for(manager_a)
    RetailerFactory(territory=territory_a)
    # Session, user, count, page (retailer ⋈ territory ⋈ customer manager).
    with django_assert_num_queries(4):
        assert client.get("/api/retailers/").json()["count"] == 1

    # Twenty more, spread over a second territory of his: still the same four queries.
    second = TerritoryFactory(customer_manager=manager_a, company=territory_a.company)
    RetailerFactory.create_batch(10, territory=territory_a)
    RetailerFactory.create_batch(10, territory=second)
    with django_assert_num_queries(4):
        assert client.get("/api/retailers/").json()["count"] == 21
