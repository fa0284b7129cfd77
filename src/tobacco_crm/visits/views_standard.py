"""The service standard's screens (服务标准) for the marketing manager: the version in force
in plain words, and the form that saves the next version."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from tobacco_crm.core.http import add_service_errors
from tobacco_crm.core.requests import request_user
from tobacco_crm.grading.choices import Segment
from tobacco_crm.retailers.choices import BusinessFormat

from .forms_standard import WEEKDAYS, ServiceStandardForm
from .models import ServiceStandard
from .selectors import standard_current
from .services import service_standard_save


def standard_sections(standard: ServiceStandard) -> dict[str, Any]:
    """The standard in the words of the page: intervals per segment, minutes per format,
    working days by name."""
    days = dict(WEEKDAYS)
    return {
        "intervals": [(label, standard.interval_for(value)) for value, label in Segment.choices],
        "minutes": [(label, standard.minutes_for(code)) for code, label in BusinessFormat.choices],
        "working_days": "、".join(str(days[d]) for d in sorted(set(standard.working_days))),
    }


class StandardManagerView(LoginRequiredMixin, View):
    """The marketing manager's screens: signed-in users without `manages_grading` get 403."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not request_user(request).manages_grading:
            raise PermissionDenied(_("只有营销经理可以制定服务标准。"))
        return super().dispatch(request, *args, **kwargs)


class StandardView(StandardManagerView):
    def get(self, request: HttpRequest) -> HttpResponse:
        standard = standard_current()
        return render(
            request,
            "visits/standard.html",
            {
                "standard": standard,
                "saved": standard.pk is not None,
                "sections": standard_sections(standard),
                "versions": ServiceStandard.objects.select_related("created_by")[:20],
            },
        )


class StandardEditView(StandardManagerView):
    def get(self, request: HttpRequest) -> HttpResponse:
        current = standard_current()
        form = ServiceStandardForm(initial=ServiceStandardForm.initial_from(current))
        return self._render(request, form, current)

    def post(self, request: HttpRequest) -> HttpResponse:
        current = standard_current()
        form = ServiceStandardForm(request.POST)
        if form.is_valid():
            try:
                standard = service_standard_save(
                    actor=request_user(request), **form.standard_fields()
                )
            except ValidationError as error:
                add_service_errors(form, error, {})
            else:
                messages.success(
                    request, _("已保存服务标准第 %(v)d 版。") % {"v": standard.version}
                )
                return redirect("visits-standard")
        return self._render(request, form, current, status=400)

    def _render(self, request: HttpRequest, form: ServiceStandardForm,
                current: ServiceStandard, status: int = 200) -> HttpResponse:  # fmt: skip
        return render(
            request,
            "visits/standard_edit.html",
            {"form": form, "current": current, "next_version": current.version + 1},
            status=status,
        )
