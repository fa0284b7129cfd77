"""What every signed-in user may read of a published plan (公开透明): the per-tier limit
table, and the limits of the retailers he can see as Excel. A plan not published answers 404
to users without `manages_supply`; managers may read any plan (a preview before publishing)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from tobacco_crm.core.http import xlsx_download
from tobacco_crm.core.requests import request_user

from .. import selectors
from ..excel import limits_export_workbook
from ..forms import LimitsExportForm


class TierTableView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        plan = selectors.plan_published_get(pk=pk, user=user)
        return render(
            request,
            "supply/manage/tier_table.html",
            {
                "plan": plan,
                "products": selectors.plan_tier_table(plan=plan),
                "is_published": plan.status in selectors.PUBLISHED_STATUSES,
                "export_form": LimitsExportForm(
                    territories=selectors.export_territories(user=user)
                ),
            },
        )


class LimitsExportView(LoginRequiredMixin, View):
    """The plan's limits of the retailers the user may see (one territory when chosen), each
    with its tier and reason, license numbers masked per role."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        plan = selectors.plan_published_get(pk=pk, user=user)
        form = LimitsExportForm(request.GET, territories=selectors.export_territories(user=user))
        territory = form.cleaned_data.get("territory") if form.is_valid() else None
        limits = selectors.plan_limits_for_export(plan=plan, user=user, territory=territory)
        if not form.is_valid():  # e.g. a territory the user can't see: nothing
            limits = limits.none()
        content = limits_export_workbook(limits=limits, plan=plan, user=user)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        suffix = f"-{territory.code}" if territory is not None else ""
        return xlsx_download(
            content, f"limits-{plan.period.code}-plan{plan.pk}{suffix}-{stamp}.xlsx"
        )
