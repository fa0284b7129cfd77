"""The care screens: scoping (404), role checks (403), agenda → preview → send → outbox,
the retailer fragment, and the outbox's query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tobacco_crm.care.models import MessageTemplate, OutboxMessage
from tobacco_crm.grading.choices import Segment
from tobacco_crm.grading.tests.factories import RetailerGradeFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_another_managers_retailer_answers_404(client, shops, manager_a):
    theirs = shops[2]
    client.force_login(manager_a)
    assert client.get(reverse("care-send", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("care-send", args=[theirs.pk]), {"text": "x"}).status_code == 404
    assert client.get(reverse("care-retailer", args=[theirs.pk])).status_code == 404


def test_who_cannot_edit_cannot_send(client, shops, inspector, order_taker):
    mine = shops[0]
    for user in (inspector, order_taker):
        client.force_login(user)
        assert client.get(reverse("care-send", args=[mine.pk])).status_code == 403
        assert client.post(reverse("care-send", args=[mine.pk]), {"text": "x"}).status_code == 403
    assert not OutboxMessage.objects.exists()


def test_agenda_preview_send_outbox(client, shops, manager_a):
    mine = shops[0]
    today = timezone.localdate()
    mine.birthday = today.replace(year=1988) if (today.month, today.day) != (2, 29) else None
    mine.important_dates = [
        {"date": (today + dt.timedelta(days=3)).isoformat(), "label": "开业纪念日"}
    ]
    mine.save()
    client.force_login(manager_a)
    page = client.get(reverse("care-agenda")).content.decode()
    assert "城关便民店" in page and "开业纪念日" in page and "发送祝福" in page
    url = reverse("care-send", args=[mine.pk])
    preview = client.get(url, {"template": "important_date", "label": "开业纪念日"})
    assert "王大您好，值此城关便民店开业纪念日之际" in preview.content.decode()
    response = client.post(
        url, {"template": "important_date", "label": "开业纪念日", "text": "王大您好，恭喜！"}
    )
    assert response.status_code == 302 and response.url == reverse("care-outbox")
    message = OutboxMessage.objects.get()
    assert message.template == MessageTemplate.objects.get(code="important_date")
    assert "王大您好，恭喜！" in client.get(reverse("care-outbox")).content.decode()


def test_empty_text_is_a_form_error(client, shops, manager_a):
    client.force_login(manager_a)
    response = client.post(reverse("care-send", args=[shops[0].pk]), {"text": ""})
    assert response.status_code == 400
    assert not OutboxMessage.objects.exists()


def test_outbox_shows_only_my_retailers(
    client, shops, manager_a, manager_b, django_assert_num_queries
):
    mine, neighbour, theirs = shops
    for shop in (mine, neighbour):
        OutboxMessage.objects.create(
            retailer=shop, phone="1", text=f"给{shop.shop_name}", created_by=manager_a
        )
    OutboxMessage.objects.create(retailer=theirs, phone="2", text="给乡镇", created_by=manager_b)
    client.force_login(manager_a)
    client.get(reverse("care-outbox"))
    with django_assert_num_queries(3):  # session, user, messages
        page = client.get(reverse("care-outbox")).content.decode()
    assert "给城关便民店" in page and "给城关烟酒行" in page and "给乡镇" not in page
    assert page.index("给城关烟酒行") < page.index("给城关便民店")  # newest first


def test_retailer_fragment_shows_the_plan(client, shops, manager_a, inspector):
    mine = shops[0]
    RetailerGradeFactory(retailer=mine, segment=Segment.BOTTOM)
    client.force_login(manager_a)
    fragment = client.get(reverse("care-retailer", args=[mine.pk]), **HTMX).content.decode()
    assert "<html" not in fragment and "四步服务" in fragment and "思想工作" in fragment
    client.force_login(inspector)
    page = client.get(reverse("care-retailer", args=[mine.pk])).content.decode()
    assert "思想工作" in page and "发送祝福" not in page
