"""Excel import of a plan's lines, and its template."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tobacco_crm.core.http import xlsx_download
from tobacco_crm.core.requests import request_user

from .. import selectors
from ..excel import plan_lines_import, plan_template_workbook
from ..forms import PlanImportForm
from .base import SupplyManagerView


class PlanImportView(SupplyManagerView):
    """Add or replace lines from a workbook: all rows or none."""

    template_name = "supply/manage/plan_import.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = selectors.plan_get(pk=pk)
        return render(request, self.template_name, {"plan": plan, "form": PlanImportForm()})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = selectors.plan_get(pk=pk)
        if not plan.editable:
            messages.error(request, _("方案已发布，不能再修改。"))
            return redirect("supply-plan-detail", pk=plan.pk)
        form = PlanImportForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            report = plan_lines_import(
                plan=plan, file=form.cleaned_data["file"], actor=request_user(request)
            )
            if report.ok:
                messages.success(
                    request, _("导入完成：%(n)s 个规格已写入方案。") % {"n": report.written}
                )
                return redirect(reverse("supply-plan-detail", args=[plan.pk]) + "#lines")
        return render(request, self.template_name, {"plan": plan, "form": form, "report": report})


class PlanTemplateView(SupplyManagerView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return xlsx_download(plan_template_workbook(), "supply-plan-template.xlsx")
