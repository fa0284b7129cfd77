"""The service standard's screens: the version in force in plain words, a new version saved
from the form (the old one unchanged), errors next to the fields, 403 for other roles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import include, path, reverse

from tobacco_crm.retailers.choices import BusinessFormat
from tobacco_crm.urls import urlpatterns as root_urlpatterns
from tobacco_crm.visits import services
from tobacco_crm.visits.forms_standard import ServiceStandardForm
from tobacco_crm.visits.models import ServiceStandard

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

# The screens under /visits/manage/ whether or not the project's urls include them yet.
urlpatterns = [
    path("visits/manage/", include("tobacco_crm.visits.urls_manage")),
    *root_urlpatterns,
]


def form_data(standard: ServiceStandard, **changes):
    data = ServiceStandardForm.initial_from(standard)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def first(marketing_manager):
    return services.service_standard_save(actor=marketing_manager, note="首版")


def test_page_shows_the_version_in_force(client, marketing_manager, first):
    client.force_login(marketing_manager)
    response = client.get(reverse("visits-standard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "第 1 版" in body and "首版" in body
    assert "每周一次" in body and "每 4 周一次" in body
    assert "周一、周二、周三、周四、周五" in body


def test_page_without_a_standard_shows_the_defaults(client, marketing_manager):
    client.force_login(marketing_manager)
    response = client.get(reverse("visits-standard"))
    assert response.status_code == 200
    assert "尚未制定服务标准" in response.content.decode()


def test_edit_saves_the_next_version_and_keeps_the_old(client, marketing_manager, first):
    client.force_login(marketing_manager)
    response = client.get(reverse("visits-standard-edit"))
    assert response.status_code == 200
    assert "第 2 版" in response.content.decode()
    data = form_data(
        first,
        interval_top=2,
        day_visits=10,
        day_start="09:00",
        speed_kmh="30.5",
        working_days=[0, 1, 2, 3, 4, 5],
        sales_move_pct=25,
        note="旺季加密",
        **{f"minutes_{BusinessFormat.SUPERMARKET}": 40},
    )
    response = client.post(reverse("visits-standard-edit"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("visits-standard")
    new = ServiceStandard.objects.get(version=2)
    assert new.created_by == marketing_manager and new.note == "旺季加密"
    assert (new.interval_top, new.day_visits, new.sales_move_pct) == (2, 10, 25)
    assert new.day_start == dt.time(9, 0) and float(new.speed_kmh) == 30.5
    assert new.working_days == [0, 1, 2, 3, 4, 5]
    assert new.minutes_for(BusinessFormat.SUPERMARKET) == 40
    assert new.minutes_for(BusinessFormat.GROCERY) == first.minutes_for(BusinessFormat.GROCERY)
    old = ServiceStandard.objects.get(version=1)
    assert (old.interval_top, old.day_visits, old.note) == (1, 12, "首版")
    assert old.working_days == [0, 1, 2, 3, 4]
    assert "第 2 版" in client.get(reverse("visits-standard")).content.decode()


def test_errors_show_next_to_fields_and_nothing_is_saved(client, marketing_manager, first):
    client.force_login(marketing_manager)
    data = form_data(first, day_visits=0, day_minutes=30, working_days=[])
    response = client.post(reverse("visits-standard-edit"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert {"day_visits", "day_minutes", "working_days"} <= set(form.errors)
    assert ServiceStandard.objects.count() == 1


@pytest.mark.parametrize("name", ["visits-standard", "visits-standard-edit"])
def test_other_roles_get_403(client, manager_a, first, name):
    client.force_login(manager_a)
    assert client.get(reverse(name)).status_code == 403
    if name == "visits-standard-edit":
        assert client.post(reverse(name), form_data(first)).status_code == 403
    assert ServiceStandard.objects.count() == 1


def test_anonymous_goes_to_login(client):
    response = client.get(reverse("visits-standard"))
    assert response.status_code == 302 and "login" in response["Location"]
