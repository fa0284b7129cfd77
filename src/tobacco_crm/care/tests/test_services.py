"""Template filling, the defaults, sending through the backend and its pluggability."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from tobacco_crm.care.choices import MessageStatus
from tobacco_crm.care.models import MessageTemplate, OutboxMessage, ServiceStandardItem
from tobacco_crm.care.services import care_defaults, greeting_send, template_fill
from tobacco_crm.care.tests import backends_for_tests

pytestmark = pytest.mark.django_db


def test_template_fill(shops):
    mine = shops[0]
    text = template_fill(
        text="{owner_name}您好，{shop_name}{label}快乐！{unknown} {0} {{x}} {label!r}",
        retailer=mine,
        label="开业纪念日",
    )
    assert text == "王大您好，城关便民店开业纪念日快乐！{unknown} {0} {x} {label!r}"


def test_default_templates_fill(shops):
    birthday = MessageTemplate.objects.get(code="birthday")
    assert template_fill(text=birthday.text, retailer=shops[0]).startswith("王大您好")


def test_care_defaults_is_idempotent_and_keeps_edits():
    ServiceStandardItem.objects.filter(code="mindset").update(label="改过的")
    MessageTemplate.objects.filter(code="birthday").delete()
    count = ServiceStandardItem.objects.count()
    assert care_defaults() == 1
    assert care_defaults() == 0
    assert ServiceStandardItem.objects.count() == count
    assert ServiceStandardItem.objects.get(code="mindset").label == "改过的"


def test_outbox_backend_writes_a_queued_row(shops, manager_a):
    mine = shops[0]
    template = MessageTemplate.objects.get(code="birthday")
    record = greeting_send(retailer=mine, text=" 生日快乐 ", actor=manager_a, template=template)
    row = OutboxMessage.objects.get()
    assert row == record
    assert (row.retailer, row.phone, row.text, row.created_by, row.status, row.template) == (
        mine, mine.phone, "生日快乐", manager_a, MessageStatus.QUEUED, template
    )  # fmt: skip


@override_settings(
    CARE_MESSAGE_BACKEND="tobacco_crm.care.tests.backends_for_tests.RecordingBackend"
)
def test_backend_is_pluggable(shops, manager_a):
    backends_for_tests.SENT.clear()
    greeting_send(retailer=shops[0], text="你好", actor=manager_a)
    assert [m.text for m in backends_for_tests.SENT] == ["你好"]
    assert OutboxMessage.objects.get().status == MessageStatus.SENT


def test_sending_needs_the_right_to_edit_the_retailer(shops, manager_a, inspector, order_taker):
    mine, _, theirs = shops
    for user, shop in ((inspector, mine), (order_taker, mine), (manager_a, theirs)):
        with pytest.raises(PermissionDenied):
            greeting_send(retailer=shop, text="你好", actor=user)
    with pytest.raises(ValidationError):
        greeting_send(retailer=mine, text="  ", actor=manager_a)
    assert not OutboxMessage.objects.exists()
