"""Retailer archive screens: list with search, filters and Excel export; page with history and
recent orders; edit form; Excel import with a dry run. Views only configure and validate;
reads come from selectors and writes from services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django_tables2 import RequestConfig

from tobacco_crm.core.http import add_service_errors, xlsx_download
from tobacco_crm.core.pagination import CappedCountPaginator
from tobacco_crm.core.requests import request_user

from .forms import RetailerForm, RetailerImportForm
from .selectors import retailer_get, retailer_history, retailer_list, retailer_recent_orders
from .services import retailer_update
from .tables import RetailerTable

PAGE_SIZE = 25


class RetailerListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        filterset, queryset = retailer_list(
            user=request_user(request), params=request.GET, request=request
        )
        table = RetailerTable(queryset, order_by=request.GET.get("sort"))
        paginate = {"per_page": PAGE_SIZE, "paginator_class": CappedCountPaginator}
        RequestConfig(request, paginate=paginate).configure(table)
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "retailers/retailer_list.html",
            {"filter": filterset, "table": table, "export_query": query.urlencode()},
        )


class RetailerExportView(LoginRequiredMixin, View):
    """The filtered list as .xlsx: exactly what the user may see, masked as on screen."""

    def get(self, request: HttpRequest) -> HttpResponse:
        from .excel import retailers_export_workbook

        _filterset, queryset = retailer_list(
            user=request_user(request), params=request.GET, request=request
        )
        content = retailers_export_workbook(retailers=queryset, user=request_user(request))
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return xlsx_download(content, f"retailers-{stamp}.xlsx")


class RetailerDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        retailer = retailer_get(user=user, pk=pk)
        return render(
            request,
            "retailers/retailer_detail.html",
            {
                "retailer": retailer,
                "history": retailer_history(retailer=retailer, user=user),
                "orders": retailer_recent_orders(retailer=retailer),
                "can_edit": user.can_edit_archive,
            },
        )


class RetailerEditView(LoginRequiredMixin, View):
    template_name = "retailers/retailer_form.html"

    def _retailer(self, request: HttpRequest, pk: int):
        retailer = retailer_get(user=request_user(request), pk=pk)
        if not request_user(request).can_edit_archive:
            raise PermissionDenied(_("您的角色不能修改零售户档案。"))
        return retailer

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        retailer = self._retailer(request, pk)
        form = RetailerForm(instance=retailer, user=request_user(request))
        return render(request, self.template_name, {"form": form, "retailer": retailer})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        retailer = self._retailer(request, pk)
        form = RetailerForm(request.POST, instance=retailer, user=request_user(request))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.fields}
            # The form mutated the instance while cleaning; the service re-reads it locked.
            fresh = retailer_get(user=request_user(request), pk=pk)
            try:
                retailer_update(retailer=fresh, data=data, actor=request_user(request))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存。"))
                return redirect(fresh.get_absolute_url())
        return render(request, self.template_name, {"form": form, "retailer": retailer})


class RetailerImportView(LoginRequiredMixin, View):
    template_name = "retailers/retailer_import.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and not request_user(request).can_import_archive:
            raise PermissionDenied(_("您的角色不能导入零售户档案。"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": RetailerImportForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        from .importing import retailer_import

        form = RetailerImportForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            report = retailer_import(
                file=form.cleaned_data["file"],
                actor=request_user(request),
                dry_run=form.cleaned_data["dry_run"],
            )
            if report.ok and not form.cleaned_data["dry_run"]:
                messages.success(
                    request,
                    _("导入完成：新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s。")
                    % {
                        "created": report.created,
                        "updated": report.updated,
                        "unchanged": report.unchanged,
                    },
                )
                return redirect("retailer-list")
        return render(request, self.template_name, {"form": form, "report": report})


class RetailerTemplateView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        from .excel import retailer_template_workbook

        return xlsx_download(retailer_template_workbook(), "retailer-import-template.xlsx")
