"""Customer service screens, used on a phone: the manager's agenda of birthdays and
important dates, the greeting preview and send, the outbox, and the htmx fragment of a
retailer's service plan. Reads are scoped (404 outside the scope); sending needs the right
to edit the retailer (403); a ValidationError becomes form errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from tobacco_crm.core.requests import request_user
from tobacco_crm.grading.choices import Segment
from tobacco_crm.retailers.models import Retailer
from tobacco_crm.retailers.selectors import retailer_get

from . import selectors, services
from .forms import GreetingForm
from .models import MessageTemplate

OUTBOX_LIMIT = 100


class AgendaView(LoginRequiredMixin, View):
    """Today's dates, then the rest of the week's."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        today = timezone.localdate()
        occasions = selectors.agenda_for(user=user, day=today)
        editable = set(
            Retailer.objects.editable_by(user)
            .filter(pk__in={o.retailer.pk for o in occasions})
            .values_list("pk", flat=True)
        )
        context = {
            "today": today,
            "today_items": [o for o in occasions if o.day == today],
            "week_items": [o for o in occasions if o.day != today],
            "editable": editable,
        }
        return render(request, "care/agenda.html", context)


class GreetingSendView(LoginRequiredMixin, View):
    """GET: the preview, the chosen template filled for the retailer (?template=&label=);
    POST: send the (possibly edited) text."""

    template_name = "care/send.html"

    def _retailer(self, request: HttpRequest, retailer_id: int) -> Retailer:
        user = request_user(request)
        retailer = retailer_get(user=user, pk=retailer_id)
        if not services.can_send(user, retailer):
            raise PermissionDenied(_("您不能给这个零售户发送短信。"))
        return retailer

    def _render(self, request: HttpRequest, retailer: Retailer, form: GreetingForm) -> Any:
        status = 400 if form.is_bound and form.errors else 200
        context = {"retailer": retailer, "form": form}
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, retailer_id: int) -> HttpResponse:
        retailer = self._retailer(request, retailer_id)
        label = request.GET.get("label", "")[:64]
        template = MessageTemplate.objects.filter(code=request.GET.get("template", "")).first()
        text = (
            services.template_fill(text=template.text, retailer=retailer, label=label)
            if template
            else ""
        )
        form = GreetingForm(
            initial={"template": template.code if template else None, "label": label, "text": text}
        )
        return self._render(request, retailer, form)

    def post(self, request: HttpRequest, retailer_id: int) -> HttpResponse:
        retailer = self._retailer(request, retailer_id)
        form = GreetingForm(request.POST)
        if form.is_valid():
            try:
                services.greeting_send(
                    retailer=retailer,
                    text=form.cleaned_data["text"],
                    template=form.cleaned_data["template"],
                    actor=request_user(request),
                )
            except ValidationError as error:
                form.add_error("text" if hasattr(error, "error_dict") else None, error.messages)
            else:
                messages.success(request, _("短信已提交发送。"))
                return redirect("care-outbox")
        return self._render(request, retailer, form)


class OutboxView(LoginRequiredMixin, View):
    """Messages to the user's retailers, newest first."""

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = list(selectors.outbox_visible_to(request_user(request))[: OUTBOX_LIMIT + 1])
        context = {"outbox": rows[:OUTBOX_LIMIT], "more": len(rows) > OUTBOX_LIMIT}
        return render(request, "care/outbox.html", context)


class RetailerCareView(LoginRequiredMixin, View):
    """A retailer's service plan and coming dates: an htmx fragment of the retailer page
    (a page otherwise)."""

    def get(self, request: HttpRequest, retailer_id: int) -> HttpResponse:
        user = request_user(request)
        retailer = retailer_get(user=user, pk=retailer_id)
        today = timezone.localdate()
        segment = selectors.retailer_segment(retailer=retailer)
        context = {
            "retailer": retailer,
            "segment": Segment(segment).label if segment else None,
            "plan": selectors.retailer_service_plan(retailer=retailer),
            "upcoming": selectors.retailer_upcoming(retailer=retailer, day=today),
            "today": today,
            "until": today + dt.timedelta(days=30),
            "can_send": services.can_send(user, retailer),
        }
        template = (
            "care/_retailer_care.html" if getattr(request, "htmx", False) else "care/retailer.html"
        )
        return render(request, template, context)
