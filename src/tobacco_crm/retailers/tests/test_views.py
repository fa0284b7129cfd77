"""Retailer screens: scoping, search, masking, editing with history, export, query counts."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from tobacco_crm.accounts.choices import Role
from tobacco_crm.core.tests.factories import RetailerFactory, UserFactory
from tobacco_crm.retailers.models import Retailer

pytestmark = pytest.mark.django_db


@pytest.fixture
def shops(territory_a, territory_b):
    mine = RetailerFactory(
        territory=territory_a,
        shop_name="城关便民店",
        phone="13811112222",
        license_no="510100000001",
    )
    theirs = RetailerFactory(
        territory=territory_b,
        shop_name="乡镇便民店",
        phone="13833334444",
        license_no="510100000002",
    )
    return mine, theirs


def test_list_shows_only_own_territory(client, manager_a, shops):
    client.force_login(manager_a)

    response = client.get(reverse("retailer-list"))

    assert response.status_code == 200
    assert "城关便民店" in response.text
    assert "乡镇便民店" not in response.text


def test_search_never_reaches_another_territory(client, manager_a, shops):
    client.force_login(manager_a)

    by_name = client.get(reverse("retailer-list"), {"q": "乡镇"})
    by_license = client.get(reverse("retailer-list"), {"q": "510100000002"})
    by_phone = client.get(reverse("retailer-list"), {"q": "1383333"})

    for response in (by_name, by_license, by_phone):
        assert "乡镇便民店" not in response.text
    assert "城关便民店" in client.get(reverse("retailer-list"), {"q": "1381111"}).text


def test_filter_by_another_managers_territory_is_rejected(client, manager_a, shops, territory_b):
    client.force_login(manager_a)

    response = client.get(reverse("retailer-list"), {"territory": territory_b.pk})

    assert "乡镇便民店" not in response.text
    assert "城关便民店" not in response.text


def test_other_territorys_retailer_page_and_edit_answer_404(client, manager_a, shops):
    _mine, theirs = shops
    client.force_login(manager_a)

    assert client.get(reverse("retailer-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("retailer-edit", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("retailer-edit", args=[theirs.pk]), {"shop_name": "x"})
    assert response.status_code == 404
    assert Retailer.objects.get(pk=theirs.pk).shop_name == "乡镇便民店"


def test_edit_phone_shows_in_history(client, manager_a, shops):
    mine, _theirs = shops
    client.force_login(manager_a)
    form = client.get(reverse("retailer-edit", args=[mine.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(phone="13999998888", territory=mine.territory_id, important_dates="[]")

    response = client.post(reverse("retailer-edit", args=[mine.pk]), data)

    assert response.status_code == 302
    page = client.get(reverse("retailer-detail", args=[mine.pk])).text
    assert "13811112222" in page and "13999998888" in page
    latest = Retailer.objects.get(pk=mine.pk).history.latest()
    assert latest.history_user == manager_a
    assert latest.phone == "13999998888"


def test_edit_reports_field_errors_and_keeps_data(client, manager_a, shops):
    mine, _theirs = shops
    client.force_login(manager_a)
    form = client.get(reverse("retailer-edit", args=[mine.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(phone="12345", territory=mine.territory_id, important_dates="[]")

    response = client.post(reverse("retailer-edit", args=[mine.pk]), data)

    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert Retailer.objects.get(pk=mine.pk).phone == "13811112222"
    assert Retailer.objects.get(pk=mine.pk).history.count() == 1


def test_marketing_manager_sees_all_masked(client, marketing_manager, shops):
    mine, _theirs = shops
    client.force_login(marketing_manager)

    listing = client.get(reverse("retailer-list")).text
    page = client.get(reverse("retailer-detail", args=[mine.pk])).text

    assert "城关便民店" in listing and "乡镇便民店" in listing
    for text in (listing, page):
        assert "13811112222" not in text
        assert "138****2222" in text
        assert "510100000001" not in text
    edit_form = client.get(reverse("retailer-edit", args=[mine.pk])).context["form"]
    assert "phone" not in edit_form.fields


def test_inspector_sees_assigned_territory_read_only(client, inspector, shops, territory_b):
    mine, theirs = shops
    territory_b.inspectors.add(inspector)
    client.force_login(inspector)

    listing = client.get(reverse("retailer-list")).text

    assert "乡镇便民店" in listing and "城关便民店" not in listing
    assert client.get(reverse("retailer-detail", args=[mine.pk])).status_code == 404
    assert client.get(reverse("retailer-edit", args=[theirs.pk])).status_code == 403


def test_export_holds_exactly_the_visible_filtered_rows(client, manager_a, shops, territory_a):
    RetailerFactory(territory=territory_a, shop_name="城关超市", business_format="C")
    client.force_login(manager_a)

    response = client.get(reverse("retailer-export"), {"business_format": "Z"})

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["城关便民店"]


def test_list_query_count_does_not_grow_with_rows(
    client, manager_a, territory_a, django_assert_max_num_queries
):
    RetailerFactory.create_batch(30, territory=territory_a)
    client.force_login(manager_a)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("retailer-list"))

    assert response.status_code == 200
    assert response.text.count("/retailers/") >= 25


def test_order_taker_cannot_import(client):
    user = UserFactory(username="ot", role=Role.ORDER_TAKER)
    client.force_login(user)

    assert client.get(reverse("retailer-import")).status_code == 403


def test_dashboard_counts_visible_retailers(client, manager_a, shops):
    client.force_login(manager_a)

    response = client.get(reverse("dashboard"))

    assert response.context["retailer_count"] == 1


def test_anonymous_is_sent_to_login(client, shops):
    response = client.get(reverse("retailer-list"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_digit_search_matches_prefixes_only(client, manager_a, territory_a):
    RetailerFactory(
        territory=territory_a, shop_name="甲店", license_no="510100000091", phone="13912340000"
    )
    RetailerFactory(
        territory=territory_a, shop_name="乙店", license_no="510100000099", phone="13812349999"
    )
    client.force_login(manager_a)

    def names(q):
        table = client.get(reverse("retailer-list"), {"q": q}).context["table"]
        return sorted(row.record.shop_name for row in table.paginated_rows)

    assert names("5101000000") == ["乙店", "甲店"]
    assert names("510100000099") == ["乙店"]
    assert names("139") == ["甲店"]
    assert names("1234") == []  # a middle fragment is not a prefix


def test_huge_result_count_is_capped(client, manager_a, territory_a, monkeypatch):
    from tobacco_crm.core.pagination import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "cap", 3)
    RetailerFactory.create_batch(5, territory=territory_a)
    client.force_login(manager_a)

    response = client.get(reverse("retailer-list"), {"q": "便民"})

    assert "超过 3 户" in response.text
    assert response.context["table"].paginator.count == 4


def test_history_masks_a_phone_even_when_the_old_value_was_empty(
    client, marketing_manager, territory_a
):
    from tobacco_crm.retailers.selectors import retailer_history
    from tobacco_crm.retailers.services import retailer_update

    shop = RetailerFactory(territory=territory_a, phone="13811112222")
    Retailer.objects.filter(pk=shop.pk).update(phone="")  # an archive that had no phone
    shop.history.update(phone="")
    retailer_update(retailer=shop, data={"phone": "13999998888"}, actor=marketing_manager)

    change = retailer_history(retailer=shop, user=marketing_manager)[0].changes[0]

    assert (change.field, change.old, change.new) == ("phone", "—", "139****8888")
