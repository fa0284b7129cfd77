"""Retailer write services: validation, permissions, derived class code, history on every path."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tobacco_crm.core.tests.factories import RetailerFactory
from tobacco_crm.retailers.models import Retailer
from tobacco_crm.retailers.services import (
    retailer_create,
    retailer_update,
    retailers_bulk_update,
    retailers_reassign_territory,
)

pytestmark = pytest.mark.django_db


def _data(territory, **extra):
    return {
        "license_no": "510100000001",
        "shop_name": "好运来烟酒店",
        "owner_name": "李四",
        "phone": "13912345678",
        "address": "城关镇建设路8号",
        "business_format": "Y",
        "market_type": "C",
        "scale": 1,
        "territory": territory,
        **extra,
    }


def test_create_derives_class_code_and_writes_history(manager_a, territory_a):
    retailer = retailer_create(data=_data(territory_a), actor=manager_a)

    assert retailer.class_code == "CY1"
    record = retailer.history.get()
    assert record.history_type == "+"
    assert record.history_user == manager_a


def test_create_reports_every_bad_field_and_writes_nothing(manager_a, territory_a):
    bad = _data(territory_a, phone="12345", license_no="51-01", latitude=60)

    with pytest.raises(ValidationError) as error:
        retailer_create(data=bad, actor=manager_a)

    assert {"phone", "license_no", "latitude"} <= set(error.value.message_dict)
    assert Retailer.objects.count() == 0
    assert Retailer.history.count() == 0


def test_update_records_who_and_old_and_new_value(manager_a, territory_a):
    retailer = RetailerFactory(territory=territory_a, phone="13800000001")

    retailer_update(retailer=retailer, data={"phone": "139 0000 0002"}, actor=manager_a)

    retailer.refresh_from_db()
    assert retailer.phone == "13900000002"
    latest = retailer.history.latest()
    assert latest.history_user == manager_a
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("phone", "13800000001", "13900000002")
    ]


def test_update_changing_scale_rederives_class_code(manager_a, territory_a):
    retailer = RetailerFactory(territory=territory_a, market_type="X", business_format="B")

    retailer_update(retailer=retailer, data={"scale": 3}, actor=manager_a)

    assert Retailer.objects.get(pk=retailer.pk).class_code == "XB3"


def test_manager_cannot_update_another_territorys_retailer(manager_a, territory_b):
    retailer = RetailerFactory(territory=territory_b, phone="13800000001")

    with pytest.raises(PermissionDenied):
        retailer_update(retailer=retailer, data={"phone": "13900000002"}, actor=manager_a)

    assert Retailer.objects.get(pk=retailer.pk).phone == "13800000001"


def test_manager_cannot_move_retailer_into_another_territory(manager_a, territory_a, territory_b):
    retailer = RetailerFactory(territory=territory_a)

    with pytest.raises(PermissionDenied):
        retailer_update(retailer=retailer, data={"territory": territory_b}, actor=manager_a)

    assert Retailer.objects.get(pk=retailer.pk).territory == territory_a


def test_inspector_cannot_edit_archive(inspector, territory_a):
    territory_a.inspectors.add(inspector)
    retailer = RetailerFactory(territory=territory_a)

    with pytest.raises(PermissionDenied):
        retailer_update(retailer=retailer, data={"shop_name": "改名"}, actor=inspector)


def test_bulk_update_writes_one_history_record_per_retailer(marketing_manager, territory_a):
    retailers = RetailerFactory.create_batch(3, territory=territory_a, status="normal")
    for retailer in retailers:
        retailer.status = "suspended"

    retailers_bulk_update(
        retailers=retailers, fields=["status"], actor=marketing_manager, reason="批量停业"
    )

    for retailer in retailers:
        latest = retailer.history.latest()
        assert latest.status == "suspended"
        assert latest.history_user == marketing_manager
        assert latest.history_change_reason == "批量停业"


def test_reassign_territory_is_a_bulk_path_with_history(
    marketing_manager, territory_a, territory_b
):
    retailers = RetailerFactory.create_batch(2, territory=territory_a)

    moved = retailers_reassign_territory(
        retailer_ids=[r.pk for r in retailers], territory=territory_b, actor=marketing_manager
    )

    assert moved == 2
    assert Retailer.objects.filter(territory=territory_b).count() == 2
    assert all(r.history.latest().territory_id == territory_b.pk for r in retailers)
