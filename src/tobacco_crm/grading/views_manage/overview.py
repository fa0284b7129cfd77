"""The marketing manager's grading overview, and the grading periods."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tobacco_crm.core.http import add_service_errors
from tobacco_crm.core.requests import request_user

from ..forms_manage import PeriodForm, RunStartForm
from ..selectors import run_in_force
from ..services import grading_period_create
from . import reads
from .base import GradingManagerView

RECENT = 5


class HomeView(GradingManagerView):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        periods = list(reads.period_list()[:RECENT])
        groups = reads.policy_groups()
        start_form = RunStartForm(
            periods=reads.period_list(),
            policies=reads.policy_choices(),
            initial={
                "period": periods[0].pk if periods else None,
                "policy": groups[0].latest.pk if len(groups) == 1 else None,
            },
        )
        return render(
            request,
            "grading/manage/home.html",
            {
                "periods": periods,
                "runs": list(reads.run_list()[:RECENT]),
                "in_force": run_in_force(),
                "open_appeals": reads.open_appeal_count(user=user),
                "policy_groups": groups,
                "start_form": start_form,
            },
        )


class PeriodListView(GradingManagerView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "grading/manage/period_list.html",
            {"periods": reads.period_list(), "form": PeriodForm()},
        )


class PeriodCreateView(GradingManagerView):
    template_name = "grading/manage/period_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": PeriodForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PeriodForm(request.POST)
        if form.is_valid():
            try:
                period = grading_period_create(**form.cleaned_data, actor=request_user(request))
            except ValidationError as error:
                add_service_errors(form, error, {})
            else:
                messages.success(request, _("已创建评定周期 %(period)s。") % {"period": period})
                return redirect("grading-period-list")
        return render(request, self.template_name, {"form": form})
